import type { Theme } from '../ipc/types';

/** Applies Settings.theme; "system" leaves it to prefers-color-scheme (see app.css). */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
}

/** The desktop the page runs on, from its user agent: the font stack depends on it (app.css). */
export function osOf(userAgent: string): 'linux' | 'mac' | 'windows' | 'other' {
  if (userAgent.includes('Windows')) return 'windows';
  if (userAgent.includes('Mac OS X')) return 'mac';
  if (userAgent.includes('Linux') && !userAgent.includes('Android')) return 'linux';
  return 'other';
}

function insideTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** Sets the native window title ("Keydesk — Payments"); the document title outside Tauri. */
export async function setWindowTitle(connectionName: string | null): Promise<void> {
  const title = connectionName ? `Keydesk — ${connectionName}` : 'Keydesk';
  document.title = title;
  if (!insideTauri()) return;
  try {
    const { getCurrentWindow } = await import('@tauri-apps/api/window');
    await getCurrentWindow().setTitle(title);
  } catch {
    // The title is cosmetic; a missing permission must not break the app.
  }
}
