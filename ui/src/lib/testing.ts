// Shared set-up for component tests: the app or a started Keydesk on the in-memory backend.
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../App.svelte';
import { MockBackend, blankKey, type MockOptions } from './ipc/mockBackend';
import type { Key } from './ipc/types';
import { Keydesk, keydeskContext } from './shell/keydesk.svelte';

export type User = ReturnType<typeof userEvent.setup>;

/**
 * Renders the whole app on `backend` and waits for the first connection's keys; with
 * `connection` (a connection's name), opens that one too. Answers the user to drive it with.
 */
export async function renderApp(backend: MockBackend = new MockBackend(), connection?: string) {
  const user = userEvent.setup();
  render(App, { backend });
  await screen.findAllByTestId('key-row');
  if (connection !== undefined) await openConnection(user, connection);
  return { user, backend };
}

/** Opens the connection named `name` from the sidebar, unless it is open already. */
export async function openConnection(user: User, name: string): Promise<void> {
  if (screen.queryByRole('heading', { level: 2, name })) return;
  await user.click(screen.getAllByTestId('connection-item').find((i) => i.textContent?.includes(name))!);
  await screen.findByRole('heading', { level: 2, name });
}

export async function startedDesk(options: MockOptions = {}) {
  const backend = new MockBackend(options);
  const desk = new Keydesk(backend);
  await desk.start();
  return { backend, desk, context: keydeskContext(desk) };
}

/** A live, active key with every optional field empty; tests set what they care about. */
export function fakeKey(over: Partial<Key> = {}): Key {
  return blankKey({
    id: 'key_1',
    name: 'Production server',
    masked: 'sk_live_…x9k2',
    environment: 'live',
    created_at: '2026-10-01T09:00:00Z',
    ...over,
  });
}
