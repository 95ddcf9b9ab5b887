import { clearMocks, mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import { applyTheme, osOf, setWindowTitle } from './platform';

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

  it('tells the desktop from the user agent', () => {
    expect(osOf('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)')).toBe('linux');
    expect(osOf('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15')).toBe('mac');
    expect(osOf('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Edg/120.0')).toBe('windows');
    expect(osOf('Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36')).toBe('other');
  });

  it('maps the theme setting onto data-theme', () => {
    const root = document.createElement('html');
    applyTheme('dark', root);
    expect(root.dataset.theme).toBe('dark');
    applyTheme('system', root);
    expect(root).not.toHaveAttribute('data-theme');
  });
});
