import { screen, within } from '@testing-library/svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import { fakeKey, renderApp } from '../testing';

const LEAKED = 'sk_live_FAKEaaaaaaaaaaaaaaaaaaaax9k2';

async function setup(prepare: (b: MockBackend) => void = () => {}) {
  const backend = new MockBackend({ keysPerConnection: 3 });
  prepare(backend);
  return renderApp(backend);
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
    expect(await within(match).findByText(/Revoked\. Requests using it now fail/)).toBeInTheDocument();
    expect(backend.callsOf('revoke_key')).toEqual([{ connectionId: 'c-oligon', keyId: 'leak1' }]);
    expect(backend.keys.get('c-oligon')!.find((k) => k.id === 'leak1')!.status).toBe('revoked');
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

    await user.paste(LEAKED);
    expect(input).toHaveValue(LEAKED);
    expect(within(dialog).queryByTestId('leaked-refused')).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Find' }));
    await within(dialog).findByTestId('leak-result');
    expect(backend.callsOf('find_leaked_key')).toEqual([{ pasted: LEAKED }]);
  });

  it('closes with Esc and gives focus back', async () => {
    const { user } = await setup();
    const button = screen.getByRole('button', { name: 'Leaked key' });
    await user.click(button);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(button).toHaveFocus();
  });
});
