// Relative and exact times (UX.md: "time is relative, exactness is one hover away").

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every formatter's getter, for `prepareFormats`. */
const formatters: (() => unknown)[] = [];

/**
 * `make()` once, when first asked for. Each formatter is built on its first use, not when the
 * module loads: the start frame's entry imports this module for its as-of mark, and building
 * all seven held that frame back by 12–19 ms in a cold start.
 */
function lazy<T>(make: () => T): () => T {
  let made: T | undefined;
  const get = () => (made ??= make());
  formatters.push(get);
  return get;
}

const numbers = lazy(() => new Intl.NumberFormat('en'));
// Used for the words only a RelativeTimeFormat gets right ("yesterday", "in 5 days") in tooltips.
const spelledOut = lazy(() => new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'long' }));

type Unit = 'min' | 'h' | 'd' | 'mo' | 'y';
const LONG_UNIT: Record<Unit, Intl.RelativeTimeFormatUnit> = { min: 'minute', h: 'hour', d: 'day', mo: 'month', y: 'year' };

/** `date` moved by `months` calendar months (the day clamped to the month's last). */
function addMonths(date: Date, months: number): Date {
  const moved = new Date(date);
  const day = moved.getDate();
  moved.setDate(1);
  moved.setMonth(moved.getMonth() + months);
  const last = new Date(moved.getFullYear(), moved.getMonth() + 1, 0).getDate();
  moved.setDate(Math.min(day, last));
  return moved;
}

/** Calendar months from `from` to the later `to`, with the part of a month as a fraction. */
function calendarMonths(from: Date, to: Date): number {
  let months = (to.getFullYear() - from.getFullYear()) * 12 + (to.getMonth() - from.getMonth());
  let anchor = addMonths(from, months);
  if (anchor.getTime() > to.getTime()) anchor = addMonths(from, --months);
  const next = addMonths(from, months + 1);
  return months + (to.getTime() - anchor.getTime()) / (next.getTime() - anchor.getTime());
}

/**
 * The distance between `at` and `now` in its largest whole unit. Minutes and hours count down
 * whole units, as a clock does (a 90-minute grace is "1 h" until it is under an hour); days,
 * months and years are rounded, so a 30-day rotation set a moment ago is "in 30 d", and "in
 * 3 mo" does not turn into "in 2 mo" a minute later. Months and years are calendar months.
 */
function largestUnit(at: number, now: number): { value: number; unit: Unit } {
  const ms = Math.abs(at - now);
  if (ms < HOUR) return { value: Math.max(1, Math.floor(ms / MINUTE)), unit: 'min' };
  if (ms < DAY) return { value: Math.floor(ms / HOUR), unit: 'h' };
  const days = Math.round(ms / DAY);
  if (days < 60) return { value: days, unit: 'd' };
  const [from, to] = at < now ? [at, now] : [now, at];
  const months = Math.round(calendarMonths(new Date(from), new Date(to)));
  if (months < 12) return { value: months, unit: 'mo' };
  return { value: Math.round(months / 12), unit: 'y' };
}

/**
 * The compact relative form used in tables, in UX.md's words: "just now", "3 h ago",
 * "in 5 d". Under 45 seconds either way is "just now".
 */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  if (Math.abs(at - now) < 45_000) return 'just now';
  const { value, unit } = largestUnit(at, now);
  const amount = `${numbers().format(value)} ${unit}`;
  return at < now ? `${amount} ago` : `in ${amount}`;
}

/**
 * "3 hours ago", "yesterday", "in 5 days": the spelled-out form for tooltips and screen
 * readers, in the same units and rounding as `relativeTime`.
 */
export function relativeTimeLong(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  if (Math.abs(at - now) < MINUTE) return spelledOut().format(0, 'second');
  const { value, unit } = largestUnit(at, now);
  return spelledOut().format(at < now ? -value : value, LONG_UNIT[unit]);
}

// Every date the UI writes comes from these formatters, all British English ("23 Nov 2026,
// 14:02:11", "23 Nov", "14:02"): a tooltip never mixes them with the system's locale. One
// formatter object each: `toLocale…String` builds a new one per call, and scrolling formats a
// date for every row it shows.
const localFormat = lazy(() => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }));
const utcFormat = lazy(() => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }));
const shortFormat = lazy(() => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' }));
const dayMonthFormat = lazy(() => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' }));
const clockFormat = lazy(() => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' }));

/**
 * Builds every formatter now. The app calls it once it has asked for its first data, so the
 * keys' first paint does not build them (the start frame's entry builds only what it uses).
 */
export function prepareFormats(): void {
  for (const formatter of formatters) formatter();
}

/** The exact time, local and UTC: "23 Nov 2026, 14:02:11 (local) · 23 Nov 2026, 13:02:11 UTC". */
export function exactTime(iso: string): string {
  const d = new Date(iso);
  return `${localFormat().format(d)} (local) · ${utcFormat().format(d)} UTC`;
}

/** The local time of day of `iso`, e.g. "14:05" ("Revokes at 14:05"). */
export function clockTime(iso: string): string {
  return clockFormat().format(new Date(iso));
}

/** A short absolute date for table cells: "23 Nov 2026". */
export function shortDate(iso: string): string {
  return shortFormat().format(new Date(iso));
}

/**
 * The mark on keys shown as last listed: "as of 14:05" for a list taken today, else "as of
 * 3 Dec 2026, 14:05". The keys view and the start frame both write it.
 */
export function asOfLabel(takenAt: string, now: number = Date.now()): string {
  const sameDay = new Date(takenAt).toDateString() === new Date(now).toDateString();
  return `as of ${sameDay ? clockTime(takenAt) : `${shortDate(takenAt)}, ${clockTime(takenAt)}`}`;
}

/** The as-of mark's tooltip. */
export function asOfTitle(takenAt: string): string {
  return `Listed ${exactTime(takenAt)}; being listed again`;
}

/** When something ends, as briefly as is clear: "14:05" today, "1 Dec" on another day. */
export function untilTime(iso: string, now: number = Date.now()): string {
  const d = new Date(iso);
  return new Date(now).toDateString() === d.toDateString() ? clockFormat().format(d) : dayMonthFormat().format(d);
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
