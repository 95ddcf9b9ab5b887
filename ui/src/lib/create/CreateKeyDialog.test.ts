import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../App.svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import { renderApp } from '../testing';

async function openCreate(connectionName: string, backend = new MockBackend()) {
  const { user } = await renderApp(backend, connectionName);
  await user.keyboard('n');
  const dialog = screen.getByRole('dialog', { name: `New key in ${connectionName}` });
  return { user, backend, dialog };
}

describe('Create key', () => {
  it('renders the fields the provider declares and creates, then shows the secret once', async () => {
    const { user, backend, dialog } = await openCreate('Receipts production');
    expect(within(dialog).getByRole('textbox', { name: /Name/ })).toHaveFocus();
    expect(within(dialog).getByRole('group', { name: 'Scopes' })).toBeInTheDocument();

    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'Billing export');
    await user.click(within(dialog).getByRole('checkbox', { name: 'extract:read' }));
    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'Environment' }), 'live');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));

    expect(backend.callsOf('create_key')).toEqual([
      {
        connectionId: 'c-oligon',
        draft: expect.objectContaining({ name: 'Billing export', scopes: ['extract:read'], environment: 'live' }),
        replaceActive: false,
      },
    ]);
    const reveal = await screen.findByRole('dialog', { name: 'Store the new secret' });
    expect(reveal).toHaveTextContent('Billing export');
    expect(screen.queryByRole('dialog', { name: /New key/ })).not.toBeInTheDocument();
    expect(screen.getAllByTestId('key-row').some((r) => r.textContent?.includes('Billing export'))).toBe(true);
  });

  it("shows fiskaly's rules inline and focuses the first invalid field on submit", async () => {
    const { user, backend, dialog } = await openCreate('fiskaly sandbox');
    const name = within(dialog).getByRole('textbox', { name: /Name/ });

    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    expect(within(dialog).getByText('Name is required.')).toBeInTheDocument();
    expect(within(dialog).getByText('Choose kind.')).toBeInTheDocument();
    expect(name).toHaveFocus();
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveAccessibleDescription(/Name is required/);

    await user.type(name, 'Bad Name');
    expect(within(dialog).getByText('3–30 lowercase letters, digits or hyphens')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Add entry' }));
    await user.type(within(dialog).getByRole('textbox', { name: 'Metadata key 1' }), 'k'.repeat(41));
    expect(within(dialog).getByText('Metadata keys can be at most 40 characters.')).toBeInTheDocument();
    expect(backend.callsOf('create_key')).toHaveLength(0);
  });

  it('shows a validation error from the backend next to its field and focuses it', async () => {
    const backend = new MockBackend();
    backend.failNext(
      'create_key',
      appError('validation', "The rotation period (30 days) must be shorter than the key's lifetime (10 days).", {
        field: 'rotation_interval_days',
      }),
    );
    const { user, dialog } = await openCreate('Jobs platform', backend);
    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'deployer');
    await user.type(within(dialog).getByRole('textbox', { name: /Scopes/ }), 'jobs:deploy');
    await user.type(within(dialog).getByRole('textbox', { name: 'Expires in (days)' }), '10');
    await user.type(within(dialog).getByRole('textbox', { name: 'Rotate every (days)' }), '30');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));

    const field = within(dialog).getByRole('textbox', { name: 'Rotate every (days)' });
    expect(await within(dialog).findByText(/must be shorter than the key's lifetime/)).toBeInTheDocument();
    expect(field).toHaveFocus();
  });

  it("explains SyncgramPay's one-active-key rule up front and offers to replace with a warning", async () => {
    const { user, backend, dialog } = await openCreate('Payments');
    const active = backend.keys.get('c-syncgram')!.find((k) => k.status === 'active')!;

    expect(dialog).toHaveTextContent('SyncgramPay allows one active key per organisation.');
    expect(dialog).toHaveTextContent(`${active.name} (${active.masked}) is active now`);
    const submit = within(dialog).getByRole('button', { name: 'Revoke and create' });
    expect(submit).toBeDisabled();

    await user.click(within(dialog).getByRole('checkbox', { name: /Replace: revoke/ }));
    expect(within(dialog).getByRole('note')).toHaveTextContent(`Requests using ${active.masked} will fail`);
    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'New payments key');
    // Revoking the organisation's only active key is a danger action behind its typed name.
    expect(submit).toHaveClass('danger');
    expect(submit).toBeDisabled();
    const confirm = within(dialog).getByRole('textbox', { name: `Type ${active.name} to confirm` });
    await user.type(confirm, active.name.slice(0, -1));
    expect(submit).toBeDisabled();
    await user.type(confirm, active.name.slice(-1));
    await user.click(submit);

    expect(backend.callsOf('create_key')).toEqual([
      expect.objectContaining({ connectionId: 'c-syncgram', replaceActive: true }),
    ]);
    await screen.findByRole('dialog', { name: 'Store the new secret' });
    expect(backend.keys.get('c-syncgram')!.find((k) => k.id === active.id)!.status).toBe('revoked');
  });

  it('lists the keys again when a revoke and create fails, and keeps the form', async () => {
    const backend = new MockBackend();
    backend.failNext(
      'create_key',
      appError('rate_limited', 'SyncgramPay limits how often keys are created. Nothing was revoked: try again in 42 s.', {
        retry_after_secs: 42,
      }),
    );
    const { user, dialog } = await openCreate('Payments', backend);
    await user.click(within(dialog).getByRole('checkbox', { name: /Replace: revoke/ }));
    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'New payments key');
    const active = backend.keys.get('c-syncgram')!.find((k) => k.status === 'active')!;
    await user.type(within(dialog).getByRole('textbox', { name: `Type ${active.name} to confirm` }), active.name);
    const listsBefore = backend.callsOf('list_keys').length;
    await user.click(within(dialog).getByRole('button', { name: 'Revoke and create' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Nothing was revoked');
    await vi.waitFor(() => expect(backend.callsOf('list_keys').length).toBe(listsBefore + 1));
    expect(backend.callsOf('list_keys').at(-1)).toEqual({ connectionId: 'c-syncgram' });
    expect(within(dialog).getByRole('textbox', { name: /Name/ })).toHaveValue('New payments key');
  });

  it('shows other errors inside the form and keeps what was typed', async () => {
    const backend = new MockBackend();
    backend.failNext('create_key', appError('rate_limited', 'Only one key per minute.', { retry_after_secs: 42, request_id: 'req_rl' }));
    const { user, dialog } = await openCreate('Receipts production', backend);
    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'Retry me');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));

    const notice = await within(dialog).findByTestId('error-notice');
    expect(notice).toHaveTextContent('Only one key per minute.');
    expect(notice).toHaveTextContent('Retry possible in 42 s');
    expect(within(notice).getByRole('button', { name: 'Retry' })).toBeDisabled();
    expect(within(dialog).getByRole('textbox', { name: /Name/ })).toHaveValue('Retry me');
  });
});

describe('Orphaned create', () => {
  it('explains what happened and revokes the orphan in one click', async () => {
    const backend = new MockBackend();
    backend.orphanNextCreate = true;
    const { user, dialog } = await openCreate('Receipts production', backend);
    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'Lost in transit');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));

    const orphan = await screen.findByRole('alertdialog', { name: 'A key was created, but its secret never arrived' });
    expect(orphan).toHaveTextContent('Lost in transit');
    await user.click(within(orphan).getByRole('button', { name: 'Revoke' }));

    expect(await within(orphan).findByText(/Revoked\. You can create a new key now/)).toBeInTheDocument();
    const key = backend.keys.get('c-oligon')!.find((k) => k.name === 'Lost in transit')!;
    expect(key.status).toBe('revoked');
    await user.click(within(orphan).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  });
});

describe('Focus after creating', () => {
  it('returns to "New key" once the secret is stored', async () => {
    const user = userEvent.setup();
    render(App, { backend: new MockBackend() });
    await user.click(await screen.findByRole('button', { name: 'New key' }));
    const dialog = screen.getByRole('dialog', { name: 'New key in Receipts production' });
    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'Focus check');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    const reveal = await screen.findByRole('dialog', { name: 'Store the new secret' });
    await user.click(within(reveal).getByRole('button', { name: 'Copy API key' }));
    await user.click(within(reveal).getByRole('button', { name: 'I have stored it' }));

    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'New key' })).toHaveFocus();
  });
});
