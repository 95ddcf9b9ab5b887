import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { tauriBackend } from './tauriBackend';
import type { AttentionChecked, ClipboardChange, KeyDraft, OpenFinding } from './types';

afterEach(() => clearMocks());

describe('tauriBackend', () => {
  it('invokes the IPC.md command names with camelCase arg keys', async () => {
    const seen: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      seen.push({ cmd, args });
      if (cmd === 'create_key') return { status: 'orphaned', connection_id: 'c1', key: null, message: 'lost' };
      if (cmd === 'startup_notices') return ['kept a backup of the settings file'];
      if (cmd === 'key_details') return { raw: { id: 'k1', plan: 'pro' } };
      return null;
    });
    const draft: KeyDraft = {
      name: 'ci',
      scopes: [],
      environment: 'test',
      expires_in_days: null,
      metadata: {},
      kind: null,
      rotation_interval_days: null,
      rotation_webhook_url: null,
    };

    await tauriBackend.listKeys('c1');
    const details = await tauriBackend.keyDetails('c1', 'k1');
    const created = await tauriBackend.createKey('c1', draft, true);
    await tauriBackend.rotateKey('c1', 'k1', 0);
    await tauriBackend.setKeyEnabled('c1', 'k1', false);
    await tauriBackend.revokeKey('c1', 'k1', 'op-1', 'leak');
    await tauriBackend.cancelOperation('op-1');
    await tauriBackend.checkUnfinishedCreate('op-2');
    await tauriBackend.copySecret('rv1', 1);
    await tauriBackend.exportInventory('csv');
    await tauriBackend.saveActivityExport();
    await tauriBackend.exportIncidentReport('entry-1');
    await tauriBackend.copyText('Leaked key: incident summary');

    expect(created.status).toBe('orphaned');
    expect(details.raw).toEqual({ id: 'k1', plan: 'pro' });
    expect(await tauriBackend.startupNotices()).toEqual(['kept a backup of the settings file']);
    expect(seen).toEqual([
      { cmd: 'list_keys', args: { connectionId: 'c1', operationId: null } },
      { cmd: 'key_details', args: { connectionId: 'c1', keyId: 'k1' } },
      { cmd: 'create_key', args: { connectionId: 'c1', draft, replaceActive: true, operationId: null } },
      { cmd: 'rotate_key', args: { connectionId: 'c1', keyId: 'k1', graceMinutes: 0, operationId: null, context: null } },
      { cmd: 'set_key_enabled', args: { connectionId: 'c1', keyId: 'k1', enabled: false, operationId: null, context: null } },
      { cmd: 'revoke_key', args: { connectionId: 'c1', keyId: 'k1', operationId: 'op-1', context: 'leak' } },
      { cmd: 'cancel_operation', args: { operationId: 'op-1' } },
      { cmd: 'check_unfinished_create', args: { operationId: 'op-2' } },
      { cmd: 'copy_secret', args: { revealId: 'rv1', index: 1 } },
      { cmd: 'export_inventory', args: { format: 'csv' } },
      { cmd: 'save_activity_export', args: {} },
      { cmd: 'export_incident_report', args: { entryId: 'entry-1' } },
      { cmd: 'copy_text', args: { text: 'Leaked key: incident summary' } },
      { cmd: 'startup_notices', args: {} },
    ]);
  });

  it('invokes the attention and annotation commands with camelCase arg keys', async () => {
    const seen: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      seen.push({ cmd, args });
      if (cmd === 'attention') return { items: [], checked_at: null, failures: [] };
      if (cmd === 'key_annotations') return { k1: { owner: 'Ana', note: null, tags: [] } };
      if (cmd === 'set_annotation') return { owner: 'Ana', note: null, tags: ['billing'] };
      return null;
    });

    expect(await tauriBackend.attention(true)).toEqual({ items: [], checked_at: null, failures: [] });
    await tauriBackend.attention(false, 'op-3');
    expect(await tauriBackend.keyAnnotations('c1')).toEqual({ k1: { owner: 'Ana', note: null, tags: [] } });
    await tauriBackend.setAnnotation('c1', 'k1', { owner: 'Ana', note: null, tags: ['billing'] });
    expect(await tauriBackend.dismissFinding('c1', 'k1', 'stale', 30)).toBeNull();
    await tauriBackend.dismissFinding('c1', 'k1', 'unowned', null);

    expect(seen).toEqual([
      { cmd: 'attention', args: { refresh: true, operationId: null } },
      { cmd: 'attention', args: { refresh: false, operationId: 'op-3' } },
      { cmd: 'key_annotations', args: { connectionId: 'c1' } },
      { cmd: 'set_annotation', args: { connectionId: 'c1', keyId: 'k1', annotation: { owner: 'Ana', note: null, tags: ['billing'] } } },
      { cmd: 'dismiss_finding', args: { connectionId: 'c1', keyId: 'k1', rule: 'stale', snoozeDays: 30 } },
      { cmd: 'dismiss_finding', args: { connectionId: 'c1', keyId: 'k1', rule: 'unowned', snoozeDays: null } },
    ]);
  });

  it('rejects with the AppError the command threw, and wraps anything else as internal', async () => {
    mockIPC((cmd) => {
      if (cmd === 'revoke_key') {
        throw { kind: 'rate_limited', message: 'Slow down.', request_id: 'req_1', field: null, retry_after_secs: 12 };
      }
      throw 'boom';
    });

    await expect(tauriBackend.revokeKey('c1', 'k1')).rejects.toEqual({
      kind: 'rate_limited',
      message: 'Slow down.',
      request_id: 'req_1',
      field: null,
      retry_after_secs: 12,
    });
    await expect(tauriBackend.listConnections()).rejects.toMatchObject({ kind: 'internal', message: 'boom' });
  });

  it('delivers clipboard events to the subscriber until it unsubscribes', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const got: ClipboardChange[] = [];
    const stop = await tauriBackend.onClipboard((c) => got.push(c));

    await emit('clipboard', { state: 'cleared', reveal_id: 'rv1', clears_at: null });
    stop();
    await emit('clipboard', { state: 'copied', reveal_id: 'rv1', clears_at: null });

    expect(got).toEqual([{ state: 'cleared', reveal_id: 'rv1', clears_at: null }]);
  });

  it('delivers attention-checked and open-finding events to their subscribers until they unsubscribe', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const checked: AttentionChecked[] = [];
    const opened: OpenFinding[] = [];
    const stopChecked = await tauriBackend.onAttentionChecked((c) => checked.push(c));
    const stopOpened = await tauriBackend.onOpenFinding((f) => opened.push(f));
    const report = { items: [], checked_at: '2026-12-04T10:00:00Z', failures: [] };
    const finding = { connection_id: 'c1', key_id: 'k1', rule: 'expired' };

    await emit('attention-checked', { report });
    await emit('open-finding', finding);
    stopChecked();
    stopOpened();
    await emit('attention-checked', { report: { ...report, checked_at: null } });
    await emit('open-finding', { ...finding, key_id: 'k2' });

    expect(checked).toEqual([{ report }]);
    expect(opened).toEqual([finding]);
  });
});
