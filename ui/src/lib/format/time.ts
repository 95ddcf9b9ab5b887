// Relative and exact times (UX.md: "time is relative, exactness is one hover away").

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const numbers = new Intl.NumberFormat('en');
// Used for the words only a RelativeTimeFormat gets right ("yesterday", "in 5 days") in tooltips.
const spelledOut = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'long' });

type Unit = 'min' | 'h' | 'd' | 'mo' | 'y';

function largestUnit(ms: number): { value: number; unit: Unit } {
  if (ms < HOUR) return { value: Math.max(1, Math.floor(ms / MINUTE)), unit: 'min' };
  if (ms < DAY) return { value: Math.floor(ms / HOUR), unit: 'h' };
  if (ms < 60 * DAY) return { value: Math.floor(ms / DAY), unit: 'd' };
  if (ms < 365 * DAY) return { value: Math.floor(ms / (30 * DAY)), unit: 'mo' };
  return { value: Math.floor(ms / (365 * DAY)), unit: 'y' };
}

/**
 * The compact relative form used in tables, in UX.md's words: "just now", "3 h ago",
 * "in 5 d". Under 45 seconds either way is "just now".
 */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const diff = Date.parse(iso) - now;
  if (Math.abs(diff) < 45_000) return 'just now';
  const { value, unit } = largestUnit(Math.abs(diff));
  const amount = `${numbers.format(value)} ${unit}`;
  return diff < 0 ? `${amount} ago` : `in ${amount}`;
}

/** "3 hours ago", "yesterday", "in 5 days": the spelled-out form for tooltips and screen readers. */
export function relativeTimeLong(iso: string, now: number = Date.now()): string {
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  const sign = diff < 0 ? -1 : 1;
  if (abs < MINUTE) return spelledOut.format(0, 'second');
  if (abs < HOUR) return spelledOut.format(sign * Math.floor(abs / MINUTE), 'minute');
  if (abs < DAY) return spelledOut.format(sign * Math.floor(abs / HOUR), 'hour');
  if (abs < 60 * DAY) return spelledOut.format(sign * Math.floor(abs / DAY), 'day');
  if (abs < 365 * DAY) return spelledOut.format(sign * Math.floor(abs / (30 * DAY)), 'month');
  return spelledOut.format(sign * Math.floor(abs / (365 * DAY)), 'year');
}

const localFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});
const utcFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'UTC',
});

/** The exact time, local and UTC: "23 Nov 2026, 14:02:11 (local) · 23 Nov 2026, 13:02:11 UTC". */
export function exactTime(iso: string): string {
  const d = new Date(iso);
  return `${localFormat.format(d)} (local) · ${utcFormat.format(d)} UTC`;
}

// One formatter for every cell: `toLocaleDateString` builds a new one per call, and scrolling
// formats a date for every row it shows.
const shortFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

/** The local time of day of `iso`, e.g. "14:05" ("Revokes at 14:05"). */
export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

/** A short absolute date for table cells: "23 Nov 2026". */
export function shortDate(iso: string): string {
  return shortFormat.format(new Date(iso));
}

export interface LastUsed {
  text: string;
  title: string;
}

/** The "last used" cell: relative text plus the exact time and IP for the tooltip. */
export function lastUsed(
  key: { last_used_at: string | null; last_used_ip: string | null },
  tracking: { tracks_last_used: boolean; display_name: string },
  now: number = Date.now(),
): LastUsed {
  if (!tracking.tracks_last_used) {
    return {
      text: `not tracked by ${tracking.display_name}`,
      title: `${tracking.display_name} does not report when a key was last used.`,
    };
  }
  if (!key.last_used_at) return { text: 'never', title: 'No use of this key has been recorded.' };
  const ip = key.last_used_ip ? ` · from ${key.last_used_ip}` : '';
  return {
    text: relativeTime(key.last_used_at, now),
    title: `${relativeTimeLong(key.last_used_at, now)} · ${exactTime(key.last_used_at)}${ip}`,
  };
}

export const EXPIRY_WARNING_DAYS = 14;

export interface Expiry {
  text: string;
  title: string;
  soon: boolean;
  past: boolean;
}

/** The "expires" cell: "in 5 d" with `soon` set under 14 days, "—" for keys that do not expire. */
export function expiry(expiresAt: string | null, now: number = Date.now()): Expiry {
  if (!expiresAt) return { text: '—', title: 'Does not expire', soon: false, past: false };
  const diff = Date.parse(expiresAt) - now;
  return {
    text: diff <= 0 ? `expired ${relativeTime(expiresAt, now)}` : relativeTime(expiresAt, now),
    title: exactTime(expiresAt),
    soon: diff > 0 && diff < EXPIRY_WARNING_DAYS * DAY,
    past: diff <= 0,
  };
}

/** "12 s", "1 min 05 s": countdowns for the clipboard and rate limits. */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
