import { screen, within } from '@testing-library/svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import { fakeKey, renderApp, type User } from '../testing';

const LEAKED = 'sk_live_FAKEaaaaaaaaaaaaaaaaaaaax9k2';

async function setup(prepare: (b: MockBackend) => void = () => {}) {
  const backend = new MockBackend({ keysPerConnection: 3 });
  prepare(backend);
  return renderApp(backend);
}

/** Types `name` into the revoke confirmation a live key asks for, then confirms. */
async function confirmRevoke(user: Awaited<ReturnType<typeof setup>>['user'], name: string) {
  const confirm = await screen.findByRole('alertdialog', { name: `Revoke ${name}?` });
  const revoke = within(confirm).getByRole('button', { name: 'Revoke' });
  expect(revoke).toBeDisabled();
  await user.type(within(confirm).getByRole('textbox'), name);
  await user.click(revoke);
}

describe('Leaked key', () => {
  it('opens with Ctrl+K, finds the key across connections and revokes it now', async () => {
    const { user, backend } = await setup((b) =>
      b.addKey(
        'c-oligon',
        fakeKey({ id: 'leak1', name: 'Checkout', masked: 'sk_live_…x9k2', last_used_at: new Date(Date.now() - 2 * 3_600_000).toISOString() }),
      ),
    );
    await user.keyboard('{Control>}k{/Control}');
    const dialog = screen.getByRole('dialog', { name: 'Leaked key' });
    const input = within(dialog).getByLabelText(/Paste the full key/);
    expect(input).toHaveFocus();
    expect(input).toHaveAttribute('type', 'password');

    await user.type(input, LEAKED);
    await user.click(within(dialog).getByRole('button', { name: 'Find' }));

    const match = await within(dialog).findByTestId('leak-match');
    expect(backend.callsOf('find_leaked_key')).toEqual([{ pasted: LEAKED }]);
    expect(input).toHaveValue('');
    expect(within(dialog).getByTestId('leak-result')).toHaveFocus();
    expect(match).toHaveTextContent('Checkout');
    expect(match).toHaveTextContent('in Receipts production');
    expect(match).toHaveTextContent('last used 2 h ago');

    await user.click(within(match).getByRole('button', { name: 'Revoke now' }));
    // A live key: its name is typed first, and nothing is revoked until then.
    expect(backend.callsOf('revoke_key')).toEqual([]);
    await confirmRevoke(user, 'Checkout');
    expect(await within(match).findByText(/Revoked\. Requests using it now fail/)).toBeInTheDocument();
    expect(backend.callsOf('revoke_key')).toEqual([{ connectionId: 'c-oligon', keyId: 'leak1', context: 'leak' }]);
    expect(backend.keys.get('c-oligon')!.find((k) => k.id === 'leak1')!.status).toBe('revoked');

    // The ticket's record: this search and the revoke after it, saved where the user picks.
    await user.click(within(match).getByRole('button', { name: 'Export incident report' }));
    expect(backend.callsOf('export_incident_report')).toEqual([{ entryId: null }]);
    expect(await screen.findByText(/Saved the incident report to .*keydesk-export\.md and .*\.json/)).toBeInTheDocument();
  });

  it('shows the key as the backend lists it when the provider answers a revoke with no key', async () => {
    const { user, backend } = await setup((b) => {
      b.addKey('c-oligon', fakeKey({ id: 'leak1', name: 'Checkout', masked: 'sk_live_…x9k2' }));
      const revoke = b.revokeKey;
      b.revokeKey = async (connectionId, keyId, operationId) => {
        await revoke(connectionId, keyId, operationId);
        return null;
      };
    });
    await user.keyboard('{Control>}k{/Control}');
    const dialog = screen.getByRole('dialog', { name: 'Leaked key' });
    await user.type(within(dialog).getByLabelText(/Paste the full key/), LEAKED);
    await user.click(within(dialog).getByRole('button', { name: 'Find' }));
    const match = await within(dialog).findByTestId('leak-match');
    const listsBefore = backend.callsOf('list_keys').length;

    await user.click(within(match).getByRole('button', { name: 'Revoke now' }));
    await confirmRevoke(user, 'Checkout');
    expect(await within(match).findByText(/Revoked\. Requests using it now fail/)).toBeInTheDocument();
    expect(backend.callsOf('list_keys').slice(listsBefore)).toEqual([{ connectionId: 'c-oligon' }]);
    expect(within(match).getByText('Revoked', { exact: true })).toBeInTheDocument();
  });

  it('says which connections were searched and which could not be when nothing matches', async () => {
    const { user } = await setup((b) => {
      b.brokenConnections.set('c-strait', appError('unauthorized', 'The admin token was refused.', { request_id: 'req_401' }));
      // As SyncgramPay lists them after a refresh: no part of the key.
      for (const key of b.keys.get('c-syncgram')!) key.masked = '';
    });
    await user.click(screen.getByRole('button', { name: 'Leaked key' }));
    const dialog = screen.getByRole('dialog', { name: 'Leaked key' });
    await user.type(within(dialog).getByLabelText(/Paste the full key/), 'nothing_like_any_key_1234');
    await user.click(within(dialog).getByRole('button', { name: 'Find' }));

    const result = await within(dialog).findByTestId('leak-result');
    expect(result).toHaveTextContent('No key matches.');
    expect(result).toHaveTextContent('Searched 3 connections: Receipts production, fiskaly sandbox, Payments');
    expect(result).toHaveTextContent('Could not search this connection:');
    expect(result).toHaveTextContent('Jobs platform: The admin token was refused.');
    expect(result).toHaveTextContent('req_401');
    expect(within(result).getByTestId('leak-unsearchable')).toHaveTextContent(
      'Payments lists no part of its keys, so Keydesk cannot tell whether this key is there.',
    );
  });

  it('warns when more than one key matches', async () => {
    const { user } = await setup((b) => {
      b.addKey('c-oligon', fakeKey({ id: 'o1', name: 'One', masked: 'sk_live_…x9k2' }));
      b.addKey('c-oligon', fakeKey({ id: 'o2', name: 'Two', masked: 'sk_live_…x9k2' }));
    });
    await user.keyboard('{Control>}k{/Control}');
    const dialog = screen.getByRole('dialog', { name: 'Leaked key' });
    await user.type(within(dialog).getByLabelText(/Paste the full key/), LEAKED);
    await user.click(within(dialog).getByRole('button', { name: 'Find' }));

    expect(await within(dialog).findAllByTestId('leak-match')).toHaveLength(2);
    expect(dialog).toHaveTextContent('More than one key matches. Check each before revoking.');
  });

  it('shows a failed search with its next step and keeps the pasted key for a retry', async () => {
    const { user } = await setup((b) => b.failNext('find_leaked_key', appError('network', 'Offline.')));
    await user.keyboard('{Control>}k{/Control}');
    const dialog = screen.getByRole('dialog', { name: 'Leaked key' });
    await user.type(within(dialog).getByLabelText(/Paste the full key/), LEAKED);
    await user.click(within(dialog).getByRole('button', { name: 'Find' }));

    expect(await within(dialog).findByTestId('error-notice')).toHaveTextContent('Offline.');
    expect(within(dialog).getByLabelText(/Paste the full key/)).toHaveValue(LEAKED);
  });

  it('takes at most 4,096 characters and refuses a longer paste, saying why', async () => {
    const { user, backend } = await setup();
    await user.click(screen.getByRole('button', { name: 'Leaked key' }));
    const dialog = screen.getByRole('dialog', { name: 'Leaked key' });
    const input = within(dialog).getByLabelText(/Paste the full key/);
    expect(input).toHaveAttribute('maxlength', '4096');

    await user.click(input);
    await user.paste('Bearer '.repeat(1000));
    expect(input).toHaveValue('');
    const refused = within(dialog).getByTestId('leaked-refused');
    expect(refused).toHaveTextContent('it is 7,000 characters long');
    expect(refused).toHaveTextContent("no provider's key is longer than 4,096");
    expect(input).toHaveAccessibleDescription(/did not take that paste/);
    expect(within(dialog).getByRole('button', { name: 'Find' })).toBeDisabled();

    // A whole key pasted into the empty field is searched at once: no Find to press.
    await user.paste(LEAKED);
    expect(within(dialog).queryByTestId('leaked-refused')).not.toBeInTheDocument();
    await within(dialog).findByTestId('leak-result');
    expect(backend.callsOf('find_leaked_key')).toEqual([{ pasted: LEAKED }]);
    expect(input).toHaveValue('');
  });

  it('closes with Esc and gives focus back', async () => {
    const { user } = await setup();
    const button = screen.getByRole('button', { name: 'Leaked key' });
    await user.click(button);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(button).toHaveFocus();
  });

  /** Opens Leaked key, pastes `pasted` and finds it; answers the dialog. */
  async function search(user: User, pasted: string) {
    await user.keyboard('{Control>}k{/Control}');
    const dialog = screen.getByRole('dialog', { name: 'Leaked key' });
    await user.type(within(dialog).getByLabelText(/Paste the full key/), pasted);
    await user.click(within(dialog).getByRole('button', { name: 'Find' }));
    await within(dialog).findByTestId('leak-result');
    return dialog;
  }

  it('finds a SyncgramPay key Keydesk created by its fingerprint, and warns of nothing beside the match', async () => {
    const made = fakeKey({ id: 'sg1', name: 'Checkout', masked: '' });
    const { user } = await setup((b) => {
      b.brokenConnections.set('c-strait', appError('unauthorized', 'The admin token was refused.'));
      for (const key of b.keys.get('c-syncgram')!) key.masked = '';
      b.addKey('c-syncgram', made);
      b.remembered.push({ connection_id: 'c-syncgram', key: made, field: 'api_key', value: LEAKED });
    });
    const dialog = await search(user, LEAKED);

    const match = within(dialog).getByTestId('leak-match');
    expect(match).toHaveTextContent('Checkout');
    expect(match).toHaveTextContent('in Payments');
    expect(within(match).getByTestId('leak-fingerprint')).toHaveTextContent(
      'Keydesk created this key: the pasted text is its API key.',
    );
    // Payments lists no part of its keys and Jobs platform failed: beside a match, unsaid.
    expect(within(dialog).queryByTestId('leak-unsearchable')).not.toBeInTheDocument();
    expect(dialog).not.toHaveTextContent('Could not search');
  });

  it('shows one key listed by two connections to the same organisation as one match naming both', async () => {
    const shared = fakeKey({ id: 'leak1', name: 'Checkout', masked: 'sk_live_…x9k2' });
    const { user } = await setup((b) => {
      const receipts = b.connections.find((c) => c.id === 'c-oligon')!;
      b.connections.push({ ...receipts, id: 'c-oligon-2', name: 'Receipts billing' });
      b.keys.set('c-oligon-2', [structuredClone(shared)]);
      b.addKey('c-oligon', shared);
    });
    const dialog = await search(user, LEAKED);

    const matches = within(dialog).getAllByTestId('leak-match');
    expect(matches).toHaveLength(1);
    expect(matches[0]).toHaveTextContent('in Receipts production, Receipts billing');
    expect(dialog).not.toHaveTextContent('More than one key matches');
  });

  it('tells someone who pasted a fiskaly API secret that matches nothing to paste the API key', async () => {
    const { user } = await setup();
    const dialog = await search(user, 'FAKEsecretAbCdEfGhIjKlMnOpQrStUv');

    expect(dialog).toHaveTextContent('No key matches.');
    expect(within(dialog).getByTestId('leak-paste-listed-key')).toHaveTextContent(
      'This looks like an API secret of fiskaly, which lists only the API key of each pair. Paste the API key of the same pair to find it.',
    );
  });

  it('says when the keys Keydesk created could not be checked, only when nothing matched', async () => {
    const { user } = await setup((b) => {
      b.fingerprintsUnchecked = appError('keychain_unavailable', 'The system keyring is not available.');
    });
    const dialog = await search(user, 'nothing_like_any_key_1234');
    expect(within(dialog).getByTestId('leak-fingerprints-unchecked')).toHaveTextContent(
      'Keydesk could not check the keys it created: The system keyring is not available.',
    );
  });

  it('copies an incident summary of a match, without the pasted key', async () => {
    const { user, backend } = await setup((b) =>
      b.addKey(
        'c-oligon',
        fakeKey({
          id: 'leak1',
          name: 'Checkout',
          masked: 'sk_live_…x9k2',
          last_used_at: '2026-11-30T08:00:00Z',
          last_used_ip: '203.0.113.7',
        }),
      ),
    );
    const dialog = await search(user, LEAKED);
    const match = within(dialog).getByTestId('leak-match');
    await user.click(within(match).getByRole('button', { name: 'Copy incident summary' }));

    const [{ text }] = backend.callsOf('copy_text') as { text: string }[];
    expect(text.split('\n').slice(0, 9)).toEqual([
      'Leaked key: incident summary',
      'Connection: Receipts production (Oligon Receipts)',
      'Key: Checkout',
      'Masked: sk_live_…x9k2',
      'Key id: leak1',
      'Status: active',
      'Created: 2026-10-01T09:00:00Z',
      'Last used: 2026-11-30T08:00:00Z from 203.0.113.7',
      'Found by: the part of the key Oligon Receipts lists',
    ]);
    expect(text).toMatch(/\nSearched: \d{4}-\d\d-\d\dT/);
    expect(text).not.toContain('FAKEaaaa');
    expect(await screen.findByText('Copied the incident summary')).toBeInTheDocument();

    // After Revoke now, the summary says so.
    await user.click(within(match).getByRole('button', { name: 'Revoke now' }));
    await confirmRevoke(user, 'Checkout');
    await within(match).findByText(/Revoked\. Requests using it now fail/);
    await user.click(within(match).getByRole('button', { name: 'Copy incident summary' }));
    expect((backend.callsOf('copy_text')[1] as { text: string }).text).toContain('Status: revoked');
  });
});
