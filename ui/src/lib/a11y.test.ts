import { render, screen, within } from '@testing-library/svelte';
import App from '../App.svelte';
import { axeViolations } from './a11y';
import { MockBackend, appError } from './ipc/mockBackend';
import { fakeKey, openConnection, renderApp } from './testing';

async function app(prepare: (b: MockBackend) => void = () => {}) {
  const backend = new MockBackend({ keysPerConnection: 6 });
  prepare(backend);
  return renderApp(backend);
}

describe('accessibility (axe, layout rules off)', () => {
  it('would catch a violation (the check is live)', async () => {
    document.body.innerHTML = '<main><input type="text"><div role="dialog"></div></main>';
    const violations = await axeViolations();
    document.body.innerHTML = '';
    expect(violations.map((v) => v.split(':')[0])).toEqual(expect.arrayContaining(['label', 'aria-dialog-name']));
  });

  it('keys table with the details drawer and a selection', async () => {
    const { user } = await app();
    await user.click(screen.getAllByTestId('key-row')[0]);
    await user.click(screen.getAllByRole('checkbox', { name: /^Select / })[1]);
    expect(await axeViolations()).toEqual([]);
  });

  it('attention view with a selection, the snooze choices open and a failed connection', async () => {
    const { user } = await app((b) => b.brokenConnections.set('c-syncgram', appError('network', 'Unreachable.')));
    await user.click(await screen.findByTestId('attention-item'));
    const rows = await screen.findAllByTestId('finding-row');
    await user.click(within(rows[0]).getByRole('checkbox'));
    await user.click(within(rows[1]).getByRole('button', { name: 'Snooze' }));
    expect(await axeViolations()).toEqual([]);
  });

  it('set owner dialog with its error, and the owner column', async () => {
    const { user } = await app();
    await user.click(screen.getByRole('checkbox', { name: 'Owner column' }));
    await user.click(screen.getAllByTestId('key-row')[0]);
    expect(await axeViolations()).toEqual([]);

    await user.click(await screen.findByTestId('attention-item'));
    const row = (await screen.findAllByTestId('finding-row')).find((r) => within(r).queryByRole('button', { name: 'Set owner' }))!;
    await user.click(within(row).getByRole('button', { name: 'Set owner' }));
    await user.paste('x'.repeat(101));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Set owner' }));
    await screen.findByText('The owner is at most 100 characters.');
    expect(await axeViolations()).toEqual([]);
  });

  it('loading skeleton, list error and empty states', async () => {
    const backend = new MockBackend({ empty: true });
    const { unmount } = render(App, { backend });
    await screen.findByRole('heading', { name: 'No connections yet' });
    expect(await axeViolations()).toEqual([]);
    unmount();

    const failing = new MockBackend({ keysPerConnection: 2 });
    failing.failNext('list_keys', appError('rate_limited', 'Slow down.', { retry_after_secs: 30, request_id: 'req_1' }));
    render(App, { backend: failing });
    await screen.findByTestId('error-notice');
    expect(await axeViolations()).toEqual([]);
  });

  it.each([
    ['Receipts production'],
    ['fiskaly sandbox'],
    ['Payments'],
    ['Jobs platform'],
  ])('create form for %s, with validation messages showing', async (connection) => {
    const { user } = await app();
    await openConnection(user, connection);
    await user.keyboard('n');
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: /Create key|Revoke and create/ }));
    expect(await axeViolations()).toEqual([]);
  });

  it('reveal dialog with a secret revealed and the clipboard countdown', async () => {
    const { user } = await app();
    await user.keyboard('n');
    await user.type(screen.getByRole('textbox', { name: /Name/ }), 'a11y');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByRole('dialog', { name: 'Store the new secret' });
    await user.click(screen.getByRole('button', { name: 'Reveal API key' }));
    await user.click(screen.getByRole('button', { name: 'Copy API key' }));
    await user.click(screen.getByRole('button', { name: 'Hide API key' }));
    expect(await axeViolations()).toEqual([]);
  });

  it('orphan dialog', async () => {
    const { user, backend } = await app();
    backend.orphanNextCreate = true;
    await user.keyboard('n');
    await user.type(screen.getByRole('textbox', { name: /Name/ }), 'lost');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByRole('alertdialog');
    expect(await axeViolations()).toEqual([]);
  });

  it('typed confirmation and bulk revoke results', async () => {
    const { user } = await app((b) => b.addKey('c-oligon', fakeKey({ id: 'live1' })));
    await user.click(screen.getAllByTestId('key-row').find((r) => r.dataset.keyId === 'live1')!);
    await user.click(within(screen.getByTestId('key-details')).getByRole('button', { name: 'Revoke' }));
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));

    await user.click(screen.getByRole('checkbox', { name: 'Select all shown keys' }));
    await user.click(within(screen.getByRole('toolbar')).getByRole('button', { name: 'Revoke' }));
    const dialog = screen.getByRole('dialog');
    const phrase = dialog.querySelector('.phrase')!.textContent!;
    await user.type(within(dialog).getByRole('textbox'), phrase);
    await user.click(within(dialog).getByRole('button', { name: /^Revoke \d+ keys$/ }));
    await within(dialog).findByRole('progressbar', { name: /^Done/ });
    expect(await axeViolations()).toEqual([]);
  });

  it('rotate dialog', async () => {
    const { user } = await app((b) => b.addKey('c-strait', fakeKey({ id: 's1', environment: null })));
    await openConnection(user, 'Jobs platform');
    await user.click(screen.getAllByTestId('key-row').find((r) => r.dataset.keyId === 's1')!);
    await user.click(within(screen.getByTestId('key-details')).getByRole('button', { name: 'Rotate' }));
    expect(await axeViolations()).toEqual([]);
  });

  it('leaked key with a match and an unsearchable connection', async () => {
    const { user } = await app((b) => {
      b.addKey('c-oligon', fakeKey({ masked: 'sk_live_…x9k2' }));
      b.brokenConnections.set('c-strait', appError('network', 'Unreachable.'));
    });
    await user.keyboard('{Control>}k{/Control}');
    await user.type(screen.getByLabelText(/Paste the full key/), 'sk_live_FAKEbbbbbbbbbbbbx9k2');
    await user.click(screen.getByRole('button', { name: 'Find' }));
    await screen.findByTestId('leak-match');
    expect(await axeViolations()).toEqual([]);
  });

  it('connection form with errors', async () => {
    const { user } = await app();
    await user.click(screen.getByRole('button', { name: 'Add connection' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Provider' }), 'strait');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await axeViolations()).toEqual([]);
  });

  it('settings, activity and the shortcuts sheet', async () => {
    const { user, backend } = await app();
    await backend.revokeKey('c-oligon', backend.keys.get('c-oligon')![0].id);
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Activity' }));
    await screen.findAllByRole('row');
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Keyboard shortcuts' }));
    expect(await axeViolations()).toEqual([]);
  });
});
