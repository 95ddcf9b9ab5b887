import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { toAppError, type Backend } from './backend';
import type { AppError, ClipboardChange, InventoryProgress } from './types';

const NOT_IN_APP: AppError = {
  kind: 'internal',
  message: 'This page is not running inside the Keydesk app. Open Keydesk itself, or add ?mock to the address for demo data.',
  request_id: null,
  field: null,
  retry_after_secs: null,
};

function insideTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** Calls a command by its IPC.md name; Tauri maps the camelCase arg keys to snake_case params. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!insideTauri()) throw NOT_IN_APP;
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toAppError(reason);
  }
}

/** The Backend of the real app: one `invoke` per command, one `listen` per event. */
export const tauriBackend: Backend = {
  providerCapabilities: () => call('provider_capabilities'),
  listConnections: () => call('list_connections'),
  saveConnection: (input) => call('save_connection', { input }),
  deleteConnection: (id) => call('delete_connection', { id }),
  testConnection: (input) => call('test_connection', { input }),
  listKeys: (connectionId) => call('list_keys', { connectionId }),
  createKey: (connectionId, draft, replaceActive) =>
    call('create_key', { connectionId, draft, replaceActive }),
  rotateKey: (connectionId, keyId, graceMinutes) =>
    call('rotate_key', { connectionId, keyId, graceMinutes }),
  revokeKey: (connectionId, keyId) => call('revoke_key', { connectionId, keyId }),
  deleteKey: (connectionId, keyId) => call('delete_key', { connectionId, keyId }),
  setKeyEnabled: (connectionId, keyId, enabled) =>
    call('set_key_enabled', { connectionId, keyId, enabled }),
  findLeakedKey: (pasted) => call('find_leaked_key', { pasted }),
  pendingReveals: () => call('pending_reveals'),
  revealSecret: (revealId, index) => call('reveal_secret', { revealId, index }),
  copySecret: (revealId, index) => call('copy_secret', { revealId, index }),
  acknowledgeReveal: (revealId) => call('acknowledge_reveal', { revealId }),
  exportInventory: (format) => call('export_inventory', { format }),
  getSettings: () => call('get_settings'),
  saveSettings: (settings) => call('save_settings', { settings }),
  listActivity: (limit) => call('list_activity', { limit }),
  exportActivity: () => call('export_activity'),
  startupNotices: () => call('startup_notices'),

  onClipboard: async (handler) => {
    if (!insideTauri()) throw NOT_IN_APP;
    return listen<ClipboardChange>('clipboard', (e) => handler(e.payload));
  },
  onInventoryProgress: async (handler) => {
    if (!insideTauri()) throw NOT_IN_APP;
    return listen<InventoryProgress>('inventory-progress', (e) => handler(e.payload));
  },
};
