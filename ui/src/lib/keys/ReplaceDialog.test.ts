import { screen, within } from '@testing-library/svelte';
import { MockBackend } from '../ipc/mockBackend';
import { fakeKey, renderApp, type User } from '../testing';

async function setup(connection: string, prepare: (b: MockBackend) => void) {
  const backend = new MockBackend({ keysPerConnection: 2 });
  prepare(backend);
  return renderApp(backend, connection);
}

const row = (id: string) => screen.getAllByTestId('key-row').find((r) => r.dataset.keyId === id)!;

/** Opens `id`'s details and its Replace dialog. */
async function openReplace(user: User, id: string) {
  await user.click(row(id));
  await user.click(within(screen.getByTestId('key-details')).getByRole('button', { name: 'Replace' }));
  return screen.getByTestId('replace-dialog');
}

/** SyncgramPay's one active key, `Main`, whose replace waits until cancelled. */
function onlyKeyHeld(b: MockBackend) {
  for (const key of b.keys.get('c-syncgram')!) key.status = 'revoked';
  b.addKey('c-syncgram', fakeKey({ id: 'only1', name: 'Main', environment: 'test' }));
  b.holdNext('replace_key');
}

/** Opens Main's Replace dialog, confirms with its name and starts the replace; answers the operation id. */
async function startMainReplace(user: User, backend: MockBackend) {
  const dialog = await openReplace(user, 'only1');
  await user.type(within(dialog).getByRole('textbox', { name: 'Type Main to confirm' }), 'Main');
  await user.click(within(dialog).getByRole('button', { name: 'Replace' }));
  const [operationId] = backend.heldOperations();
  return { dialog, operationId };
}

const statusOf = (backend: MockBackend, connectionId: string, id: string) =>
  backend.keys.get(connectionId)!.find((k) => k.id === id)!.status;

describe('Replace', () => {
  it('asks for a live key name before it creates the successor and revokes the old key', async () => {
    const { user, backend } = await setup('Receipts production', (b) =>
      b.addKey('c-oligon', fakeKey({ id: 'live1', name: 'Checkout', scopes: ['extract:read'] })),
    );
    const dialog = await openReplace(user, 'live1');
    expect(dialog).toHaveAccessibleName('Replace Checkout');
    expect(within(dialog).getByRole('radio', { name: 'Revoke it now' })).toBeChecked();
    const replace = within(dialog).getByRole('button', { name: 'Replace' });
    expect(replace).toHaveClass('danger');
    expect(replace).toBeDisabled();
    const typed = within(dialog).getByRole('textbox', { name: 'Type Checkout to confirm' });
    await user.type(typed, 'Checkou');
    expect(replace).toBeDisabled();
    await user.type(typed, 't');
    await user.click(replace);

    expect(backend.callsOf('replace_key')).toEqual([
      { connectionId: 'c-oligon', keyId: 'live1', options: { grace_minutes: null, keep_old: false, revoke_after_minutes: null } },
    ]);
    const reveal = await screen.findByRole('dialog', { name: 'Store the new secret' });
    expect(reveal).toHaveTextContent('Checkout (replacement)');
    expect(statusOf(backend, 'c-oligon', 'live1')).toBe('revoked');
  });

  it('leaves the old key active without a typed name when the user will revoke it', async () => {
    const { user, backend } = await setup('Receipts production', (b) =>
      b.addKey('c-oligon', fakeKey({ id: 'live1', name: 'Checkout' })),
    );
    const dialog = await openReplace(user, 'live1');
    await user.click(within(dialog).getByRole('radio', { name: /I'll revoke it/ }));
    expect(within(dialog).queryByRole('textbox', { name: /to confirm/ })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Replace' }));

    expect(backend.callsOf('replace_key')).toEqual([
      { connectionId: 'c-oligon', keyId: 'live1', options: { grace_minutes: null, keep_old: true, revoke_after_minutes: null } },
    ]);
    await screen.findByRole('dialog', { name: 'Store the new secret' });
    expect(statusOf(backend, 'c-oligon', 'live1')).toBe('active');
  });

  it('schedules the revoke after N minutes, shows it on the row and cancels it from the details', async () => {
    const { user, backend } = await setup('Receipts production', (b) =>
      b.addKey('c-oligon', fakeKey({ id: 'live1', name: 'Checkout' })),
    );
    const dialog = await openReplace(user, 'live1');
    await user.click(within(dialog).getByRole('radio', { name: /Revoke it after/ }));
    const minutes = within(dialog).getByRole('spinbutton', { name: 'Minutes before the revoke' });
    await user.clear(minutes);
    await user.type(minutes, '45');
    await user.type(within(dialog).getByRole('textbox', { name: 'Type Checkout to confirm' }), 'Checkout');
    await user.click(within(dialog).getByRole('button', { name: 'Replace' }));

    expect(backend.callsOf('replace_key')).toEqual([
      { connectionId: 'c-oligon', keyId: 'live1', options: { grace_minutes: null, keep_old: false, revoke_after_minutes: 45 } },
    ]);
    await screen.findByRole('dialog', { name: 'Store the new secret' });
    expect(statusOf(backend, 'c-oligon', 'live1')).toBe('active');
    const due = new Date(backend.scheduled[0].due_at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
    await vi.waitFor(() => expect(row('live1')).toHaveTextContent(`Revokes at ${due}`));

    const scheduled = within(screen.getByTestId('key-details')).getByTestId('scheduled-revoke');
    await user.click(within(scheduled).getByRole('button', { name: 'Cancel scheduled revoke' }));
    await vi.waitFor(() => expect(row('live1')).not.toHaveTextContent('Revokes at'));
    expect(backend.callsOf('cancel_scheduled_revoke')).toEqual([{ connectionId: 'c-oligon', keyId: 'live1' }]);
    expect(backend.scheduled).toEqual([]);
  });

  it("shows SyncgramPay's countdown, and Cancel during it revokes nothing", async () => {
    const { user, backend } = await setup('Payments', onlyKeyHeld);
    // The organisation's only key: its name is typed even for a test key.
    const { dialog, operationId } = await startMainReplace(user, backend);
    expect(dialog).toHaveTextContent('Main is revoked first');
    const progress = { operation_id: operationId, connection_id: 'c-syncgram', key_id: 'only1', message: null };
    backend.emitReplaceProgress({ ...progress, step: 'waiting', seconds_left: 42 });
    const countdown = await within(dialog).findByRole('status');
    expect(countdown).toHaveTextContent('revoking in 42 s');
    backend.emitReplaceProgress({ ...progress, step: 'waiting', seconds_left: 41 });
    await vi.waitFor(() => expect(countdown).toHaveTextContent('revoking in 41 s'));

    await user.click(within(countdown).getByRole('button', { name: 'Cancel' }));
    await vi.waitFor(() => expect(screen.queryByTestId('replace-dialog')).not.toBeInTheDocument());
    expect(await screen.findByText(/Main was not revoked and no key was created/)).toBeInTheDocument();
    expect(statusOf(backend, 'c-syncgram', 'only1')).toBe('active');
  });

  it('counts the create limit down in the dialog only: the wait notice steps aside meanwhile', async () => {
    const { user, backend } = await setup('Payments', onlyKeyHeld);
    const { dialog, operationId } = await startMainReplace(user, backend);
    // Before the create limit is reached, the running replace has the usual wait notice.
    expect(await screen.findByTestId('wait-notice', {}, { timeout: 3000 })).toHaveTextContent('Waiting for SyncgramPay');
    const progress = { operation_id: operationId, connection_id: 'c-syncgram', key_id: 'only1', message: null, seconds_left: null };
    backend.emitReplaceProgress({ ...progress, step: 'waiting', seconds_left: 42 });
    expect(await within(dialog).findByRole('status')).toHaveTextContent('revoking in 42 s');
    await vi.waitFor(() => expect(screen.queryByTestId('wait-notice')).not.toBeInTheDocument());

    backend.emitReplaceProgress({ ...progress, step: 'revoking' });
    expect(await screen.findByTestId('wait-notice')).toBeInTheDocument();
  });

  it('shows the loud line of a create that failed after the revoke', async () => {
    const { user, backend } = await setup('Payments', onlyKeyHeld);
    const { dialog, operationId } = await startMainReplace(user, backend);
    const loud = 'Main was revoked, but its replacement was not created: The server failed. Trying again with the same request.';
    backend.emitReplaceProgress({
      operation_id: operationId,
      connection_id: 'c-syncgram',
      key_id: 'only1',
      step: 'retrying',
      seconds_left: null,
      message: loud,
    });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(loud);
  });

  it('is offered beside a leak match and replaces it', async () => {
    const { user, backend } = await setup('Receipts production', (b) =>
      b.addKey('c-oligon', fakeKey({ id: 'leak1', name: 'Checkout', masked: 'sk_live_…x9k2' })),
    );
    await user.keyboard('{Control>}k{/Control}');
    const leaked = screen.getByRole('dialog', { name: 'Leaked key' });
    await user.type(within(leaked).getByLabelText(/Paste the full key/), 'sk_live_FAKEaaaaaaaaaaaaaaaaaaaax9k2');
    await user.click(within(leaked).getByRole('button', { name: 'Find' }));
    const match = await within(leaked).findByTestId('leak-match');
    await user.click(within(match).getByRole('button', { name: 'Replace' }));

    const dialog = screen.getByTestId('replace-dialog');
    await user.type(within(dialog).getByRole('textbox', { name: 'Type Checkout to confirm' }), 'Checkout');
    await user.click(within(dialog).getByRole('button', { name: 'Replace' }));
    await screen.findByRole('dialog', { name: 'Store the new secret' });
    expect(backend.callsOf('replace_key')).toEqual([
      {
        connectionId: 'c-oligon',
        keyId: 'leak1',
        options: { grace_minutes: null, keep_old: false, revoke_after_minutes: null },
        context: 'leak',
      },
    ]);
    expect(statusOf(backend, 'c-oligon', 'leak1')).toBe('revoked');
  });

  it('disables a fiskaly key after its successor exists', async () => {
    const { user, backend } = await setup('fiskaly sandbox', (b) =>
      b.addKey('c-fiskaly', fakeKey({ id: 'pos1', name: 'pos-terminal-7', environment: 'test' })),
    );
    const dialog = await openReplace(user, 'pos1');
    expect(dialog).toHaveTextContent('Then the old key is disabled');
    await user.click(within(dialog).getByRole('button', { name: 'Replace' }));
    const reveal = await screen.findByRole('dialog', { name: 'Store the new secret' });
    expect(reveal).toHaveTextContent('pos-terminal-7-replacement');
    expect(statusOf(backend, 'c-fiskaly', 'pos1')).toBe('disabled');
  });
});
