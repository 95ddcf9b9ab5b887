import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../App.svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import { renderApp } from '../testing';
import { Keydesk, startupTiming } from './keydesk.svelte';
import { showStartFrame } from './startFrame';

describe('Shell', () => {
  it('lists the shortcuts on "?" and not while typing', async () => {
    const { user } = await renderApp(new MockBackend({ keysPerConnection: 1 }));

    await user.click(screen.getByRole('searchbox', { name: 'Search keys' }));
    await user.keyboard('?');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    await user.click(screen.getByRole('heading', { level: 1 }));
    await user.keyboard('?');
    const sheet = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const what of ['New key', 'Search keys', 'Move through the keys', 'Open the key’s details', 'Leaked key: find a pasted key across all connections']) {
      expect(sheet).toHaveTextContent(what);
    }
  });

  it('does not open a second dialog from a shortcut while one is open', async () => {
    const { user } = await renderApp(new MockBackend({ keysPerConnection: 1 }));
    await user.keyboard('n');
    await user.keyboard('{Control>}k{/Control}');
    expect(screen.getAllByRole('dialog')).toHaveLength(1);
    expect(screen.getByRole('dialog')).toHaveAccessibleName('New key in Receipts production');
  });

  it('shows startup notices from the backend', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.notices = ['The settings file was corrupt; kept a backup at /tmp/settings.json.bak.'];
    render(App, { backend });
    expect(await screen.findByText(/settings file was corrupt/)).toBeInTheDocument();
  });

  it("asks for the open connection's keys without waiting for the startup notices", async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    let release: (notices: string[]) => void = () => {};
    backend.startupNotices = () => new Promise((resolve) => (release = resolve));
    render(App, { backend });

    expect(await screen.findAllByTestId('key-row')).toHaveLength(1);
    expect(backend.callsOf('list_keys')[0]).toEqual({ connectionId: 'c-oligon' });
    release(['The settings file was unreadable; kept a copy.']);
    expect(await screen.findByText('The settings file was unreadable; kept a copy.')).toBeInTheDocument();
  });

  it('says so when the startup notices cannot be read, and starts anyway', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.failNext('startup_notices', appError('internal', 'The startup notices are poisoned.'));
    render(App, { backend });
    expect(await screen.findAllByTestId('key-row')).toHaveLength(1);
    expect(await screen.findByText(/could not read its startup notices: The startup notices are poisoned/)).toBeInTheDocument();
  });

  it('shows the sidebar and the keys together when the first list comes in time', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    const listKeys = backend.listKeys;
    let asked = false;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    backend.listKeys = async (connectionId) => {
      asked = true;
      await held;
      return listKeys(connectionId);
    };
    const wait = startupTiming.firstListWaitMs;
    startupTiming.firstListWaitMs = 60_000;
    try {
      render(App, { backend });
      await vi.waitFor(() => expect(asked).toBe(true));
      expect(screen.getByText('Starting Keydesk…')).toBeInTheDocument();
      expect(screen.queryAllByTestId('connection-item')).toHaveLength(0);

      release();
      expect(await screen.findAllByTestId('key-row')).toHaveLength(1);
      expect(screen.getAllByTestId('connection-item')).toHaveLength(4);
    } finally {
      startupTiming.firstListWaitMs = wait;
    }
  });

  /** A backend whose first connection an earlier run listed; its next `list_keys` waits for `release`. */
  async function listedBefore(keysPerConnection: number) {
    const backend = new MockBackend({ keysPerConnection });
    await backend.listKeys('c-oligon');
    const listKeys = backend.listKeys;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    backend.listKeys = async (connectionId, operationId) => {
      if (connectionId === 'c-oligon') await held;
      return listKeys(connectionId, operationId);
    };
    return { backend, release: () => release() };
  }

  it('paints the last known keys marked "as of", then refreshes them in place and drops the mark', async () => {
    const { backend, release } = await listedBefore(3);
    const changed = backend.keys.get('c-oligon')![0];
    const before = changed.name;
    changed.name = 'renamed since';
    render(App, { backend });

    const rows = await screen.findAllByTestId('key-row');
    expect(rows).toHaveLength(3);
    expect(screen.getByTestId('as-of')).toHaveTextContent(/^as of \d\d:\d\d$/);
    expect(screen.queryByText(/Loading keys from/)).not.toBeInTheDocument();
    const row = document.querySelector(`[data-key-id="${changed.id}"]`);
    expect(row).toHaveTextContent(before);

    release();
    await vi.waitFor(() => expect(screen.queryByTestId('as-of')).not.toBeInTheDocument());
    // The same row, its text updated: no skeleton or new table in between.
    expect(document.querySelector(`[data-key-id="${changed.id}"]`)).toBe(row);
    expect(row).toHaveTextContent('renamed since');
    expect(screen.getAllByTestId('key-row')).toHaveLength(3);
  });

  it('keeps the shell as the next start’s first frame, which the live shell replaces once built', async () => {
    const { backend, release } = await listedBefore(3);
    release();
    const first = render(App, { backend });
    await vi.waitFor(() => expect(backend.startFrame).not.toBeNull(), { timeout: 4_000 });
    const html = backend.startFrame!;
    const key = backend.keys.get('c-oligon')![0];
    expect(html).toContain(key.name);
    expect(html).not.toContain('data-testid');
    first.unmount();

    // The next start: the frame is on screen before the app is mounted, and goes once its
    // own first frame is built.
    const frame = showStartFrame({ taken_at: backend.snapshots.get('c-oligon')!.taken_at, theme: 'system', html });
    expect(frame).toHaveTextContent(key.name);
    expect(frame!.querySelector('.as-of')).toHaveTextContent(/^as of \d\d:\d\d$/);
    const next = await listedBefore(3);
    render(App, { backend: next.backend });
    expect(await screen.findAllByTestId('key-row')).toHaveLength(3);
    expect(document.getElementById('start-frame')).toBeNull();
    next.release();
  });

  it('asks for the fresh list only once the last known keys are drawn', async () => {
    const { backend, release } = await listedBefore(3);
    const listKeys = backend.listKeys;
    let rowsWhenAsked: number | null = null;
    backend.listKeys = (connectionId, operationId) => {
      if (connectionId === 'c-oligon' && rowsWhenAsked === null) rowsWhenAsked = screen.queryAllByTestId('key-row').length;
      return listKeys(connectionId, operationId);
    };
    render(App, { backend });
    await vi.waitFor(() => expect(rowsWhenAsked).not.toBeNull());
    // Its answer would otherwise share the first frame's time with the rows it replaces.
    expect(rowsWhenAsked).toBe(3);
    release();
    await vi.waitFor(() => expect(screen.queryByTestId('as-of')).not.toBeInTheDocument());
  });

  it('keeps the "as of" mark on the last known keys when their refresh fails', async () => {
    const { backend, release } = await listedBefore(2);
    backend.failNext('list_keys', appError('network', 'Could not reach Oligon.'));
    render(App, { backend });
    expect(await screen.findAllByTestId('key-row')).toHaveLength(2);
    release();
    expect(await screen.findByTestId('error-notice')).toBeInTheDocument();
    expect(screen.getByTestId('as-of')).toBeInTheDocument();
    expect(screen.getAllByTestId('key-row')).toHaveLength(2);
  });

  it('shows skeletons, not a mark, on a first run', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.listKeys = () => new Promise(() => {});
    render(App, { backend });
    expect(await screen.findByText(/Loading keys from/, {}, { timeout: 2000 })).toBeInTheDocument();
    expect(await backend.lastInventory()).toBeNull();
    expect(screen.queryByTestId('as-of')).not.toBeInTheDocument();
  });

  it('shows the sidebar without waiting long for a slow first list', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.listKeys = () => new Promise(() => {});
    render(App, { backend });
    expect(await screen.findAllByTestId('connection-item', {}, { timeout: 2000 })).toHaveLength(4);
    expect(screen.queryAllByTestId('key-row')).toHaveLength(0);
  });

  it('explains a failed start and retries it', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.failNext('list_connections', appError('keychain_unavailable', 'The keyring is locked.'));
    const user = userEvent.setup();
    render(App, { backend });
    expect(await screen.findByTestId('error-notice')).toHaveTextContent('Unlock it, then retry.');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findAllByTestId('key-row')).toHaveLength(1);
  });

  it('keeps each startup notice once when a failed start is retried', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.notices = ['The settings file was corrupt; kept a backup at /tmp/settings.json.bak.'];
    backend.failNext('list_connections', appError('keychain_unavailable', 'The keyring is locked.'));
    // Counts the answers; the desk takes each one in the same microtask flush.
    let answered = 0;
    const startupNotices = backend.startupNotices;
    backend.startupNotices = () => startupNotices().then((notices) => (answered++, notices));
    const desk = new Keydesk(backend);
    await desk.start();
    expect(desk.startError?.kind).toBe('keychain_unavailable');
    await vi.waitFor(() => expect(answered).toBe(1));
    expect(desk.notices).toEqual(backend.notices);

    await desk.start();
    expect(desk.startError).toBeNull();
    await vi.waitFor(() => expect(answered).toBe(2));
    expect(desk.notices).toEqual(backend.notices);
    desk.stop();
  });

  it("shows a connection's label tag next to its name", async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.connections[2].label = 'prod';
    render(App, { backend });
    const items = await screen.findAllByTestId('connection-item');
    expect(items[2].querySelector('.tag')).toHaveTextContent('prod');
    expect(items[0].querySelector('.tag')).toBeNull();
  });

  it('lets the sidebar be resized from the keyboard, within limits', async () => {
    const { user } = await renderApp(new MockBackend({ keysPerConnection: 1 }));
    const splitter = screen.getByRole('separator', { name: 'Resize the sidebar' });
    const nav = screen.getByRole('navigation', { name: 'Connections' });

    splitter.focus();
    await user.keyboard('{ArrowRight}{ArrowRight}');
    expect(splitter).toHaveAttribute('aria-valuenow', '280');
    expect(nav.style.width).toBe('280px');
    await user.keyboard('{Home}{ArrowLeft}');
    expect(splitter).toHaveAttribute('aria-valuenow', '180');
  });
});

describe('Sidebar', () => {
  it("names a connection's provider unless its name already says it, and counts its keys", async () => {
    const backend = new MockBackend({ keysPerConnection: 2 });
    backend.connections[1].name = 'fiskaly';
    await renderApp(backend);
    const metas = () =>
      screen.getAllByTestId('connection-item').map((item) => [item.querySelector('.name')?.textContent, item.querySelector('.meta')?.textContent?.replace(/\s+/g, ' ').trim()]);
    await vi.waitFor(() => expect(metas().every(([, meta]) => meta?.endsWith('2 keys'))).toBe(true));
    const [first, second] = metas();
    expect(first[1]).toBe('Oligon Receipts · 2 keys');
    expect(second).toEqual(['fiskaly', '2 keys']);
  });
});
