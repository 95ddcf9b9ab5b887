import { screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { MockBackend, appError } from '../ipc/mockBackend';
import { fakeKey, renderApp } from '../testing';

async function setup(connection = 'Receipts production', prepare: (b: MockBackend) => void = () => {}) {
  const backend = new MockBackend({ keysPerConnection: 4 });
  prepare(backend);
  return renderApp(backend, connection);
}

const row = (id: string) => screen.getAllByTestId('key-row').find((r) => r.dataset.keyId === id)!;

async function openDetails(user: ReturnType<typeof userEvent.setup>, id: string) {
  await user.click(row(id));
  return screen.getByTestId('key-details');
}

describe('Revoke and delete', () => {
  it('asks for the key name before revoking a live key, and says what breaks', async () => {
    const { user, backend } = await setup('Receipts production', (b) =>
      b.addKey('c-oligon', fakeKey({ id: 'live1', name: 'Production server', environment: 'live' })),
    );
    const details = await openDetails(user, 'live1');
    await user.click(within(details).getByRole('button', { name: 'Revoke' }));

    const confirm = screen.getByRole('alertdialog', { name: 'Revoke Production server?' });
    expect(confirm).toHaveTextContent('Requests using sk_live_…x9k2 will fail within seconds.');
    const button = within(confirm).getByRole('button', { name: 'Revoke' });
    expect(button).toBeDisabled();
    await user.type(within(confirm).getByRole('textbox', { name: /Type Production server to confirm/ }), 'Production serve');
    expect(button).toBeDisabled();
    await user.type(within(confirm).getByRole('textbox'), 'r');
    await user.click(button);

    expect(backend.callsOf('revoke_key')).toEqual([{ connectionId: 'c-oligon', keyId: 'live1' }]);
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(within(row('live1')).getByText('Revoked')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Revoked Production server');
  });

  it('revokes a test key after a plain confirmation, and Esc cancels without revoking', async () => {
    const { user, backend } = await setup('Receipts production', (b) =>
      b.addKey('c-oligon', fakeKey({ id: 't1', name: 'CI', environment: 'test', masked: 'sk_test_…ab12' })),
    );
    const details = await openDetails(user, 't1');
    await user.click(within(details).getByRole('button', { name: 'Revoke' }));
    expect(screen.queryByRole('textbox', { name: /to confirm/ })).not.toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(within(details).getByRole('button', { name: 'Revoke' })).toHaveFocus();

    await user.click(within(details).getByRole('button', { name: 'Revoke' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revoke' }));
    expect(backend.callsOf('revoke_key')).toHaveLength(1);
  });

  it('always asks for the name before deleting, and removes the row', async () => {
    const { user, backend } = await setup('Receipts production', (b) =>
      b.addKey('c-oligon', fakeKey({ id: 't1', name: 'Old test key', environment: 'test' })),
    );
    const details = await openDetails(user, 't1');
    await user.click(within(details).getByRole('button', { name: 'Delete' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete Old test key?' });
    expect(confirm).toHaveTextContent('Revoke keeps the audit trail');
    await user.type(within(confirm).getByRole('textbox'), 'Old test key');
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));

    expect(backend.callsOf('delete_key')).toEqual([{ connectionId: 'c-oligon', keyId: 't1' }]);
    expect(screen.queryByTestId('key-details')).not.toBeInTheDocument();
    expect(screen.getAllByTestId('key-row').map((r) => r.dataset.keyId)).not.toContain('t1');
  });

  it('shows a failed revoke inside the confirmation with its request id', async () => {
    const { user, backend } = await setup('Receipts production', (b) => {
      b.addKey('c-oligon', fakeKey({ id: 't1', name: 'CI', environment: 'test' }));
      b.failNext('revoke_key', appError('forbidden', 'This account may not revoke keys.', { request_id: 'req_403' }));
    });
    const details = await openDetails(user, 't1');
    await user.click(within(details).getByRole('button', { name: 'Revoke' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revoke' }));

    const notice = await within(screen.getByRole('alertdialog')).findByTestId('error-notice');
    expect(notice).toHaveTextContent('This account may not revoke keys.');
    expect(notice).toHaveTextContent('Ask an admin of the provider');
    expect(within(notice).getByText('req_403')).toBeInTheDocument();
    expect(backend.keys.get('c-oligon')!.find((k) => k.id === 't1')!.status).toBe('active');
  });
});

describe('Enable, disable and rotate', () => {
  it('offers only the actions the provider has: fiskaly disables and enables in place', async () => {
    const { user, backend } = await setup('fiskaly sandbox', (b) =>
      b.addKey('c-fiskaly', fakeKey({ id: 'f1', name: 'pos-1', environment: 'test', masked: 'test_…ab12' })),
    );
    const details = await openDetails(user, 'f1');
    expect(within(details).queryByRole('button', { name: 'Revoke' })).not.toBeInTheDocument();
    expect(within(details).queryByRole('button', { name: 'Rotate' })).not.toBeInTheDocument();

    await user.click(within(details).getByRole('button', { name: 'Disable' }));
    expect(backend.callsOf('set_key_enabled')).toEqual([{ connectionId: 'c-fiskaly', keyId: 'f1', enabled: false }]);
    expect(within(row('f1')).getByText('Disabled')).toBeInTheDocument();
    await user.click(within(details).getByRole('button', { name: 'Enable' }));
    expect(within(row('f1')).getByText('Active')).toBeInTheDocument();
  });

  it('rotates with a grace period picked in minutes, 0 meaning at once, and shows the new secret', async () => {
    const { user, backend } = await setup('Jobs platform', (b) =>
      b.addKey('c-strait', fakeKey({ id: 's1', name: 'deployer', environment: null, masked: 'strait_ab12c…9f0e' })),
    );
    const details = await openDetails(user, 's1');
    await user.click(within(details).getByRole('button', { name: 'Rotate' }));
    const dialog = screen.getByRole('dialog', { name: 'Rotate deployer' });
    const grace = within(dialog).getByRole('spinbutton', { name: 'Grace period (minutes)' });
    expect(grace).toHaveValue(60);

    await user.clear(grace);
    await user.type(grace, '20000');
    expect(dialog).toHaveTextContent('Choose a whole number of minutes from 0 to 10080.');
    expect(within(dialog).getByRole('button', { name: 'Rotate' })).toBeDisabled();

    await user.click(within(dialog).getByRole('button', { name: 'Immediately (leaked key)' }));
    expect(dialog).toHaveTextContent('The old key stops working immediately');
    await user.click(within(dialog).getByRole('button', { name: 'Rotate' }));

    expect(backend.callsOf('rotate_key')).toEqual([{ connectionId: 'c-strait', keyId: 's1', graceMinutes: 0 }]);
    expect(await screen.findByRole('dialog', { name: 'Store the new secret' })).toHaveTextContent('deployer');
  });
});

describe('Bulk revoke', () => {
  it('revokes the selected keys one by one and reports each result', async () => {
    const { user, backend } = await setup('Receipts production', (b) => {
      b.keys.set('c-oligon', [
        fakeKey({ id: 'a', name: 'Alpha', environment: 'live', masked: 'sk_live_…aaaa' }),
        fakeKey({ id: 'b', name: 'Beta', environment: 'test', masked: 'sk_test_…bbbb' }),
        fakeKey({ id: 'c', name: 'Gamma', environment: 'test', masked: 'sk_test_…cccc' }),
      ]);
    });
    const revoke = backend.revokeKey;
    backend.revokeKey = async (connectionId, keyId) => {
      if (keyId === 'b') throw appError('server', 'The provider failed.', { request_id: 'req_500' });
      return revoke(connectionId, keyId);
    };

    await user.click(screen.getByRole('checkbox', { name: 'Select all shown keys' }));
    const bar = screen.getByRole('toolbar', { name: 'Selected keys' });
    expect(bar).toHaveTextContent('3 selected');
    await user.click(within(bar).getByRole('button', { name: 'Revoke' }));

    const dialog = screen.getByRole('dialog', { name: 'Revoke 3 keys' });
    expect(dialog).toHaveTextContent('1 of them is a live key');
    const go = within(dialog).getByRole('button', { name: 'Revoke 3 keys' });
    expect(go).toBeDisabled();
    await user.type(within(dialog).getByRole('textbox', { name: /to confirm/ }), 'revoke 3 keys');
    await user.click(go);

    await within(dialog).findByRole('progressbar', { name: 'Done: 2 revoked, 1 failed' });
    const items = within(dialog).getAllByTestId('bulk-item');
    expect(items[0]).toHaveTextContent('Revoked');
    expect(items[1]).toHaveTextContent('Failed: The provider failed.');
    expect(items[1]).toHaveTextContent('req_500');
    expect(items[2]).toHaveTextContent('Revoked');
    expect(within(row('a')).getByText('Revoked')).toBeInTheDocument();
    expect(within(row('b')).getByText('Active')).toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('toolbar', { name: 'Selected keys' })).not.toBeInTheDocument();
  });
});
