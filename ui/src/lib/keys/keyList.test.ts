import type { Key } from '../ipc/types';
import { NO_FILTER, filterKeys, isStale, sortKeys } from './keyList';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const D = 86_400_000;

function key(over: Partial<Key>): Key {
  return {
    id: 'k', name: 'n', masked: 'sk_test_…0000', environment: 'test', scopes: [], status: 'active',
    created_at: null, last_used_at: null, last_used_ip: null, expires_at: null, revoked_at: null,
    rotation: null, metadata: {}, raw: null, ...over,
  };
}
const iso = (ms: number) => new Date(ms).toISOString();

describe('isStale', () => {
  it('is never used or unused for 90+ days, and only where last use is tracked', () => {
    expect(isStale(key({ last_used_at: null }), true, NOW)).toBe(true);
    expect(isStale(key({ last_used_at: iso(NOW - 90 * D) }), true, NOW)).toBe(true);
    expect(isStale(key({ last_used_at: iso(NOW - 89 * D) }), true, NOW)).toBe(false);
    expect(isStale(key({ last_used_at: null }), false, NOW)).toBe(false);
    expect(isStale(key({ last_used_at: null, status: 'revoked' }), true, NOW)).toBe(false);
  });
});

describe('filterKeys', () => {
  const keys = [
    key({ id: 'a1', name: 'Production server', masked: 'sk_live_…x9k2', environment: 'live', last_used_at: iso(NOW - D) }),
    key({ id: 'b2', name: 'CI', status: 'revoked', metadata: { team: 'billing' } }),
    key({ id: 'c3', name: 'Staging', environment: 'test' }),
  ];
  const ids = (ks: Key[]) => ks.map((k) => k.id);

  it('searches name, masked key, id and metadata, case-insensitively', () => {
    expect(ids(filterKeys(keys, { ...NO_FILTER, query: 'PRODUCTION' }, true, NOW))).toEqual(['a1']);
    expect(ids(filterKeys(keys, { ...NO_FILTER, query: 'x9k2' }, true, NOW))).toEqual(['a1']);
    expect(ids(filterKeys(keys, { ...NO_FILTER, query: 'c3' }, true, NOW))).toEqual(['c3']);
    expect(ids(filterKeys(keys, { ...NO_FILTER, query: 'billing' }, true, NOW))).toEqual(['b2']);
    expect(ids(filterKeys(keys, { ...NO_FILTER, query: 'nothing' }, true, NOW))).toEqual([]);
  });

  it('filters by status, environment and staleness together', () => {
    expect(ids(filterKeys(keys, { ...NO_FILTER, status: 'revoked' }, true, NOW))).toEqual(['b2']);
    expect(ids(filterKeys(keys, { ...NO_FILTER, environment: 'live' }, true, NOW))).toEqual(['a1']);
    expect(ids(filterKeys(keys, { ...NO_FILTER, stale: true }, true, NOW))).toEqual(['c3']);
  });
});

describe('sortKeys', () => {
  const keys = [
    key({ id: 'a', name: 'beta', last_used_at: iso(NOW - 2 * D) }),
    key({ id: 'b', name: 'Alpha', last_used_at: null }),
    key({ id: 'c', name: 'gamma 10', last_used_at: iso(NOW - D) }),
    key({ id: 'd', name: 'gamma 9', last_used_at: iso(NOW - 3 * D) }),
  ];
  const ids = (ks: Key[]) => ks.map((k) => k.id).join('');

  it('sorts names naturally and ignores case', () => {
    expect(ids(sortKeys(keys, 'name', 'asc'))).toBe('badc');
    expect(ids(sortKeys(keys, 'name', 'desc'))).toBe('cdab');
  });

  it('puts keys without a value last in both directions', () => {
    expect(ids(sortKeys(keys, 'last_used_at', 'desc'))).toBe('cadb');
    expect(ids(sortKeys(keys, 'last_used_at', 'asc'))).toBe('dacb');
  });
});
