import { screen, within } from '@testing-library/svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import { renderApp } from '../testing';

async function openSettings(backend = new MockBackend({ keysPerConnection: 2 })) {
  const { user } = await renderApp(backend);
  await user.click(screen.getByRole('button', { name: 'Settings' }));
  return { user, backend, view: screen.getByTestId('settings-view') };
}

describe('Settings', () => {
  afterEach(() => document.documentElement.removeAttribute('data-theme'));

  it('applies the saved theme to the page, and "system" leaves it to the OS', async () => {
    const { user, backend, view } = await openSettings();
    expect(document.documentElement).not.toHaveAttribute('data-theme');

    await user.click(within(view).getByRole('radio', { name: 'Dark' }));
    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    expect(backend.callsOf('save_settings')).toEqual([{ settings: { theme: 'dark', clipboard_clear_secs: 30 } }]);
    expect(document.documentElement).toHaveAttribute('data-theme', 'dark');

    await user.click(within(view).getByRole('radio', { name: 'System' }));
    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    expect(document.documentElement).not.toHaveAttribute('data-theme');
  });

  it('starts in the theme the backend has stored', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.settings = { theme: 'light', clipboard_clear_secs: 30 };
    await renderApp(backend);
    expect(document.documentElement).toHaveAttribute('data-theme', 'light');
  });

  it('keeps the clipboard time between 10 and 300 seconds, or off', async () => {
    const { user, backend, view } = await openSettings();
    const secs = within(view).getByRole('textbox', { name: 'Clear copied secrets after (seconds)' });
    await user.clear(secs);
    await user.type(secs, '5');
    expect(view).toHaveTextContent('Choose between 10 and 300 seconds.');
    expect(within(view).getByRole('button', { name: 'Save settings' })).toBeDisabled();

    await user.clear(secs);
    await user.type(secs, '45');
    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    expect(backend.settings.clipboard_clear_secs).toBe(45);

    await user.click(within(view).getByRole('checkbox', { name: /Never clear/ }));
    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    expect(backend.settings.clipboard_clear_secs).toBeNull();
  });

  it('exports the inventory in the chosen format and says where it went', async () => {
    const { user, backend, view } = await openSettings();
    await user.selectOptions(within(view).getByRole('combobox', { name: 'Format' }), 'json');
    await user.click(within(view).getByRole('button', { name: 'Export' }));
    expect(backend.callsOf('export_inventory')).toEqual([{ format: 'json' }]);
    expect(await screen.findByText(/Exported the inventory to .*keydesk-inventory\.json/)).toBeInTheDocument();
  });

  it('shows a failed save next to the form', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.failNext('save_settings', appError('internal', 'The settings file is read-only.'));
    const { user, view } = await openSettings(backend);
    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    expect(await within(view).findByTestId('error-notice')).toHaveTextContent('The settings file is read-only.');
  });
});
