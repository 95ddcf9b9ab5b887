import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../App.svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import { baseUrlProblem } from './connectionRules';

async function setup(backend = new MockBackend({ keysPerConnection: 2 })) {
  const user = userEvent.setup();
  render(App, { backend });
  await screen.findAllByTestId('key-row');
  return { user, backend };
}

describe('baseUrlProblem', () => {
  it('wants https except on this machine', () => {
    expect(baseUrlProblem('https://api.example.com')).toBeNull();
    expect(baseUrlProblem('http://127.0.0.1:4100/oligon')).toBeNull();
    expect(baseUrlProblem('http://localhost:8080')).toBeNull();
    expect(baseUrlProblem('http://api.example.com')).toMatch(/^Use https:\/\//);
    expect(baseUrlProblem('api.example.com')).toMatch(/^Enter a full URL/);
    expect(baseUrlProblem('')).toBe('Enter the base URL of the API.');
  });
});

describe('Connection form', () => {
  it('adds a connection with the fields its provider asks for, credentials masked', async () => {
    const { user, backend } = await setup();
    await user.click(screen.getByRole('button', { name: 'Add connection' }));
    const form = screen.getByTestId('connection-form');

    await user.selectOptions(within(form).getByRole('combobox', { name: 'Provider' }), 'fiskaly');
    expect(within(form).getByLabelText('API secret')).toHaveAttribute('type', 'password');
    expect(within(form).getByLabelText('Organisation id')).toBeInTheDocument();
    expect(within(form).queryByLabelText('Project id')).not.toBeInTheDocument();

    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(within(form).getByText('Give the connection a name.')).toBeInTheDocument();
    expect(within(form).getByLabelText('Name')).toHaveFocus();
    expect(within(form).getByText('API secret is required.')).toBeInTheDocument();

    await user.type(within(form).getByLabelText('Name'), 'POS fleet');
    await user.type(within(form).getByLabelText('Base URL'), 'https://fiskaly.example.test/api/v0');
    await user.type(within(form).getByLabelText('Organisation id'), 'org-42');
    await user.type(within(form).getByLabelText('API key'), 'FAKE-key-id');
    await user.type(within(form).getByLabelText('API secret'), 'FAKE-secret-value');
    await user.click(within(form).getByRole('button', { name: 'Save' }));

    expect(backend.callsOf('save_connection')).toEqual([
      {
        input: {
          id: null,
          name: 'POS fleet',
          provider: 'fiskaly',
          base_url: 'https://fiskaly.example.test/api/v0',
          org_id: 'org-42',
          project_id: null,
          label: null,
          color: null,
          credentials: { api_key: 'FAKE-key-id', api_secret: 'FAKE-secret-value' },
        },
      },
    ]);
    expect(await screen.findByRole('heading', { level: 2, name: 'POS fleet' })).toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain('FAKE-secret-value');
  });

  it('labels, explains and requires the connection fields as the provider declares them', async () => {
    const backend = new MockBackend({ keysPerConnection: 2 });
    const strait = backend.capabilities.find((c) => c.provider === 'strait')!;
    strait.connection_fields = [{ name: 'project_id', label: 'Workspace', help: 'Where the keys live.' }];
    const { user } = await setup(backend);
    await user.click(screen.getByRole('button', { name: 'Add connection' }));
    const form = screen.getByTestId('connection-form');

    await user.selectOptions(within(form).getByRole('combobox', { name: 'Provider' }), 'strait');
    expect(within(form).getByLabelText('Workspace')).toBeInTheDocument();
    expect(within(form).queryByLabelText('Project id')).not.toBeInTheDocument();
    expect(form).toHaveTextContent('Where the keys live.');

    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(within(form).getByText('Workspace is required.')).toBeInTheDocument();
    await user.type(within(form).getByLabelText('Name'), 'Platform');
    await user.type(within(form).getByLabelText('Base URL'), 'https://strait.example.test');
    await user.type(within(form).getByLabelText('Workspace'), 'proj-7');
    await user.type(within(form).getByLabelText('Admin token'), 'FAKE-admin');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(backend.callsOf('save_connection').at(-1)).toEqual({
      input: expect.objectContaining({ provider: 'strait', project_id: 'proj-7', org_id: null }),
    });
  });

  it('never shows stored credentials and keeps them unless new ones are typed', async () => {
    const { user, backend } = await setup();
    await user.click(screen.getByRole('button', { name: 'Edit connection' }));
    const form = screen.getByTestId('connection-form');

    const token = within(form).getByLabelText('Dashboard token (JWT)');
    expect(token).toHaveValue('');
    expect(token).toHaveAttribute('placeholder', 'Stored — type to replace');
    expect(form).toHaveTextContent('Stored in the system keyring');

    await user.clear(within(form).getByLabelText('Name'));
    await user.type(within(form).getByLabelText('Name'), 'Receipts (prod)');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(backend.callsOf('save_connection').at(-1)).toEqual({
      input: expect.objectContaining({ id: 'c-oligon', name: 'Receipts (prod)', credentials: null }),
    });

    await user.click(await screen.findByRole('button', { name: 'Edit connection' }));
    await user.type(within(screen.getByTestId('connection-form')).getByLabelText('Dashboard token (JWT)'), 'FAKE.jwt.token');
    await user.click(within(screen.getByTestId('connection-form')).getByRole('button', { name: 'Save' }));
    expect(backend.callsOf('save_connection').at(-1)).toEqual({
      input: expect.objectContaining({ credentials: { token: 'FAKE.jwt.token' } }),
    });
  });

  it('tests the connection and reports keys seen, or the error with what to do', async () => {
    const { user, backend } = await setup();
    await user.click(screen.getByRole('button', { name: 'Edit connection' }));
    const form = screen.getByTestId('connection-form');

    await user.click(within(form).getByRole('button', { name: 'Test connection' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Connected. 2 keys visible.');

    backend.failNext('test_connection', appError('unauthorized', 'The token was refused.', { request_id: 'req_t1' }));
    await user.click(within(form).getByRole('button', { name: 'Test connection' }));
    const notice = await within(form).findByTestId('error-notice');
    expect(notice).toHaveTextContent('The token was refused.');
    expect(notice).toHaveTextContent('Re-enter them for this connection');
    expect(within(notice).getByText('req_t1')).toBeInTheDocument();
  });

  /** Opens Add connection and fills in a Strait connection with a typed token. */
  async function addStrait(project: string, baseUrl: string) {
    const { user, backend } = await setup();
    await user.click(screen.getByRole('button', { name: 'Add connection' }));
    const form = screen.getByTestId('connection-form');
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Provider' }), 'strait');
    await user.type(within(form).getByLabelText('Name'), 'Jobs staging');
    await user.type(within(form).getByLabelText('Base URL'), baseUrl);
    await user.type(within(form).getByLabelText('Project id'), project);
    await user.type(within(form).getByLabelText('Admin token'), 'FAKE-typed-token');
    return { user, backend, form };
  }

  /** A new Strait connection whose test the provider refuses with `message`. */
  async function failedStraitTest(message: string) {
    const { user, backend, form } = await addStrait('proj-staging', 'https://staging.example.test');
    backend.failNext('test_connection', appError('unauthorized', message));
    await user.click(within(form).getByRole('button', { name: 'Test connection' }));
    const notice = await within(form).findByTestId('error-notice');
    return { user, backend, form, notice };
  }

  it('says a typed token was refused, and a failed test makes Save ask "Save anyway?" with no as the default', async () => {
    const { user, backend, form, notice } = await failedStraitTest('The token was refused. Strait rejected the credentials (401).');
    expect(notice).toHaveTextContent('The token was refused.');
    expect(notice).toHaveTextContent('Check what you typed, then test again. Nothing was saved.');
    expect(notice).not.toHaveTextContent(/stored credentials/i);

    await user.click(within(form).getByRole('button', { name: 'Save' }));
    const ask = screen.getByRole('alertdialog', { name: 'Save anyway?' });
    expect(ask).toHaveTextContent('The last test of these settings failed: The token was refused.');
    // No is the default: Enter right away does not save.
    expect(within(ask).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('alertdialog', { name: 'Save anyway?' })).not.toBeInTheDocument();
    expect(backend.callsOf('save_connection')).toHaveLength(0);

    await user.click(within(form).getByRole('button', { name: 'Save' }));
    await user.click(within(screen.getByRole('alertdialog', { name: 'Save anyway?' })).getByRole('button', { name: 'Save anyway' }));
    expect(backend.callsOf('save_connection')).toEqual([{ input: expect.objectContaining({ name: 'Jobs staging', project_id: 'proj-staging' }) }]);
    expect(await screen.findByRole('heading', { level: 2, name: 'Jobs staging' })).toBeInTheDocument();
  });

  it('saves without asking once the settings that failed are changed', async () => {
    const { user, backend, form } = await failedStraitTest('The token was refused.');

    await user.type(within(form).getByLabelText('Admin token'), '-fixed');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(backend.callsOf('save_connection')).toEqual([
      { input: expect.objectContaining({ credentials: { token: 'FAKE-typed-token-fixed' } }) },
    ]);
  });

  it('warns before saving a second connection to the same project', async () => {
    // Jobs platform already reaches https://jobs.example.test, project proj-demo.
    const { user, backend, form } = await addStrait('proj-demo', 'https://JOBS.example.test/');

    await user.click(within(form).getByRole('button', { name: 'Save' }));
    const ask = screen.getByRole('alertdialog', { name: 'Save anyway?' });
    expect(ask).toHaveTextContent('Jobs platform already connects to Strait at this address and project id: its keys would be listed twice.');
    await user.click(within(ask).getByRole('button', { name: 'Cancel' }));
    expect(backend.callsOf('save_connection')).toHaveLength(0);

    const project = within(form).getByLabelText('Project id');
    await user.clear(project);
    await user.type(project, 'proj-other');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(backend.callsOf('save_connection')).toHaveLength(1);
  });

  it('hedges the warning where the provider has no organisation or project to compare', async () => {
    const { user, backend } = await setup();
    await user.click(screen.getByRole('button', { name: 'Add connection' }));
    const form = screen.getByTestId('connection-form');
    const receipts = backend.connections.find((c) => c.id === 'c-oligon')!;
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Provider' }), 'oligon');
    await user.type(within(form).getByLabelText('Name'), 'Receipts again');
    await user.type(within(form).getByLabelText('Base URL'), receipts.base_url);
    await user.type(within(form).getByLabelText('Dashboard token (JWT)'), 'FAKE.jwt.token');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(screen.getByRole('alertdialog', { name: 'Save anyway?' })).toHaveTextContent(
      `${receipts.name} already connects to Oligon Receipts at this address: if it is the same account, its keys would be listed twice.`,
    );
  });

  it('refuses plain http to another machine before asking the backend, and brings the field into view', async () => {
    const scrolled: Element[] = [];
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    onTestFinished(() => {
      delete (Element.prototype as Partial<Element>).scrollIntoView;
    });
    const { user, backend } = await setup();
    await user.click(screen.getByRole('button', { name: 'Edit connection' }));
    const form = screen.getByTestId('connection-form');
    const url = within(form).getByLabelText('Base URL');
    await user.clear(url);
    await user.type(url, 'http://receipts.example.test');
    await user.click(within(form).getByRole('button', { name: 'Test connection' }));

    expect(within(form).getByText(/plain http would expose the token/)).toBeInTheDocument();
    expect(url).toHaveFocus();
    expect(scrolled).toEqual([url]);
    expect(backend.callsOf('test_connection')).toHaveLength(0);
  });

  it('deletes a connection only after its name is typed', async () => {
    const { user, backend } = await setup();
    await user.click(screen.getByRole('button', { name: 'Edit connection' }));
    await user.click(within(screen.getByTestId('connection-form')).getByRole('button', { name: 'Delete' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete connection Receipts production?' });
    expect(within(confirm).getByRole('button', { name: 'Delete' })).toBeDisabled();
    await user.type(within(confirm).getByRole('textbox'), 'Receipts production');
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));

    expect(backend.callsOf('delete_connection')).toEqual([{ id: 'c-oligon' }]);
    expect(await screen.findByRole('heading', { level: 2, name: 'fiskaly sandbox' })).toBeInTheDocument();
    expect(screen.getAllByTestId('connection-item')).toHaveLength(3);
  });

  it('offers "Add connection" when there are no connections', async () => {
    const user = userEvent.setup();
    render(App, { backend: new MockBackend({ empty: true }) });
    expect(await screen.findByRole('heading', { name: 'No connections yet' })).toBeInTheDocument();
    await user.click(within(screen.getByRole('main')).getByRole('button', { name: 'Add connection' }));
    expect(screen.getByTestId('connection-form')).toBeInTheDocument();
  });
});
