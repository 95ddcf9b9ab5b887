import { CLIPBOARD_CLEAR_SECS } from './capabilities';
import { MockBackend, appError } from './mockBackend';
import type { AttentionReport, OpenFinding } from './types';

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
      message: 'The name cannot contain "N", a space, "A" or "S" (3–30 lowercase letters, digits or hyphens).',
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

  it('finds keys needing attention on several connections, at every severity, high first', async () => {
    const backend = new MockBackend();
    const report = await backend.attention(false);
    const severities = report.items.map((i) => i.finding.severity);
    expect(new Set(severities)).toEqual(new Set(['high', 'medium', 'low']));
    expect(severities).toEqual([...severities].sort((a, b) => ['high', 'medium', 'low'].indexOf(a) - ['high', 'medium', 'low'].indexOf(b)));
    expect(new Set(report.items.map((i) => i.finding.connection_id)).size).toBeGreaterThanOrEqual(2);
    const rules = new Set(report.items.map((i) => i.finding.rule));
    for (const rule of ['expired', 'expires_soon', 'rotation_overdue', 'never_used', 'stale', 'live_without_expiry', 'unowned']) {
      expect(rules).toContain(rule);
    }
    const actions = new Set(report.items.map((i) => i.finding.action));
    // Providers that cannot rotate are offered Replace where Strait is offered Rotate.
    for (const action of ['rotate', 'replace', 'revoke', 'disable', 'set_owner']) expect(actions).toContain(action);
    expect(report.checked_at).not.toBeNull();
    expect(report.failures).toEqual([]);
  });

  it('reports a connection it cannot list as a failure, with the findings of the others', async () => {
    const backend = new MockBackend();
    backend.brokenConnections.set('c-strait', appError('unauthorized', 'The token was rejected.'));
    const report = await backend.attention(true);
    expect(report.failures).toEqual([
      { connection_id: 'c-strait', connection_name: 'Jobs platform', error: expect.objectContaining({ kind: 'unauthorized' }) },
    ]);
    expect(report.items.some((i) => i.finding.connection_id === 'c-strait')).toBe(false);
    expect(report.items.length).toBeGreaterThan(0);
  });

  it('drops a snoozed or reviewed finding and logs who did it; other snooze lengths are refused', async () => {
    const backend = new MockBackend();
    const [first, second] = (await backend.attention(false)).items.map((i) => i.finding);
    await backend.dismissFinding(first.connection_id, first.key_id, first.rule, 7);
    await backend.dismissFinding(second.connection_id, second.key_id, second.rule, null);
    const left = (await backend.attention(false)).items.map((i) => i.finding);
    expect(left).not.toContainEqual(first);
    expect(left).not.toContainEqual(second);
    expect(backend.activity.slice(0, 2).map((a) => [a.action, a.key_id, a.user])).toEqual([
      ['review', second.key_id, 'demo'],
      ['snooze', first.key_id, 'demo'],
    ]);
    await expect(backend.dismissFinding(first.connection_id, first.key_id, first.rule, 14)).rejects.toMatchObject({
      kind: 'validation',
      field: 'snooze_days',
    });
  });

  it('keeps annotations, clears an owner finding once set, and removes an emptied one', async () => {
    const backend = new MockBackend();
    const unowned = (await backend.attention(false)).items.find((i) => i.finding.rule === 'unowned')!.finding;
    const stored = await backend.setAnnotation(unowned.connection_id, unowned.key_id, { owner: 'Ana', tags: ['billing'] });
    expect(stored).toEqual({ owner: 'Ana', note: null, tags: ['billing'] });
    expect((await backend.keyAnnotations(unowned.connection_id))[unowned.key_id]).toEqual(stored);
    const items = (await backend.attention(false)).items;
    expect(items.some((i) => i.finding.key_id === unowned.key_id && i.finding.rule === 'unowned')).toBe(false);
    expect(items.filter((i) => i.finding.key_id === unowned.key_id).every((i) => i.owner === 'Ana')).toBe(true);
    expect(backend.activity[0]).toMatchObject({ action: 'annotate', key_id: unowned.key_id });

    await backend.setAnnotation(unowned.connection_id, unowned.key_id, { owner: null, note: null, tags: [] });
    expect(await backend.keyAnnotations(unowned.connection_id)).not.toHaveProperty(unowned.key_id);
  });

  it("refuses annotations past core's limits, naming the field", async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    const [key] = await backend.listKeys('c-oligon');
    const cases: [object, string][] = [
      [{ owner: 'o'.repeat(101) }, 'owner'],
      [{ note: 'n'.repeat(1001) }, 'note'],
      [{ owner: 'Ana\u202e' }, 'owner'],
      [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
      [{ tags: ['t'.repeat(41)] }, 'tags'],
      [{ tags: ['Billing'] }, 'tags'],
    ];
    for (const [annotation, field] of cases) {
      await expect(backend.setAnnotation('c-oligon', key.id, annotation)).rejects.toMatchObject({ kind: 'validation', field });
    }
    const atLimits = { owner: 'o'.repeat(100), note: 'é'.repeat(1000), tags: Array.from({ length: 20 }, () => 't'.repeat(40)) };
    expect(await backend.setAnnotation('c-oligon', key.id, atLimits)).toEqual(atLimits);
  });

  it('refuses reminders outside 5 to 1440 minutes, naming the field, and takes off', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    const settings = await backend.getSettings();
    expect(settings.reminder_minutes).toBe(15);
    for (const minutes of [4, 1441, 7.5]) {
      await expect(backend.saveSettings({ ...settings, reminder_minutes: minutes })).rejects.toMatchObject({
        kind: 'validation',
        field: 'reminder_minutes',
      });
    }
    expect(backend.settings.reminder_minutes).toBe(15);
    for (const minutes of [5, 1440, null]) {
      await expect(backend.saveSettings({ ...settings, reminder_minutes: minutes })).resolves.toMatchObject({ reminder_minutes: minutes });
    }
  });

  it('sends a background check and a reminder click to their subscribers', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const checked: AttentionReport[] = [];
    const opened: OpenFinding[] = [];
    const stop = await backend.onAttentionChecked(({ report }) => checked.push(report));
    await backend.onOpenFinding((f) => opened.push(f));

    const sent = backend.emitAttentionChecked();
    expect(checked).toEqual([sent]);
    // The findings the app would answer now (their reasons count time, so not compared).
    const ids = (report: AttentionReport) => report.items.map((i) => `${i.finding.key_id} ${i.finding.rule}`);
    expect(ids(sent)).toEqual(ids(await backend.attention(false)));
    expect(sent.items.length).toBeGreaterThan(0);
    backend.emitOpenFinding({ connection_id: 'c-strait', key_id: 'str_000001', rule: 'unowned' });
    expect(opened).toEqual([{ connection_id: 'c-strait', key_id: 'str_000001', rule: 'unowned' }]);

    stop();
    backend.emitAttentionChecked();
    expect(checked).toHaveLength(1);
  });
});
