import { clockTime, countdown, exactTime, expiry, lastUsed, relativeTime, relativeTimeLong, shortDate, untilTime } from './time';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;

describe('relativeTime', () => {
  it.each([
    [ago(10_000), 'just now'],
    [ago(5 * MIN), '5 min ago'],
    [ago(3 * H + 20 * MIN), '3 h ago'],
    [ago(2 * D), '2 d ago'],
    [ago(120 * D), '4 mo ago'],
    [ago(800 * D), '2 y ago'],
    [new Date(NOW + 5 * D + H).toISOString(), 'in 5 d'],
  ])('%s → %s', (iso, text) => {
    expect(relativeTime(iso, NOW)).toBe(text);
  });

  it('rounds days rather than floors them: a 30-day rotation set a moment ago is "in 30 d"', () => {
    expect(relativeTime(new Date(NOW + 30 * D - 5_000).toISOString(), NOW)).toBe('in 30 d');
    expect(relativeTime(new Date(NOW + 30 * D - 5 * 60_000).toISOString(), NOW)).toBe('in 30 d');
    expect(relativeTimeLong(new Date(NOW + 30 * D - 5_000).toISOString(), NOW)).toBe('in 30 days');
    expect(relativeTime(new Date(NOW + D + 2 * H).toISOString(), NOW)).toBe('in 1 d');
  });

  it('counts minutes and hours down as a clock does', () => {
    expect(relativeTimeLong(new Date(NOW + 90 * MIN).toISOString(), NOW)).toBe('in 1 hour');
    expect(relativeTime(new Date(NOW + 59 * MIN + 50_000).toISOString(), NOW)).toBe('in 59 min');
    expect(relativeTime(ago(23 * H + 50 * MIN), NOW)).toBe('23 h ago');
  });

  it('counts calendar months, and a minute later still says the same', () => {
    // 23 Nov → 23 Feb is three calendar months (92 days, not 90).
    const feb23 = '2027-02-23T12:00:00Z';
    for (const later of [0, MIN, H, D]) expect(relativeTime(feb23, NOW + later), `${later} ms later`).toBe('in 3 mo');
    // 90 days ahead: "in 3 mo", and still so a minute later (flooring 89.99 / 30 said "in 2 mo").
    const in90days = new Date(NOW + 90 * D).toISOString();
    expect(relativeTime(in90days, NOW)).toBe('in 3 mo');
    expect(relativeTime(in90days, NOW + MIN)).toBe('in 3 mo');
    expect(relativeTime('2026-08-23T12:00:00Z', NOW)).toBe('3 mo ago');
    expect(relativeTimeLong(feb23, NOW)).toBe('in 3 months');
    // Eleven and a half months round to a year.
    expect(relativeTime('2027-11-08T12:00:00Z', NOW)).toBe('in 1 y');
  });

  it('spells the time out for tooltips', () => {
    expect(relativeTimeLong(ago(3 * H), NOW)).toBe('3 hours ago');
    expect(relativeTimeLong(ago(D + H), NOW)).toBe('yesterday');
  });
});

describe('lastUsed', () => {
  const tracked = { tracks_last_used: true, display_name: 'Oligon Receipts' };

  it('says "never" for a key never used and "not tracked by" where the provider cannot tell', () => {
    expect(lastUsed({ last_used_at: null, last_used_ip: null }, tracked, NOW).text).toBe('never');
    expect(
      lastUsed({ last_used_at: null, last_used_ip: null }, { tracks_last_used: false, display_name: 'fiskaly' }, NOW).text,
    ).toBe('not tracked by fiskaly');
  });

  it('puts the exact local and UTC time and the IP in the tooltip', () => {
    const used = lastUsed({ last_used_at: '2026-11-23T09:00:00Z', last_used_ip: '203.0.113.5' }, tracked, NOW);
    expect(used.text).toBe('3 h ago');
    expect(used.title).toContain('23 Nov 2026, 09:00:00 UTC');
    expect(used.title).toContain('(local)');
    expect(used.title).toContain('203.0.113.5');
  });
});

describe('expiry', () => {
  it('warns under 14 days and not beyond', () => {
    expect(expiry(new Date(NOW + 13 * D).toISOString(), NOW)).toMatchObject({ text: 'in 13 d', soon: true });
    expect(expiry(new Date(NOW + 15 * D).toISOString(), NOW).soon).toBe(false);
    expect(expiry(ago(2 * D), NOW)).toMatchObject({ text: 'expired 2 d ago', past: true, soon: false });
    expect(expiry(null, NOW).text).toBe('—');
  });
});

describe('absolute times', () => {
  it('writes every date one way, local and UTC alike', () => {
    const text = exactTime('2026-12-01T04:16:50Z');
    expect(text).toMatch(/^\d{1,2} Dec 2026, \d\d:\d\d:50 \(local\) · 1 Dec 2026, 04:16:50 UTC$/);
    expect(text).not.toMatch(/AM|PM/);
    expect(shortDate('2026-12-01T12:00:00Z')).toBe('1 Dec 2026');
    expect(clockTime('2026-12-01T12:00:00Z')).toMatch(/^\d\d:\d\d$/);
  });

  it('says when something ends by the clock today and by the day otherwise', () => {
    const at = new Date(NOW + 30 * MIN).toISOString();
    expect(untilTime(at, NOW)).toBe(clockTime(at));
    expect(untilTime('2026-12-05T12:00:00Z', NOW)).toBe('5 Dec');
  });
});

describe('countdown', () => {
  it('rounds up and never goes negative', () => {
    expect(countdown(29.2)).toBe('30 s');
    expect(countdown(65)).toBe('1 min 05 s');
    expect(countdown(-3)).toBe('0 s');
  });
});
