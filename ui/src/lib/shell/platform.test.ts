import { clearMocks, mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import { applyTheme, setWindowTitle } from './platform';

describe('platform', () => {
  afterEach(() => clearMocks());

  it('sets the native window title inside Tauri', async () => {
    mockWindows('main');
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return null;
    });
    await setWindowTitle('Payments');
    expect(document.title).toBe('Keydesk — Payments');
    expect(calls).toContainEqual({ cmd: 'plugin:window|set_title', args: expect.objectContaining({ value: 'Keydesk — Payments' }) });
  });

  it('sets only the document title outside Tauri', async () => {
    await setWindowTitle(null);
    expect(document.title).toBe('Keydesk');
  });

  it('maps the theme setting onto data-theme', () => {
    const root = document.createElement('html');
    applyTheme('dark', root);
    expect(root.dataset.theme).toBe('dark');
    applyTheme('system', root);
    expect(root).not.toHaveAttribute('data-theme');
  });
});
