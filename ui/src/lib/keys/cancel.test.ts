import { screen, within } from '@testing-library/svelte';
import { MockBackend } from '../ipc/mockBackend';
import { fakeKey, renderApp } from '../testing';
import type { UnfinishedCreate } from '../ipc/types';

async function setup(prepare: (b: MockBackend) => void = () => {}) {
  const backend = new MockBackend({ keysPerConnection: 4 });
  prepare(backend);
  return renderApp(backend);
}

/** A create of "Nightly export" on the Oligon connection that began just now and never ended. */
function unfinishedCreate(operationId: string, { cancelled }: { cancelled: boolean }): UnfinishedCreate {
  return {
    operation_id: operationId,
    action: 'create',
    connection_id: 'c-oligon',
    connection_name: 'Receipts production',
    key_name: 'Nightly export',
    key_id: null,
    started_at: new Date().toISOString(),
    cancelled,
  };
}

const row = (id: string) => screen.getAllByTestId('key-row').find((r) => r.dataset.keyId === id)!;

describe('Waiting and Cancel', () => {
  it('shows what a revoke waits for with a Cancel that aborts it and goes back to the list as it was', async () => {
    const { user, backend } = await setup((b) => {
      b.addKey('c-oligon', fakeKey({ id: 'k1', name: 'Checkout', environment: 'test' }));
      b.holdNext('revoke_key');
    });
    await user.click(row('k1'));
    await user.click(within(screen.getByTestId('key-details')).getByRole('button', { name: 'Revoke' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revoke' }));

    // The notice comes after about a second of waiting.
    const notice = await screen.findByTestId('wait-notice', {}, { timeout: 3000 });
    expect(notice).toHaveTextContent(/Waiting for Oligon Receipts… \d+ s/);
    // Keyboard users reach the notice's Cancel from the open dialog with Tab.
    const cancel = within(notice).getByRole('button', { name: 'Cancel' });
    for (let i = 0; i < 5 && document.activeElement !== cancel; i++) await user.tab();
    expect(cancel).toHaveFocus();
    await user.keyboard('{Enter}');

    await vi.waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    expect(backend.callsOf('cancel_operation')).toHaveLength(1);
    expect(screen.queryByTestId('wait-notice')).not.toBeInTheDocument();
    expect(within(row('k1')).getByText('Active')).toBeInTheDocument();
    expect(screen.getByText(/Cancelled: Keydesk stopped waiting; Checkout may still be revoked/)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('cancels a connection test that waits, and says it was not tested', async () => {
    const { user, backend } = await setup((b) => b.holdNext('test_connection'));
    await user.click(screen.getByRole('button', { name: 'Edit connection' }));
    const form = screen.getByTestId('connection-form');
    await user.click(within(form).getByRole('button', { name: 'Test connection' }));

    const notice = await screen.findByTestId('wait-notice', {}, { timeout: 3000 });
    expect(notice).toHaveTextContent('Waiting for Oligon Receipts…');
    await user.click(within(notice).getByRole('button', { name: 'Cancel' }));

    expect(await screen.findByText('Cancelled: the connection was not tested.')).toBeInTheDocument();
    expect(backend.callsOf('cancel_operation')).toHaveLength(1);
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
    expect(within(form).getByRole('button', { name: 'Test connection' })).toBeEnabled();
  });

  it('offers the orphan check for a create a quit cut off, and shows the orphan dialog when the key exists', async () => {
    const { user, backend } = await setup((b) => {
      b.addKey('c-oligon', fakeKey({ id: 'k-made', name: 'Nightly export', environment: 'test' }));
      b.unfinished = [unfinishedCreate('op-1', { cancelled: false })];
    });
    const banner = await screen.findByTestId('unfinished-create');
    expect(banner).toHaveTextContent('Keydesk quit during a create of “Nightly export”');
    await user.click(within(banner).getByRole('button', { name: 'Check for the key' }));

    const dialog = await screen.findByRole('alertdialog', { name: 'A key was created, but its secret never arrived' });
    expect(dialog).toHaveTextContent('Nightly export');
    expect(backend.callsOf('check_unfinished_create')).toEqual([{ operationId: 'op-1' }]);
    expect(screen.queryByTestId('unfinished-create')).not.toBeInTheDocument();
  });

  it('keeps offering the check when the service may still be making the key', async () => {
    const { user, backend } = await setup((b) => {
      b.unfinished = [unfinishedCreate('op-2', { cancelled: true })];
    });
    // The backend's answer for a create begun seconds ago whose key is not listed (yet).
    const message = 'No key named “Nightly export” is listed yet, but its create began only 3 s ago and the service may still make it: Keydesk offers this check again.';
    backend.checkUnfinishedCreate = async () => ({ status: 'not_yet', message });
    const banner = await screen.findByTestId('unfinished-create');
    await user.click(within(banner).getByRole('button', { name: 'Check for the key' }));

    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(screen.getByTestId('unfinished-create')).toBeInTheDocument();
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  });
});
