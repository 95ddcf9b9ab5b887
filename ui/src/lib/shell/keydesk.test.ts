import { MockBackend, appError } from '../ipc/mockBackend';
import { Keydesk } from './keydesk.svelte';

/** A backend whose provider revokes but answers no key, as some providers do. */
function silentRevokes(): MockBackend {
  const backend = new MockBackend({ keysPerConnection: 3 });
  const revoke = backend.revokeKey;
  backend.revokeKey = async (connectionId, keyId, operationId) => {
    await revoke(connectionId, keyId, operationId);
    return null;
  };
  return backend;
}

describe('Keydesk.revokeKey', () => {
  it('puts the key the backend answers in the list', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    await desk.loadKeys('c-oligon');
    const [first] = desk.lists['c-oligon'].keys;

    const key = await desk.revokeKey('c-oligon', first.id);

    const stored = backend.keys.get('c-oligon')!.find((k) => k.id === first.id)!;
    expect(key).toEqual(stored);
    expect(desk.lists['c-oligon'].keys.find((k) => k.id === first.id)).toEqual(stored);
  });

  it('reads the list again when the provider answers no key, instead of making one up', async () => {
    const backend = silentRevokes();
    const desk = new Keydesk(backend);
    await desk.loadKeys('c-oligon');
    const [first] = desk.lists['c-oligon'].keys;
    const listKeys = vi.spyOn(backend, 'listKeys');

    const key = await desk.revokeKey('c-oligon', first.id);

    expect(listKeys).toHaveBeenCalledOnce();
    const stored = backend.keys.get('c-oligon')!.find((k) => k.id === first.id)!;
    expect(stored.status).toBe('revoked');
    expect(key).toEqual(stored);
    expect(desk.lists['c-oligon'].keys.find((k) => k.id === first.id)).toEqual(stored);
  });

  it('answers null when the re-read list no longer has the key', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    await desk.loadKeys('c-oligon');
    const [first] = desk.lists['c-oligon'].keys;
    backend.revokeKey = async (connectionId, keyId) => {
      backend.keys.set(connectionId, backend.keys.get(connectionId)!.filter((k) => k.id !== keyId));
      return null;
    };

    expect(await desk.revokeKey('c-oligon', first.id)).toBeNull();
    expect(desk.lists['c-oligon'].keys.some((k) => k.id === first.id)).toBe(false);
  });

  it('answers null, not the key as it was, when the re-read list fails', async () => {
    const backend = silentRevokes();
    const desk = new Keydesk(backend);
    await desk.loadKeys('c-oligon');
    const [first] = desk.lists['c-oligon'].keys;
    backend.listKeys = async () => {
      throw appError('network', 'The service did not answer.');
    };

    expect(await desk.revokeKey('c-oligon', first.id)).toBeNull();
    expect(desk.lists['c-oligon'].status).toBe('error');
  });
});

describe('Keydesk.deleteKey and setKeyEnabled', () => {
  it('take a deleted key out of the list and put a disabled one in as the backend answers it', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    await desk.loadKeys('c-oligon');
    const [first, second] = desk.lists['c-oligon'].keys;

    await desk.deleteKey('c-oligon', first.id);
    expect(desk.lists['c-oligon'].keys.some((k) => k.id === first.id)).toBe(false);
    expect(backend.keys.get('c-oligon')!.some((k) => k.id === first.id)).toBe(false);

    const disabled = await desk.setKeyEnabled('c-oligon', second.id, false);
    expect(disabled.status).toBe('disabled');
    expect(desk.lists['c-oligon'].keys.find((k) => k.id === second.id)).toEqual(backend.keys.get('c-oligon')!.find((k) => k.id === second.id));
  });
});
