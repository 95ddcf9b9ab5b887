import { render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import App from '../../App.svelte';
import { MockBackend, appError } from '../ipc/mockBackend';
import type { Settings } from '../ipc/types';
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
    expect(backend.callsOf('save_settings')).toEqual([{ settings: { theme: 'dark', clipboard_clear_secs: 30, reminder_minutes: 15, leak_shortcut: null } }]);
    expect(document.documentElement).toHaveAttribute('data-theme', 'dark');

    await user.click(within(view).getByRole('radio', { name: 'System' }));
    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    expect(document.documentElement).not.toHaveAttribute('data-theme');
  });

  it('keeps the theme the page starts in until the stored one is read: a dark start frame never turns light', async () => {
    document.documentElement.setAttribute('data-theme', 'dark');
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.settings = { ...backend.settings, theme: 'light' };
    const getSettings = backend.getSettings;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    backend.getSettings = async () => {
      await held;
      return getSettings();
    };
    render(App, { backend });
    await vi.waitFor(() => expect(backend.callsOf('list_connections')).toHaveLength(1));
    await tick();
    expect(document.documentElement).toHaveAttribute('data-theme', 'dark');
    release();
    await vi.waitFor(() => expect(document.documentElement).toHaveAttribute('data-theme', 'light'));
  });

  it('previews a theme as soon as it is chosen, and puts the saved one back when left unsaved', async () => {
    const { user, backend, view } = await openSettings();
    await user.click(within(view).getByRole('radio', { name: 'Dark' }));
    expect(document.documentElement).toHaveAttribute('data-theme', 'dark');
    await user.click(within(view).getByRole('radio', { name: 'Light' }));
    expect(document.documentElement).toHaveAttribute('data-theme', 'light');
    expect(backend.callsOf('save_settings')).toHaveLength(0);

    await user.click(screen.getAllByTestId('connection-item')[0]);
    expect(screen.queryByTestId('settings-view')).not.toBeInTheDocument();
    expect(document.documentElement).not.toHaveAttribute('data-theme');
  });

  it('turns the Leaked key shortcut on, and a press opens Leaked key ready for the paste', async () => {
    const { user, backend, view } = await openSettings();
    expect(within(view).queryByRole('textbox', { name: 'Shortcut' })).toBeNull();
    await user.click(within(view).getByRole('checkbox', { name: /Bring Keydesk forward with Leaked key/ }));
    expect(within(view).getByRole('textbox', { name: 'Shortcut' })).toHaveValue('Ctrl+Alt+K');
    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    expect(backend.callsOf('save_settings').at(-1)).toMatchObject({ settings: { leak_shortcut: 'Ctrl+Alt+K' } });

    backend.pressLeakShortcut();
    const dialog = await screen.findByRole('dialog', { name: 'Leaked key' });
    expect(within(dialog).getByLabelText(/Paste the full key/)).toHaveFocus();
  });

  it('names a shortcut Keydesk cannot use under its field, and stores nothing', async () => {
    const { user, backend, view } = await openSettings();
    await user.click(within(view).getByRole('checkbox', { name: /Bring Keydesk forward with Leaked key/ }));
    const field = within(view).getByRole('textbox', { name: 'Shortcut' });
    await user.clear(field);
    await user.type(field, 'Shift+K');
    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    expect(field).toHaveAccessibleDescription(/hold Ctrl, Alt or Super/);
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(backend.settings.leak_shortcut ?? null).toBeNull();
  });

  it('leaves an open dialog alone when the shortcut is pressed', async () => {
    const { user, backend } = await openSettings();
    await user.keyboard('?');
    expect(screen.getByRole('dialog', { name: /Keyboard shortcuts/ })).toBeInTheDocument();
    backend.pressLeakShortcut();
    await tick();
    expect(screen.queryByRole('dialog', { name: 'Leaked key' })).toBeNull();
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

  it('saves how often reminders check, from off to every day', async () => {
    const { user, backend, view } = await openSettings();
    const reminders = within(view).getByRole('group', { name: 'Reminders' });
    const every = within(reminders).getByRole('combobox', { name: 'Check for new high findings' });
    expect(within(every).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Off',
      'Every 15 min',
      'Every 30 min',
      'Every 1 h',
      'Every 4 h',
      'Every day',
    ]);
    expect(every).toHaveDisplayValue('Every 15 min');
    expect(reminders).toHaveTextContent(
      'Keydesk checks every connection in the background and notifies new high findings; no key or secret is ever in a notification.',
    );

    for (const [label, minutes] of [['Every 4 h', 240], ['Every day', 1440], ['Off', null]] as const) {
      await user.selectOptions(every, label);
      await user.click(within(view).getByRole('button', { name: 'Save settings' }));
      await vi.waitFor(() => expect(backend.settings.reminder_minutes).toBe(minutes));
    }
    expect(backend.callsOf('save_settings').map((c) => (c.settings as Settings).reminder_minutes)).toEqual([240, 1440, null]);
  });

  it('keeps an interval the settings file holds that is not on offer, and shows its refusal next to the field', async () => {
    const backend = new MockBackend({ keysPerConnection: 1 });
    backend.settings = { theme: 'system', clipboard_clear_secs: 30, reminder_minutes: 45 };
    const { user, view } = await openSettings(backend);
    const every = within(view).getByRole('combobox', { name: 'Check for new high findings' });
    expect(every).toHaveDisplayValue('Every 45 min');

    backend.failNext(
      'save_settings',
      appError('validation', 'Check for attention every 5 to 1440 minutes, or turn reminders off.', { field: 'reminder_minutes' }),
    );
    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() => expect(every).toHaveAttribute('aria-invalid', 'true'));
    expect(every).toHaveAccessibleDescription('Check for attention every 5 to 1440 minutes, or turn reminders off.');
    expect(within(view).queryByTestId('error-notice')).not.toBeInTheDocument();

    await user.click(within(view).getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() => expect(every).not.toHaveAttribute('aria-invalid'));
    expect(backend.settings.reminder_minutes).toBe(45);
  });

  it('says when the connections were last checked, and keeps it current', async () => {
    const backend = new MockBackend({ keysPerConnection: 2 });
    backend.failNext('attention', appError('internal', 'The dismissals file is unreadable.'));
    const { view } = await openSettings(backend);
    await vi.waitFor(() => expect(backend.callsOf('attention')).toHaveLength(1));
    const last = within(view).getByTestId('last-checked');
    expect(last).toHaveTextContent('Not checked yet');

    const report = await backend.attention(false);
    backend.emitAttentionChecked({ ...report, checked_at: new Date(Date.now() - 3 * 60_000).toISOString() });
    await vi.waitFor(() => expect(last).toHaveTextContent('Last checked 3 min ago'));
    backend.emitAttentionChecked();
    await vi.waitFor(() => expect(last).toHaveTextContent('Last checked just now'));

    // A hidden window's clock ticks late: a check that comes 10 min on is still "just now".
    const later = Date.now() + 10 * 60_000;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(later);
    try {
      backend.emitAttentionChecked({ ...report, checked_at: new Date(later).toISOString() });
      await vi.waitFor(() => expect(last).toHaveTextContent('Last checked just now'));
    } finally {
      clock.mockRestore();
    }
  });
});
