import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../App.svelte';
import { MockBackend, appError } from '../ipc/mockBackend';

describe('Shell', () => {
  it('lists the shortcuts on "?" and not while typing', async () => {
    const user = userEvent.setup();
    render(App, { backend: new MockBackend({ keysPerConnection: 1 }) });
    await screen.findAllByTestId('key-row');

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
    const user = userEvent.setup();
    render(App, { backend: new MockBackend({ keysPerConnection: 1 }) });
    await screen.findAllByTestId('key-row');
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

  it('explains a failed start and retries it', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.failNext('list_connections', appError('keychain_unavailable', 'The keyring is locked.'));
    const user = userEvent.setup();
    render(App, { backend });
    expect(await screen.findByTestId('error-notice')).toHaveTextContent('Unlock it, then retry.');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findAllByTestId('key-row')).toHaveLength(1);
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
    const user = userEvent.setup();
    render(App, { backend: new MockBackend({ keysPerConnection: 1 }) });
    await screen.findAllByTestId('key-row');
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
