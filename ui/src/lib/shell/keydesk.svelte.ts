import { getContext, setContext } from 'svelte';
import { toAppError, type Backend, type Unsubscribe } from '../ipc/backend';
import type {
  Annotation,
  AppError,
  AttentionReport,
  Capabilities,
  Connection,
  CreateResult,
  Finding,
  IncidentContext,
  InventoryProgress,
  Key,
  KeyDraft,
  LeakSearch,
  OpenFinding,
  PendingReveal,
  ReplaceOptions,
  ReplaceProgress,
  ReplaceResult,
  ScheduledRevoke,
  Settings,
  UnfinishedCreate,
} from '../ipc/types';
import { Toasts } from '../components/toasts.svelte';
import { backendContextEntry } from '../ipc/context';
import { afterNextPaint } from '../frames';
import { prepareSearch } from '../keys/keyList';
import { fullAnnotation, isEmptyAnnotation } from '../attention/annotation';

export interface KeyList {
  status: 'loading' | 'ready' | 'error';
  keys: Key[];
  error: AppError | null;
  progress: InventoryProgress | null;
  /**
   * Set while `keys` are the last known list from an earlier run (`last_inventory`), not one
   * listed now: when it was taken. Cleared once the fresh list is in.
   */
  asOf?: string | null;
}

/**
 * How long a start waits for the open connection's keys before showing the app without them,
 * and, when it shows the last known keys, for their frame before listing them again (a hidden
 * window paints no frames).
 */
export const startupTiming = { firstListWaitMs: 300, paintWaitMs: 250 };

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type View = 'keys' | 'attention' | 'activity' | 'settings' | 'connection';

/** The Attention view's report: `idle` until first asked for, then kept while it is judged again. */
export interface AttentionState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  report: AttentionReport | null;
  error: AppError | null;
}

/**
 * The finding a reminder opened: `looking` while the report is read for it, `found` when the
 * Attention view lists it (the view focuses and highlights its row), `missing` when it is no
 * longer open.
 */
export interface OpenedFinding {
  finding: OpenFinding;
  status: 'looking' | 'found' | 'missing';
}

/** Whether `finding` is the finding `target` names (a key has one finding per rule). */
function isFinding(finding: OpenFinding, target: OpenFinding): boolean {
  return finding.connection_id === target.connection_id && finding.key_id === target.key_id && finding.rule === target.rule;
}

/** Annotations of one connection's keys, by key id. */
export type Annotations = Partial<Record<string, Annotation>>;

/** A finding that could not be snoozed or marked reviewed, and why. */
export interface DismissFailure {
  finding: Finding;
  error: AppError;
}

export interface Orphan {
  connectionId: string;
  key: Key | null;
  message: string;
}

/** An operation the app waits for: what it waits for, since when, and its id for Cancel. */
export interface Wait {
  operationId: string;
  /** Who answers: the provider's display name, for "Waiting for …". */
  waitingFor: string;
  startedAt: number;
}

/** A fresh id for one operation (the Rust side keys its Cancel by it). */
export function newOperationId(): string {
  return `op-${crypto.randomUUID()}`;
}

/** Whether `reason` is the rejection of an operation the user cancelled. */
export function wasCancelled(reason: unknown): boolean {
  return toAppError(reason).kind === 'cancelled';
}

/**
 * The app's shared state: what the backend told us, which connection is open, and the
 * reveal queue. Lists are replaced, never mutated, so 10,000 keys stay cheap to track.
 */
export class Keydesk {
  capabilities = $state.raw<Capabilities[]>([]);
  connections = $state.raw<Connection[]>([]);
  lists = $state.raw<Record<string, KeyList>>({});
  selectedId = $state<string | null>(null);
  view = $state<View>('keys');
  /** The connection open in the connection form; null = adding a new one. */
  editing = $state.raw<Connection | null>(null);
  settings = $state.raw<Settings>({ clipboard_clear_secs: 30, theme: 'system', reminder_minutes: 15 });
  /** Secrets waiting for "I have stored it"; the first one is on screen. */
  reveals = $state.raw<PendingReveal[]>([]);
  orphans = $state.raw<Orphan[]>([]);
  notices = $state.raw<string[]>([]);
  /** Operations running now, oldest first (the wait notice shows the newest). */
  waits = $state.raw<Wait[]>([]);
  /** The last `replace-progress` of each running replace, by operation id. */
  replaceProgress = $state.raw<Record<string, ReplaceProgress>>({});
  /** The running operations the wait notice shows: not one whose dialog counts its wait down
   * itself (a replace waiting out a create limit), so a wait has one counter and one Cancel. */
  get waitsToShow(): Wait[] {
    return this.waits.filter((wait) => this.replaceProgress[wait.operationId]?.step !== 'waiting');
  }
  /** Revokes a replace scheduled for later ("Revokes at HH:MM"). */
  scheduledRevokes = $state.raw<ScheduledRevoke[]>([]);
  /** Creates and rotates a quit cut off (or the user cancelled), not checked yet. */
  unfinished = $state.raw<UnfinishedCreate[]>([]);
  started = $state(false);
  startError = $state.raw<AppError | null>(null);
  attention = $state.raw<AttentionState>({ status: 'idle', report: null, error: null });
  /** The finding the last clicked reminder opened, until the Attention view is left. */
  openedFinding = $state.raw<OpenedFinding | null>(null);
  /**
   * The Leaked key dialog's last search and what it revoked, while the dialog is open: a
   * dialog in front of it (a replace's reveal) unmounts it, and it comes back as it was.
   */
  leakSearch = $state.raw<{ result: LeakSearch; searchedAt: Date; revoked: Record<string, Key | null> } | null>(null);
  /** How often the Leaked key shortcut was pressed: each press asks the shell to open Leaked key. */
  leakShortcutPresses = $state(0);
  /** Owner, note and tags by connection; a connection is absent until its were read. */
  annotations = $state.raw<Record<string, Annotations>>({});
  /** Why a connection's annotations could not be read, by connection id. */
  annotationErrors = $state.raw<Record<string, AppError>>({});
  /** Whether the keys table shows the owner column (off by default). */
  showOwnerColumn = $state(false);
  readonly toasts = new Toasts();

  private unsubscribe: Unsubscribe[] = [];
  /** Whether every event is subscribed to (a start that failed to subscribe tries again). */
  private listening = false;
  /** Counts attention requests, so only the newest answer is shown. */
  private attentionRuns = 0;
  private attentionQueued = false;

  constructor(readonly backend: Backend) {}

  selected = $derived(this.connections.find((c) => c.id === this.selectedId) ?? null);

  /** Findings shown in the Attention view, per connection id (the sidebar's badges). */
  findingCounts = $derived.by(() => {
    const counts: Record<string, number> = {};
    for (const item of this.attention.report?.items ?? []) {
      counts[item.finding.connection_id] = (counts[item.finding.connection_id] ?? 0) + 1;
    }
    return counts;
  });

  async start(): Promise<void> {
    this.startError = null;
    try {
      const listening = this.listening ? Promise.resolve() : this.listen();
      // The notices wait for the sandbox's keyring writes: they show when they come, and the
      // start does not wait for them.
      void this.backend.startupNotices().then(
        (notices) => (this.notices = notices),
        (reason) => (this.notices = [...this.notices, `Keydesk could not read its startup notices: ${toAppError(reason).message}`]),
      );
      void this.backend.unfinishedCreates().then(
        (unfinished) => (this.unfinished = unfinished),
        () => undefined,
      );
      void this.loadScheduledRevokes();
      const rest = Promise.all([this.backend.providerCapabilities(), this.backend.getSettings(), this.backend.pendingReveals()]);
      // The open connection's keys as an earlier run last listed them: shown with the first
      // frame, marked "as of", while they are listed again. Without them (a first run) the
      // start goes on as before.
      const lastKnown = this.backend.lastInventory().catch(() => null);
      // Both are awaited below; a failure before then is reported there.
      listening.catch(() => undefined);
      rest.catch(() => undefined);
      const [connections, last] = await Promise.all([this.backend.listConnections(), lastKnown]);
      // The start-* marks time its steps for the benchmarks (tests/e2e/bench/floor.mjs).
      performance.mark('start-connections');
      await listening;
      performance.mark('start-listening');
      const shown = last !== null && last.connection_id === connections[0]?.id;
      if (shown) {
        this.setList(last.connection_id, { status: 'loading', keys: last.keys, error: null, progress: null, asOf: last.taken_at });
      }
      const open = connections[0]?.id;
      const listOpen = () => (open === undefined ? Promise.resolve() : this.loadKeys(open));
      // Without the last known keys, the open connection's list is what the first frame waits
      // for: it is asked for as soon as the connections are known.
      let first = shown ? null : listOpen();
      const [capabilities, settings, reveals] = await rest;
      performance.mark('start-rest');
      this.capabilities = capabilities;
      this.connections = connections;
      this.settings = settings;
      this.reveals = reveals;
      this.selectedId = connections[0]?.id ?? null;
      this.view = 'keys';
      // A list that comes soon shows in the window's first full frame, instead of a frame of
      // "loading" that costs as much to draw as the keys; a slow one shows after. With the
      // last known keys there is nothing to wait for: they are that frame.
      if (first) await Promise.race([first, delay(startupTiming.firstListWaitMs)]);
      this.started = true;
      // With the last known keys, the fresh list is asked for once they are on screen: its
      // answer (and the embedded sandbox's start behind it) would otherwise take the first
      // frame's time, and the keys would show later than without a snapshot.
      first ??= Promise.race([new Promise<void>((painted) => afterNextPaint(painted)), delay(startupTiming.paintWaitMs)]).then(listOpen);
      // The other connections load in the background so the sidebar can show their counts, once
      // the open one is in (or after a second): taking in their lists meanwhile delays its
      // first paint.
      await Promise.race([first, delay(1_000)]);
      const others = connections.slice(1).map((c) => this.loadKeys(c.id));
      await first;
      // Judged once every list is in, so the app lists nothing twice for it.
      void Promise.all(others).then(() => this.loadAttention(false));
    } catch (reason) {
      this.startError = toAppError(reason);
    }
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.listening = false;
  }

  /** Keeps the shell's HTML for the next start's first frame; a failure only costs that frame. */
  saveStartFrame(html: string): void {
    this.backend.saveStartFrame(html).catch(() => undefined);
  }

  /** Subscribes to the app's events; rejects with the first subscription that failed. */
  private async listen(): Promise<void> {
    // What a failed start subscribed to goes first, so nothing is subscribed twice.
    this.stop();
    const subscriptions = await Promise.allSettled([
      this.backend.onInventoryProgress((p) => this.onProgress(p)),
      this.backend.onAttentionChecked(({ report }) => this.attentionChecked(report)),
      this.backend.onReplaceProgress((p) => {
        if (p.operation_id) this.replaceProgress = { ...this.replaceProgress, [p.operation_id]: p };
      }),
      this.backend.onOpenFinding((finding) => void this.openFinding(finding)),
      this.backend.onOpenLeakedKey(() => this.leakShortcutPresses++),
    ]);
    for (const s of subscriptions) if (s.status === 'fulfilled') this.unsubscribe.push(s.value);
    const failed = subscriptions.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    this.listening = true;
  }

  capsFor(connection: Connection | null): Capabilities | null {
    return connection ? (this.capabilities.find((c) => c.provider === connection.provider) ?? null) : null;
  }

  connectionName(id: string): string {
    return this.connections.find((c) => c.id === id)?.name ?? id;
  }

  /** Opens a connection's keys; resolves once they are loaded (or failed). */
  async select(id: string): Promise<void> {
    this.selectedId = id;
    this.view = 'keys';
    if (!this.lists[id]) await this.loadKeys(id);
  }

  async loadKeys(connectionId: string): Promise<void> {
    const previous = this.lists[connectionId];
    const asOf = previous?.asOf ?? null;
    this.setList(connectionId, { status: 'loading', keys: previous?.keys ?? [], error: null, progress: null, asOf });
    try {
      // Benchmarks read these marks: the request, and the list's arrival in the UI.
      performance.mark(`keys-requested:${connectionId}`);
      const keys = await this.track(this.waitingFor(connectionId), (id) => this.backend.listKeys(connectionId, id));
      performance.mark(`keys-received:${connectionId}`);
      this.setList(connectionId, { status: 'ready', keys, error: null, progress: null });
      prepareSearch(keys);
      this.attentionChanged();
    } catch (reason) {
      if (wasCancelled(reason) && previous && previous.status !== 'loading') {
        // Back to what was shown before the refresh.
        this.setList(connectionId, previous);
        this.toasts.show('Cancelled: the list was not refreshed.');
        return;
      }
      // The keys shown are still the last known ones: their mark stays.
      this.setList(connectionId, { status: 'error', keys: previous?.keys ?? [], error: toAppError(reason), progress: null, asOf });
    }
  }

  /** Who answers for a connection, for "Waiting for …": its provider, else its name. */
  waitingFor(connectionId: string): string {
    const connection = this.connections.find((c) => c.id === connectionId) ?? null;
    return this.capsFor(connection)?.display_name ?? connection?.name ?? 'the provider';
  }

  /**
   * Runs one long operation under a fresh operation id, listed in `waits` while it runs so
   * the wait notice can show it and Cancel it. Rejects as `run` does (kind `cancelled` after
   * Cancel).
   */
  async track<T>(waitingFor: string, run: (operationId: string) => Promise<T>): Promise<T> {
    const wait: Wait = { operationId: newOperationId(), waitingFor, startedAt: Date.now() };
    this.waits = [...this.waits, wait];
    try {
      return await run(wait.operationId);
    } finally {
      this.waits = this.waits.filter((w) => w !== wait);
    }
  }

  /** `track` for an operation on one connection: the wait notice names its provider. */
  trackOn<T>(connectionId: string, run: (operationId: string) => Promise<T>): Promise<T> {
    return this.track(this.waitingFor(connectionId), run);
  }

  /** A cancelled create or rotate may have made a key: say so and look for it. */
  async createCancelled(operationId: string, connectionId: string): Promise<void> {
    this.toasts.show('Cancelled. Checking whether the key was created anyway…');
    await this.checkUnfinished(operationId, connectionId);
  }

  /** Cancels a waiting operation; its caller gets the `cancelled` rejection. Rejects when the
   * cancel itself fails (the wait notice shows why, next to its Cancel). */
  async cancel(wait: Wait): Promise<void> {
    await this.backend.cancelOperation(wait.operationId);
  }

  /**
   * The orphan check of a create that may have happened (Keydesk quit during it, or it was
   * cancelled): the orphan dialog when a key was made, a note when nothing was. Resolves once
   * the check is done; a check that fails says so and stays on offer.
   */
  async checkUnfinished(operationId: string, connectionId: string): Promise<void> {
    try {
      const result = await this.backend.checkUnfinishedCreate(operationId);
      // "Not yet": the service may still be making the key, so the check stays on offer.
      if (result.status !== 'not_yet') this.unfinished = this.unfinished.filter((u) => u.operation_id !== operationId);
      if (result.status === 'orphaned') {
        this.putKey(connectionId, result.key);
        this.showOrphan({ connectionId: result.connection_id, key: result.key, message: result.message });
      } else {
        this.toasts.show(result.message);
      }
    } catch (reason) {
      this.toasts.show(`Keydesk could not check for the key: ${toAppError(reason).message}`);
      this.backend.unfinishedCreates().then(
        (unfinished) => (this.unfinished = unfinished),
        () => undefined,
      );
    }
  }

  /**
   * Creates a key and puts the key the backend answers in the list. A create that replaced the
   * active key reads the list again in the background, so the replaced key shows as the provider
   * has it; the new key keeps the masked preview only the create answered. Resolves with the
   * backend's answer; rejects with the create's AppError, after starting that re-read for a
   * replace (it may have revoked the active key before failing).
   */
  async createKey(connectionId: string, draft: KeyDraft, replaceActive: boolean, operationId?: string): Promise<CreateResult> {
    let result: CreateResult;
    try {
      result = await this.backend.createKey(connectionId, draft, replaceActive, operationId);
    } catch (reason) {
      if (replaceActive) void this.loadKeys(connectionId);
      throw reason;
    }
    const key = result.status === 'created' ? result.reveal.key : result.key;
    if (!key) return result;
    if (replaceActive && result.status === 'created') void this.loadKeys(connectionId).then(() => this.putKey(connectionId, key));
    else this.putKey(connectionId, key);
    return result;
  }

  /**
   * Rotates a key and reads the list again in the background, so both the replaced key and its
   * successor show as the provider has them. Resolves with the successor's reveal; rejects with
   * the rotate's AppError.
   */
  async rotateKey(
    connectionId: string,
    keyId: string,
    graceMinutes: number | null,
    operationId?: string,
    context?: IncidentContext,
  ): Promise<PendingReveal> {
    const reveal = await this.backend.rotateKey(connectionId, keyId, graceMinutes, operationId, context);
    void this.loadKeys(connectionId);
    return reveal;
  }

  /**
   * Replaces a key (see Backend.replaceKey) and reads the list again in the background, so
   * the old key and its successor show as the provider has them. Rejects with the AppError.
   */
  async replaceKey(
    connectionId: string,
    keyId: string,
    options: ReplaceOptions,
    operationId: string,
    context?: IncidentContext,
  ): Promise<ReplaceResult> {
    try {
      return await this.backend.replaceKey(connectionId, keyId, options, operationId, context);
    } finally {
      const { [operationId]: _done, ...running } = this.replaceProgress;
      this.replaceProgress = running;
      void this.loadKeys(connectionId);
      void this.loadScheduledRevokes();
    }
  }

  /** Reads the scheduled revokes again; a failure keeps the ones shown. */
  async loadScheduledRevokes(): Promise<void> {
    try {
      this.scheduledRevokes = await this.backend.scheduledRevokes();
    } catch {
      // The rows go on without "Revokes at"; the next replace or start reads them again.
    }
  }

  /** When `keyId` is scheduled to be revoked, if it is. */
  revokesAt(connectionId: string, keyId: string): string | null {
    return this.scheduledRevokes.find((s) => s.connection_id === connectionId && s.key_id === keyId)?.due_at ?? null;
  }

  /** Cancels the scheduled revoke of a key; rejects with the AppError. */
  async cancelScheduledRevoke(connectionId: string, keyId: string): Promise<void> {
    await this.backend.cancelScheduledRevoke(connectionId, keyId);
    await this.loadScheduledRevokes();
  }

  /** Searches every connection for a pasted key; rejects with the AppError. */
  findLeakedKey(pasted: string): Promise<LeakSearch> {
    return this.backend.findLeakedKey(pasted);
  }

  /** Copies text that holds no secret (an incident summary); rejects with the AppError. */
  async copyText(text: string): Promise<void> {
    await this.backend.copyText(text);
  }

  /** Saves the settings and keeps what the backend answers; rejects with the AppError. */
  async saveSettings(settings: Settings): Promise<Settings> {
    this.settings = await this.backend.saveSettings(settings);
    return this.settings;
  }

  /**
   * Revokes a key and puts the backend's answer in the list. A provider that answers no key
   * gets its list read again, so the list shows the key as the provider has it. Resolves with
   * that key, or null when the re-read list failed or no longer has it; rejects with the
   * revoke's AppError.
   */
  async revokeKey(connectionId: string, keyId: string, operationId?: string, context?: IncidentContext): Promise<Key | null> {
    const answered = await this.backend.revokeKey(connectionId, keyId, operationId, context);
    if (answered) {
      this.putKey(connectionId, answered);
      return answered;
    }
    await this.loadKeys(connectionId);
    const list = this.lists[connectionId];
    // A failed re-read keeps the keys shown before the revoke: not the key as it is now.
    return list?.status === 'ready' ? (list.keys.find((k) => k.id === keyId) ?? null) : null;
  }

  /** Deletes a key and takes it out of the list; rejects with the AppError. */
  async deleteKey(connectionId: string, keyId: string, operationId?: string): Promise<void> {
    await this.backend.deleteKey(connectionId, keyId, operationId);
    this.removeKey(connectionId, keyId);
  }

  /** Enables or disables a key and puts the backend's answer in the list; rejects with the AppError. */
  async setKeyEnabled(
    connectionId: string,
    keyId: string,
    enabled: boolean,
    operationId?: string,
    context?: IncidentContext,
  ): Promise<Key> {
    const key = await this.backend.setKeyEnabled(connectionId, keyId, enabled, operationId, context);
    this.putKey(connectionId, key);
    return key;
  }

  /** Puts `key` in place of the key with the same id, or first if it is new. */
  putKey(connectionId: string, key: Key): void {
    const list = this.lists[connectionId];
    if (!list) return;
    const index = list.keys.findIndex((k) => k.id === key.id);
    const keys = index >= 0 ? list.keys.map((k, i) => (i === index ? key : k)) : [key, ...list.keys];
    this.setList(connectionId, { ...list, keys });
    this.attentionChanged();
  }

  removeKey(connectionId: string, keyId: string): void {
    const list = this.lists[connectionId];
    if (list) this.setList(connectionId, { ...list, keys: list.keys.filter((k) => k.id !== keyId) });
    this.attentionChanged();
  }

  /**
   * Asks what needs attention across every connection: `refresh` lists every connection again
   * first (with the wait notice and its Cancel); otherwise the last lists are judged. The
   * report shown stays until the new one comes; a failure is kept in `attention.error`.
   */
  async loadAttention(refresh = false): Promise<void> {
    const run = ++this.attentionRuns;
    this.attention = { ...this.attention, status: 'loading', error: null };
    try {
      const report = refresh
        ? await this.track('your connections', (id) => this.backend.attention(true, id))
        : await this.backend.attention(false);
      if (run === this.attentionRuns) this.attention = { status: 'ready', report, error: null };
    } catch (reason) {
      if (run !== this.attentionRuns) return;
      // The report shown meanwhile: the one before, or a background check's that came since.
      const { report } = this.attention;
      if (wasCancelled(reason) && report) {
        this.attention = { status: 'ready', report, error: null };
        this.toasts.show('Cancelled: the connections were not checked again.');
        return;
      }
      this.attention = { status: 'error', report, error: toAppError(reason) };
    }
  }

  /**
   * A background check's report replaces the one shown, in place. A request already on its way
   * still answers after it, with the status it shows ("Checking…") kept until then.
   */
  attentionChecked(report: AttentionReport): void {
    this.attention = this.attention.status === 'loading' ? { ...this.attention, report } : { status: 'ready', report, error: null };
  }

  /**
   * Shows the finding a reminder names in the Attention view, reading the report first when the
   * one shown does not list it (`openedFinding` says whether it is still open).
   */
  async openFinding(finding: OpenFinding): Promise<void> {
    this.view = 'attention';
    const listed = () => this.attention.report?.items.some((i) => isFinding(i.finding, finding)) ?? false;
    const opened: OpenedFinding = { finding, status: listed() ? 'found' : 'looking' };
    this.openedFinding = opened;
    if (opened.status === 'found') return;
    await this.loadAttention(false);
    // A later reminder, or leaving the view, wins; a failed read leaves the error to say why.
    if (this.openedFinding !== opened || this.attention.status !== 'ready') return;
    this.openedFinding = { finding, status: listed() ? 'found' : 'missing' };
  }

  /** The Attention view was left: the opened finding is no longer highlighted. */
  closeOpenedFinding(): void {
    this.openedFinding = null;
  }

  /** After a change to keys or connections: judge again once per burst, if ever asked for. */
  private attentionChanged(): void {
    if (this.attention.status === 'idle' || this.attentionQueued) return;
    this.attentionQueued = true;
    queueMicrotask(() => {
      this.attentionQueued = false;
      void this.loadAttention(false);
    });
  }

  /**
   * Snoozes findings for `snoozeDays` (7 or 30) or marks them reviewed (null), one at a time,
   * then takes the report the backend judges after. Answers the findings that failed.
   */
  async dismissFindings(findings: Finding[], snoozeDays: number | null): Promise<DismissFailure[]> {
    const failed: DismissFailure[] = [];
    for (const finding of findings) {
      try {
        await this.backend.dismissFinding(finding.connection_id, finding.key_id, finding.rule, snoozeDays);
      } catch (reason) {
        failed.push({ finding, error: toAppError(reason) });
      }
    }
    await this.loadAttention(false);
    return failed;
  }

  /** Reads one connection's annotations; rejects with the AppError. */
  async loadAnnotations(connectionId: string): Promise<Annotations> {
    const annotations = await this.backend.keyAnnotations(connectionId);
    this.annotations = { ...this.annotations, [connectionId]: annotations };
    const { [connectionId]: _fixed, ...errors } = this.annotationErrors;
    this.annotationErrors = errors;
    return annotations;
  }

  /** Reads a connection's annotations unless they are known; a failure goes to `annotationErrors`. */
  async ensureAnnotations(connectionId: string): Promise<void> {
    if (this.annotations[connectionId]) return;
    try {
      await this.loadAnnotations(connectionId);
    } catch (reason) {
      this.annotationErrors = { ...this.annotationErrors, [connectionId]: toAppError(reason) };
    }
  }

  /**
   * Stores a key's owner, note and tags (an empty annotation removes them) and keeps what the
   * backend answers; the findings are judged again after. Rejects with the AppError (a
   * `validation` one names the field).
   */
  async setAnnotation(connectionId: string, keyId: string, annotation: Annotation): Promise<Annotation> {
    const stored = await this.backend.setAnnotation(connectionId, keyId, annotation);
    const known = this.annotations[connectionId];
    if (known) {
      const { [keyId]: _old, ...rest } = known;
      this.annotations = { ...this.annotations, [connectionId]: isEmptyAnnotation(stored) ? rest : { ...rest, [keyId]: stored } };
    } else {
      await this.loadAnnotations(connectionId).catch(() => undefined);
    }
    if (this.attention.status !== 'idle') await this.loadAttention(false);
    return stored;
  }

  /** Sets a key's owner, keeping its note and tags; rejects with the AppError. */
  async setOwner(connectionId: string, keyId: string, owner: string): Promise<Annotation> {
    const known = this.annotations[connectionId] ?? (await this.loadAnnotations(connectionId));
    return this.setAnnotation(connectionId, keyId, { ...fullAnnotation(known[keyId]), owner: owner.trim() || null });
  }

  showReveal(reveal: PendingReveal): void {
    this.reveals = [...this.reveals.filter((r) => r.reveal_id !== reveal.reveal_id), reveal];
  }

  revealClosed(revealId: string): void {
    this.reveals = this.reveals.filter((r) => r.reveal_id !== revealId);
  }

  showOrphan(orphan: Orphan): void {
    this.orphans = [...this.orphans, orphan];
  }

  orphanClosed(orphan: Orphan): void {
    this.orphans = this.orphans.filter((o) => o !== orphan);
  }

  connectionSaved(connection: Connection): void {
    const exists = this.connections.some((c) => c.id === connection.id);
    this.connections = exists
      ? this.connections.map((c) => (c.id === connection.id ? connection : c))
      : [...this.connections, connection];
    this.editing = null;
    this.selectedId = connection.id;
    this.view = 'keys';
    void this.loadKeys(connection.id);
  }

  connectionDeleted(id: string): void {
    this.connections = this.connections.filter((c) => c.id !== id);
    const { [id]: _gone, ...rest } = this.lists;
    this.lists = rest;
    this.attentionChanged();
    if (this.selectedId === id) {
      this.selectedId = null;
      if (this.connections.length > 0) void this.select(this.connections[0].id);
    }
    this.view = 'keys';
  }

  /**
   * Starts the built-in sandbox, adds its four connections and opens the first. Rejects with
   * the AppError; the connections are reloaded then too, since a missing keyring still lists
   * them (without credentials).
   */
  async startSandbox(): Promise<void> {
    let started: Connection[];
    try {
      started = await this.backend.startSandbox();
    } catch (reason) {
      this.connections = await this.backend.listConnections().catch(() => this.connections);
      throw toAppError(reason);
    }
    const fresh = new Map(started.map((c) => [c.id, c]));
    const kept = this.connections.filter((c) => !fresh.has(c.id));
    this.connections = [...kept, ...started];
    if (started.length === 0) return;
    for (const c of started.slice(1)) void this.loadKeys(c.id);
    this.selectedId = started[0].id;
    this.view = 'keys';
    await this.loadKeys(started[0].id);
  }

  editConnection(connection: Connection | null): void {
    this.editing = connection;
    this.view = 'connection';
  }

  private onProgress(progress: InventoryProgress): void {
    const list = this.lists[progress.connection_id];
    if (list?.status === 'loading') this.setList(progress.connection_id, { ...list, progress });
  }

  private setList(connectionId: string, list: KeyList): void {
    this.lists = { ...this.lists, [connectionId]: list };
  }
}

const KEYDESK = Symbol('keydesk');

export function provideKeydesk(desk: Keydesk): void {
  setContext(KEYDESK, desk);
}

/** Everything App puts in context, for mounting components in tests. */
export function keydeskContext(desk: Keydesk): Map<symbol, unknown> {
  return new Map<symbol, unknown>([backendContextEntry(desk.backend), [KEYDESK, desk]]);
}

export function useKeydesk(): Keydesk {
  const desk = getContext<Keydesk | undefined>(KEYDESK);
  if (!desk) throw new Error('No Keydesk in context');
  return desk;
}
