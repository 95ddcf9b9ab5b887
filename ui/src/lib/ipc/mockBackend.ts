import { fullAnnotation, isEmptyAnnotation, ownerOf, validateAnnotation } from '../attention/annotation';
import { emptyDraft, validateDraft } from '../create/validation';
import type { Backend, Unsubscribe } from './backend';
import { CAPABILITIES, CLIPBOARD_CLEAR_SECS, REMINDER_MINUTES } from './capabilities';
import { findingsOf, sortFindings } from './mockAttention';
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
  Environment,
  Finding,
  IncidentContext,
  IncidentReportFiles,
  InventoryProgress,
  Key,
  KeyDraft,
  LastInventory,
  LeakMatch,
  LeakSearch,
  OpenFinding,
  OpenLeakedKey,
  OrphanCheck,
  PendingReveal,
  ProviderKind,
  ReplaceOptions,
  ReplaceProgress,
  ReplaceResult,
  ScheduledRevoke,
  Rule,
  Settings,
  UnfinishedCreate,
} from './types';

export interface MockOptions {
  /** Keys generated per demo connection (default 14). */
  keysPerConnection?: number;
  /** Start with no connections at all (the first-run screen). */
  empty?: boolean;
  /** Delay every answer, for the `?mock` dev mode (default 0). */
  latencyMs?: number;
}

/** A snoozed (`until` set) or reviewed finding. */
interface Dismissal {
  connectionId: string;
  keyId: string;
  rule: Rule;
  until: number | null;
}

interface StoredReveal {
  reveal: PendingReveal;
  plaintext: string[];
}

const DAY = 86_400_000;


/** One event's subscribers; `emit` hands them a payload as the app's event would. */
class MockEvent<T> {
  private handlers = new Set<(payload: T) => void>();

  emit(payload: T): void {
    for (const h of this.handlers) h(payload);
  }

  listen = async (handler: (payload: T) => void): Promise<Unsubscribe> => {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  };
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function appError(kind: AppError['kind'], message: string, extra: Partial<AppError> = {}): AppError {
  return { kind, message, request_id: null, field: null, retry_after_secs: null, ...extra };
}

/** An active key with every optional field empty; callers set what they care about. */
export function blankKey(key: Pick<Key, 'id' | 'name' | 'masked' | 'environment' | 'created_at'> & Partial<Key>): Key {
  const { id, name, masked, environment, created_at, ...rest } = key;
  return {
    id,
    name,
    masked,
    environment,
    scopes: [],
    status: 'active',
    created_at,
    last_used_at: null,
    last_used_ip: null,
    expires_at: null,
    revoked_at: null,
    rotation: null,
    metadata: {},
    ...rest,
  };
}

/** Deterministic pseudo-random numbers, so demo data is the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A command's `context` argument, only when the UI passed one (calls without it stay as they were). */
function withContext(context: IncidentContext | undefined): { context?: IncidentContext } {
  return context === undefined ? {} : { context };
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

// ---- Fixture data ------------------------------------------------------------------------
// What the demo connections and their keys look like. This is data, not behaviour: the rules
// the mock follows (one active key, grace, create validation, the webhook secret, clipboard
// limits) come from the generated capabilities, as the app's come from keydesk-core.

/** A demo connection with stored credentials; fields its provider does not use stay empty. */
function demoConnection(
  id: string,
  name: string,
  provider: ProviderKind,
  base_url: string,
  extra: Partial<Connection> = {},
): Connection {
  return {
    id,
    name,
    provider,
    base_url,
    org_id: null,
    project_id: null,
    label: null,
    color: null,
    sandbox: false,
    has_credentials: true,
    ...extra,
  };
}

const DEMO_CONNECTIONS: Connection[] = [
  demoConnection('c-oligon', 'Receipts production', 'oligon', 'https://receipts.example.test'),
  demoConnection('c-fiskaly', 'fiskaly sandbox', 'fiskaly', 'http://127.0.0.1:4100/fiskaly/api/v0', {
    org_id: 'org-demo-0001',
    sandbox: true,
  }),
  demoConnection('c-syncgram', 'Payments', 'syncgram', 'https://payments.example.test'),
  demoConnection('c-strait', 'Jobs platform', 'strait', 'https://jobs.example.test', { project_id: 'proj-demo' }),
];

/**
 * Facts laid over a few demo keys (by connection and position) so the Attention view shows a
 * high finding of each one-click action: an expired fiskaly key (Disable), a Strait rotation
 * overdue (Rotate), an Oligon key expiring in days, and SyncgramPay's active key live without
 * an expiry. The other rules fire on the generated keys as they are (never used, stale, no
 * owner).
 */
const ATTENTION_SEED: { connectionId: string; index: number; facts: (now: number) => Partial<Key> }[] = [
  { connectionId: 'c-fiskaly', index: 0, facts: (now) => ({ expires_at: new Date(now - DAY).toISOString() }) },
  {
    connectionId: 'c-strait',
    index: 2,
    facts: (now) => ({
      rotation: { replaced_by: null, grace_expires_at: null, interval_days: 30, next_rotation_at: new Date(now - 2 * DAY).toISOString(), webhook_url: null },
    }),
  },
  { connectionId: 'c-oligon', index: 2, facts: (now) => ({ expires_at: new Date(now + 3 * DAY).toISOString() }) },
  { connectionId: 'c-syncgram', index: 0, facts: () => ({ environment: 'live', expires_at: null }) },
];

/** Owners and tags of a few demo keys, by connection and position. */
const ANNOTATION_SEED: { connectionId: string; index: number; annotation: Annotation }[] = [
  { connectionId: 'c-oligon', index: 0, annotation: { owner: 'Ana Lima', note: 'Receipts for the web shop.', tags: ['billing'] } },
  { connectionId: 'c-strait', index: 0, annotation: { owner: 'Platform team', note: null, tags: ['ci', 'deploy'] } },
];

const NAMES = ['Production server', 'Staging worker', 'CI pipeline', 'Billing export', 'Mobile backend',
  'Support tooling', 'Analytics sync', 'Webhook relay', 'Nightly report', 'Partner import'];

/** How one provider's keys look in the demo data. */
interface KeyLooks {
  /** The masked preview of a new key (the part a list shows), mostly around its last four. */
  mask(env: Environment, last4: string, text: (length: number) => string): string;
  /** Whether a new key's reveal holds an API secret beside the key. */
  apiSecret: boolean;
}

const KEY_LOOKS: Record<ProviderKind, KeyLooks> = {
  oligon: { mask: (env, last4) => `sk_${env}_…${last4}`, apiSecret: false },
  fiskaly: { mask: (env, last4) => `${env}_…${last4}`, apiSecret: true },
  syncgram: { mask: (env, last4) => `sk_${env}_…${last4}`, apiSecret: false },
  // Strait lists a key's first 12 characters and nothing of its end.
  strait: { mask: (_env, _last4, text) => `strait_${text(5)}…`, apiSecret: false },
};

// ---- The mock ---------------------------------------------------------------------------

/**
 * An in-memory Backend with realistic data for all four providers. Tests use it to drive
 * components; `?mock` in the dev server uses it to run the UI without Rust.
 * Every secret it produces is obviously fake (contains "FAKE").
 */
export class MockBackend implements Backend {
  readonly calls: { command: string; args: Record<string, unknown> }[] = [];
  capabilities: Capabilities[] = clone(CAPABILITIES);
  connections: Connection[];
  keys = new Map<string, Key[]>();
  reveals = new Map<string, StoredReveal>();
  settings: Settings = { clipboard_clear_secs: 30, theme: 'system', reminder_minutes: 15 };
  activity: ActivityEntry[] = [];
  notices: string[] = [];
  /** Connections whose API fails every call with this error. */
  brokenConnections = new Map<string, AppError>();
  /** Secrets created here, as the app fingerprints them (the mock keeps its fake values). */
  remembered: { connection_id: string; key: Key; field: string; value: string }[] = [];
  /** Set: the leak search cannot check fingerprints (no keyring), for this reason. */
  fingerprintsUnchecked: AppError | null = null;
  /** What `copy_text` last put on the clipboard. */
  copiedText: string | null = null;
  /** The next create answers "orphaned" (the response was lost after the key was made). */
  orphanNextCreate = false;

  /** Creates and rotates cut off by a quit or cancelled, as `unfinished_creates` answers them. */
  unfinished: UnfinishedCreate[] = [];
  /** Owner, note and tags by connection, then key id. */
  annotations = new Map<string, Partial<Record<string, Annotation>>>();
  dismissals: Dismissal[] = [];
  /** When each connection was last listed (ms), for the Attention view's "Checked …". */
  listedAt = new Map<string, number>();
  /** Each connection's last list as the app keeps it for the next start (`last_inventory`). */
  snapshots = new Map<string, { taken_at: string; keys: Key[] }>();
  /** The start frame the app would keep, as `save_start_frame` got it. */
  startFrame: string | null = null;

  private failures = new Map<string, AppError[]>();
  /** Commands whose next call waits until it is cancelled (a server that never answers). */
  private held = new Set<string>();
  /** Operations waiting, by operation id: calling one rejects it as cancelled. */
  private running = new Map<string, () => void>();
  private clipboardEvent = new MockEvent<ClipboardChange>();
  private progressEvent = new MockEvent<InventoryProgress>();
  private replaceEvent = new MockEvent<ReplaceProgress>();
  /** Revokes a replace scheduled for later. */
  scheduled: ScheduledRevoke[] = [];
  private attentionCheckedEvent = new MockEvent<AttentionChecked>();
  private openFindingEvent = new MockEvent<OpenFinding>();
  private openLeakedKeyEvent = new MockEvent<OpenLeakedKey>();
  private random = seededRandom(7);
  private nextId = 1;
  private latencyMs: number;

  constructor(options: MockOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.connections = options.empty ? [] : clone(DEMO_CONNECTIONS);
    for (const c of this.connections) {
      this.keys.set(c.id, this.generateKeys(c.provider, options.keysPerConnection ?? 14));
    }
    const now = Date.now();
    for (const seed of ATTENTION_SEED) {
      const key = this.keys.get(seed.connectionId)?.[seed.index];
      if (key) Object.assign(key, seed.facts(now));
    }
    for (const seed of ANNOTATION_SEED) {
      const key = this.keys.get(seed.connectionId)?.[seed.index];
      if (key) this.annotations.set(seed.connectionId, { ...this.annotations.get(seed.connectionId), [key.id]: seed.annotation });
    }
  }

  /** Makes the next call of `command` (IPC name, e.g. 'revoke_key') reject with `error`. */
  failNext(command: string, error: AppError): void {
    const queue = this.failures.get(command) ?? [];
    queue.push(error);
    this.failures.set(command, queue);
  }

  /** The next call of `command` that names an operation waits until `cancelOperation`. */
  holdNext(command: string): void {
    this.held.add(command);
  }

  /** The ids of the operations held now (see `holdNext`), oldest first. */
  heldOperations(): string[] {
    return [...this.running.keys()];
  }

  /** Calls of one command, in order. */
  callsOf(command: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.command === command).map((c) => c.args);
  }

  emitClipboard(change: ClipboardChange): void {
    this.clipboardEvent.emit(change);
  }

  emitProgress(progress: InventoryProgress): void {
    this.progressEvent.emit(progress);
  }

  /** Sends `replace-progress`, as a replace waiting out a create limit does. */
  emitReplaceProgress(progress: ReplaceProgress): void {
    this.replaceEvent.emit(clone(progress));
  }

  /**
   * Sends `attention-checked` as the app's background check does: with `report`, or with one
   * judged now after listing every connection again. Answers the report sent.
   */
  emitAttentionChecked(report: AttentionReport = this.judge(true)): AttentionReport {
    this.attentionCheckedEvent.emit({ report: clone(report) });
    return report;
  }

  /** Sends `open-finding`, as a click on a reminder does. */
  emitOpenFinding(finding: OpenFinding): void {
    this.openFindingEvent.emit(clone(finding));
  }

  /** Sends `open-leaked-key`, as a press of the Leaked key shortcut does. */
  pressLeakShortcut(): void {
    this.openLeakedKeyEvent.emit({ shortcut: this.settings.leak_shortcut ?? 'Ctrl+Alt+K' });
  }

  /** Puts a key straight into a connection (tests). */
  addKey(connectionId: string, key: Key): void {
    this.keys.get(connectionId)?.unshift(key);
  }

  // ---- Backend -------------------------------------------------------------------------

  providerCapabilities = () => this.answer('provider_capabilities', {}, () => this.capabilities);

  listConnections = () => this.answer('list_connections', {}, () => this.connections);

  saveConnection = (input: ConnectionInput) =>
    this.answer('save_connection', { input }, () => {
      if (!input.name.trim()) throw appError('validation', 'Give the connection a name.', { field: 'name' });
      const existing = input.id ? this.connections.find((c) => c.id === input.id) : undefined;
      const saved: Connection = {
        id: existing?.id ?? `c-${this.nextId++}`,
        name: input.name,
        provider: input.provider,
        base_url: input.base_url,
        org_id: input.org_id,
        project_id: input.project_id,
        label: input.label,
        color: input.color,
        sandbox: existing?.sandbox ?? false,
        has_credentials: input.credentials !== null ? true : (existing?.has_credentials ?? false),
      };
      if (existing) Object.assign(existing, saved);
      else {
        this.connections.push(saved);
        this.keys.set(saved.id, []);
      }
      return saved;
    });

  deleteConnection = (id: string) =>
    this.answer('delete_connection', { id }, () => {
      this.connections = this.connections.filter((c) => c.id !== id);
      this.keys.delete(id);
      return null;
    });

  testConnection = (input: ConnectionInput, operationId?: string) =>
    this.answer('test_connection', { input }, () => {
      if (input.id) {
        const broken = this.brokenConnections.get(input.id);
        if (broken) throw broken;
        return this.keys.get(input.id)?.length ?? 0;
      }
      return 0;
    }, operationId);

  startSandbox = () =>
    this.answer('start_sandbox', {}, () =>
      this.capabilities.map((caps): Connection => {
        const id = `sandbox-${caps.provider}`;
        const existing = this.connections.find((c) => c.id === id);
        const connection: Connection = {
          id,
          name: existing?.name ?? caps.display_name,
          provider: caps.provider,
          base_url: `http://127.0.0.1:4100/${caps.provider}`,
          org_id: caps.connection_fields.some((field) => field.name === 'org_id') ? 'org-sandbox' : null,
          project_id: caps.connection_fields.some((field) => field.name === 'project_id') ? 'proj-sandbox' : null,
          label: existing ? existing.label : 'Sandbox',
          color: existing?.color ?? null,
          sandbox: true,
          has_credentials: true,
        };
        if (existing) Object.assign(existing, connection);
        else this.connections.push(connection);
        if (!this.keys.has(id)) this.keys.set(id, this.generateKeys(caps.provider, 14));
        return connection;
      }),
    );

  listKeys = (connectionId: string, operationId?: string) =>
    this.answer('list_keys', { connectionId }, () => {
      const keys = this.keysOf(connectionId);
      this.listedAt.set(connectionId, Date.now());
      this.snapshots.set(connectionId, { taken_at: new Date().toISOString(), keys: clone(keys) });
      const caps = this.capsOf(connectionId);
      if (caps.pagination !== 'none' && keys.length > 100) {
        const pages = Math.ceil(keys.length / 100);
        for (let page = 1; page <= pages; page++) this.emitProgress({ connection_id: connectionId, page, pages });
      }
      return keys;
    }, operationId);

  lastInventory = () =>
    this.answer('last_inventory', {}, (): LastInventory | null => {
      const first = this.connections[0];
      const snapshot = first ? this.snapshots.get(first.id) : undefined;
      return first && snapshot ? { connection_id: first.id, ...snapshot } : null;
    });

  saveStartFrame = (html: string) =>
    this.answer('save_start_frame', {}, () => {
      this.startFrame = html;
      return null;
    });

  keyDetails = (connectionId: string, keyId: string) =>
    this.answer('key_details', { connectionId, keyId }, () => {
      const key = this.keysOf(connectionId).find((k) => k.id === keyId);
      if (!key) throw appError('not_found', 'This key is no longer listed. Refresh the list.');
      return { raw: { id: key.id, name: key.name, provider_note: 'mock data' } };
    });

  createKey = (connectionId: string, given: KeyDraft, replaceActive: boolean, operationId?: string) =>
    this.answer('create_key', { connectionId, draft: given, replaceActive }, (): CreateResult => {
      const draft: Required<KeyDraft> = { ...emptyDraft(), ...given };
      const keys = this.keysOf(connectionId);
      const caps = this.capsOf(connectionId);
      const invalid = validateDraft(caps.create_fields, draft);
      if (invalid) throw appError('validation', invalid.message, { field: invalid.field });
      if (caps.single_active_key) {
        const active = keys.find((k) => k.status === 'active');
        if (active && !replaceActive) {
          throw appError('conflict', 'This organisation already has an active key. Revoke it before creating a new one.', {
            request_id: 'req_mock_conflict',
          });
        }
        if (active) this.revokeInPlace(active);
      }
      const env: Environment = draft.environment ?? 'test';
      const key = this.makeKey(caps.provider, draft.name, env, Date.now());
      key.scopes = [...draft.scopes];
      key.metadata = { ...draft.metadata };
      if (draft.expires_in_days) key.expires_at = new Date(Date.now() + draft.expires_in_days * DAY).toISOString();
      if (draft.rotation_interval_days) {
        key.rotation = {
          replaced_by: null,
          grace_expires_at: null,
          interval_days: draft.rotation_interval_days,
          next_rotation_at: new Date(Date.now() + draft.rotation_interval_days * DAY).toISOString(),
          webhook_url: draft.rotation_webhook_url,
        };
      }
      keys.unshift(key);
      this.record(connectionId, key, 'create');
      if (this.orphanNextCreate) {
        this.orphanNextCreate = false;
        return {
          status: 'orphaned',
          connection_id: connectionId,
          key,
          message: 'The provider created the key, but its answer was lost on the way back.',
        };
      }
      // A webhook URL gets a signing secret wherever the create form asks for one.
      const asksWebhook = caps.create_fields.some((f) => f.name === 'rotation_webhook_url');
      const withWebhook = asksWebhook && draft.rotation_webhook_url !== null;
      return { status: 'created', reveal: this.storeReveal(connectionId, key, withWebhook) };
    }, operationId);

  rotateKey = (connectionId: string, keyId: string, graceMinutes: number | null, operationId?: string, context?: IncidentContext) =>
    this.answer(
      'rotate_key',
      { connectionId, keyId, graceMinutes, ...withContext(context) },
      () => this.rotateInPlace(connectionId, keyId, graceMinutes, context),
      operationId,
    );

  /** A rotate's work, shared by `rotate_key` and a replace that rotates. */
  private rotateInPlace(connectionId: string, keyId: string, graceMinutes: number | null, context?: IncidentContext): PendingReveal {
    const keys = this.keysOf(connectionId);
    const old = this.keyOf(connectionId, keyId);
    if (old.status === 'revoked') throw appError('conflict', 'A revoked key cannot be rotated.');
    const caps = this.capsOf(connectionId);
    const maxGrace = caps.rotate_grace?.max_minutes;
    if (graceMinutes !== null && maxGrace !== undefined && graceMinutes > maxGrace) {
      throw appError('validation', `The grace period can be at most ${maxGrace} minutes.`, { field: 'grace_minutes' });
    }
    const fresh = this.makeKey(caps.provider, old.name, old.environment ?? 'test', Date.now());
    fresh.scopes = [...old.scopes];
    const grace = graceMinutes ?? caps.rotate_grace?.default_minutes ?? 0;
    old.rotation = {
      replaced_by: fresh.id,
      grace_expires_at: grace > 0 ? new Date(Date.now() + grace * 60_000).toISOString() : null,
      interval_days: old.rotation?.interval_days ?? null,
      next_rotation_at: null,
      webhook_url: old.rotation?.webhook_url ?? null,
    };
    if (grace > 0) old.status = 'rotating';
    else this.revokeInPlace(old);
    keys.unshift(fresh);
    this.record(connectionId, old, 'rotate', context && { context, done: 'Rotated the key.', successor: fresh });
    return this.storeReveal(connectionId, fresh, false);
  }

  replaceKey = (connectionId: string, keyId: string, options: ReplaceOptions, operationId?: string, context?: IncidentContext) =>
    this.answer('replace_key', { connectionId, keyId, options, ...withContext(context) }, (): ReplaceResult => {
      const caps = this.capsOf(connectionId);
      if (caps.retirement === 'rotate') {
        // The rotate's own answer, without a second call log entry.
        return { status: 'replaced', reveal: this.rotateInPlace(connectionId, keyId, options.grace_minutes ?? null), old_key: null, notice: null };
      }
      const old = this.keyOf(connectionId, keyId);
      const named = caps.create_fields.find((f) => f.name === 'name')?.pattern ? '-replacement' : ' (replacement)';
      const fresh = this.makeKey(caps.provider, `${old.name}${named}`, old.environment ?? 'test', Date.now());
      fresh.scopes = [...old.scopes];
      fresh.metadata = { ...old.metadata };
      fresh.expires_at = old.expires_at;
      if (caps.retirement === 'revoke_then_create' && old.status === 'active') {
        this.revokeInPlace(old);
        this.record(connectionId, old, 'revoke');
      }
      this.keysOf(connectionId).unshift(fresh);
      this.record(connectionId, fresh, 'create');
      let notice: string | null = null;
      if (caps.retirement === 'create_then_disable') {
        old.status = 'disabled';
        this.record(connectionId, old, 'disable');
      } else if (caps.retirement === 'create_then_revoke' && options.revoke_after_minutes) {
        const minutes = options.revoke_after_minutes;
        const due_at = new Date(Date.now() + minutes * 60_000).toISOString();
        this.scheduled = [...this.scheduled.filter((s) => s.key_id !== old.id), { connection_id: connectionId, key_id: old.id, key_name: old.name, due_at }];
        notice = `${old.name} is revoked in ${minutes} min, once its users have the new key.`;
      } else if (caps.retirement === 'create_then_revoke' && options.keep_old) {
        notice = `${old.name} is still active: revoke it once its users have the new key.`;
      } else if (caps.retirement === 'create_then_revoke') {
        this.revokeInPlace(old);
        this.record(connectionId, old, 'revoke');
      }
      const reveal = this.storeReveal(connectionId, fresh, false);
      return { status: 'replaced', reveal, old_key: caps.retirement === 'revoke_then_create' ? null : old, notice };
    }, operationId);

  scheduledRevokes = () => this.answer('scheduled_revokes', {}, () => this.scheduled);

  cancelScheduledRevoke = (connectionId: string, keyId: string) =>
    this.answer('cancel_scheduled_revoke', { connectionId, keyId }, () => {
      const before = this.scheduled.length;
      this.scheduled = this.scheduled.filter((s) => !(s.connection_id === connectionId && s.key_id === keyId));
      return this.scheduled.length < before;
    });

  revokeKey: Backend['revokeKey'] = (connectionId, keyId, operationId, context) =>
    this.answer('revoke_key', { connectionId, keyId, ...withContext(context) }, () => {
      const key = this.keyOf(connectionId, keyId);
      this.revokeInPlace(key);
      this.record(connectionId, key, 'revoke', context && { context, done: 'Revoked the key.' });
      return key;
    }, operationId);

  deleteKey = (connectionId: string, keyId: string, operationId?: string) =>
    this.answer('delete_key', { connectionId, keyId }, () => {
      const key = this.keyOf(connectionId, keyId);
      this.keys.set(connectionId, this.keysOf(connectionId).filter((k) => k.id !== keyId));
      this.record(connectionId, key, 'delete');
      return null;
    }, operationId);

  setKeyEnabled = (
    connectionId: string,
    keyId: string,
    enabled: boolean,
    operationId?: string,
    context?: IncidentContext,
  ) =>
    this.answer('set_key_enabled', { connectionId, keyId, enabled, ...withContext(context) }, () => {
      const key = this.keyOf(connectionId, keyId);
      key.status = enabled ? 'active' : 'disabled';
      const done = enabled ? 'Enabled the key.' : 'Disabled the key.';
      this.record(connectionId, key, enabled ? 'enable' : 'disable', context && { context, done });
      return key;
    }, operationId);

  cancelOperation = (operationId: string) =>
    this.answer('cancel_operation', { operationId }, () => {
      const cancel = this.running.get(operationId);
      cancel?.();
      return cancel !== undefined;
    });

  unfinishedCreates = () => this.answer('unfinished_creates', {}, () => this.unfinished);

  checkUnfinishedCreate = (operationId: string) =>
    this.answer('check_unfinished_create', { operationId }, (): OrphanCheck => {
      const unfinished = this.unfinished.find((u) => u.operation_id === operationId);
      if (!unfinished) throw appError('not_found', 'This create was already checked.');
      this.unfinished = this.unfinished.filter((u) => u !== unfinished);
      const key = this.keysOf(unfinished.connection_id).find((k) => k.name === unfinished.key_name && k.status === 'active');
      if (key) {
        return {
          status: 'orphaned',
          connection_id: unfinished.connection_id,
          key,
          message: `The key \u201c${key.name}\u201d was created, but its secret never arrived. Revoke it and create a new one.`,
        };
      }
      return { status: 'nothing_created', message: `No new key named \u201c${unfinished.key_name}\u201d is listed: nothing was created.` };
    });

  findLeakedKey = (pasted: string) =>
    this.answer('find_leaked_key', { pasted }, (): LeakSearch => {
      const needle = pasted.trim();
      const result: LeakSearch = {
        matches: [],
        ambiguous: false,
        searched: [],
        unsearchable: [],
        failed: [],
        fingerprints_unchecked: null,
        paste_listed_key: [],
      };
      const searched: Connection[] = [];
      for (const c of this.connections) {
        const broken = this.brokenConnections.get(c.id);
        if (broken) {
          result.failed.push({ connection_id: c.id, error: broken });
          continue;
        }
        searched.push(c);
        result.searched.push(c.id);
      }
      // As core: one key of one provider account is one match, however many connections list it.
      const accountOf = (c: Connection) => [c.provider, c.base_url, c.org_id ?? '', c.project_id ?? ''].join('|');
      const found: { account: string; match: LeakMatch }[] = [];
      const add = (c: Connection, key: Key, secretField: string | null, listed: boolean) => {
        const same = found.find((f) => f.account === accountOf(c) && f.match.key.id === key.id);
        if (same) {
          if (secretField) Object.assign(same.match, { found_by: 'fingerprint', secret_field: secretField });
          return;
        }
        const found_by = secretField ? 'fingerprint' : 'listed';
        const match: LeakMatch = {
          connection_id: c.id,
          connection_name: c.name,
          connections: [],
          key: clone(key),
          found_by,
          secret_field: secretField,
          listed,
        };
        found.push({ account: accountOf(c), match });
      };
      for (const c of searched) {
        // As core: keys listed without any part of the key can never match by their listing.
        const listed = this.keysOf(c.id).filter((k) => k.masked.includes('…'));
        if (listed.length === 0 && this.keysOf(c.id).length > 0) result.unsearchable.push(c.id);
        for (const key of listed) {
          const [prefix, last4] = key.masked.split('…');
          if (needle.length > prefix.length + last4.length && needle.startsWith(prefix) && needle.endsWith(last4)) {
            add(c, key, null, true);
          }
        }
      }
      if (this.fingerprintsUnchecked) {
        result.fingerprints_unchecked = this.fingerprintsUnchecked;
      } else {
        // The mock keeps its fake secrets; the app compares HMAC fingerprints instead.
        for (const r of this.remembered.filter((r) => r.value === needle)) {
          const c = searched.find((s) => s.id === r.connection_id);
          if (!c) continue;
          const key = this.keysOf(c.id).find((k) => k.id === r.key.id);
          add(c, key ?? { ...r.key, status: 'revoked' }, r.field, key !== undefined);
        }
      }
      for (const { account, match } of found) {
        const listing = searched.filter((c) => accountOf(c) === account && this.keysOf(c.id).some((k) => k.id === match.key.id));
        const connections = listing.length > 0 ? listing : searched.filter((c) => c.id === match.connection_id);
        match.connections = connections.map((c) => ({ connection_id: c.id, connection_name: c.name }));
        match.connection_id = match.connections[0].connection_id;
        match.connection_name = match.connections[0].connection_name;
        result.matches.push(match);
      }
      result.ambiguous = result.matches.length > 1;
      if (result.matches.length > 0) {
        result.unsearchable = [];
        result.failed = [];
        result.fingerprints_unchecked = null;
      } else if (/^[A-Za-z0-9]{32,64}$/.test(needle)) {
        // As fiskaly declares its API secret: letters and digits, never listed.
        result.paste_listed_key = searched.filter((c) => KEY_LOOKS[c.provider].apiSecret).map((c) => c.id);
      }
      this.recordLeakSearch(needle, result);
      return result;
    });

  copyText = (text: string) =>
    this.answer('copy_text', { text }, () => {
      this.copiedText = text;
      return null;
    });

  pendingReveals = () =>
    this.answer('pending_reveals', {}, () => [...this.reveals.values()].map((r) => r.reveal));

  revealSecret = (revealId: string, index: number) =>
    this.answer('reveal_secret', { revealId, index }, () => this.plaintextOf(revealId, index));

  copySecret = (revealId: string, index: number) =>
    this.answer('copy_secret', { revealId, index }, (): CopyResult => {
      this.plaintextOf(revealId, index);
      const secs = this.settings.clipboard_clear_secs;
      const clears_at = secs === null ? null : new Date(Date.now() + secs * 1000).toISOString();
      queueMicrotask(() => this.emitClipboard({ state: 'copied', reveal_id: revealId, clears_at }));
      if (secs !== null) {
        setTimeout(() => this.emitClipboard({ state: 'cleared', reveal_id: revealId, clears_at: null }), secs * 1000);
      }
      return { clears_at };
    });

  acknowledgeReveal = (revealId: string) =>
    this.answer('acknowledge_reveal', { revealId }, () => {
      this.reveals.delete(revealId);
      return null;
    });

  exportInventory = (format: 'csv' | 'json') =>
    this.answer('export_inventory', { format }, () => `/home/demo/Documents/keydesk-inventory.${format}`);

  getSettings = () => this.answer('get_settings', {}, () => this.settings);

  saveSettings = (settings: Settings) =>
    this.answer('save_settings', { settings }, () => {
      const secs = settings.clipboard_clear_secs;
      const { min, max } = CLIPBOARD_CLEAR_SECS;
      if (secs !== null && (secs < min || secs > max)) {
        throw appError('validation', `Choose between ${min} and ${max} seconds, or off.`, { field: 'clipboard_clear_secs' });
      }
      const reminder = settings.reminder_minutes;
      if (reminder != null && !(Number.isInteger(reminder) && reminder >= REMINDER_MINUTES.min && reminder <= REMINDER_MINUTES.max)) {
        const { min: low, max: high } = REMINDER_MINUTES;
        throw appError('validation', `Check for attention every ${low} to ${high} minutes, or turn reminders off.`, {
          field: 'reminder_minutes',
        });
      }
      const shortcut = settings.leak_shortcut;
      if (shortcut != null && !/^(?=.*\b(ctrl|control|alt|super)\+)([a-z]+\+)+[a-z0-9]+$/i.test(shortcut.trim())) {
        throw appError('validation', `“${shortcut}” is not a shortcut Keydesk can use: hold Ctrl, Alt or Super with one key, e.g. Ctrl+Alt+K.`, {
          field: 'leak_shortcut',
        });
      }
      this.settings = clone(settings);
      return this.settings;
    });

  listActivity = (limit: number) => this.answer('list_activity', { limit }, () => this.activity.slice(0, limit));

  exportActivity = () => this.answer('export_activity', {}, () => '/home/demo/Documents/keydesk-activity.csv');

  /** What the native save dialog answers next: a path, or null as if cancelled. */
  savePath: string | null = '/home/demo/Downloads/keydesk-export';

  saveActivityExport = () =>
    this.answer('save_activity_export', {}, () => (this.savePath === null ? null : `${this.savePath}.csv`));

  exportIncidentReport = (entryId: string | null) =>
    this.answer('export_incident_report', { entryId }, (): IncidentReportFiles | null => {
      const anchor = entryId === null
        ? this.activity.find((a) => a.action === 'find_leaked_key')
        : this.activity.find((a) => a.entry_id === entryId);
      if (!anchor) throw appError('not_found', 'There is no incident to report in the activity log.');
      if (this.savePath === null) return null;
      return { markdown: `${this.savePath}.md`, json: `${this.savePath}.json` };
    });

  startupNotices = () => this.answer('startup_notices', {}, () => this.notices);

  attention = (refresh: boolean, operationId?: string) =>
    this.answer('attention', { refresh }, () => this.judge(refresh), operationId);

  keyAnnotations = (connectionId: string) =>
    this.answer('key_annotations', { connectionId }, () => {
      this.keysOf(connectionId);
      return this.annotations.get(connectionId) ?? {};
    });

  setAnnotation = (connectionId: string, keyId: string, annotation: Annotation) =>
    this.answer('set_annotation', { connectionId, keyId, annotation }, (): Annotation => {
      const invalid = validateAnnotation(annotation);
      if (invalid) throw appError('validation', invalid.message, { field: invalid.field });
      const key = this.keyOf(connectionId, keyId);
      const { [keyId]: _old, ...rest } = this.annotations.get(connectionId) ?? {};
      const stored = fullAnnotation(annotation);
      this.annotations.set(connectionId, isEmptyAnnotation(stored) ? rest : { ...rest, [keyId]: stored });
      this.record(connectionId, key, 'annotate');
      return stored;
    });

  dismissFinding = (connectionId: string, keyId: string, rule: Rule, snoozeDays: number | null) =>
    this.answer('dismiss_finding', { connectionId, keyId, rule, snoozeDays }, () => {
      if (snoozeDays !== null && snoozeDays !== 7 && snoozeDays !== 30) {
        throw appError('validation', 'Snooze a finding for 7 or 30 days, or mark it reviewed.', { field: 'snooze_days' });
      }
      // A `disappeared` finding names a key no longer listed: it is dismissed all the same.
      const key = this.keysOf(connectionId).find((k) => k.id === keyId) ?? { id: keyId, name: keyId };
      this.dismissals = this.dismissals.filter((d) => !(d.connectionId === connectionId && d.keyId === keyId && d.rule === rule));
      this.dismissals.push({ connectionId, keyId, rule, until: snoozeDays === null ? null : Date.now() + snoozeDays * DAY });
      this.record(connectionId, key, snoozeDays === null ? 'review' : 'snooze');
      return null;
    });

  onClipboard = this.clipboardEvent.listen;

  onInventoryProgress = this.progressEvent.listen;

  onReplaceProgress = this.replaceEvent.listen;

  onAttentionChecked = this.attentionCheckedEvent.listen;

  onOpenFinding = this.openFindingEvent.listen;
  onOpenLeakedKey = this.openLeakedKeyEvent.listen;

  // ---- internals -----------------------------------------------------------------------

  private async answer<T>(command: string, args: Record<string, unknown>, run: () => T, operationId?: string): Promise<T> {
    this.calls.push({ command, args: clone(args) });
    if (operationId !== undefined && this.held.delete(command)) {
      await new Promise<void>((_, reject) => {
        this.running.set(operationId, () => {
          this.running.delete(operationId);
          reject(appError('cancelled', 'Cancelled: Keydesk stopped waiting for the answer.'));
        });
      });
    }
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    else await Promise.resolve();
    const failure = this.failures.get(command)?.shift();
    if (failure) throw clone(failure);
    const connectionId = args.connectionId as string | undefined;
    if (connectionId && this.brokenConnections.has(connectionId)) throw clone(this.brokenConnections.get(connectionId));
    return clone(run());
  }

  private keysOf(connectionId: string): Key[] {
    const keys = this.keys.get(connectionId);
    if (!keys) throw appError('not_found', 'That connection no longer exists.');
    return keys;
  }

  private keyOf(connectionId: string, keyId: string): Key {
    const key = this.keysOf(connectionId).find((k) => k.id === keyId);
    if (!key) throw appError('not_found', 'That key no longer exists.', { request_id: 'req_mock_404' });
    return key;
  }

  private capsOf(connectionId: string): Capabilities {
    const c = this.connections.find((x) => x.id === connectionId);
    const caps = c && this.capabilities.find((x) => x.provider === c.provider);
    if (!caps) throw appError('not_found', 'That connection no longer exists.');
    return caps;
  }

  /** The attention report the app answers: `refresh` lists every connection again first. */
  private judge(refresh: boolean): AttentionReport {
    const now = Date.now();
    const report: AttentionReport = { items: [], checked_at: null, failures: [] };
    const findings: Finding[] = [];
    let oldest = Infinity;
    for (const c of this.connections) {
      const broken = this.brokenConnections.get(c.id);
      if (broken) {
        report.failures.push({ connection_id: c.id, connection_name: c.name, error: broken });
        continue;
      }
      // As the app: judge the last list, listing only connections never listed (or all on refresh).
      const listed = refresh ? now : (this.listedAt.get(c.id) ?? now);
      this.listedAt.set(c.id, listed);
      oldest = Math.min(oldest, listed);
      const annotations = this.annotations.get(c.id) ?? {};
      findings.push(...findingsOf(c.id, this.capsOf(c.id), this.keysOf(c.id), annotations, now).filter((f) => !this.dismissed(f, now)));
    }
    report.checked_at = Number.isFinite(oldest) ? new Date(oldest).toISOString() : null;
    // Findings come from these connections, so each has one.
    report.items = sortFindings(findings).flatMap((finding) => {
      const connection = this.connections.find((c) => c.id === finding.connection_id);
      if (!connection) return [];
      const key = this.keysOf(finding.connection_id).find((k) => k.id === finding.key_id);
      const item = {
        finding,
        connection_name: connection.name,
        provider: connection.provider,
        last_used_at: key?.last_used_at ?? null,
        owner: ownerOf(this.annotations.get(finding.connection_id)?.[finding.key_id]),
      };
      return [item];
    });
    return report;
  }

  private dismissed(finding: { connection_id: string; key_id: string; rule: Rule }, now: number): boolean {
    return this.dismissals.some(
      (d) =>
        d.connectionId === finding.connection_id &&
        d.keyId === finding.key_id &&
        d.rule === finding.rule &&
        (d.until === null || d.until > now),
    );
  }

  private revokeInPlace(key: Key): void {
    key.status = 'revoked';
    key.revoked_at = new Date().toISOString();
  }

  private record(
    connectionId: string,
    key: Pick<Key, 'id' | 'name'> & Partial<Pick<Key, 'masked'>>,
    action: string,
    incident?: { context: IncidentContext; done: string; successor?: Key },
  ): void {
    const c = this.connections.find((x) => x.id === connectionId);
    const at = new Date().toISOString();
    const requestId = `req_mock_${this.nextId++}`;
    this.activity.unshift({
      at,
      user: 'demo',
      connection_id: connectionId,
      connection_name: c?.name ?? null,
      key_id: key.id,
      key_name: key.name,
      action,
      result: 'ok',
      request_id: requestId,
      error_kind: null,
      operation_id: null,
      subject: 'user_admin',
      key_masked: key.masked ?? null,
      detail: incident?.done ?? null,
      entry_id: `entry_${this.nextId++}`,
      incident: incident
        ? {
            context: incident.context,
            done: incident.done,
            request_ids: [requestId],
            started_at: at,
            successor_key_id: incident.successor?.id ?? null,
            successor_key_name: incident.successor?.name ?? null,
          }
        : null,
      leak: null,
    });
  }

  /** As the app: the search's entry names the pasted key (masked) and what it found. */
  private recordLeakSearch(pasted: string, result: LeakSearch): void {
    const masked = `${pasted.slice(0, 8)}…${pasted.slice(-4)}`;
    const matches = result.matches.map((m) => ({
      connection_id: m.connection_id,
      connection_name: m.connection_name,
      key_id: m.key.id,
      key_name: m.key.name,
      key_masked: m.key.masked,
    }));
    const [only] = matches.length === 1 ? matches : [];
    const found = matches.map((m) => `${m.connection_name} / ${m.key_name} (${m.key_masked})`).join('; ');
    this.activity.unshift({
      at: new Date().toISOString(),
      user: 'demo',
      connection_id: only?.connection_id ?? null,
      connection_name: only?.connection_name ?? null,
      key_id: only?.key_id ?? null,
      key_name: only?.key_name ?? null,
      action: 'find_leaked_key',
      result: 'ok',
      request_id: null,
      error_kind: null,
      operation_id: null,
      subject: null,
      key_masked: only?.key_masked ?? null,
      detail: found ? `${masked}: found ${found}` : `${masked}: no match in ${result.searched.length} connection(s)`,
      entry_id: `entry_${this.nextId++}`,
      incident: null,
      leak: { pasted_masked: masked, matches },
    });
  }

  private plaintextOf(revealId: string, index: number): string {
    const stored = this.reveals.get(revealId);
    const value = stored?.plaintext[index];
    if (value === undefined) throw appError('not_found', 'This secret is no longer held by Keydesk.');
    return value;
  }

  private storeReveal(connectionId: string, key: Key, withWebhook: boolean): PendingReveal {
    const provider = this.capsOf(connectionId).provider;
    const [prefix, last4] = key.masked.split('…');
    const body = this.randomText(24 - last4.length);
    const plaintext = [`${prefix}FAKE${body}${last4}`];
    const secrets = [{ label: 'API key', masked: key.masked }];
    if (KEY_LOOKS[provider].apiSecret) {
      const secret = `FAKEsecret${this.randomText(22)}`;
      plaintext.push(secret);
      secrets.push({ label: 'API secret', masked: `…${secret.slice(-4)}` });
    }
    if (withWebhook) {
      const secret = `whsec_FAKE${this.randomText(20)}`;
      plaintext.push(secret);
      secrets.push({ label: 'Webhook signing secret', masked: `whsec_…${secret.slice(-4)}` });
    }
    const reveal: PendingReveal = {
      reveal_id: `rv-${this.nextId++}`,
      connection_id: connectionId,
      key: clone(key),
      secrets,
      created_at: new Date().toISOString(),
    };
    this.reveals.set(reveal.reveal_id, { reveal, plaintext });
    secrets.forEach(({ label }, index) => {
      const field = label.toLowerCase().split(' ').join('_');
      this.remembered.push({ connection_id: connectionId, key: clone(key), field, value: plaintext[index] });
    });
    return reveal;
  }

  private randomText(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += ALNUM[Math.floor(this.random() * ALNUM.length)];
    return s;
  }

  private maskFor(provider: ProviderKind, env: Environment): string {
    const last4 = this.randomText(4);
    return KEY_LOOKS[provider].mask(env, last4, (length) => this.randomText(length));
  }

  private makeKey(provider: ProviderKind, name: string, env: Environment, createdMs: number): Key {
    const id = `${provider.slice(0, 3)}_${String(this.nextId++).padStart(6, '0')}`;
    return blankKey({
      id,
      name,
      masked: this.maskFor(provider, env),
      environment: env,
      created_at: new Date(createdMs).toISOString(),
    });
  }

  private generateKeys(provider: ProviderKind, count: number): Key[] {
    const caps = this.capabilities.find((c) => c.provider === provider);
    const scopeOptions = caps?.create_fields.find((f) => f.kind === 'scopes')?.options ?? [];
    const namePattern = caps?.create_fields.find((f) => f.name === 'name')?.pattern;
    const hasMetadata = caps?.create_fields.some((f) => f.kind === 'metadata') ?? false;
    const canDisable = caps?.actions.includes('disable') ?? false;
    const now = Date.now();
    const keys: Key[] = [];
    for (let i = 0; i < count; i++) {
      const env: Environment = this.random() < 0.4 ? 'live' : 'test';
      const reportsEnvironment = caps?.create_fields.some((f) => f.kind === 'environment') ?? true;
      const baseName = NAMES[i % NAMES.length];
      // A name pattern (lowercase slugs) gets slugs; other providers take the names as they are.
      const name = namePattern ? `${baseName.toLowerCase().replace(/\s+/g, '-')}-${i}` : i < NAMES.length ? baseName : `${baseName} ${i}`;
      const key = this.makeKey(provider, name, env, now - (i + 1) * 3.7 * DAY);
      key.scopes = scopeOptions.length ? scopeOptions.filter(() => this.random() < 0.5) : ['jobs:read', 'runs:write'].slice(0, i % 3);
      // As the providers' lists: no scopes where they have none, environments of their own
      // where there is no live or test.
      if (caps?.listed.scopes === 'never') key.scopes = [];
      if (!reportsEnvironment) key.environment = null;
      if (caps?.environment_metadata) key.metadata = { [caps.environment_metadata]: i % 4 === 3 ? 'env_staging' : 'env_prod' };
      if (caps?.tracks_last_used) {
        const r = this.random();
        if (r < 0.2) key.last_used_at = null;
        else if (r < 0.35) key.last_used_at = new Date(now - (95 + i) * DAY).toISOString();
        else key.last_used_at = new Date(now - Math.floor(this.random() * 72) * 3_600_000).toISOString();
        if (key.last_used_at && caps.tracks_last_used_ip) key.last_used_ip = `203.0.113.${(i * 7) % 250}`;
      }
      if (hasMetadata) key.metadata = { team: i % 2 ? 'billing' : 'platform' };
      if (i % 9 === 3 && caps?.listed.expires_at !== 'never') key.expires_at = new Date(now + (5 + i) * DAY).toISOString();
      if (i % 6 === 5) {
        key.status = 'revoked';
        key.revoked_at = new Date(now - 2 * DAY).toISOString();
      } else if (canDisable && i % 6 === 4) {
        key.status = 'disabled';
      } else if (caps?.rotate_grace && i === 1) {
        key.status = 'rotating';
        key.rotation = {
          replaced_by: `${provider.slice(0, 3)}_replacement`,
          grace_expires_at: new Date(now + 45 * 60_000).toISOString(),
          interval_days: 30,
          next_rotation_at: null,
          webhook_url: null,
        };
      }
      keys.push(key);
    }
    if (caps?.single_active_key) {
      // One active key per organisation: everything but the newest is revoked.
      keys.forEach((k, i) => {
        if (i > 0 && k.status === 'active') this.revokeInPlace(k);
      });
    }
    return keys;
  }
}
