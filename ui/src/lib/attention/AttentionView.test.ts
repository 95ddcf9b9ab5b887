import { screen, within } from '@testing-library/svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import userEvent from '@testing-library/user-event';
import { tick } from 'svelte';
import type { Rule } from '../ipc/types';
import { renderApp, type User } from '../testing';

/** Opens the Attention view from the sidebar and waits for its findings. */
async function openAttention(user: User) {
  await user.click(await screen.findByTestId('attention-item'));
  await screen.findByRole('heading', { level: 2, name: 'Attention' });
  return screen.findAllByTestId('finding-row');
}

/** The first row of the given rule (its label as the Rule column shows it). */
function rowOf(rule: string): HTMLElement {
  const row = screen.getAllByTestId('finding-row').find((r) => r.querySelector('.rule')?.textContent === rule);
  if (!row) throw new Error(`no ${rule} row`);
  return row;
}

describe('Attention view', () => {
  it('sits above the connections with a calm count, and badges each connection', async () => {
    const backend = new MockBackend();
    await renderApp(backend);
    const report = await backend.attention(false);
    const entry = await screen.findByTestId('attention-item');
    await vi.waitFor(() => expect(entry).toHaveAccessibleName(`Attention ${report.items.length} findings`));
    const connections = screen.getAllByTestId('connection-item');
    // Above: the entry comes before the first connection in the document.
    expect(entry.compareDocumentPosition(connections[0]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const strait = report.items.filter((i) => i.finding.connection_id === 'c-strait').length;
    expect(within(connections[3]).getByTestId('connection-findings')).toHaveTextContent(`${strait} findings`);
  });

  it('groups every finding by severity, high first, with its columns', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    const rows = await openAttention(user);
    const report = await backend.attention(false);
    expect(rows).toHaveLength(report.items.length);
    const headings = screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent);
    expect(headings).toEqual([
      `High · ${report.items.filter((i) => i.finding.severity === 'high').length}`,
      `Medium · ${report.items.filter((i) => i.finding.severity === 'medium').length}`,
      `Low · ${report.items.filter((i) => i.finding.severity === 'low').length}`,
    ]);
    const high = screen.getByRole('table', { name: /^High/ });
    expect(within(high).getAllByRole('columnheader').map((h) => h.textContent?.trim())).toEqual([
      '',
      'Connection',
      'Key',
      'Rule',
      'Reason',
      'Last used',
      'Owner',
      'Actions',
    ]);
    const overdue = rowOf('Rotation overdue');
    expect(overdue).toHaveTextContent('Jobs platform');
    expect(overdue).toHaveTextContent(/Its automatic rotation was due 2 days ago/);
    expect(within(overdue).getByRole('button', { name: 'Rotate' })).toBeInTheDocument();
    expect(within(rowOf('Expired')).getByRole('button', { name: 'Disable' })).toBeInTheDocument();
    expect(within(rowOf('No owner')).getByRole('button', { name: 'Set owner' })).toBeInTheDocument();
    expect(within(rowOf('Never used')).getByRole('button', { name: 'Revoke' })).toBeInTheDocument();
    expect(rowOf('Never used').querySelector('.time')).toHaveTextContent('never');
    expect(rowOf('Expired').querySelector('.time')).toHaveTextContent('not tracked by fiskaly');
    expect(screen.getByText(/^Checked just now/)).toBeInTheDocument();
  });

  it('snoozes one finding for 7 days, then keeps the keyboard on the next row', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    await openAttention(user);
    const row = rowOf('Rotation overdue');
    const next = row.nextElementSibling as HTMLElement;
    await user.click(within(row).getByRole('button', { name: 'Snooze' }));
    await user.click(within(row).getByRole('button', { name: 'Snooze for 7 days' }));

    await vi.waitFor(() => expect(row).not.toBeInTheDocument());
    expect(backend.callsOf('dismiss_finding')).toEqual([
      { connectionId: 'c-strait', keyId: row.dataset.findingId!.split('\u0000')[1], rule: 'rotation_overdue', snoozeDays: 7 },
    ]);
    expect(backend.activity[0]).toMatchObject({ action: 'snooze' });
    expect(await screen.findByText(/Snoozed .* \(rotation overdue\) for 7 days/)).toBeInTheDocument();
    await vi.waitFor(() => expect((document.activeElement as HTMLElement | null)?.dataset.findingId).toBe(next.dataset.findingId));
  });

  it('marks checked findings reviewed in bulk, and snoozes them for 30 days', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    const rows = await openAttention(user);
    const [first, second, third] = rows;
    await user.click(within(first).getByRole('checkbox'));
    await user.click(within(second).getByRole('checkbox'));
    const toolbar = screen.getByRole('toolbar', { name: 'Selected findings' });
    expect(toolbar).toHaveTextContent('2 selected');
    await user.click(within(toolbar).getByRole('button', { name: 'Mark reviewed' }));

    await vi.waitFor(() => expect(first).not.toBeInTheDocument());
    expect(second).not.toBeInTheDocument();
    expect(backend.callsOf('dismiss_finding').map((c) => c.snoozeDays)).toEqual([null, null]);
    expect(screen.queryByRole('toolbar', { name: 'Selected findings' })).not.toBeInTheDocument();

    await user.click(within(third).getByRole('checkbox'));
    const bulk = screen.getByRole('toolbar', { name: 'Selected findings' });
    await user.click(within(bulk).getByRole('button', { name: 'Snooze' }));
    await user.click(within(bulk).getByRole('button', { name: 'Snooze for 30 days' }));
    await vi.waitFor(() => expect(third).not.toBeInTheDocument());
    expect(backend.callsOf('dismiss_finding').at(-1)).toMatchObject({ snoozeDays: 30 });
  });

  it('revokes only through the keys view’s confirmation, and focus returns after Cancel', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    await openAttention(user);
    const row = rowOf('Never used');
    const revoke = within(row).getByRole('button', { name: 'Revoke' });
    await user.click(revoke);
    const dialog = screen.getByRole('alertdialog');
    expect(dialog).toHaveTextContent('will fail within seconds');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(backend.callsOf('revoke_key')).toEqual([]);
    expect(document.activeElement).toBe(revoke);

    await user.click(revoke);
    const confirm = screen.getByRole('alertdialog');
    const typed = within(confirm).queryByRole('textbox');
    if (typed) await user.type(typed, confirm.querySelector('.name')!.textContent!);
    await user.click(within(confirm).getByRole('button', { name: 'Revoke' }));
    await vi.waitFor(() => expect(row).not.toBeInTheDocument());
    expect(backend.callsOf('revoke_key')).toEqual([{ connectionId: 'c-oligon', keyId: row.dataset.findingId!.split('\u0000')[1], context: 'attention' }]);
  });

  it('rotates through the rotate dialog and shows the new secret', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    await openAttention(user);
    await user.click(within(rowOf('Rotation overdue')).getByRole('button', { name: 'Rotate' }));
    const dialog = screen.getByTestId('rotate-dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Rotate' }));
    expect(await screen.findByText('This is the only time this secret will be shown. Store it now.')).toBeInTheDocument();
    expect(backend.callsOf('rotate_key')).toHaveLength(1);
  });

  it('offers Replace where a provider that cannot rotate would need one', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    await openAttention(user);
    const report = await backend.attention(false);
    const item = report.items.find((i) => i.finding.action === 'replace' && i.finding.connection_id !== 'c-strait')!;
    const row = screen.getAllByTestId('finding-row').find((r) => r.dataset.findingId?.includes(item.finding.key_id))!;
    await user.click(within(row).getByRole('button', { name: 'Replace' }));
    const dialog = await screen.findByTestId('replace-dialog');
    expect(dialog).toHaveAccessibleName(`Replace ${item.finding.key_name}`);
  });

  it('disables without a confirmation, and says why next to the row when it fails', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    await openAttention(user);
    backend.failNext('set_key_enabled', appError('forbidden', 'The token may not disable keys.'));
    const row = rowOf('Expired');
    await user.click(within(row).getByRole('button', { name: 'Disable' }));
    expect(await within(row).findByText(/The token may not disable keys/)).toBeInTheDocument();

    await user.click(within(row).getByRole('button', { name: 'Disable' }));
    await vi.waitFor(() => expect(row).not.toBeInTheDocument());
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(backend.callsOf('set_key_enabled').at(-1)).toMatchObject({ connectionId: 'c-fiskaly', enabled: false, context: 'attention' });
  });

  it('sets an owner, with the error next to the field', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    await openAttention(user);
    const row = rowOf('No owner');
    const [connectionId, keyId] = row.dataset.findingId!.split('\u0000');
    await user.click(within(row).getByRole('button', { name: 'Set owner' }));
    const dialog = screen.getByTestId('owner-dialog');
    const owner = within(dialog).getByLabelText('Owner');
    await user.click(owner);
    await user.paste('x'.repeat(101));
    await user.click(within(dialog).getByRole('button', { name: 'Set owner' }));
    expect(await within(dialog).findByText('The owner is at most 100 characters.')).toBeInTheDocument();
    expect(owner).toHaveAttribute('aria-invalid', 'true');

    const next = row.nextElementSibling as HTMLElement;
    await user.clear(owner);
    await user.type(owner, 'Ana{Enter}');
    await vi.waitFor(() => expect(screen.queryByTestId('owner-dialog')).not.toBeInTheDocument());
    expect(row).not.toBeInTheDocument();
    // The row's button is gone: focus goes to the row now in its place.
    await vi.waitFor(() => expect((document.activeElement as HTMLElement).dataset.findingId).toBe(next.dataset.findingId));
    expect((await backend.keyAnnotations(connectionId))[keyId]).toMatchObject({ owner: 'Ana' });
    const rest = screen.getAllByTestId('finding-row').filter((r) => r.dataset.findingId?.includes(keyId));
    for (const r of rest) expect(r.querySelector('.owner')).toHaveTextContent('Ana');
  });

  it('lists every connection again on Refresh, and names the ones it could not check', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    await openAttention(user);
    backend.brokenConnections.set('c-strait', appError('unauthorized', 'The token was rejected.'));
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByTestId('attention-failure')).toHaveTextContent('Could not check Jobs platform: The token was rejected.');
    expect(backend.callsOf('attention').at(-1)).toEqual({ refresh: true });
    expect(screen.getAllByTestId('finding-row').some((r) => r.textContent?.includes('Jobs platform'))).toBe(false);
  });

  it('waits for a Refresh with a Cancel that keeps the findings shown', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    const rows = await openAttention(user);
    backend.holdNext('attention');
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(screen.getByText(/^Checking…/)).toBeInTheDocument();
    const cancel = await screen.findByRole('button', { name: 'Cancel' }, { timeout: 3000 });
    expect(screen.getByTestId('wait-notice')).toHaveTextContent('Waiting for your connections');
    await user.click(cancel);
    expect(await screen.findByText('Cancelled: the connections were not checked again.')).toBeInTheDocument();
    expect(screen.getAllByTestId('finding-row')).toHaveLength(rows.length);
  });

  it('says why the findings could not be judged, and retries', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    await openAttention(user);
    backend.failNext('attention', appError('internal', 'The dismissals file is unreadable.'));
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByTestId('error-notice')).toHaveTextContent('The dismissals file is unreadable.');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await vi.waitFor(() => expect(screen.queryByTestId('error-notice')).not.toBeInTheDocument());
    expect(screen.getAllByTestId('finding-row').length).toBeGreaterThan(0);
  });

  it('says so when nothing needs attention', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    for (const keys of backend.keys.values()) for (const key of keys) key.status = 'revoked';
    const { user } = await renderApp(backend);
    await user.click(await screen.findByTestId('attention-item'));
    expect(await screen.findByRole('heading', { name: 'Nothing needs attention' })).toBeInTheDocument();
    expect(screen.queryAllByTestId('finding-row')).toHaveLength(0);
  });

  it('moves through the rows with the arrow keys and reaches the actions by Tab', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    const rows = await openAttention(user);
    rows[0].focus();
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(rows[1]);
    await user.tab();
    expect(document.activeElement).toBe(within(rows[1]).getByRole('checkbox'));
    await user.tab();
    expect(document.activeElement).toHaveClass('primary');
  });
});

describe('Attention reminders', () => {
  /** The finding of a row, as an `open-finding` event names it. */
  function findingOf(row: HTMLElement) {
    const [connection_id, key_id, rule] = row.dataset.findingId!.split('\u0000');
    return { connection_id, key_id, rule: rule as Rule };
  }

  it('takes a background check in place: same rows, new counts and "Checked" time', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    const rows = await openAttention(user);
    const gone = rows[0];
    const kept = rows[1];
    const entry = screen.getByTestId('attention-item');
    const report = await backend.attention(false);
    const fewer = {
      ...report,
      items: report.items.filter((i) => i.finding.key_id !== findingOf(gone).key_id),
      checked_at: new Date(Date.now() - 3 * 60_000).toISOString(),
    };
    const asked = backend.callsOf('attention').length;

    backend.emitAttentionChecked(fewer);

    await vi.waitFor(() => expect(gone).not.toBeInTheDocument());
    // The rows still open are the same elements: no reload, no flash.
    expect(kept).toBeInTheDocument();
    expect(screen.getAllByTestId('finding-row')).toHaveLength(fewer.items.length);
    expect(entry).toHaveAccessibleName(`Attention ${fewer.items.length} findings`);
    expect(screen.getByText(/^Checked 3 min ago/)).toBeInTheDocument();
    expect(screen.queryByText(/^Checking…/)).not.toBeInTheDocument();

    backend.emitAttentionChecked();
    expect(await screen.findByText(/^Checked just now/)).toBeInTheDocument();
    expect(backend.callsOf('attention')).toHaveLength(asked);
  });

  it('drops a selected finding a background check no longer lists from the selection', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    const [first, second] = await openAttention(user);
    await user.click(within(first).getByRole('checkbox'));
    await user.click(within(second).getByRole('checkbox'));
    const report = await backend.attention(false);
    const without = findingOf(first);
    const kept = findingOf(second);

    backend.emitAttentionChecked({
      ...report,
      items: report.items.filter((i) => !(i.finding.key_id === without.key_id && i.finding.rule === without.rule)),
    });

    await vi.waitFor(() => expect(first).not.toBeInTheDocument());
    const toolbar = screen.getByRole('toolbar', { name: 'Selected findings' });
    expect(toolbar).toHaveTextContent('1 selected');
    await user.click(within(toolbar).getByRole('button', { name: 'Mark reviewed' }));
    await vi.waitFor(() => expect(second).not.toBeInTheDocument());
    expect(backend.callsOf('dismiss_finding')).toEqual([
      { connectionId: kept.connection_id, keyId: kept.key_id, rule: kept.rule, snoozeDays: null },
    ]);
  });

  it('opens a reminder’s finding from another view, focused and marked', async () => {
    const backend = new MockBackend();
    await renderApp(backend);
    const report = await backend.attention(false);
    await vi.waitFor(() => expect(screen.getByTestId('attention-item')).toHaveAccessibleName(`Attention ${report.items.length} findings`));
    const target = report.items[3].finding;

    backend.emitOpenFinding({ connection_id: target.connection_id, key_id: target.key_id, rule: target.rule });

    await screen.findByRole('heading', { level: 2, name: 'Attention' });
    const row = screen.getAllByTestId('finding-row').find((r) => r.getAttribute('aria-current') === 'true')!;
    expect(findingOf(row)).toEqual({ connection_id: target.connection_id, key_id: target.key_id, rule: target.rule });
    expect(row).toHaveClass('opened');
    await vi.waitFor(() => expect(document.activeElement).toBe(row));
    expect(screen.getAllByTestId('finding-row').filter((r) => r.classList.contains('opened'))).toHaveLength(1);
    expect(screen.queryByTestId('finding-gone')).not.toBeInTheDocument();

    // Leaving the view ends the mark.
    await userEvent.click(screen.getByRole('button', { name: 'Settings' }));
    await userEvent.click(screen.getByTestId('attention-item'));
    expect(await screen.findAllByTestId('finding-row')).not.toHaveLength(0);
    expect(document.querySelector('tr.opened')).toBeNull();
  });

  it('leaves focus in an open dialog and only marks the finding', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    const [row] = await openAttention(user);
    await user.click(screen.getByRole('button', { name: 'Keyboard shortcuts' }));
    const sheet = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await vi.waitFor(() => expect(sheet).toContainElement(document.activeElement as HTMLElement));

    backend.emitOpenFinding(findingOf(row));

    await vi.waitFor(() => expect(row).toHaveClass('opened'));
    await tick();
    expect(sheet).toContainElement(document.activeElement as HTMLElement);
  });

  it('reads the report for a finding the one shown does not list, then focuses it', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    await openAttention(user);
    const calls = backend.callsOf('attention').length;
    const key = backend.keys.get('c-oligon')![0];
    key.environment = 'live';
    backend.annotations.set('c-oligon', {});

    backend.emitOpenFinding({ connection_id: 'c-oligon', key_id: key.id, rule: 'unowned' });

    await vi.waitFor(() => expect(document.activeElement).toHaveAttribute('aria-current', 'true'));
    expect(findingOf(document.activeElement as HTMLElement)).toEqual({ connection_id: 'c-oligon', key_id: key.id, rule: 'unowned' });
    expect(backend.callsOf('attention').slice(calls)).toEqual([{ refresh: false }]);
  });

  it('says quietly when a reminder’s finding is no longer open', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    const rows = await openAttention(user);
    const target = findingOf(rows[0]);
    const keyName = rows[0].querySelector('.key')!.textContent;
    await backend.dismissFinding(target.connection_id, target.key_id, target.rule, null);
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    backend.emitAttentionChecked();

    backend.emitOpenFinding(target);

    const note = await screen.findByTestId('finding-gone');
    expect(note).toHaveRole('status');
    expect(note.textContent).toMatch(new RegExp(`^The finding of that reminder \\(.+ on ${keyName}, .+\\) is no longer open\\.$`));
    expect(screen.getByRole('heading', { level: 2, name: 'Attention' })).toBeInTheDocument();
    expect(document.querySelector('tr.opened')).toBeNull();
  });
});
