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

describe('Owner, note and tags', () => {
  it('edits them in the details, with the error next to the field it is about', async () => {
    const backend = new MockBackend();
    const { user, drawer, keyId } = await openDetails(backend, 0);
    const form = await within(drawer).findByRole('form', { name: 'Owner, note and tags' });
    const owner = within(form).getByLabelText('Owner');
    const tags = within(form).getByLabelText('Tags');
    expect(owner).toHaveValue('Ana Lima');
    expect(tags).toHaveValue('billing');

    await user.type(tags, ', Team Pay');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText(/Each tag is 1–40 characters of a-z/)).toBeInTheDocument();
    expect(tags).toHaveAttribute('aria-invalid', 'true');
    expect(owner).not.toHaveAttribute('aria-invalid');

    await user.clear(tags);
    await user.type(tags, 'billing, team:pay');
    await user.clear(owner);
    await user.type(owner, 'Bo');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Saved');
    expect((await backend.keyAnnotations('c-oligon'))[keyId]).toEqual({ owner: 'Bo', note: 'Receipts for the web shop.', tags: ['billing', 'team:pay'] });
    expect(backend.activity[0]).toMatchObject({ action: 'annotate', key_id: keyId });
  });

  it('removes them when every field is emptied', async () => {
    const backend = new MockBackend();
    const { user, drawer, keyId } = await openDetails(backend, 0);
    const form = await within(drawer).findByRole('form', { name: 'Owner, note and tags' });
    for (const label of ['Owner', 'Note', 'Tags']) await user.clear(within(form).getByLabelText(label));
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    await within(form).findByRole('status');
    expect(await backend.keyAnnotations('c-oligon')).not.toHaveProperty(keyId);
  });

  it('says why they cannot be read, and retries', async () => {
    const backend = new MockBackend();
    backend.failNext('key_annotations', appError('internal', 'The annotations file is unreadable.'));
    const { user, drawer } = await openDetails(backend, 0);
    expect(await within(drawer).findByText(/The annotations file is unreadable/)).toBeInTheDocument();
    await user.click(within(drawer).getByRole('button', { name: 'Retry' }));
    expect(await within(drawer).findByRole('form', { name: 'Owner, note and tags' })).toBeInTheDocument();
  });

  it('shows the owner as an optional column and finds keys by owner: and tag:', async () => {
    const backend = new MockBackend();
    const { user } = await renderApp(backend);
    expect(screen.queryByRole('columnheader', { name: 'Owner' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Owner column' }));
    expect(screen.getByRole('columnheader', { name: 'Owner' })).toBeInTheDocument();
    const [first, second] = screen.getAllByTestId('key-row');
    expect(first.querySelector('.owner')).toHaveTextContent('Ana Lima');
    expect(second.querySelector('.owner')).toHaveTextContent('—');

    const search = screen.getByRole('searchbox', { name: 'Search keys' });
    await user.type(search, 'owner:ana');
    expect(screen.getAllByTestId('key-row').map((r) => r.dataset.keyId)).toEqual([first.dataset.keyId]);
    await user.clear(search);
    await user.type(search, 'tag:billing');
    expect(screen.getAllByTestId('key-row').map((r) => r.dataset.keyId)).toEqual([first.dataset.keyId]);
    await user.clear(search);
    await user.type(search, 'tag:nobody');
    expect(screen.queryAllByTestId('key-row')).toHaveLength(0);
  });
});
