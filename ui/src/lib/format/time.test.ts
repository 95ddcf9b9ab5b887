import { countdown, expiry, lastUsed, relativeTime, relativeTimeLong } from './time';

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

describe('countdown', () => {
  it('rounds up and never goes negative', () => {
    expect(countdown(29.2)).toBe('30 s');
    expect(countdown(65)).toBe('1 min 05 s');
    expect(countdown(-3)).toBe('0 s');
  });
});
