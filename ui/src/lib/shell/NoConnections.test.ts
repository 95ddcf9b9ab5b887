import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../App.svelte';
import { MockBackend, appError } from '../ipc/mockBackend';

describe('No connections', () => {
  it('starts the built-in sandbox and opens its first connection', async () => {
    const backend = new MockBackend({ empty: true });
    const user = userEvent.setup();
    render(App, { backend });
    const empty = await screen.findByRole('region', { name: 'No connections yet' });
    expect(within(empty).getByRole('button', { name: 'Add connection' })).toBeInTheDocument();

    await user.click(within(empty).getByRole('button', { name: 'Try the built-in sandbox' }));

    expect(backend.callsOf('start_sandbox')).toHaveLength(1);
    expect(await screen.findByRole('heading', { level: 2, name: 'Oligon Receipts' })).toBeInTheDocument();
    const items = screen.getAllByTestId('connection-item');
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringContaining('Oligon Receipts'),
      expect.stringContaining('fiskaly'),
      expect.stringContaining('SyncgramPay'),
      expect.stringContaining('Strait'),
    ]);
    expect(items[0]).toHaveAttribute('aria-current', 'page');
    expect(backend.callsOf('list_keys')).toContainEqual({ connectionId: 'sandbox-oligon' });
    expect(await screen.findAllByTestId('key-row')).not.toHaveLength(0);
    expect(screen.queryByRole('heading', { name: 'No connections yet' })).not.toBeInTheDocument();
  });

  it('says why the sandbox did not start, next to the button', async () => {
    const backend = new MockBackend({ empty: true });
    backend.failNext('start_sandbox', appError('internal', 'The built-in sandbox could not start.'));
    const user = userEvent.setup();
    render(App, { backend });

    await user.click(await screen.findByRole('button', { name: 'Try the built-in sandbox' }));

    const notice = await screen.findByTestId('error-notice');
    expect(notice).toHaveTextContent('The built-in sandbox could not start.');
    const empty = screen.getByRole('region', { name: 'No connections yet' });
    expect(within(empty).getByRole('button', { name: 'Try the built-in sandbox' })).toBeEnabled();
    expect(screen.queryAllByTestId('connection-item')).toHaveLength(0);
  });
});
