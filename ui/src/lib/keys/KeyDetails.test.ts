import { screen, within } from '@testing-library/svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import { renderApp } from '../testing';

async function openDetails(backend: MockBackend, row: number) {
  const { user } = await renderApp(backend);
  const rows = screen.getAllByTestId('key-row');
  await user.click(rows[row]);
  return { user, drawer: screen.getByTestId('key-details'), keyId: rows[row].dataset.keyId! };
}

describe('Key details', () => {
  it('asks for the raw provider JSON of the key it opens on, and shows it', async () => {
    const backend = new MockBackend();
    const { drawer, keyId } = await openDetails(backend, 1);
    expect(backend.callsOf('key_details')).toEqual([{ connectionId: 'c-oligon', keyId }]);
    const pre = drawer.querySelector('pre')!;
    await vi.waitFor(() => expect(pre).toHaveTextContent(`"id": "${keyId}"`));
    expect(pre).toHaveAttribute('aria-busy', 'false');
    expect(within(drawer).getByText(/As .* reports it/)).toBeInTheDocument();
  });

  it('says why when the JSON cannot be had', async () => {
    const backend = new MockBackend();
    backend.failNext('key_details', appError('network', 'The provider could not be reached.'));
    const { drawer } = await openDetails(backend, 0);
    await vi.waitFor(() => expect(drawer.querySelector('pre')).toHaveTextContent('The provider could not be reached.'));
  });
});
