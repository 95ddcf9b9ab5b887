import { toAppError, type Backend, type Unsubscribe } from './backend';
import { commands, events } from './bindings';
import type { AppError } from './types';

const NOT_IN_APP: AppError = {
  kind: 'internal',
  // Only builds that are not production carry the in-memory backend (see main.ts).
  message:
    import.meta.env.MODE === 'production'
      ? 'This page is not running inside the Keydesk app. Open Keydesk itself.'
      : 'This page is not running inside the Keydesk app. Open Keydesk itself, or add ?mock to the address for demo data.',
  request_id: null,
  field: null,
  retry_after_secs: null,
};

function insideTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

type Answer<T> = { status: 'ok'; data: T } | { status: 'error'; error: AppError };

/**
 * Runs one generated command (bindings.ts: IPC.md names, camelCase arg keys that Tauri maps
 * to the Rust parameters) and turns its answer back into a value or a rejected AppError.
 */
async function call<T>(run: () => Promise<Answer<T> | T>, wrapped = true): Promise<T> {
  if (!insideTauri()) throw NOT_IN_APP;
  let answer: Answer<T> | T;
  try {
    answer = await run();
  } catch (reason) {
    throw toAppError(reason);
  }
  if (!wrapped) return answer as T;
  const result = answer as Answer<T>;
  if (result.status === 'error') throw toAppError(result.error);
  return result.data;
}

/** Hands each payload of one generated event to `handler` until the answered Unsubscribe runs. */
async function subscribe<T>(
  event: { listen: (callback: (event: { payload: T }) => void) => Promise<Unsubscribe> },
  handler: (payload: T) => void,
): Promise<Unsubscribe> {
  if (!insideTauri()) throw NOT_IN_APP;
  return event.listen((e) => handler(e.payload));
}

/** The Backend of the real app. */
export const tauriBackend: Backend = {
  providerCapabilities: () => call(commands.providerCapabilities, false),
  listConnections: () => call(commands.listConnections),
  saveConnection: (input) => call(() => commands.saveConnection(input)),
  deleteConnection: (id) => call(() => commands.deleteConnection(id)),
  testConnection: (input, operationId) => call(() => commands.testConnection(input, operationId ?? null)),
  startSandbox: () => call(commands.startSandbox),
  listKeys: (connectionId, operationId) => call(() => commands.listKeys(connectionId, operationId ?? null)),
  lastInventory: () => call(commands.lastInventory),
  saveStartFrame: (html) => call(() => commands.saveStartFrame(html)),
  keyDetails: (connectionId, keyId) => call(() => commands.keyDetails(connectionId, keyId)),
  createKey: (connectionId, draft, replaceActive, operationId) =>
    call(() => commands.createKey(connectionId, draft, replaceActive, operationId ?? null)),
  rotateKey: (connectionId, keyId, graceMinutes, operationId, context) =>
    call(() => commands.rotateKey(connectionId, keyId, graceMinutes, operationId ?? null, context ?? null)),
  replaceKey: (connectionId, keyId, options, operationId, context) =>
    call(() => commands.replaceKey(connectionId, keyId, options, operationId ?? null, context ?? null)),
  scheduledRevokes: () => call(commands.scheduledRevokes),
  cancelScheduledRevoke: (connectionId, keyId) => call(() => commands.cancelScheduledRevoke(connectionId, keyId)),
  revokeKey: (connectionId, keyId, operationId, context) =>
    call(() => commands.revokeKey(connectionId, keyId, operationId ?? null, context ?? null)),
  deleteKey: (connectionId, keyId, operationId) => call(() => commands.deleteKey(connectionId, keyId, operationId ?? null)),
  setKeyEnabled: (connectionId, keyId, enabled, operationId, context) =>
    call(() => commands.setKeyEnabled(connectionId, keyId, enabled, operationId ?? null, context ?? null)),
  cancelOperation: (operationId) => call(() => commands.cancelOperation(operationId)),
  unfinishedCreates: () => call(commands.unfinishedCreates),
  checkUnfinishedCreate: (operationId) => call(() => commands.checkUnfinishedCreate(operationId)),
  findLeakedKey: (pasted) => call(() => commands.findLeakedKey(pasted)),
  copyText: (text) => call(() => commands.copyText(text)),
  pendingReveals: () => call(commands.pendingReveals),
  revealSecret: (revealId, index) => call(() => commands.revealSecret(revealId, index)),
  copySecret: (revealId, index) => call(() => commands.copySecret(revealId, index)),
  acknowledgeReveal: (revealId) => call(() => commands.acknowledgeReveal(revealId)),
  exportInventory: (format) => call(() => commands.exportInventory(format)),
  getSettings: () => call(commands.getSettings),
  saveSettings: (settings) => call(() => commands.saveSettings(settings)),
  listActivity: (limit) => call(() => commands.listActivity(limit)),
  exportActivity: () => call(commands.exportActivity),
  saveActivityExport: () => call(commands.saveActivityExport),
  exportIncidentReport: (entryId) => call(() => commands.exportIncidentReport(entryId)),
  startupNotices: () => call(commands.startupNotices),
  attention: (refresh, operationId) => call(() => commands.attention(refresh, operationId ?? null)),
  keyAnnotations: (connectionId) => call(() => commands.keyAnnotations(connectionId)),
  setAnnotation: (connectionId, keyId, annotation) => call(() => commands.setAnnotation(connectionId, keyId, annotation)),
  dismissFinding: (connectionId, keyId, rule, snoozeDays) =>
    call(() => commands.dismissFinding(connectionId, keyId, rule, snoozeDays)),

  onClipboard: (handler) => subscribe(events.clipboard, handler),
  onInventoryProgress: (handler) => subscribe(events.inventoryProgress, handler),
  onReplaceProgress: (handler) => subscribe(events.replaceProgress, handler),
  onAttentionChecked: (handler) => subscribe(events.attentionChecked, handler),
  onOpenFinding: (handler) => subscribe(events.openFinding, handler),
  onOpenLeakedKey: (handler) => subscribe(events.openLeakedKey, handler),
};
