// The in-memory backend's findings: keydesk-core's attention rules (attention.rs) over the
// mock's keys, so acting on a key in the demo changes what the Attention view shows.
// Snapshots and orphan reports are not kept here, so `appeared`, `disappeared` and `orphan`
// do not fire.
import { ownerOf } from '../attention/annotation';
import { ATTENTION_THRESHOLDS } from './capabilities';
import type { Annotation, Capabilities, Finding, Key, Rule, Severity, SuggestedAction } from './types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const {
  expires_soon_high_days: EXPIRES_SOON_HIGH_DAYS,
  expires_soon_medium_days: EXPIRES_SOON_MEDIUM_DAYS,
  never_used_after_days: NEVER_USED_AFTER_DAYS,
  grace_ending_hours: GRACE_ENDING_HOURS,
  stale_after_days: STALE_AFTER_DAYS,
} = ATTENTION_THRESHOLDS;

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "4 Dec 2026", as core's reasons print a date. */
function day(ms: number): string {
  return dayFormat.format(new Date(ms));
}

/** A length of time in its largest whole unit: "40 minutes", "3 days". */
function span(ms: number): string {
  const plural = (count: number, unit: string) => (count === 1 ? `1 ${unit}` : `${count} ${unit}s`);
  if (ms < MINUTE) return 'less than a minute';
  if (ms < HOUR) return plural(Math.floor(ms / MINUTE), 'minute');
  if (ms < DAY) return plural(Math.floor(ms / HOUR), 'hour');
  return plural(Math.floor(ms / DAY), 'day');
}

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
const RULE_ORDER: Rule[] = [
  'expired',
  'expires_soon',
  'rotation_overdue',
  'grace_ending',
  'never_used',
  'stale',
  'live_without_expiry',
  'unowned',
  'orphan',
  'appeared',
  'disappeared',
];

/** Core's order: high first, then the soonest deadline (none last), connection, key, rule. */
export function sortFindings(findings: Finding[]): Finding[] {
  const deadline = (f: Finding) => (f.deadline ? Date.parse(f.deadline) : Infinity);
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      (deadline(a) === deadline(b) ? 0 : deadline(a) < deadline(b) ? -1 : 1) ||
      text(a.connection_id, b.connection_id) ||
      text(a.key_id, b.key_id) ||
      RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule),
  );
}

/** Every finding of one connection's keys at `now`, before dismissals. */
export function findingsOf(
  connectionId: string,
  caps: Capabilities,
  keys: Key[],
  annotations: Partial<Record<string, Annotation>>,
  now: number,
): Finding[] {
  const offers = (action: string) => caps.actions.some((a) => a === action);
  const retire: SuggestedAction = offers('revoke') ? 'revoke' : offers('disable') ? 'disable' : 'review';
  const replace: SuggestedAction = offers('rotate') ? 'rotate' : caps.retirement ? 'replace' : 'review';
  const supportsExpiry = caps.create_fields.some((f) => f.name === 'expires_in_days');
  const tracksUse = caps.tracks_last_used;
  const byId = new Map(keys.map((k) => [k.id, k]));
  const found: Finding[] = [];
  const add = (key: Key, rule: Rule, severity: Severity, action: SuggestedAction, deadline: number | null, reason: string) =>
    found.push({
      connection_id: connectionId,
      key_id: key.id,
      key_name: key.name,
      rule,
      severity,
      reason,
      action,
      deadline: deadline === null ? null : new Date(deadline).toISOString(),
    });
  const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

  for (const key of keys) {
    if (key.status === 'revoked' || key.status === 'disabled') continue;
    const rotatedAway = key.status === 'rotating' || Boolean(key.rotation?.replaced_by);
    const expires = ms(key.expires_at);
    if ((expires !== null && expires <= now) || (key.status === 'expired' && !rotatedAway)) {
      add(key, 'expired', 'high', retire, expires !== null && expires <= now ? expires : null,
        expires !== null && expires <= now
          ? `Expired ${span(now - expires)} ago (${day(expires)}) and is neither revoked nor disabled.`
          : 'The provider reports it expired, and it is neither revoked nor disabled.');
      continue;
    }
    if (rotatedAway) {
      const until = ms(key.rotation?.grace_expires_at);
      const rotatedAt = ms(byId.get(key.rotation?.replaced_by ?? '')?.created_at);
      const used = ms(key.last_used_at);
      if (tracksUse && until !== null && until > now && until - now <= GRACE_ENDING_HOURS * HOUR && rotatedAt !== null && used !== null && used > rotatedAt) {
        add(key, 'grace_ending', 'high', 'review', until,
          `Its rotation grace ends in ${span(until - now)} and it was used ${span(now - used)} ago, after the rotation.`);
      }
      continue;
    }
    if (expires !== null && expires - now <= EXPIRES_SOON_MEDIUM_DAYS * DAY) {
      const severity = expires - now <= EXPIRES_SOON_HIGH_DAYS * DAY ? 'high' : 'medium';
      add(key, 'expires_soon', severity, replace, expires, `Expires in ${span(expires - now)} (${day(expires)}).`);
    }
    const due = ms(key.rotation?.next_rotation_at);
    if (due !== null && due <= now) {
      add(key, 'rotation_overdue', 'high', replace, due, `Its automatic rotation was due ${span(now - due)} ago (${day(due)}).`);
    }
    const used = ms(key.last_used_at);
    const created = ms(key.created_at);
    if (tracksUse && used === null && created !== null && now - created > NEVER_USED_AFTER_DAYS * DAY) {
      add(key, 'never_used', 'medium', retire, null, `Created ${span(now - created)} ago (${day(created)}) and never used.`);
    } else if (tracksUse && used !== null && now - used >= STALE_AFTER_DAYS * DAY) {
      add(key, 'stale', 'medium', retire, null, `Last used ${span(now - used)} ago (${day(used)}).`);
    }
    const live = key.environment === 'live';
    if (live && supportsExpiry && expires === null) add(key, 'live_without_expiry', 'low', replace, null, 'A live key that never expires.');
    if (live && !ownerOf(annotations[key.id])) add(key, 'unowned', 'low', 'set_owner', null, 'A live key with no owner.');
  }
  return found;
}
