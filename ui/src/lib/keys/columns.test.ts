import { cleanup, render, screen, within } from '@testing-library/svelte';
import App from '../../App.svelte';
import { CAPABILITIES } from '../ipc/capabilities';
import { MockBackend } from '../ipc/mockBackend';
import type { Capabilities, Key, ProviderKind } from '../ipc/types';
import { fakeKey, openConnection, renderApp } from '../testing';
import {
  COLUMNS,
  loadColumnChoice,
  maskTitle,
  rowMinWidth,
  saveColumnChoice,
  visibleColumns,
  type ColumnId,
} from './columns';

const caps = (provider: ProviderKind): Capabilities => CAPABILITIES.find((c) => c.provider === provider)!;
const ids = (provider: ProviderKind, keys: Key[], choice = {}) => visibleColumns(caps(provider), keys, choice).map((c) => c.id);
const headers = () => screen.getAllByRole('columnheader').map((h) => h.textContent?.replace(/[↑↓]/g, '').trim());

/** The default window (1200 px) less the sidebar's default width (248 px) and a scrollbar. */
const TABLE_WIDTH_AT_DEFAULT_WINDOW = 1200 - 248 - 16;

describe('the columns a provider fills', () => {
  it('hides what fiskaly never lists: scopes, last use and expiry', () => {
    expect(ids('fiskaly', [fakeKey()])).toEqual(['masked', 'environment', 'status', 'created_at']);
  });

  it('shows SyncgramPay keys without scopes, and its Key column only once a key has a mask', () => {
    expect(ids('syncgram', [fakeKey({ masked: '' })])).toEqual(['environment', 'status', 'created_at', 'last_used_at', 'expires_at']);
    expect(ids('syncgram', [fakeKey({ masked: '' }), fakeKey({ masked: 'sk_test_…ab12' })])).toContain('masked');
  });

  it('shows Strait an Environment column only when a key names its environment', () => {
    const plain = fakeKey({ environment: null });
    expect(ids('strait', [plain])).not.toContain('environment');
    expect(ids('strait', [plain, fakeKey({ environment: null, metadata: { environment_id: 'env_prod' } })])).toContain('environment');
    expect(ids('strait', [plain])).toEqual(['masked', 'scopes', 'status', 'created_at', 'last_used_at', 'expires_at']);
  });

  it('shows Oligon an Expires column only when a key expires', () => {
    expect(ids('oligon', [fakeKey()])).not.toContain('expires_at');
    expect(ids('oligon', [fakeKey(), fakeKey({ expires_at: '2027-01-01T00:00:00Z' })])).toContain('expires_at');
  });

  it('lets the choice show a column the provider does not fill and hide one it does', () => {
    expect(ids('fiskaly', [fakeKey()], { last_used_at: true, masked: false })).toEqual(['environment', 'status', 'created_at', 'last_used_at']);
  });

  it('fits every column any provider may show beside the sidebar of the default window', () => {
    for (const provider of ['oligon', 'fiskaly', 'syncgram', 'strait'] as const) {
      const filled = [
        fakeKey({ masked: 'sk_live_…x9k2', expires_at: '2027-01-01T00:00:00Z', scopes: ['a'], last_used_at: '2026-11-01T00:00:00Z', metadata: { environment_id: 'env_prod' } }),
      ];
      const width = rowMinWidth(visibleColumns(caps(provider), filled, {}), false);
      expect(width, provider).toBeLessThanOrEqual(TABLE_WIDTH_AT_DEFAULT_WINDOW);
    }
    // Every column at once still fits; only the owner column may need the window wider.
    expect(rowMinWidth(COLUMNS, false)).toBeLessThanOrEqual(TABLE_WIDTH_AT_DEFAULT_WINDOW);
  });

  it('says whether a mask is the start of a key or its type and last four', () => {
    expect(maskTitle('strait_ab12c…', caps('strait'))).toBe('Starts with strait_ab12c: Strait lists only the beginning of a key.');
    expect(maskTitle('sk_live_…x9k2', caps('oligon'))).toBe('Starts with sk_live_ and ends with x9k2.');
    expect(maskTitle('…x9k2', caps('oligon'))).toBe('Ends with x9k2.');
  });
});

describe('the column choice', () => {
  beforeEach(() => localStorage.clear());

  it('is kept per connection, and only its known columns', () => {
    saveColumnChoice('c-1', { scopes: true, expires_at: false });
    localStorage.setItem('keydesk.columns.c-2', '{"scopes": "yes", "bogus": true}');
    expect(loadColumnChoice('c-1')).toEqual({ scopes: true, expires_at: false });
    expect(loadColumnChoice('c-2')).toEqual({});
    expect(loadColumnChoice('c-3')).toEqual({});
    saveColumnChoice('c-1', {});
    expect(localStorage.getItem('keydesk.columns.c-1')).toBeNull();
  });

  it('survives a bad stored value', () => {
    localStorage.setItem('keydesk.columns.c-1', '{not json');
    expect(loadColumnChoice('c-1')).toEqual({});
  });
});

describe('the keys table', () => {
  beforeEach(() => localStorage.clear());

  it('shows fiskaly no Scopes, Last used or Expires column', async () => {
    await renderApp(new MockBackend(), 'fiskaly sandbox');
    expect(headers()).toEqual(['', 'Name', 'Key', 'Environment', 'Status', 'Created']);
    expect(screen.queryByText(/not tracked by/)).toBeNull();
  });

  it('shows a Strait key the environment it names', async () => {
    await renderApp(new MockBackend(), 'Jobs platform');
    expect(headers()).toContain('Environment');
    const cells = [...document.querySelectorAll('[role="gridcell"][data-column="environment"]')].map((c) => c.textContent?.trim());
    expect(cells).toContain('env_prod');
    expect(cells).not.toContain('—');
  });

  it('shows and hides columns from the chooser, per connection, across a restart', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend, 'fiskaly sandbox');
    await user.click(screen.getByText('Columns'));
    const chooser = screen.getByTestId('column-chooser');
    await user.click(within(chooser).getByRole('checkbox', { name: 'Last used' }));
    await user.click(within(chooser).getByRole('checkbox', { name: 'Key' }));
    expect(headers()).toEqual(['', 'Name', 'Environment', 'Status', 'Created', 'Last used']);
    expect(screen.getAllByText('not tracked by fiskaly').length).toBeGreaterThan(0);

    // Another connection keeps its own columns.
    await openConnection(user, 'Receipts production');
    expect(headers()).toContain('Key');
    expect(headers()).toContain('Scopes');

    // A new start (the same webview storage) shows fiskaly as it was left.
    cleanup();
    const { user: again } = await renderApp(backend, 'fiskaly sandbox');
    expect(headers()).toEqual(['', 'Name', 'Environment', 'Status', 'Created', 'Last used']);
    await again.click(screen.getByText('Columns'));
    await again.click(screen.getByRole('button', { name: 'Columns the provider fills' }));
    expect(headers()).toEqual(['', 'Name', 'Key', 'Environment', 'Status', 'Created']);
    expect(localStorage.getItem('keydesk.columns.c-fiskaly')).toBeNull();
  });

  it('puts never-used keys last when sorting by Last used, both ways', async () => {
    const backend = new MockBackend({ keysPerConnection: 0 });
    const used = (id: string, daysAgo: number | null) =>
      fakeKey({ id, name: id, last_used_at: daysAgo === null ? null : new Date(Date.now() - daysAgo * 86_400_000).toISOString() });
    for (const key of [used('never-a', null), used('old', 20), used('never-b', null), used('recent', 1)]) backend.addKey('c-oligon', key);
    const { user } = await renderApp(backend);
    const order = () => screen.getAllByTestId('key-row').map((r) => r.dataset.keyId);

    const never = (ids: (string | undefined)[]) => [...ids].sort();
    await user.click(screen.getByRole('button', { name: 'Last used' }));
    expect(order().slice(0, 2)).toEqual(['old', 'recent']);
    expect(never(order().slice(2))).toEqual(['never-a', 'never-b']);
    await user.click(screen.getByRole('button', { name: /Last used/ }));
    expect(order().slice(0, 2)).toEqual(['recent', 'old']);
    expect(never(order().slice(2))).toEqual(['never-a', 'never-b']);
  });

  it('says no "0 keys" anywhere while a first list loads', async () => {
    const backend = new MockBackend({ keysPerConnection: 3 });
    backend.listKeys = () => new Promise(() => {});
    render(App, { backend });
    await screen.findAllByTestId('connection-item');
    expect(await screen.findByText(/loading keys…/)).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/\b0 keys\b/);
  });
});

// The ids a chooser checkbox stands for, so a renamed label fails here rather than silently.
it('labels each optional column once', () => {
  const labels = COLUMNS.map((c) => c.label);
  expect(new Set(labels).size).toBe(labels.length);
  const known: ColumnId[] = ['masked', 'environment', 'scopes', 'status', 'created_at', 'last_used_at', 'expires_at'];
  expect(COLUMNS.map((c) => c.id)).toEqual(known);
});
