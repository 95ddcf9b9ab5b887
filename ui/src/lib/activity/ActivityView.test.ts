import { screen, within } from '@testing-library/svelte';
import { MockBackend } from '../ipc/mockBackend';
import { renderApp } from '../testing';

describe('Activity', () => {
  it('lists what was done, newest first, with result and request id, and exports it', async () => {
    const backend = new MockBackend({ keysPerConnection: 2 });
    const [key] = backend.keys.get('c-oligon')!;
    await backend.revokeKey('c-oligon', key.id);
    backend.activity.push({
      at: '2026-01-01T00:00:00Z', user: 'ops', connection_id: 'c-strait', connection_name: 'Jobs platform',
      key_id: 'k9', key_name: 'deployer', action: 'rotate', result: 'error', request_id: 'req_old', error_kind: 'conflict', operation_id: null,
    });
    backend.activity.push({
      at: '2025-12-31T00:00:00Z', user: 'ops', connection_id: 'c-strait', connection_name: 'Jobs platform',
      key_id: null, key_name: 'nightly', action: 'create', result: 'started', request_id: null, error_kind: null, operation_id: 'op-1',
    });
    const { user } = await renderApp(backend);
    await user.click(screen.getByRole('button', { name: 'Activity' }));

    const rows = await screen.findAllByRole('row');
    expect(backend.callsOf('list_activity')).toEqual([{ limit: 500 }]);
    expect(rows[1]).toHaveTextContent(key.name);
    expect(rows[1]).toHaveTextContent('revoke');
    expect(rows[1]).toHaveTextContent('OK');
    expect(rows[2]).toHaveTextContent('Failed (conflict)');
    expect(rows[2]).toHaveTextContent('req_old');
    // A create Keydesk quit in the middle of is not reported as a failure.
    expect(rows[3]).toHaveTextContent('Never finished');
    expect(rows[3]).not.toHaveTextContent('Failed');

    await user.click(within(screen.getByTestId('activity-view')).getByRole('button', { name: 'Export' }));
    expect(await screen.findByText(/Exported the activity log to/)).toBeInTheDocument();
  });

  it('teaches what will appear when empty', async () => {
    const { user } = await renderApp(new MockBackend({ keysPerConnection: 1 }));
    await user.click(screen.getByRole('button', { name: 'Activity' }));
    expect(await screen.findByRole('heading', { name: 'No activity yet' })).toBeInTheDocument();
  });
});

describe('Activity filters and rows', () => {
  /** A backend whose log holds a revoke and a disable in two connections and a leak search. */
  async function loggedBackend() {
    const backend = new MockBackend({ keysPerConnection: 2 });
    const [oligonKey] = backend.keys.get('c-oligon')!;
    const [straitKey] = backend.keys.get('c-strait')!;
    await backend.revokeKey('c-oligon', oligonKey.id, undefined, 'leak');
    await backend.setKeyEnabled('c-strait', straitKey.id, false);
    backend.activity.unshift({
      at: new Date().toISOString(), user: 'ops', connection_id: null, connection_name: null, key_id: null,
      key_name: null, action: 'find_leaked_key', result: 'ok', request_id: null, error_kind: null, operation_id: null,
      detail: `sk_live_…abcd: found ${'a very long connection name '.repeat(8)}`, entry_id: 'entry_leak',
    });
    return { backend, oligonKey, straitKey };
  }

  async function openActivity(backend: MockBackend) {
    const { user } = await renderApp(backend);
    await user.click(screen.getByRole('button', { name: 'Activity' }));
    await screen.findAllByTestId('activity-row');
    return user;
  }

  it('filters by connection, by action and by text, and shows names with the ids in tooltips', async () => {
    const { backend, oligonKey, straitKey } = await loggedBackend();
    const user = await openActivity(backend);
    const rows = () => screen.getAllByTestId('activity-row');
    expect(rows()).toHaveLength(3);

    const oligonName = backend.connections.find((c) => c.id === 'c-oligon')!.name;
    await user.selectOptions(screen.getByRole('combobox', { name: 'Connection' }), oligonName);
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent(oligonKey.name);
    // Names on screen, ids in the tooltip.
    const keyCell = within(rows()[0]).getByText(oligonKey.name, { exact: false });
    expect(keyCell.closest('td')).toHaveAttribute('title', expect.stringContaining(`Key id ${oligonKey.id}`));
    expect(rows()[0]).not.toHaveTextContent(oligonKey.id);
    expect(rows()[0]).toHaveTextContent('incident');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Connection' }), 'All connections');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Action' }), 'disable');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent(straitKey.name);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Action' }), 'All actions');
    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'sk_live_…abcd');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent('find leaked key');
    await user.clear(screen.getByRole('searchbox', { name: 'Search' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'no such thing');
    expect(screen.queryAllByTestId('activity-row')).toHaveLength(0);
    expect(screen.getByText('No entry matches these filters.')).toBeInTheDocument();
  });

  it('keeps every row one line high: no cell wraps, a long detail is cut and whole in its tooltip', async () => {
    const { backend } = await loggedBackend();
    await openActivity(backend);
    const table = screen.getByRole('table');
    expect(getComputedStyle(table).tableLayout).toBe('fixed');
    for (const cell of screen.getAllByRole('cell')) {
      const style = getComputedStyle(cell);
      expect(style.whiteSpace).toBe('nowrap');
      expect(style.textOverflow).toBe('ellipsis');
      expect(cell.querySelector('br, p, div')).toBeNull();
    }
    const long = screen.getByText(/a very long connection name/);
    expect(long).toHaveAttribute('title', long.textContent);
  });

  it('exports the log and an incident report through the save dialog, and says nothing when cancelled', async () => {
    const { backend } = await loggedBackend();
    const user = await openActivity(backend);
    const incident = screen.getAllByTestId('activity-row').find((row) => row.textContent?.includes('incident'))!;
    await user.click(within(incident).getByRole('button', { name: 'Incident report' }));
    expect(backend.callsOf('export_incident_report')).toEqual([{ entryId: backend.activity[2].entry_id }]);
    expect(await screen.findByText(/Saved the incident report to .*\.md and .*\.json/)).toBeInTheDocument();

    backend.savePath = null;
    await user.click(within(screen.getByTestId('activity-view')).getByRole('button', { name: 'Export' }));
    expect(backend.callsOf('save_activity_export')).toHaveLength(1);
    expect(screen.queryByText(/Exported the activity log to/)).toBeNull();
  });
});
