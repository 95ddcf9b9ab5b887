// What the activity view's filters keep: pure functions, so they are tested without a DOM.
import type { ActivityEntry } from '../ipc/types';

/** The activity view's filters; empty strings keep everything. */
export type ActivityFilter = {
  /** A connection id. */
  connection: string;
  /** An action name (`revoke`, `find_leaked_key`…). */
  action: string;
  /** Words to find anywhere in the row: names, ids, masked keys, request ids, details. */
  text: string;
};

export const NO_FILTER: ActivityFilter = { connection: '', action: '', text: '' };

/** Every text of `entry` the text filter searches, lowercased. */
function searchable(entry: ActivityEntry): string {
  return [
    entry.user,
    entry.subject,
    entry.connection_name,
    entry.connection_id,
    entry.key_name,
    entry.key_id,
    entry.key_masked,
    entry.action,
    entry.detail,
    entry.request_id,
    entry.error_kind,
    ...(entry.incident?.request_ids ?? []),
  ]
    .filter((text): text is string => typeof text === 'string')
    .join('\n')
    .toLowerCase();
}

/** The entries `filter` keeps, in their order. Every word of the text must appear. */
export function filterActivity(entries: readonly ActivityEntry[], filter: ActivityFilter): ActivityEntry[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter(
    (entry) =>
      (filter.connection === '' || entry.connection_id === filter.connection) &&
      (filter.action === '' || entry.action === filter.action) &&
      (words.length === 0 || words.every((word) => searchable(entry).includes(word))),
  );
}

/** The connections the entries name, as filter options (id and newest name), by name. */
export function connectionsOf(entries: readonly ActivityEntry[]): { id: string; name: string }[] {
  const names = new Map<string, string>();
  for (const entry of entries) {
    if (entry.connection_id && !names.has(entry.connection_id)) {
      names.set(entry.connection_id, entry.connection_name ?? entry.connection_id);
    }
  }
  return [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The actions the entries hold, sorted. */
export function actionsOf(entries: readonly ActivityEntry[]): string[] {
  return [...new Set(entries.map((entry) => entry.action))].sort();
}

/** An action as people read it: `find_leaked_key` → `find leaked key`. */
export function actionWords(action: string): string {
  return action.replaceAll('_', ' ');
}
