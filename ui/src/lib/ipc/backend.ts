import type {
  ActivityEntry,
  Annotation,
  AppError,
  AttentionChecked,
  AttentionReport,
  Capabilities,
  ClipboardChange,
  Connection,
  ConnectionInput,
  CopyResult,
  CreateResult,
  ExportFormat,
  IncidentContext,
  IncidentReportFiles,
  InventoryProgress,
  Key,
  KeyDetails,
  KeyDraft,
  LastInventory,
  LeakSearch,
  OpenFinding,
  OpenLeakedKey,
  OrphanCheck,
  PendingReveal,
  ReplaceOptions,
  ReplaceProgress,
  ReplaceResult,
  Rule,
  ScheduledRevoke,
  Settings,
  UnfinishedCreate,
} from './types';

export type Unsubscribe = () => void;

/**
 * Everything the UI asks of the app, one method per IPC command (docs/IPC.md).
 * Every method rejects with an `AppError`. Components get it from context (see context.ts)
 * and never call `invoke` themselves, so tests can hand them the in-memory MockBackend.
 *
 * Long operations take an optional `operationId` (any unique string the UI picks): while one
 * runs, `cancelOperation(operationId)` stops it, and it rejects with kind `cancelled`.
 */
export interface Backend {
  providerCapabilities(): Promise<Capabilities[]>;
  listConnections(): Promise<Connection[]>;
  saveConnection(input: ConnectionInput): Promise<Connection>;
  deleteConnection(id: string): Promise<null>;
  testConnection(input: ConnectionInput, operationId?: string): Promise<number>;
  /** Starts the built-in sandbox if needed and (re)adds its four connections; answers them. */
  startSandbox(): Promise<Connection[]>;
  /** A connection's keys, without the provider's raw JSON (see `keyDetails`). */
  listKeys(connectionId: string, operationId?: string): Promise<Key[]>;
  /**
   * The first connection's keys as last listed (metadata only), for a start's first frame;
   * null on a first run. Answers at once: no keyring, sandbox or network behind it.
   */
  lastInventory(): Promise<LastInventory | null>;
  /**
   * Keeps `html`, the shell as it shows the first connection's fresh list, for the next
   * start's first frame (lib/shell/startFrame.ts). The app drops it when what it shows changes.
   */
  saveStartFrame(html: string): Promise<null>;
  /** What the details pane shows beyond the listed key: its raw provider JSON. */
  keyDetails(connectionId: string, keyId: string): Promise<KeyDetails>;
  createKey(connectionId: string, draft: KeyDraft, replaceActive: boolean, operationId?: string): Promise<CreateResult>;
  /** With a `context` (started from a leak search or an Attention finding) the rotate is logged as an incident. */
  rotateKey(
    connectionId: string,
    keyId: string,
    graceMinutes: number | null,
    operationId?: string,
    context?: IncidentContext,
  ): Promise<PendingReveal>;
  /**
   * Replaces a key with a successor of the same settings and retires the old one the
   * provider's way (`caps.retirement`), reporting `replace-progress`. With a `context` the
   * whole replace is also logged as an incident.
   */
  replaceKey(
    connectionId: string,
    keyId: string,
    options: ReplaceOptions,
    operationId?: string,
    context?: IncidentContext,
  ): Promise<ReplaceResult>;
  /** The revokes a replace scheduled for later, soonest first. */
  scheduledRevokes(): Promise<ScheduledRevoke[]>;
  /** Cancels a scheduled revoke; false when none was scheduled for the key (it ran). */
  cancelScheduledRevoke(connectionId: string, keyId: string): Promise<boolean>;
  /** With a `context` (started from a leak search or an Attention finding) the revoke is logged as an incident. */
  revokeKey(connectionId: string, keyId: string, operationId?: string, context?: IncidentContext): Promise<Key | null>;
  deleteKey(connectionId: string, keyId: string, operationId?: string): Promise<null>;
  /** With a `context` (started from a leak search or an Attention finding) the change is logged as an incident. */
  setKeyEnabled(
    connectionId: string,
    keyId: string,
    enabled: boolean,
    operationId?: string,
    context?: IncidentContext,
  ): Promise<Key>;
  /** Stops the running operation `operationId`; false when it had already finished. */
  cancelOperation(operationId: string): Promise<boolean>;
  /** Creates and rotates cut off by a quit or cancelled, not checked since. */
  unfinishedCreates(): Promise<UnfinishedCreate[]>;
  /** Lists the connection of an unfinished create again and answers the key it made, if any. */
  checkUnfinishedCreate(operationId: string): Promise<OrphanCheck>;
  findLeakedKey(pasted: string): Promise<LeakSearch>;
  /** Copies text that holds no secret (an incident summary) to the clipboard, from Rust. */
  copyText(text: string): Promise<null>;
  pendingReveals(): Promise<PendingReveal[]>;
  revealSecret(revealId: string, index: number): Promise<string>;
  copySecret(revealId: string, index: number): Promise<CopyResult>;
  acknowledgeReveal(revealId: string): Promise<null>;
  exportInventory(format: ExportFormat): Promise<string>;
  getSettings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<Settings>;
  listActivity(limit: number): Promise<ActivityEntry[]>;
  exportActivity(): Promise<string>;
  /** Asks where to save the activity log (native save dialog) and writes it; null when cancelled. */
  saveActivityExport(): Promise<string | null>;
  /**
   * Asks where to save the incident report of the activity entry `entryId` (a leak search or a
   * containment; null: the newest leak search) and writes it as Markdown and JSON; null when cancelled.
   */
  exportIncidentReport(entryId: string | null): Promise<IncidentReportFiles | null>;
  /** Answers once the startup work that runs behind the open window (keyring, sandbox) is done. */
  startupNotices(): Promise<string[]>;
  /**
   * What needs an admin now, across every connection: `refresh` lists every connection again
   * first; otherwise the last list of each is judged. Cancellable like `listKeys`.
   */
  attention(refresh: boolean, operationId?: string): Promise<AttentionReport>;
  /** Every annotation (owner, note, tags) of one connection's keys, by key id. */
  keyAnnotations(connectionId: string): Promise<Partial<Record<string, Annotation>>>;
  /** Validates and stores a key's annotation (an empty one removes it); answers what was stored. */
  setAnnotation(connectionId: string, keyId: string, annotation: Annotation): Promise<Annotation>;
  /** Snoozes a finding for `snoozeDays` (7 or 30), or marks it reviewed for good (null). */
  dismissFinding(connectionId: string, keyId: string, rule: Rule, snoozeDays: number | null): Promise<null>;

  /** `clipboard` event: a copied secret was placed on, cleared from or kept on the clipboard. */
  onClipboard(handler: (change: ClipboardChange) => void): Promise<Unsubscribe>;
  /** `inventory-progress` event: page N of M of a multi-page list. */
  onInventoryProgress(handler: (progress: InventoryProgress) => void): Promise<Unsubscribe>;
  /** `replace-progress` event: where a replace is (the wait's countdown, a loud retry line). */
  onReplaceProgress(handler: (progress: ReplaceProgress) => void): Promise<Unsubscribe>;
  /** `attention-checked` event: the report of a background check (every `reminder_minutes`). */
  onAttentionChecked(handler: (checked: AttentionChecked) => void): Promise<Unsubscribe>;
  /** `open-finding` event: the user clicked a reminder; the app has brought the window forward. */
  onOpenFinding(handler: (finding: OpenFinding) => void): Promise<Unsubscribe>;
  /** `open-leaked-key` event: the Leaked key shortcut was pressed; the window is in front. */
  onOpenLeakedKey(handler: (opened: OpenLeakedKey) => void): Promise<Unsubscribe>;
}

const KINDS = new Set<AppError['kind']>([
  'unauthorized',
  'forbidden',
  'not_found',
  'validation',
  'conflict',
  'rate_limited',
  'network',
  'server',
  'unsupported',
  'keychain_unavailable',
  'internal',
  'cancelled',
]);

/** Whatever a command rejected with, as an AppError (a bare string becomes `internal`). */
export function toAppError(reason: unknown): AppError {
  if (typeof reason === 'object' && reason !== null && 'kind' in reason) {
    const r = reason as Partial<AppError>;
    if (r.kind && KINDS.has(r.kind)) {
      return {
        kind: r.kind,
        message: typeof r.message === 'string' ? r.message : 'Something went wrong.',
        request_id: r.request_id ?? null,
        field: r.field ?? null,
        retry_after_secs: r.retry_after_secs ?? null,
      };
    }
  }
  const message = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  return {
    kind: 'internal',
    message: message || 'Something went wrong inside Keydesk.',
    request_id: null,
    field: null,
    retry_after_secs: null,
  };
}

/**
 * A failed save split for a form: a validation error on `field` is shown next to that field
 * (`fieldError`), anything else above the form (`error`).
 */
export function formFailure(reason: unknown, field: string): { fieldError: string | null; error: AppError | null } {
  const failure = toAppError(reason);
  if (failure.kind === 'validation' && failure.field === field) return { fieldError: failure.message, error: null };
  return { fieldError: null, error: failure };
}
