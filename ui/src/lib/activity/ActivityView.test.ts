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
