import { MockBackend, appError } from '../ipc/mockBackend';
import { Keydesk } from './keydesk.svelte';

/** A desk over `backend` (three keys a connection by default) with `connectionId`'s list loaded. */
async function loaded(connectionId: string, backend = new MockBackend({ keysPerConnection: 3 })) {
  const desk = new Keydesk(backend);
  await desk.loadKeys(connectionId);
  return { backend, desk };
}

/** Key `keyId` of `connectionId` as the backend holds it. */
function held(backend: MockBackend, connectionId: string, keyId: string) {
  return backend.keys.get(connectionId)!.find((k) => k.id === keyId)!;
}

/** Key `keyId` of `connectionId` as the desk lists it. */
function shown(desk: Keydesk, connectionId: string, keyId: string) {
  return desk.lists[connectionId].keys.find((k) => k.id === keyId);
}

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
    const { backend, desk } = await loaded('c-oligon');
    const [first] = desk.lists['c-oligon'].keys;

    const key = await desk.revokeKey('c-oligon', first.id);

    const stored = held(backend, 'c-oligon', first.id);
    expect(key).toEqual(stored);
    expect(shown(desk, 'c-oligon', first.id)).toEqual(stored);
  });

  it('reads the list again when the provider answers no key, instead of making one up', async () => {
    const { backend, desk } = await loaded('c-oligon', silentRevokes());
    const [first] = desk.lists['c-oligon'].keys;
    const listKeys = vi.spyOn(backend, 'listKeys');

    const key = await desk.revokeKey('c-oligon', first.id);

    expect(listKeys).toHaveBeenCalledOnce();
    const stored = held(backend, 'c-oligon', first.id);
    expect(stored.status).toBe('revoked');
    expect(key).toEqual(stored);
    expect(shown(desk, 'c-oligon', first.id)).toEqual(stored);
  });

  it('answers null when the re-read list no longer has the key', async () => {
    const { backend, desk } = await loaded('c-oligon');
    const [first] = desk.lists['c-oligon'].keys;
    backend.revokeKey = async (connectionId, keyId) => {
      backend.keys.set(connectionId, backend.keys.get(connectionId)!.filter((k) => k.id !== keyId));
      return null;
    };

    expect(await desk.revokeKey('c-oligon', first.id)).toBeNull();
    expect(desk.lists['c-oligon'].keys.some((k) => k.id === first.id)).toBe(false);
  });

  it('answers null, not the key as it was, when the re-read list fails', async () => {
    const { backend, desk } = await loaded('c-oligon', silentRevokes());
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
    const { backend, desk } = await loaded('c-oligon');
    const [first, second] = desk.lists['c-oligon'].keys;

    await desk.deleteKey('c-oligon', first.id);
    expect(desk.lists['c-oligon'].keys.some((k) => k.id === first.id)).toBe(false);
    expect(backend.keys.get('c-oligon')!.some((k) => k.id === first.id)).toBe(false);

    const disabled = await desk.setKeyEnabled('c-oligon', second.id, false);
    expect(disabled.status).toBe('disabled');
    expect(shown(desk, 'c-oligon', second.id)).toEqual(held(backend, 'c-oligon', second.id));
  });
});

/** The list re-read `loadKeys` started in the background: resolves once it (and what waits on it) is done. */
function backgroundRelist(desk: Keydesk) {
  const loadKeys = vi.spyOn(desk, 'loadKeys');
  return {
    count: () => loadKeys.mock.calls.length,
    done: () => loadKeys.mock.results[0].value as Promise<void>,
  };
}

describe('Keydesk.createKey', () => {
  it('puts the key the backend answers first in the list', async () => {
    const { backend, desk } = await loaded('c-oligon');
    const relist = backgroundRelist(desk);

    const result = await desk.createKey('c-oligon', { name: 'Deploy bot', scopes: ['extract:read'] }, false);

    if (result.status !== 'created') throw new Error(`expected a created key, got ${result.status}`);
    const keys = desk.lists['c-oligon'].keys;
    expect(keys).toHaveLength(4);
    expect(keys[0]).toEqual(result.reveal.key);
    expect(keys[0]).toEqual(held(backend, 'c-oligon', result.reveal.key.id));
    expect(relist.count()).toBe(0);
  });

  it('reads the list again after replacing the active key, keeping the masked preview the create answered', async () => {
    const { backend, desk } = await loaded('c-syncgram');
    const active = desk.lists['c-syncgram'].keys.find((k) => k.status === 'active')!;
    // A provider that lists keys without any part of them: only the create's answer has a preview.
    const listKeys = backend.listKeys;
    backend.listKeys = async (connectionId, operationId) =>
      (await listKeys(connectionId, operationId)).map((k) => ({ ...k, masked: '(hidden)' }));
    const relist = backgroundRelist(desk);

    const result = await desk.createKey('c-syncgram', { name: 'Replacement' }, true);
    await relist.done();

    if (result.status !== 'created') throw new Error(`expected a created key, got ${result.status}`);
    const keys = desk.lists['c-syncgram'].keys;
    const stored = held(backend, 'c-syncgram', active.id);
    expect(keys.find((k) => k.id === active.id)).toEqual({ ...stored, masked: '(hidden)' });
    expect(stored.status).toBe('revoked');
    expect(keys.find((k) => k.id === result.reveal.key.id)).toEqual(result.reveal.key);
    expect(keys.filter((k) => k.status === 'active').map((k) => k.id)).toEqual([result.reveal.key.id]);
  });

  it('puts the key an orphaned create answers in the list', async () => {
    const { backend, desk } = await loaded('c-oligon');
    backend.orphanNextCreate = true;

    const result = await desk.createKey('c-oligon', { name: 'Lost answer' }, false);

    if (result.status !== 'orphaned' || !result.key) throw new Error('expected an orphaned create with its key');
    expect(desk.lists['c-oligon'].keys[0]).toEqual(result.key);
  });

  it('reads the list again when a replace fails, and leaves it alone when a plain create fails', async () => {
    const { backend, desk } = await loaded('c-syncgram');
    const before = desk.lists['c-syncgram'];
    const relist = backgroundRelist(desk);

    backend.failNext('create_key', appError('server', 'The service failed.'));
    await expect(desk.createKey('c-syncgram', { name: 'Plain' }, false)).rejects.toMatchObject({ kind: 'server' });
    expect(relist.count()).toBe(0);
    expect(desk.lists['c-syncgram']).toBe(before);

    backend.failNext('create_key', appError('server', 'The service failed.'));
    await expect(desk.createKey('c-syncgram', { name: 'Replace' }, true)).rejects.toMatchObject({ kind: 'server' });
    expect(relist.count()).toBe(1);
    await relist.done();
    expect(desk.lists['c-syncgram'].status).toBe('ready');
  });
});

describe('Keydesk.rotateKey', () => {
  it('reads the list again, so the replaced key and its successor show as the backend has them', async () => {
    const { backend, desk } = await loaded('c-strait');
    const old = desk.lists['c-strait'].keys.find((k) => k.status === 'active')!;
    const relist = backgroundRelist(desk);

    const reveal = await desk.rotateKey('c-strait', old.id, 30);
    await relist.done();

    const stored = backend.keys.get('c-strait')!;
    const keys = desk.lists['c-strait'].keys;
    expect(keys).toEqual(stored);
    expect(keys.find((k) => k.id === old.id)!.status).toBe('rotating');
    expect(keys.find((k) => k.id === old.id)!.rotation?.replaced_by).toBe(reveal.key.id);
    expect(keys.some((k) => k.id === reveal.key.id)).toBe(true);
  });

  it('leaves the list alone when the rotate fails', async () => {
    const { backend, desk } = await loaded('c-strait');
    const before = desk.lists['c-strait'];
    const old = before.keys.find((k) => k.status === 'active')!;
    const relist = backgroundRelist(desk);
    backend.failNext('rotate_key', appError('rate_limited', 'Too many writes.'));

    await expect(desk.rotateKey('c-strait', old.id, 30)).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(relist.count()).toBe(0);
    expect(desk.lists['c-strait']).toBe(before);
  });
});

describe('Keydesk attention', () => {
  it('judges the findings once every list is in at start, and again after a key changes', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    await desk.start();
    await vi.waitFor(() => expect(desk.attention.status).toBe('ready'));
    expect(backend.callsOf('attention')).toEqual([{ refresh: false }]);
    expect(backend.callsOf('list_keys')).toHaveLength(4);
    const before = desk.attention.report!.items;
    const finding = before.find((i) => i.finding.action === 'revoke')!.finding;

    await desk.revokeKey(finding.connection_id, finding.key_id);
    await vi.waitFor(() => expect(backend.callsOf('attention')).toHaveLength(2));
    await vi.waitFor(() => expect(desk.attention.status).toBe('ready'));
    expect(desk.attention.report!.items.some((i) => i.finding.key_id === finding.key_id)).toBe(false);
    expect(desk.findingCounts[finding.connection_id] ?? 0).toBe(
      desk.attention.report!.items.filter((i) => i.finding.connection_id === finding.connection_id).length,
    );
    desk.stop();
  });

  it('keeps the last report when a refresh is cancelled, and the error when one fails', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    await desk.loadAttention(false);
    const report = desk.attention.report;

    backend.holdNext('attention');
    const refreshing = desk.loadAttention(true);
    await vi.waitFor(() => expect(desk.waits).toHaveLength(1));
    await desk.cancel(desk.waits[0]);
    await refreshing;
    expect(desk.attention).toEqual({ status: 'ready', report, error: null });

    backend.failNext('attention', appError('internal', 'The annotations file is unreadable.'));
    await desk.loadAttention(true);
    expect(desk.attention.status).toBe('error');
    expect(desk.attention.error?.message).toBe('The annotations file is unreadable.');
    expect(desk.attention.report).toBe(report);
  });

  it('keeps the annotation the backend answers and judges the findings again', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    await desk.loadAttention(false);
    const unowned = desk.attention.report!.items.find((i) => i.finding.rule === 'unowned')!.finding;
    await desk.loadAnnotations(unowned.connection_id);

    const stored = await desk.setAnnotation(unowned.connection_id, unowned.key_id, { owner: ' Ana ', note: 'n', tags: ['billing'] });
    expect(desk.annotations[unowned.connection_id][unowned.key_id]).toEqual(stored);
    expect(desk.attention.report!.items.some((i) => i.finding.key_id === unowned.key_id && i.finding.rule === 'unowned')).toBe(false);

    await desk.setOwner(unowned.connection_id, unowned.key_id, '  ');
    expect(desk.annotations[unowned.connection_id][unowned.key_id]).toEqual({ owner: null, note: 'n', tags: ['billing'] });
    await desk.setAnnotation(unowned.connection_id, unowned.key_id, { owner: null, note: null, tags: [] });
    expect(desk.annotations[unowned.connection_id]).not.toHaveProperty(unowned.key_id);

    await expect(desk.setAnnotation(unowned.connection_id, unowned.key_id, { tags: ['No Caps'] })).rejects.toMatchObject({ field: 'tags' });
  });

  it('reports the findings it could not dismiss and dismisses the rest', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    await desk.loadAttention(false);
    const [a, b] = desk.attention.report!.items.map((i) => i.finding);
    backend.failNext('dismiss_finding', appError('internal', 'The dismissals file is read-only.'));

    const failed = await desk.dismissFindings([a, b], 30);

    expect(failed).toEqual([{ finding: a, error: expect.objectContaining({ message: 'The dismissals file is read-only.' }) }]);
    const left = desk.attention.report!.items.map((i) => i.finding);
    expect(left).toContainEqual(a);
    expect(left).not.toContainEqual(b);
  });
});

describe('Keydesk reminders', () => {
  /** A started desk whose first report is in. */
  async function judged() {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    await desk.start();
    await vi.waitFor(() => expect(desk.attention.status).toBe('ready'));
    return { backend, desk };
  }

  it('takes a background check’s report and counts in place, without asking again', async () => {
    const { backend, desk } = await judged();
    const item = desk.attention.report!.items.find((i) => i.finding.action === 'revoke')!;
    const before = desk.findingCounts[item.finding.connection_id];
    const ofKey = desk.attention.report!.items.filter(
      (i) => i.finding.connection_id === item.finding.connection_id && i.finding.key_id === item.finding.key_id,
    ).length;
    backend.keys.get(item.finding.connection_id)!.find((k) => k.id === item.finding.key_id)!.status = 'revoked';

    const sent = backend.emitAttentionChecked();

    expect(desk.attention).toEqual({ status: 'ready', report: sent, error: null });
    expect(desk.findingCounts[item.finding.connection_id] ?? 0).toBe(before - ofKey);
    expect(backend.callsOf('attention')).toHaveLength(1);
    desk.stop();
    backend.emitAttentionChecked({ ...sent, items: [] });
    expect(desk.attention.report).toEqual(sent);
  });

  it('keeps "Checking…" for a request on its way, and lets its answer come after', async () => {
    const { backend, desk } = await judged();
    backend.holdNext('attention');
    const refreshing = desk.loadAttention(true);
    await vi.waitFor(() => expect(desk.waits).toHaveLength(1));
    const sent = backend.emitAttentionChecked({ items: [], checked_at: new Date().toISOString(), failures: [] });
    expect(desk.attention).toMatchObject({ status: 'loading', report: sent });
    await desk.cancel(desk.waits[0]);
    await refreshing;
    expect(desk.attention).toEqual({ status: 'ready', report: sent, error: null });
    desk.stop();
  });

  it('opens a reminder’s finding in the Attention view when the report lists it', async () => {
    const { backend, desk } = await judged();
    const { connection_id, key_id, rule } = desk.attention.report!.items[2].finding;

    backend.emitOpenFinding({ connection_id, key_id, rule });

    expect(desk.view).toBe('attention');
    expect(desk.openedFinding).toEqual({ finding: { connection_id, key_id, rule }, status: 'found' });
    expect(backend.callsOf('attention')).toHaveLength(1);
    desk.closeOpenedFinding();
    expect(desk.openedFinding).toBeNull();
    desk.stop();
  });

  it('reads the report for a finding it does not list, and says when it is no longer open', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    const report = await backend.attention(false);
    const [first, second] = report.items.map(({ finding: { connection_id, key_id, rule } }) => ({ connection_id, key_id, rule }));

    // Snoozed after the reminder was sent: the report read for the first no longer lists it.
    await backend.dismissFinding(second.connection_id, second.key_id, second.rule, 7);
    await desk.openFinding(first);
    expect(backend.callsOf('attention')).toEqual([{ refresh: false }, { refresh: false }]);
    expect(desk.view).toBe('attention');
    expect(desk.openedFinding).toEqual({ finding: first, status: 'found' });

    await desk.openFinding(second);
    expect(backend.callsOf('attention')).toHaveLength(3);
    expect(desk.openedFinding).toEqual({ finding: second, status: 'missing' });
  });

  it('leaves a finding it could not look for to the error, and a later reminder wins', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    const desk = new Keydesk(backend);
    const [first, second] = (await backend.attention(false)).items.map(({ finding: { connection_id, key_id, rule } }) => ({
      connection_id,
      key_id,
      rule,
    }));
    backend.failNext('attention', appError('internal', 'The dismissals file is unreadable.'));
    await desk.openFinding(first);
    expect(desk.attention.status).toBe('error');
    expect(desk.openedFinding).toEqual({ finding: first, status: 'looking' });

    // The second reminder comes while the first one's finding is looked for.
    const looking = desk.openFinding(first);
    await desk.openFinding(second);
    await looking;
    expect(desk.openedFinding).toEqual({ finding: second, status: 'found' });
  });

  it('subscribes again on a retried start when a subscription failed', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    const subscribe = backend.onOpenFinding;
    backend.onOpenFinding = () => Promise.reject(appError('internal', 'No event bus.'));
    const desk = new Keydesk(backend);
    await desk.start();
    expect(desk.startError?.message).toBe('No event bus.');

    backend.onOpenFinding = subscribe;
    await desk.start();
    expect(desk.startError).toBeNull();
    const checked: unknown[] = [];
    await backend.onAttentionChecked((c) => checked.push(c));
    const sent = backend.emitAttentionChecked({ items: [], checked_at: null, failures: [] });
    // One subscription of the desk (not two) plus this test's.
    expect(checked).toHaveLength(1);
    expect(desk.attention.report).toEqual(sent);
    desk.stop();
  });
});
