import { CLIPBOARD_CLEAR_SECS } from './capabilities';
import { MockBackend, appError } from './mockBackend';

describe('MockBackend', () => {
  it('serves keys for a connection of each of the four providers', async () => {
    const backend = new MockBackend({ keysPerConnection: 5 });
    const connections = await backend.listConnections();
    expect(connections.map((c) => c.provider).sort()).toEqual(['fiskaly', 'oligon', 'strait', 'syncgram']);
    for (const c of connections) expect(await backend.listKeys(c.id)).toHaveLength(5);
  });

  it('lists keys without their raw JSON and answers it from keyDetails', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const [key] = await backend.listKeys('c-oligon');
    expect(key).not.toHaveProperty('raw');
    expect((await backend.keyDetails('c-oligon', key.id)).raw).toMatchObject({ id: key.id, name: key.name });
    await expect(backend.keyDetails('c-oligon', 'no_such_key')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('keeps plaintext out of everything but revealSecret', async () => {
    const backend = new MockBackend();
    const result = await backend.createKey('c-fiskaly', {
      name: 'ci-key', scopes: [], environment: 'live', expires_in_days: null, metadata: {}, kind: null,
      rotation_interval_days: null, rotation_webhook_url: null,
    }, false);
    if (result.status !== 'created') throw new Error('expected created');
    const secret = await backend.revealSecret(result.reveal.reveal_id, 1);

    expect(result.reveal.secrets.map((s) => s.label)).toEqual(['API key', 'API secret']);
    expect(secret).toContain('FAKE');
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(await backend.listKeys('c-fiskaly'))).not.toContain(secret);
  });

  it('refuses a second active SyncgramPay key unless asked to replace the active one', async () => {
    const backend = new MockBackend();
    const draft = { name: 'n', scopes: [], environment: null, expires_in_days: null, metadata: {}, kind: null,
      rotation_interval_days: null, rotation_webhook_url: null };
    await expect(backend.createKey('c-syncgram', draft, false)).rejects.toMatchObject({ kind: 'conflict' });
    await backend.createKey('c-syncgram', draft, true);
    const active = (await backend.listKeys('c-syncgram')).filter((k) => k.status === 'active');
    expect(active).toHaveLength(1);
    expect(active[0].name).toBe('n');
  });

  it('fails the next call of a command once when told to', async () => {
    const backend = new MockBackend();
    backend.failNext('list_connections', appError('network', 'Offline.'));
    await expect(backend.listConnections()).rejects.toMatchObject({ kind: 'network' });
    await expect(backend.listConnections()).resolves.toHaveLength(4);
  });
  it('refuses a draft its provider\'s field specs refuse, naming the field', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    await expect(backend.createKey('c-fiskaly', { name: 'Not A Slug', environment: 'test' }, false)).rejects.toMatchObject({
      kind: 'validation',
      field: 'name',
      message: '3–30 lowercase letters, digits or hyphens',
    });
    await expect(backend.createKey('c-strait', { name: 'Deploy' }, false)).rejects.toMatchObject({ kind: 'validation', field: 'scopes' });
    await expect(
      backend.createKey('c-strait', { name: 'Deploy', scopes: ['jobs:read'], rotation_webhook_url: 'https://hooks.example.test' }, false),
    ).rejects.toMatchObject({ kind: 'validation', field: 'rotation_webhook_url' });
    expect(await backend.listKeys('c-strait')).toHaveLength(1);
  });

  it('adds a webhook signing secret wherever the create form asks for a webhook URL', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    const webhookField = backend.capabilities
      .flatMap((c) => c.create_fields)
      .find((f) => f.name === 'rotation_webhook_url')!;
    const oligon = backend.capabilities.find((c) => c.provider === 'oligon')!;
    oligon.create_fields = [...oligon.create_fields, { ...webhookField, requires: null }];

    const result = await backend.createKey('c-oligon', { name: 'Hooked', rotation_webhook_url: 'https://hooks.example.test/k' }, false);

    if (result.status !== 'created') throw new Error('expected created');
    expect(result.reveal.secrets.map((s) => s.label)).toEqual(['API key', 'Webhook signing secret']);
  });

  it('refuses a grace period over the provider\'s maximum and takes the maximum', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const max = backend.capabilities.find((c) => c.provider === 'strait')!.rotate_grace!.max_minutes;
    const active = (await backend.listKeys('c-strait')).find((k) => k.status === 'active')!;

    await expect(backend.rotateKey('c-strait', active.id, max + 1)).rejects.toMatchObject({ kind: 'validation', field: 'grace_minutes' });
    expect(backend.keys.get('c-strait')!.find((k) => k.id === active.id)!.status).toBe('active');
    await backend.rotateKey('c-strait', active.id, max);
    expect(backend.keys.get('c-strait')!.find((k) => k.id === active.id)!.status).toBe('rotating');
  });

  it('takes clipboard times within the exported bounds, or off', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    const { min, max } = CLIPBOARD_CLEAR_SECS;
    for (const secs of [min - 1, max + 1]) {
      await expect(backend.saveSettings({ theme: 'system', clipboard_clear_secs: secs })).rejects.toMatchObject({
        kind: 'validation',
        field: 'clipboard_clear_secs',
      });
    }
    for (const secs of [min, max, null]) {
      expect(await backend.saveSettings({ theme: 'dark', clipboard_clear_secs: secs })).toEqual({ theme: 'dark', clipboard_clear_secs: secs });
    }
  });
});
