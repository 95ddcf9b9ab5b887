import { screen, within } from '@testing-library/svelte';
import { MockBackend } from '../ipc/mockBackend';
import type { Key } from '../ipc/types';
import { fakeKey, renderApp, type User } from '../testing';

const DAY = 86_400_000;

/** Keys listed newest first: `ids[0]` is the top row. */
function keys(ids: string[], over: Partial<Key> = {}): Key[] {
  return ids.map((id, i) =>
    fakeKey({ id, name: `Key ${id}`, masked: `sk_test_…${id}`, environment: 'test', created_at: new Date(Date.now() - (i + 1) * DAY).toISOString(), ...over }),
  );
}

/** The app with only these keys, on the connection named `connection`. */
async function setup(connection: string, lists: Record<string, Key[]>) {
  const backend = new MockBackend({ keysPerConnection: 0 });
  backend.keys.set('c-oligon', keys(['o1']));
  for (const [id, list] of Object.entries(lists)) backend.keys.set(id, list);
  const { user } = await renderApp(backend, connection);
  return { user, backend };
}

const grid = () => screen.getByRole('grid', { name: 'Keys' });
const rowIds = () => screen.getAllByTestId('key-row').map((r) => r.dataset.keyId);
const activeRow = () => grid().getAttribute('aria-activedescendant');
const details = () => screen.getByTestId('key-details');
const noDialog = () => {
  expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
};

/** Moves the table's focus to the row of `id` with the keyboard. */
async function focusRow(user: User, id: string) {
  grid().focus();
  await user.keyboard('{Home}');
  for (let i = 0; i < rowIds().indexOf(id); i++) await user.keyboard('{ArrowDown}');
  expect(grid()).toHaveFocus();
  expect(activeRow()).toBe(`key-row-${id}`);
}

/** Confirms the open confirmation, typing the name when it asks for it. */
async function confirm(user: User, label: string) {
  const dialog = screen.getByRole('alertdialog');
  const typed = within(dialog).queryByRole('textbox', { name: /to confirm/ });
  if (typed) await user.type(typed, dialog.querySelector('.name')!.textContent!);
  await user.click(within(dialog).getByRole('button', { name: label }));
  await vi.waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
}

describe('Row letters', () => {
  it('R opens the revoke confirmation of the focused row, with the typed name for a live key; Esc gives the row focus back', async () => {
    const { user, backend } = await setup('Receipts production', {
      'c-oligon': [...keys(['o1']), ...keys(['o2'], { name: 'Production server', environment: 'live', created_at: new Date(Date.now() - 5 * DAY).toISOString() })],
    });
    await focusRow(user, 'o2');
    await user.keyboard('r');
    const dialog = screen.getByRole('alertdialog', { name: 'Revoke Production server?' });
    expect(within(dialog).getByRole('textbox', { name: 'Type Production server to confirm' })).toHaveFocus();
    expect(within(dialog).getByRole('button', { name: 'Revoke' })).toBeDisabled();

    await user.keyboard('{Escape}');
    noDialog();
    expect(grid()).toHaveFocus();
    expect(activeRow()).toBe('key-row-o2');

    // Either case; the confirmation stays the only way to the revoke.
    await user.keyboard('R');
    expect(screen.getByRole('alertdialog', { name: 'Revoke Production server?' })).toBeInTheDocument();
    await confirm(user, 'Revoke');
    expect(backend.callsOf('revoke_key')).toEqual([{ connectionId: 'c-oligon', keyId: 'o2' }]);
    expect(grid()).toHaveFocus();
  });

  it('T opens the rotate dialog on a Strait row', async () => {
    const { user, backend } = await setup('Jobs platform', { 'c-strait': keys(['s1', 's2']) });
    await focusRow(user, 's2');
    await user.keyboard('t');
    expect(screen.getByRole('dialog', { name: 'Rotate Key s2' })).toBeInTheDocument();
    expect(backend.callsOf('rotate_key')).toEqual([]);
    await user.keyboard('{Escape}');
    expect(grid()).toHaveFocus();
  });

  it('D disables the focused fiskaly key and enables it again, as its button does, and focus stays on the row', async () => {
    const { user, backend } = await setup('fiskaly sandbox', { 'c-fiskaly': keys(['f1', 'f2']) });
    await focusRow(user, 'f2');
    await user.keyboard('d');
    await vi.waitFor(() => expect(backend.callsOf('set_key_enabled')).toEqual([{ connectionId: 'c-fiskaly', keyId: 'f2', enabled: false }]));
    await vi.waitFor(() => expect(screen.getByText('Disabled Key f2')).toBeInTheDocument());
    noDialog();
    expect(grid()).toHaveFocus();

    await user.keyboard('D');
    await vi.waitFor(() => expect(backend.callsOf('set_key_enabled')).toHaveLength(2));
    expect(backend.callsOf('set_key_enabled')[1]).toEqual({ connectionId: 'c-fiskaly', keyId: 'f2', enabled: true });
    expect(activeRow()).toBe('key-row-f2');
  });

  it('do nothing where the provider or the key’s status has no such action', async () => {
    const revoked = keys(['o9'], { status: 'revoked', revoked_at: new Date().toISOString() });
    const { user, backend } = await setup('Receipts production', {
      'c-oligon': [...keys(['o1']), ...revoked],
      'c-fiskaly': keys(['f1']),
      'c-syncgram': keys(['p1']),
    });
    const tryLetters = async (letters: string) => {
      for (const letter of letters) {
        await user.keyboard(letter);
        noDialog();
      }
    };
    // Oligon neither disables nor rotates; a revoked key cannot be revoked again.
    await focusRow(user, 'o1');
    await tryLetters('dDtT');
    await focusRow(user, 'o9');
    await tryLetters('rR');
    // fiskaly neither revokes nor rotates; SyncgramPay neither disables nor rotates.
    for (const [name, id, letters] of [
      ['fiskaly sandbox', 'f1', 'rRtT'],
      ['Payments', 'p1', 'dDtT'],
    ]) {
      await user.click(screen.getAllByTestId('connection-item').find((i) => i.textContent?.includes(name))!);
      await screen.findByRole('heading', { level: 2, name });
      await screen.findAllByTestId('key-row');
      await focusRow(user, id);
      await tryLetters(letters);
    }
    for (const command of ['revoke_key', 'rotate_key', 'set_key_enabled', 'delete_key']) expect(backend.callsOf(command)).toEqual([]);
  });

  it('never fire while typing: not in the search, not in the details’ fields', async () => {
    const { user, backend } = await setup('Jobs platform', { 'c-strait': keys(['s1']) });
    const search = screen.getByRole('searchbox', { name: 'Search keys' });
    await user.click(search);
    await user.keyboard('rto');
    expect(search).toHaveValue('rto');
    noDialog();

    await user.clear(search);
    await user.click(screen.getAllByTestId('key-row')[0]);
    const owner = await within(details()).findByRole('textbox', { name: 'Owner' });
    await user.click(owner);
    await user.keyboard('rtd');
    expect(owner).toHaveValue('rtd');
    noDialog();
    expect(backend.callsOf('rotate_key')).toEqual([]);
  });

  it('act on the open key from its details too, and the buttons name their letters', async () => {
    const { user } = await setup('Jobs platform', { 'c-strait': keys(['s1', 's2']) });
    await focusRow(user, 's2');
    await user.keyboard('{Enter}');
    const heading = within(details()).getByRole('heading', { level: 2, name: 'Key s2' });
    await vi.waitFor(() => expect(heading).toHaveFocus());
    expect(within(details()).getByRole('button', { name: 'Revoke' })).toHaveAttribute('aria-keyshortcuts', 'R');
    expect(within(details()).getByRole('button', { name: 'Rotate' })).toHaveAttribute('aria-keyshortcuts', 'T');

    await user.keyboard('r');
    expect(screen.getByRole('alertdialog', { name: 'Revoke Key s2?' })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(heading).toHaveFocus();
  });

  it('O moves into the focused key’s owner field', async () => {
    const { user } = await setup('Receipts production', { 'c-oligon': keys(['o1', 'o2']) });
    await focusRow(user, 'o2');
    await user.keyboard('o');
    const owner = await within(details()).findByRole('textbox', { name: 'Owner' });
    await vi.waitFor(() => expect(owner).toHaveFocus());
    expect(within(details()).getByRole('heading', { level: 2 })).toHaveTextContent('Key o2');
  });

  it('are listed in the help sheet', async () => {
    const { user } = await setup('Receipts production', {});
    await user.keyboard('?');
    const sheet = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    const listed = [...sheet.querySelectorAll('dt')].map((dt) => `${dt.textContent} ${dt.nextElementSibling?.textContent}`);
    for (const line of ['R Revoke the focused key', 'D Disable or enable the focused key', 'T Rotate the focused key', 'O Set the focused key’s owner']) {
      expect(listed).toContain(line);
    }
  });
});

describe('Enter and Escape', () => {
  it('Enter moves focus into the row’s details; Escape brings it back to the row, from a field there without losing what was typed', async () => {
    const { user } = await setup('Receipts production', { 'c-oligon': keys(['o1', 'o2', 'o3']) });
    await focusRow(user, 'o2');
    await user.keyboard('{Enter}');
    const heading = within(details()).getByRole('heading', { level: 2, name: 'Key o2' });
    await vi.waitFor(() => expect(heading).toHaveFocus());

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('key-details')).not.toBeInTheDocument();
    expect(grid()).toHaveFocus();
    expect(activeRow()).toBe('key-row-o2');

    await user.keyboard('{ArrowDown}{Enter}');
    const owner = await within(details()).findByRole('textbox', { name: 'Owner' });
    await user.type(owner, 'Ana');
    await user.keyboard('{Escape}');
    expect(grid()).toHaveFocus();
    expect(activeRow()).toBe('key-row-o3');
    expect(within(details()).getByRole('textbox', { name: 'Owner' })).toHaveValue('Ana');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('key-details')).not.toBeInTheDocument();
    expect(grid()).toHaveFocus();
  });

  it('a click on a row leaves the keys with the table', async () => {
    const { user } = await setup('Receipts production', { 'c-oligon': keys(['o1', 'o2']) });
    await user.click(screen.getAllByTestId('key-row')[1]);
    expect(grid()).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(activeRow()).toBe('key-row-o1');
  });
});

describe('Focus after dialogs and actions', () => {
  it('goes to the next row after a Delete from the details, or the previous one after the last row', async () => {
    const { user } = await setup('Receipts production', { 'c-oligon': keys(['o1', 'o2', 'o3']) });
    await user.click(screen.getAllByTestId('key-row')[1]);
    await user.click(within(details()).getByRole('button', { name: 'Delete' }));
    await confirm(user, 'Delete');
    expect(rowIds()).toEqual(['o1', 'o3']);
    await vi.waitFor(() => expect(grid()).toHaveFocus());
    expect(activeRow()).toBe('key-row-o3');

    await user.click(screen.getAllByTestId('key-row')[1]);
    await user.click(within(details()).getByRole('button', { name: 'Delete' }));
    await confirm(user, 'Delete');
    expect(rowIds()).toEqual(['o1']);
    await vi.waitFor(() => expect(grid()).toHaveFocus());
    expect(activeRow()).toBe('key-row-o1');
  });

  it('stays on the toggle after Disable and Enable from the details', async () => {
    const { user, backend } = await setup('fiskaly sandbox', { 'c-fiskaly': keys(['f1']) });
    await user.click(screen.getAllByTestId('key-row')[0]);
    await user.click(within(details()).getByRole('button', { name: 'Disable' }));
    const enable = await within(details()).findByRole('button', { name: 'Enable' });
    await vi.waitFor(() => expect(document.activeElement).toBe(enable));

    await user.click(enable);
    const disable = await within(details()).findByRole('button', { name: 'Disable' });
    await vi.waitFor(() => expect(document.activeElement).toBe(disable));
    expect(backend.callsOf('set_key_enabled').map((c) => c.enabled)).toEqual([false, true]);
  });

  it('goes to the details’ heading after a Revoke takes the key’s buttons away', async () => {
    const { user } = await setup('Jobs platform', { 'c-strait': keys(['s1']) });
    await user.click(screen.getAllByTestId('key-row')[0]);
    await user.click(within(details()).getByRole('button', { name: 'Revoke' }));
    await confirm(user, 'Revoke');
    await vi.waitFor(() => expect(within(details()).queryByRole('button', { name: 'Revoke' })).not.toBeInTheDocument());
    await vi.waitFor(() => expect(document.activeElement).toBe(within(details()).getByRole('heading', { level: 2, name: 'Key s1' })));
  });

  it('goes to the details’ heading, or the row, once the secret of a rotated key is stored', async () => {
    const { user } = await setup('Jobs platform', { 'c-strait': keys(['s1', 's2']) });
    const storeSecret = async () => {
      const reveal = await screen.findByTestId('reveal-dialog');
      await user.click(within(reveal).getByRole('button', { name: 'Copy API key' }));
      await user.click(within(reveal).getByRole('button', { name: 'I have stored it' }));
      await vi.waitFor(() => expect(screen.queryByTestId('reveal-dialog')).not.toBeInTheDocument());
    };
    // From the details' Rotate button, which the rotated key no longer shows.
    await user.click(screen.getAllByTestId('key-row')[0]);
    await user.click(within(details()).getByRole('button', { name: 'Rotate' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Rotate Key s1' })).getByRole('button', { name: 'Rotate' }));
    await storeSecret();
    await vi.waitFor(() => expect(document.activeElement).toBe(within(details()).getByRole('heading', { level: 2, name: 'Key s1' })));

    // From the row's letter: back to the table.
    await user.keyboard('{Escape}');
    await focusRow(user, 's2');
    await user.keyboard('t');
    await user.click(within(screen.getByRole('dialog', { name: 'Rotate Key s2' })).getByRole('button', { name: 'Rotate' }));
    await storeSecret();
    await vi.waitFor(() => expect(document.activeElement).toBe(grid()));
  });

  it('goes to the keys table on Escape from Leaked key opened while nothing had focus', async () => {
    const { user } = await setup('Receipts production', { 'c-oligon': keys(['o1']) });
    expect(document.activeElement).toBe(document.body);
    await user.keyboard('{Control>}k{/Control}');
    expect(screen.getByRole('dialog', { name: 'Leaked key' })).toContainElement(document.activeElement as HTMLElement);
    await user.keyboard('{Escape}');
    noDialog();
    await vi.waitFor(() => expect(document.activeElement).toBe(grid()));
  });

  it('goes back to the row after Escape from Leaked key opened on it', async () => {
    const { user } = await setup('Receipts production', { 'c-oligon': keys(['o1', 'o2']) });
    await focusRow(user, 'o2');
    await user.keyboard('{Control>}k{/Control}');
    await user.keyboard('{Escape}');
    expect(document.activeElement).toBe(grid());
    expect(activeRow()).toBe('key-row-o2');
  });

  it('goes to the table after a bulk revoke takes its toolbar away', async () => {
    const { user } = await setup('Receipts production', { 'c-oligon': keys(['o1', 'o2']) });
    await user.click(screen.getByRole('checkbox', { name: 'Select Key o1' }));
    const bar = screen.getByRole('toolbar', { name: 'Selected keys' });
    await user.click(within(bar).getByRole('button', { name: 'Revoke' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke 1 key' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke 1 key' }));
    const close = within(dialog).getByRole('button', { name: 'Close' });
    await vi.waitFor(() => expect(close).toBeEnabled());
    await user.click(close);
    expect(screen.queryByRole('toolbar', { name: 'Selected keys' })).not.toBeInTheDocument();
    await vi.waitFor(() => expect(document.activeElement).toBe(grid()));
  });
});
