// Shared set-up for component tests: a started Keydesk on the in-memory backend.
import { MockBackend, blankKey, type MockOptions } from './ipc/mockBackend';
import type { Key } from './ipc/types';
import { Keydesk, keydeskContext } from './shell/keydesk.svelte';

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
