import { matchesAnnotationTerm } from '../attention/annotation';
import { afterNextPaint } from '../frames';
import type { Annotation, Environment, Key, KeyStatus } from '../ipc/types';

/** Annotations of one connection's keys, by key id. */
export type KeyAnnotations = Partial<Record<string, Annotation>>;

export const STALE_DAYS = 90;
const DAY = 86_400_000;

export type SortColumn = 'name' | 'masked' | 'environment' | 'scopes' | 'status' | 'created_at' | 'last_used_at' | 'expires_at';
export type SortDirection = 'asc' | 'desc';

export interface KeyFilter {
  query: string;
  status: KeyStatus | 'all';
  environment: Environment | 'all';
  stale: boolean;
}

export const NO_FILTER: KeyFilter = { query: '', status: 'all', environment: 'all', stale: false };

export const STATUS_LABEL: Record<KeyStatus, string> = {
  active: 'Active',
  revoked: 'Revoked',
  disabled: 'Disabled',
  expired: 'Expired',
  rotating: 'Rotating',
};

export const ENVIRONMENT_LABEL: Record<Environment, string> = { live: 'Live', test: 'Test' };

/**
 * Never used, or unused for 90+ days. Only knowable where the provider tracks last use;
 * revoked keys are already retired, so they are never stale.
 */
export function isStale(key: Key, tracksLastUsed: boolean, now: number = Date.now()): boolean {
  if (!tracksLastUsed || key.status === 'revoked') return false;
  if (!key.last_used_at) return true;
  return now - Date.parse(key.last_used_at) >= STALE_DAYS * DAY;
}

// Lower-cased text a search runs over, built once per key object (keys are replaced, not mutated).
const haystacks = new WeakMap<Key, string>();

function haystack(key: Key): string {
  let text = haystacks.get(key);
  if (text === undefined) {
    const meta = Object.entries(key.metadata).map(([k, v]) => `${k} ${v}`).join(' ');
    text = `${key.name}\n${key.masked}\n${key.id}\n${meta}`.toLowerCase();
    haystacks.set(key, text);
  }
  return text;
}

// The search text of a whole list, aligned with it: a search's pass over every key reads
// `texts[i]` instead of looking each key up. Lists are replaced, never mutated.
const aligned = new WeakMap<readonly Key[], string[]>();

/** The search text of every key in `keys`, in order, once `prepareSearch(keys)` has finished. */
export function preparedSearch(keys: readonly Key[]): readonly string[] | undefined {
  return aligned.get(keys);
}

/**
 * Builds the search text of `keys` ahead of the first search, a slice per task so no frame
 * waits: building it is most of a first keystroke's cost. It starts after the next frame, so
 * it does not hold up the first paint of the list it prepares. Once
 * done, a search over `keys` reads the texts from one array aligned with it, and `then` runs.
 */
export function prepareSearch(keys: readonly Key[], slice = 500, then?: () => void): void {
  if (aligned.has(keys)) return;
  const texts: string[] = [];
  const step = () => {
    const end = Math.min(keys.length, texts.length + slice);
    for (let i = texts.length; i < end; i++) texts.push(haystack(keys[i]));
    if (texts.length < keys.length) setTimeout(step, 0);
    else {
      aligned.set(keys, texts);
      then?.();
    }
  };
  afterNextPaint(step);
}

function searchWords(query: string): string[] {
  const text = query.trim().toLowerCase();
  return text ? text.split(/\s+/) : [];
}

/** The `owner:…` and `tag:…` terms of a query, and the rest of it. */
function splitQuery(query: string): { terms: string[]; rest: string } {
  const terms: string[] = [];
  const rest: string[] = [];
  for (const word of query.trim().split(/\s+/)) {
    if (matchesAnnotationTerm(word, undefined) !== null) terms.push(word);
    else rest.push(word);
  }
  return { terms, rest: rest.join(' ') };
}

function passes(key: Key, filter: KeyFilter, tracksLastUsed: boolean, now: number): boolean {
  return (
    (filter.status === 'all' || key.status === filter.status) &&
    (filter.environment === 'all' || key.environment === filter.environment) &&
    (!filter.stale || isStale(key, tracksLastUsed, now))
  );
}

function matches(text: string, words: readonly string[]): boolean {
  for (const w of words) if (!text.includes(w)) return false;
  return true;
}

/**
 * The keys that pass `filter`: search over name, masked key, id and metadata; `owner:ana`
 * and `tag:billing` terms look at the keys' `annotations` instead.
 */
export function filterKeys(
  keys: Key[],
  filter: KeyFilter,
  tracksLastUsed: boolean,
  now: number = Date.now(),
  annotations: KeyAnnotations = {},
): Key[] {
  const { terms, rest } = splitQuery(filter.query);
  const words = searchWords(rest);
  return keys.filter(
    (key) =>
      passes(key, filter, tracksLastUsed, now) &&
      matches(haystack(key), words) &&
      terms.every((term) => matchesAnnotationTerm(term, annotations[key.id])),
  );
}

/**
 * A prepared list's search texts as one string, joined by "\n" (no search word holds one, so
 * no match spans two keys), and where each key's text starts (one more entry: past the end).
 * A search finds its first word with the engine's native `indexOf` over it and visits only
 * the keys that hold it, instead of a pass in script over every key: that pass is most of a
 * keystroke's script, and far more on a keystroke that runs it for the first time.
 */
interface SearchIndex {
  texts: readonly string[];
  joined: string;
  starts: Int32Array;
}

const indexes = new WeakMap<readonly Key[], SearchIndex>();

function buildIndex(keys: readonly Key[]): SearchIndex | null {
  const texts = aligned.get(keys);
  if (!texts) return null;
  const starts = new Int32Array(texts.length + 1);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    starts[i] = at;
    at += texts[i].length + 1;
  }
  starts[texts.length] = at;
  const index = { texts, joined: texts.join('\n'), starts };
  indexes.set(keys, index);
  return index;
}

/** The positions in the list, in order, of the keys whose text holds every one of `words` (at least one). */
function search(index: SearchIndex, words: readonly string[]): number[] {
  const { texts, joined, starts } = index;
  const [first, ...rest] = words;
  const found: number[] = [];
  let k = 0;
  for (let at = joined.indexOf(first); at >= 0; at = joined.indexOf(first, starts[k + 1])) {
    while (starts[k + 1] <= at) k++;
    if (matches(texts[k], rest)) found.push(k);
  }
  return found;
}

/**
 * Indexes the search text of `keys` and runs one search over it on a throwaway query, so the
 * engine has compiled the search before a keystroke needs it: a cold engine's first pass
 * costs far more than a compiled one. Call it off the keystroke, once `prepareSearch(keys)`
 * has finished, so it runs the same path a keystroke takes.
 */
export function warmSearch(keys: Key[]): void {
  if (!indexes.has(keys)) buildIndex(keys);
  narrowingFilter()(keys, { ...NO_FILTER, query: 'e' }, false, 0);
}

/** A filter answer kept to narrow the next one: the keys that passed and their search text. */
interface Filtered {
  source: Key[];
  filter: KeyFilter;
  tracksLastUsed: boolean;
  now: number;
  words: string[];
  keys: Key[];
  texts: readonly string[];
}

/**
 * `filterKeys` for a search box. A list indexed by `warmSearch` is searched through its index.
 * Otherwise it remembers its last answer, and when only the query changed and the new one
 * narrows it (every earlier word lies inside a new word, as when typing on), it searches the
 * keys that passed last time instead of all of them. A narrowing query that drops no key
 * answers the last answer itself, and with no filter it answers `keys` itself. The answer is
 * always the one `filterKeys` gives.
 */
export function narrowingFilter(): (
  keys: Key[],
  filter: KeyFilter,
  tracksLastUsed: boolean,
  now: number,
  annotations?: KeyAnnotations,
) => Key[] {
  let last: Filtered | null = null;
  return (keys, given, tracksLastUsed, now, annotations) => {
    if (splitQuery(given.query).terms.length > 0) {
      // Owner and tag terms pick few keys, from annotations that change apart from the list.
      last = null;
      return filterKeys(keys, given, tracksLastUsed, now, annotations);
    }
    // A plain copy: the pass below reads it per key, and a reactive proxy (the view's
    // filter state) costs a tracked read each time.
    const filter: KeyFilter = { query: given.query, status: given.status, environment: given.environment, stale: given.stale };
    const words = searchWords(filter.query);
    const unfiltered = filter.status === 'all' && filter.environment === 'all' && !filter.stale;
    if (words.length === 0 && unfiltered) {
      last = null;
      return keys;
    }
    const narrows =
      last !== null &&
      last.source === keys &&
      last.filter.status === filter.status &&
      last.filter.environment === filter.environment &&
      last.filter.stale === filter.stale &&
      (!filter.stale || (last.tracksLastUsed === tracksLastUsed && last.now === now)) &&
      last.words.every((old) => words.some((w) => w.includes(old)));
    const index = words.length > 0 ? indexes.get(keys) : undefined;
    const passed: Key[] = [];
    const passedTexts: string[] = [];
    let from = keys;
    if (index) {
      for (const i of search(index, words)) {
        const key = keys[i];
        if (unfiltered || passes(key, filter, tracksLastUsed, now)) passed.push(key);
      }
      // An answer inside the last one with as many keys is that answer.
      if (narrows && last) from = last.keys;
    } else {
      let texts: readonly string[] | null = aligned.get(keys) ?? null;
      let checkRest = !unfiltered;
      if (narrows && last) {
        from = last.keys;
        texts = last.texts;
        checkRest = false;
      }
      for (let i = 0; i < from.length; i++) {
        const key = from[i];
        if (checkRest && !passes(key, filter, tracksLastUsed, now)) continue;
        const text = texts ? texts[i] : haystack(key);
        if (!matches(text, words)) continue;
        passed.push(key);
        passedTexts.push(text);
      }
    }
    // A query every key matches (a keystroke that narrows nothing) answers the very list it
    // was given, so the table has nothing to redraw.
    const kept = passed.length === from.length ? from : passed;
    last = { source: keys, filter, tracksLastUsed, now, words, keys: kept, texts: passedTexts };
    return kept;
  };
}

const STATUS_ORDER: Record<KeyStatus, number> = { active: 0, rotating: 1, disabled: 2, expired: 3, revoked: 4 };

function sortValue(key: Key, column: SortColumn): string | number | null {
  switch (column) {
    case 'status':
      return STATUS_ORDER[key.status];
    case 'scopes':
      return key.scopes.length ? key.scopes.join(',') : null;
    case 'created_at':
    case 'last_used_at':
    case 'expires_at': {
      const v = key[column];
      return v ? Date.parse(v) : null;
    }
    default:
      return key[column];
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * A sorted copy; keys without a value (never used, no expiry) go last in both directions, in
 * the order they came. Stable: ties keep their order. A list that already comes in order (a
 * provider's newest-first list on the default sort) is checked in one pass and not sorted.
 */
export function sortKeys(keys: Key[], column: SortColumn, direction: SortDirection): Key[] {
  const factor = direction === 'asc' ? 1 : -1;
  // Keys and their values side by side, not an object per key: the first sort of 10,000 keys
  // runs before the list's first paint, on code the engine has not compiled yet.
  const present: Key[] = [];
  const values: (string | number)[] = [];
  const absent: Key[] = [];
  let numeric = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = sortValue(key, column);
    if (value === null) absent.push(key);
    else {
      present.push(key);
      values.push(value);
      if (typeof value !== 'number') numeric = false;
    }
  }
  const compare = numeric
    ? (a: number, b: number) => ((values[a] as number) - (values[b] as number)) * factor
    : (a: number, b: number) => collator.compare(String(values[a]), String(values[b])) * factor;
  let ordered = true;
  for (let i = 1; ordered && i < values.length; i++) ordered = compare(i - 1, i) <= 0;
  let sorted = present;
  if (!ordered) {
    const order = present.map((_, i) => i).sort((a, b) => compare(a, b) || a - b);
    sorted = order.map((i) => present[i]);
  }
  for (const key of absent) sorted.push(key);
  return sorted;
}

export interface KeyCounts {
  total: number;
  active: number;
  live: number;
}

// Lists are replaced, never mutated: a list's counts hold until it is replaced. The sidebar
// counts every connection's list whenever any of them changes.
const counted = new WeakMap<Key[], KeyCounts>();

/**
 * The counts of a list once they are known: null while its first answer is awaited (or
 * failed) with no keys to count, so nothing says "0 keys" of a list not read yet.
 */
export function knownCounts(list: { status: 'loading' | 'ready' | 'error'; keys: Key[] } | undefined): KeyCounts | null {
  if (!list || (list.status !== 'ready' && list.keys.length === 0)) return null;
  return countKeys(list.keys);
}

export function countKeys(keys: Key[]): KeyCounts {
  const known = counted.get(keys);
  if (known) return known;
  let active = 0;
  let live = 0;
  for (const k of keys) {
    if (k.status === 'active' || k.status === 'rotating') active++;
    if (k.environment === 'live' && k.status !== 'revoked') live++;
  }
  const counts = { total: keys.length, active, live };
  counted.set(keys, counts);
  return counts;
}
