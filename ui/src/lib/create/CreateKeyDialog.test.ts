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
    // The rule names what breaks it, not the help text again.
    expect(name).toHaveAccessibleDescription('The name cannot contain "B", a space or "N" (3–30 lowercase letters, digits or hyphens).');
    await user.click(within(dialog).getByRole('button', { name: 'Add entry' }));
    await user.type(within(dialog).getByRole('textbox', { name: 'Metadata key 1' }), 'k'.repeat(41));
    expect(within(dialog).getByText(`The metadata key "${'k'.repeat(41)}" is longer than 40 characters.`)).toBeInTheDocument();
    expect(backend.callsOf('create_key')).toHaveLength(0);
  });

  it('stops "Add entry" at the provider\'s most entries, and labels every metadata input', async () => {
    const { user, dialog } = await openCreate('fiskaly sandbox');
    const add = within(dialog).getByRole('button', { name: 'Add entry' });
    for (let i = 0; i < 20; i++) await user.click(add);
    expect(within(dialog).getAllByRole('button', { name: /^Remove metadata entry/ })).toHaveLength(20);
    expect(add).toBeDisabled();
    expect(within(dialog).getByRole('status')).toHaveTextContent('20 of 20 entries: remove one to add another.');

    const key = within(dialog).getByRole('textbox', { name: 'Metadata key 20' });
    const value = within(dialog).getByRole('textbox', { name: 'Metadata value 20' });
    expect([...(key as HTMLInputElement).labels!].map((l) => l.textContent)).toEqual(['Metadata key 20']);
    expect([...(value as HTMLInputElement).labels!].map((l) => l.textContent)).toEqual(['Metadata value 20']);

    await user.click(within(dialog).getByRole('button', { name: 'Remove metadata entry 3' }));
    expect(add).toBeEnabled();
  });

  it('shows a cross-field rule on the first submit, scrolls its field into view and focuses it', async () => {
    const scrolled: Element[] = [];
    const scrollIntoView = vi.fn(function (this: Element) {
      scrolled.push(this);
    });
    Element.prototype.scrollIntoView = scrollIntoView;
    try {
      const { user, backend, dialog } = await openCreate('Jobs platform');
      await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'deployer');
      await user.type(within(dialog).getByRole('textbox', { name: /Scopes/ }), 'jobs:deploy');
      await user.type(within(dialog).getByRole('textbox', { name: 'Expires in (days)' }), '10');
      const rotate = within(dialog).getByRole('textbox', { name: 'Rotate every (days)' });
      await user.type(rotate, '30');
      await user.click(within(dialog).getByRole('button', { name: 'Create key' }));

      expect(rotate).toHaveAccessibleDescription(/^The rotation period \(30 days\) must be shorter than the lifetime \(10 days\)\./);
      expect(rotate).toHaveFocus();
      expect(scrolled).toEqual([rotate]);
      expect(backend.callsOf('create_key')).toHaveLength(0);
    } finally {
      delete (Element.prototype as Partial<Element>).scrollIntoView;
    }
  });

  it('submits on Enter in a field, and not while Create waits out a rate limit', async () => {
    const backend = new MockBackend();
    backend.failNext('create_key', appError('rate_limited', 'Only one key per minute.', { retry_after_secs: 1 }));
    const { user, dialog } = await openCreate('Receipts production', backend);
    const name = within(dialog).getByRole('textbox', { name: /Name/ });
    await user.type(name, 'Enter key{Enter}');
    expect(backend.callsOf('create_key')).toHaveLength(1);

    // One countdown, and Create waits with Retry until it ends.
    const notice = await within(dialog).findByTestId('error-notice');
    expect(notice.textContent!.match(/\d+ s\b/g)).toEqual(['1 s']);
    const create = within(dialog).getByRole('button', { name: 'Create key' });
    expect(create).toBeDisabled();
    expect(within(notice).getByRole('button', { name: 'Retry' })).toBeDisabled();
    await user.type(name, '{Enter}');
    expect(backend.callsOf('create_key')).toHaveLength(1);

    await vi.waitFor(() => expect(create).toBeEnabled(), { timeout: 3000 });
    expect(within(notice).getByRole('button', { name: 'Retry' })).toBeEnabled();
    await user.type(name, '{Enter}');
    expect(backend.callsOf('create_key')).toHaveLength(2);
    await screen.findByRole('dialog', { name: 'Store the new secret' });
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
    // The form's own rules pass (30 < 40): the backend is the one refusing.
    await user.type(within(dialog).getByRole('textbox', { name: 'Expires in (days)' }), '40');
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
