// Shared set-up for component tests: a started Keydesk on the in-memory backend.
import { MockBackend, type MockOptions } from './ipc/mockBackend';
import type { Key } from './ipc/types';
import { Keydesk, keydeskContext } from './shell/keydesk.svelte';

export async function startedDesk(options: MockOptions = {}) {
  const backend = new MockBackend(options);
  const desk = new Keydesk(backend);
  await desk.start();
  return { backend, desk, context: keydeskContext(desk) };
}

/** A key with every optional field empty; tests set what they care about. */
export function fakeKey(over: Partial<Key> = {}): Key {
  return {
    id: 'key_1',
    name: 'Production server',
    masked: 'sk_live_…x9k2',
    environment: 'live',
    scopes: [],
    status: 'active',
    created_at: '2026-10-01T09:00:00Z',
    last_used_at: null,
    last_used_ip: null,
    expires_at: null,
    revoked_at: null,
    rotation: null,
    metadata: {},
    raw: {},
    ...over,
  };
}
