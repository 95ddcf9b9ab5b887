// Which columns the keys table shows: those the provider fills (from its capabilities, and for
// facts it lists only sometimes, from the keys at hand), then the user's choice per connection.

import type { Capabilities, Key, Listed } from '../ipc/types';
import type { SortColumn } from './keyList';

/** A column besides the checkbox and the name, which are always shown. */
export type ColumnId = Exclude<SortColumn, 'name'>;

export interface Column {
  id: ColumnId;
  label: string;
  /** Its width: at the default window (1200 px) every column fits beside the sidebar, and
   * the name takes what is left. */
  width: number;
}

/** The checkbox column's width. */
export const CHECK_WIDTH = 32;
/** The name column's least width; it takes every pixel the other columns leave. */
export const NAME_MIN_WIDTH = 120;
/** The owner column's width, when shown. */
export const OWNER_WIDTH = 112;

export const COLUMNS: readonly Column[] = [
  { id: 'masked', label: 'Key', width: 104 },
  { id: 'environment', label: 'Environment', width: 100 },
  { id: 'scopes', label: 'Scopes', width: 124 },
  { id: 'status', label: 'Status', width: 138 },
  { id: 'created_at', label: 'Created', width: 98 },
  { id: 'last_used_at', label: 'Last used', width: 88 },
  { id: 'expires_at', label: 'Expires', width: 126 },
];

/** The user's choice for one connection: columns shown or hidden against the default. */
export type ColumnChoice = Partial<Record<ColumnId, boolean>>;

/** How much of a column's fact the provider lists. */
export function listedOf(caps: Capabilities, id: ColumnId): Listed {
  switch (id) {
    case 'masked':
      return caps.listed.masked;
    case 'environment':
      return caps.listed.environment;
    case 'scopes':
      return caps.listed.scopes;
    case 'expires_at':
      return caps.listed.expires_at;
    case 'last_used_at':
      return caps.tracks_last_used ? 'always' : 'never';
    default:
      return 'always';
  }
}

/** The environment a key names in its metadata, where the provider has no live or test. */
export function environmentName(key: Key, caps: Capabilities): string | null {
  return caps.environment_metadata ? (key.metadata[caps.environment_metadata] ?? null) : null;
}

/**
 * What a masked key shows of the key, for its tooltip: a mask ending in "…" is the key's
 * beginning ("strait_ab12c…"), one with "…" inside its type and last four ("sk_live_…x9k2").
 */
export function maskTitle(masked: string, caps: Capabilities): string {
  if (!masked) return `${caps.display_name} does not list any part of this key.`;
  const at = masked.indexOf('…');
  if (at < 0) return masked;
  const head = masked.slice(0, at);
  const tail = masked.slice(at + 1);
  if (head && tail) return `Starts with ${head} and ends with ${tail}.`;
  if (head) return `Starts with ${head}: ${caps.display_name} lists only the beginning of a key.`;
  if (tail) return `Ends with ${tail}.`;
  return masked;
}

function filled(key: Key, id: ColumnId, caps: Capabilities): boolean {
  switch (id) {
    case 'masked':
      return key.masked !== '';
    case 'environment':
      return key.environment !== null || environmentName(key, caps) !== null;
    case 'scopes':
      return key.scopes.length > 0;
    case 'expires_at':
      return key.expires_at !== null;
    case 'last_used_at':
      return key.last_used_at !== null;
    default:
      return true;
  }
}

// Lists are replaced, never mutated: whether any key of a list fills a column holds until the
// list is replaced.
const anyFilled = new WeakMap<readonly Key[], Map<ColumnId, boolean>>();

function someKeyFills(keys: readonly Key[], id: ColumnId, caps: Capabilities): boolean {
  let known = anyFilled.get(keys);
  if (!known) anyFilled.set(keys, (known = new Map()));
  let answer = known.get(id);
  if (answer === undefined) {
    answer = keys.some((key) => filled(key, id, caps));
    known.set(id, answer);
  }
  return answer;
}

/** Whether `id` is shown when the user has not chosen: the provider always fills it, or it
 * fills it sometimes and a key of `keys` has it. */
export function shownByDefault(caps: Capabilities, keys: readonly Key[], id: ColumnId): boolean {
  const listed = listedOf(caps, id);
  return listed === 'always' || (listed === 'sometimes' && someKeyFills(keys, id, caps));
}

/** The columns to show, in order: the default for `caps` and `keys`, then `choice`. */
export function visibleColumns(caps: Capabilities, keys: readonly Key[], choice: ColumnChoice): Column[] {
  return COLUMNS.filter((column) => choice[column.id] ?? shownByDefault(caps, keys, column.id));
}

/** The grid's column tracks for `columns` (with the owner column last when `owner`). */
export function gridTracks(columns: readonly Column[], owner: boolean): string {
  const fixed = columns.map((column) => `${column.width}px`);
  return [`${CHECK_WIDTH}px`, `minmax(${NAME_MIN_WIDTH}px, 1fr)`, ...fixed, ...(owner ? [`${OWNER_WIDTH}px`] : [])].join(' ');
}

/** The least width of the row: narrower, the table scrolls sideways. */
export function rowMinWidth(columns: readonly Column[], owner: boolean): number {
  return CHECK_WIDTH + NAME_MIN_WIDTH + columns.reduce((sum, column) => sum + column.width, 0) + (owner ? OWNER_WIDTH : 0);
}

const STORAGE_PREFIX = 'keydesk.columns.';

// The choice is a view preference of this window: it lives in the webview's storage (kept
// across launches in the app's data folder), not in the settings file the backend validates.
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** The columns the user chose for a connection; none chosen when storage is unavailable. */
export function loadColumnChoice(connectionId: string): ColumnChoice {
  try {
    const text = storage()?.getItem(STORAGE_PREFIX + connectionId);
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (typeof parsed !== 'object' || parsed === null) return {};
    const choice: ColumnChoice = {};
    for (const column of COLUMNS) {
      const value = (parsed as Record<string, unknown>)[column.id];
      if (typeof value === 'boolean') choice[column.id] = value;
    }
    return choice;
  } catch {
    return {};
  }
}

/** Keeps the choice for a connection; an empty choice is forgotten. */
export function saveColumnChoice(connectionId: string, choice: ColumnChoice): void {
  try {
    const store = storage();
    if (Object.keys(choice).length === 0) store?.removeItem(STORAGE_PREFIX + connectionId);
    else store?.setItem(STORAGE_PREFIX + connectionId, JSON.stringify(choice));
  } catch {
    // A full or disabled storage only loses the choice at the next start.
  }
}
