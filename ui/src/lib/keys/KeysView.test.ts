import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../App.svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import { fakeKey, renderApp } from '../testing';


const rowIds = () => screen.getAllByTestId('key-row').map((r) => r.dataset.keyId);

describe('Keys view', () => {
  it('opens on the first connection, with a main landmark, a heading and the window title', async () => {
    await renderApp();
    expect(screen.getByRole('main')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Keydesk' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2, name: 'Receipts production' })).toBeInTheDocument();
    expect(document.title).toBe('Keydesk — Receipts production');
  });

  it('lists connections in the sidebar with a Sandbox badge and key counts', async () => {
    await renderApp();
    const items = await screen.findAllByTestId('connection-item');
    expect(items).toHaveLength(4);
    const fiskaly = items.find((i) => i.textContent?.includes('fiskaly sandbox'))!;
    expect(within(fiskaly).getByText('Sandbox')).toBeInTheDocument();
    await vi.waitFor(() => expect(fiskaly).toHaveTextContent('14 keys'));
  });

  it('searches over name, masked key, id and metadata, and says what was searched when nothing matches', async () => {
    const backend = new MockBackend();
    backend.addKey('c-oligon', fakeKey({ id: 'key_special', name: 'Quarterly audit', masked: 'sk_live_…zz99', metadata: { owner: 'finance-team' } }));
    const { user } = await renderApp(backend);
    const search = screen.getByRole('searchbox', { name: 'Search keys' });

    for (const query of ['quarterly', 'zz99', 'key_special', 'finance-team']) {
      await user.clear(search);
      await user.type(search, query);
      expect(rowIds()).toEqual(['key_special']);
    }
    await user.clear(search);
    await user.type(search, 'no-such-thing');
    expect(screen.queryAllByTestId('key-row')).toHaveLength(0);
    expect(screen.getByRole('heading', { name: 'No keys match' })).toBeInTheDocument();
    expect(screen.getByText(/Searched the name, key, id and metadata of 15 keys for “no-such-thing”/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(screen.getAllByTestId('key-row').length).toBe(15);
  });

  it('says how many keys a search shows beside the counts, from a live region that was there before', async () => {
    const backend = new MockBackend();
    backend.addKey('c-oligon', fakeKey({ id: 'key_special', name: 'Quarterly audit' }));
    const { user } = await renderApp(backend);
    const heading = screen.getByRole('heading', { level: 2, name: 'Receipts production' });
    const counts = heading.parentElement!;
    // Present and empty before the search, so a screen reader announces what it becomes.
    const live = counts.querySelector('[aria-live="polite"]')!;
    expect(live).toHaveTextContent(/^$/);

    await user.type(screen.getByRole('searchbox', { name: 'Search keys' }), 'quarterly');
    expect(counts.querySelector('[aria-live="polite"]')).toBe(live);
    expect(live).toHaveTextContent('· 1 of 15 shown');
    // Not in the filter bar, where it took a line of its own and moved the table down.
    expect(within(screen.getByRole('search')).queryByText(/of \d+ shown/)).toBeNull();
  });

  it('filters by status, environment and staleness', async () => {
    const { user, backend } = await renderApp();
    const all = backend.keys.get('c-oligon')!;

    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'revoked');
    expect(rowIds().sort()).toEqual(all.filter((k) => k.status === 'revoked').map((k) => k.id).sort());

    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'all');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Environment' }), 'live');
    expect(rowIds().sort()).toEqual(all.filter((k) => k.environment === 'live').map((k) => k.id).sort());

    await user.selectOptions(screen.getByRole('combobox', { name: 'Environment' }), 'all');
    await user.click(screen.getByRole('checkbox', { name: 'Stale only' }));
    const stale = all.filter(
      (k) => k.status !== 'revoked' && (!k.last_used_at || Date.now() - Date.parse(k.last_used_at) >= 90 * 86_400_000),
    );
    expect(stale.length).toBeGreaterThan(0);
    expect(rowIds().sort()).toEqual(stale.map((k) => k.id).sort());
  });

  it('sorts by name both ways', async () => {
    const { user, backend } = await renderApp();
    const names = backend.keys.get('c-oligon')!.map((k) => k.name);
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

    await user.click(screen.getByRole('button', { name: 'Name' }));
    const shownNames = () => screen.getAllByTestId('key-row').map((r) => r.querySelector('.name')!.textContent);
    expect(shownNames()).toEqual([...names].sort(collator.compare));
    await user.click(screen.getByRole('button', { name: /Name/ }));
    expect(shownNames()).toEqual([...names].sort(collator.compare).reverse());
  });

  it('focuses the search with "/" and opens the details drawer with Enter', async () => {
    const { user } = await renderApp();
    await user.keyboard('/');
    expect(screen.getByRole('searchbox', { name: 'Search keys' })).toHaveFocus();

    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('grid')).toHaveFocus();
    await user.keyboard('{ArrowDown}{Enter}');
    const second = screen.getAllByTestId('key-row')[1];
    const drawer = screen.getByTestId('key-details');
    expect(within(drawer).getByRole('heading', { level: 2 })).toHaveTextContent(second.querySelector('.name')!.textContent!);

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('key-details')).not.toBeInTheDocument();
    expect(screen.getByRole('grid')).toHaveFocus();
  });

  it('shows the error next to the list with its next step and request id, and retries', async () => {
    const backend = new MockBackend();
    backend.failNext('list_keys', appError('network', 'The provider did not answer.', { request_id: 'req_abc123' }));
    const user = userEvent.setup();
    render(App, { backend });

    const notice = await screen.findByTestId('error-notice');
    expect(notice).toHaveTextContent('The provider did not answer.');
    expect(notice).toHaveTextContent('Check the network, then retry');
    await user.click(within(notice).getByText('Details'));
    expect(within(notice).getByText('req_abc123')).toBeVisible();

    await user.click(within(notice).getByRole('button', { name: 'Retry' }));
    expect(await screen.findAllByTestId('key-row')).not.toHaveLength(0);
    expect(screen.queryByTestId('error-notice')).not.toBeInTheDocument();
  });

  it('counts a rate-limited list down once, with Refresh and Retry waiting until it ends', async () => {
    const backend = new MockBackend();
    backend.failNext('list_keys', appError('rate_limited', 'Oligon asks us to slow down (429).', { retry_after_secs: 1 }));
    const user = userEvent.setup();
    render(App, { backend });

    const notice = await screen.findByTestId('error-notice');
    expect(notice.textContent!.match(/\d+ s\b/g)).toEqual(['1 s']);
    const refresh = screen.getByRole('button', { name: 'Refresh' });
    expect(refresh).toBeDisabled();
    expect(within(notice).getByRole('button', { name: 'Retry' })).toBeDisabled();

    await vi.waitFor(() => expect(refresh).toBeEnabled(), { timeout: 3000 });
    expect(within(notice).getByRole('button', { name: 'Retry' })).toBeEnabled();
    await user.click(refresh);
    expect(await screen.findAllByTestId('key-row')).not.toHaveLength(0);
    expect(screen.queryByTestId('error-notice')).not.toBeInTheDocument();
  });

  it('offers to re-enter credentials when they are refused', async () => {
    const backend = new MockBackend();
    backend.failNext('list_keys', appError('unauthorized', 'The token was refused.'));
    const user = userEvent.setup();
    render(App, { backend });

    await user.click(await screen.findByRole('button', { name: 'Re-enter credentials' }));
    expect(screen.getByRole('heading', { name: 'Edit Receipts production' })).toBeInTheDocument();
  });

  it('says "Create the first key" for a connection without keys', async () => {
    const backend = new MockBackend();
    backend.keys.set('c-oligon', []);
    render(App, { backend });
    expect(await screen.findByRole('heading', { name: 'No keys yet' })).toBeInTheDocument();
    expect(screen.getByText(/Create the first key/)).toBeInTheDocument();
  });

  it('shows a progress bar with the page while a multi-page inventory loads', async () => {
    const backend = new MockBackend();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const list = backend.listKeys;
    backend.listKeys = async (id) => {
      if (id === 'c-fiskaly') await gate;
      return list(id);
    };
    const { user } = await renderApp(backend);

    await user.click(screen.getAllByTestId('connection-item')[1]);
    expect(screen.getByRole('status', { name: 'Loading keys from fiskaly sandbox' })).toBeInTheDocument();
    backend.emitProgress({ connection_id: 'c-fiskaly', page: 37, pages: 100 });
    const bar = await screen.findByRole('progressbar', { name: 'Loading keys: page 37 of 100' });
    expect(bar).toHaveAttribute('aria-valuenow', '37');

    // Cursor paging does not know the total: the bar says the page and is indeterminate.
    backend.emitProgress({ connection_id: 'c-fiskaly', page: 38, pages: null });
    const open = await screen.findByRole('progressbar', { name: 'Loading keys: page 38' });
    expect(open).not.toHaveAttribute('aria-valuenow');

    release();
    expect(await screen.findAllByTestId('key-row')).not.toHaveLength(0);
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });
});
