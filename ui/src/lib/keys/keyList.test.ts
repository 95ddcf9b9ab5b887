import type { Key } from '../ipc/types';
import {
  NO_FILTER,
  countKeys,
  filterKeys,
  isStale,
  narrowingFilter,
  prepareSearch,
  preparedSearch,
  sortKeys,
  warmSearch,
  type KeyFilter,
} from './keyList';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const D = 86_400_000;

function key(over: Partial<Key>): Key {
  return {
    id: 'k', name: 'n', masked: 'sk_test_…0000', environment: 'test', scopes: [], status: 'active',
    created_at: null, last_used_at: null, last_used_ip: null, expires_at: null, revoked_at: null,
    rotation: null, metadata: {}, ...over,
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

describe('owner: and tag: search', () => {
  const keys = [
    key({ id: 'a1', name: 'Production server' }),
    key({ id: 'b2', name: 'Billing export', metadata: { team: 'billing' } }),
    key({ id: 'c3', name: 'CI' }),
  ];
  const annotations = {
    a1: { owner: 'Ana Lima', note: null, tags: ['billing', 'prod'] },
    c3: { owner: '  ', note: null, tags: ['Billing'] },
  };
  const ids = (query: string) => filterKeys(keys, { ...NO_FILTER, query }, false, NOW, annotations).map((k) => k.id);

  it('matches owners by part and tags whole, case-insensitively, beside the text search', () => {
    expect(ids('owner:ana')).toEqual(['a1']);
    expect(ids('OWNER:LIMA')).toEqual(['a1']);
    expect(ids('owner:')).toEqual(['a1']);
    expect(ids('tag:billing')).toEqual(['a1', 'c3']);
    expect(ids('tag:bill')).toEqual([]);
    expect(ids('tag:billing ci')).toEqual(['c3']);
    expect(ids('owner:ana tag:prod production')).toEqual(['a1']);
    // Without the prefix, "billing" is plain text: the metadata of b2.
    expect(ids('billing')).toEqual(['b2']);
    expect(filterKeys(keys, { ...NO_FILTER, query: 'owner:ana' }, false, NOW).map((k) => k.id)).toEqual([]);
  });

  it('gives the narrowing filter the same answers as filterKeys', () => {
    const filter = narrowingFilter();
    for (const query of ['o', 'owner:', 'owner:a', 'owner:ana', 'tag:billing', 'tag:billing c', 'c']) {
      expect(filter(keys, { ...NO_FILTER, query }, false, NOW, annotations).map((k) => k.id)).toEqual(ids(query));
    }
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

/** A copy of `list` prepared and warmed, so a search goes through its index. */
function warmed(list: Key[]): Key[] {
  vi.useFakeTimers();
  const copy = list.slice();
  prepareSearch(copy);
  vi.runAllTimers();
  vi.useRealTimers();
  warmSearch(copy);
  return copy;
}

describe('narrowingFilter', () => {
  const many = Array.from({ length: 300 }, (_, i) =>
    key({
      id: `id${i}`,
      name: `Key ${i}`,
      status: i % 7 === 0 ? 'revoked' : 'active',
      environment: i % 3 === 0 ? 'live' : 'test',
      last_used_at: i % 5 === 0 ? null : iso(NOW - (i % 200) * D),
      metadata: i % 4 === 0 ? { team: `team ${i % 11}` } : {},
    }),
  );
  const ids = (ks: Key[]) => ks.map((k) => k.id);

  it('answers what a full filter answers through typing, deleting, extra words and filter changes', () => {
    const filter = narrowingFilter();
    const steps: KeyFilter[] = [
      { ...NO_FILTER, query: '1' },
      { ...NO_FILTER, query: '12' },
      { ...NO_FILTER, query: '123' },
      { ...NO_FILTER, query: '12' },
      { ...NO_FILTER, query: '2' },
      { ...NO_FILTER, query: '2 team' },
      { ...NO_FILTER, query: 'team 2' },
      { ...NO_FILTER, query: 'TEAM 2' },
      { ...NO_FILTER, query: 'team 2', status: 'revoked' },
      { ...NO_FILTER, query: 'team 21', status: 'revoked' },
      { ...NO_FILTER, query: 'team 21', status: 'active', environment: 'live' },
      { ...NO_FILTER, query: 'key', stale: true },
      { ...NO_FILTER, query: 'key 1', stale: true },
      { ...NO_FILTER, query: '' },
      { ...NO_FILTER, query: 'id29' },
    ];
    for (const step of steps) {
      expect(ids(filter(many, step, true, NOW)), JSON.stringify(step)).toEqual(ids(filterKeys(many, step, true, NOW)));
    }
    // The same through the index a prepared and warmed list gets.
    const indexed = warmed(many);
    const searched = narrowingFilter();
    for (const step of steps) {
      expect(ids(searched(indexed, step, true, NOW)), JSON.stringify(step)).toEqual(ids(filterKeys(indexed, step, true, NOW)));
    }
  });

  it('answers the list it was given when every key matches, so the table redraws nothing', () => {
    for (const list of [many, warmed(many)]) {
      const filter = narrowingFilter();
      // Every id holds "id", as every Oligon id holds its time's characters.
      expect(filter(list, { ...NO_FILTER, query: 'i' }, true, NOW)).toBe(list);
      expect(filter(list, { ...NO_FILTER, query: 'id' }, true, NOW)).toBe(list);
      const narrowed = filter(list, { ...NO_FILTER, query: 'id2' }, true, NOW);
      expect(ids(narrowed)).toEqual(ids(filterKeys(list, { ...NO_FILTER, query: 'id2' }, true, NOW)));
      expect(narrowed.length).toBeLessThan(list.length);
      // Typing on inside that answer, where every key still matches, keeps that answer.
      expect(filter(list, { ...NO_FILTER, query: 'id2 key' }, true, NOW)).toBe(narrowed);
    }
  });

  it('starts over when the list, the time or last-use tracking changes', () => {
    const filter = narrowingFilter();
    const stale = { ...NO_FILTER, query: 'key', stale: true };
    expect(ids(filter(many, stale, true, NOW))).toEqual(ids(filterKeys(many, stale, true, NOW)));
    expect(ids(filter(many, stale, true, NOW + 30 * D))).toEqual(ids(filterKeys(many, stale, true, NOW + 30 * D)));
    expect(ids(filter(many, { ...stale, query: 'key 1' }, false, NOW))).toEqual([]);
    const fewer = many.slice(100);
    const narrower = { ...NO_FILTER, query: 'key 1' };
    filter(many, { ...NO_FILTER, query: 'key' }, true, NOW);
    expect(ids(filter(fewer, narrower, true, NOW))).toEqual(ids(filterKeys(fewer, narrower, true, NOW)));
  });

  it('answers the list itself when nothing filters', () => {
    expect(narrowingFilter()(many, { ...NO_FILTER, query: '  ' }, true, NOW)).toBe(many);
  });
});

describe('prepareSearch', () => {
  afterEach(() => vi.useRealTimers());

  const keys = Array.from({ length: 7 }, (_, i) =>
    key({ id: `id${i}`, name: `Key ${i}`, masked: `sk_live_…${i}${i}`, metadata: i % 2 ? { Team: `Ops ${i}` } : {} }),
  );

  it('builds the search text of a list in slices, aligned with it, then calls back', () => {
    vi.useFakeTimers();
    const done = vi.fn();
    prepareSearch(keys, 3, done);
    vi.advanceTimersToNextTimer();
    expect(preparedSearch(keys)).toBeUndefined();
    vi.runAllTimers();
    expect(done).toHaveBeenCalledTimes(1);
    expect(preparedSearch(keys)).toEqual(keys.map((k, i) => `key ${i}\nsk_live_…${i}${i}\nid${i}\n${i % 2 ? `team ops ${i}` : ''}`));
    expect(preparedSearch(keys.slice())).toBeUndefined();
  });

  it('leaves what a search over the prepared list answers unchanged, warmed or not', () => {
    vi.useFakeTimers();
    const list = keys.slice(2);
    prepareSearch(list);
    vi.runAllTimers();
    warmSearch(list);
    const filter = narrowingFilter();
    for (const query of ['ops', 'ops 3', 'KEY', '…44', 'id6', 'nothing']) {
      const step = { ...NO_FILTER, query };
      expect(filter(list, step, true, NOW), query).toEqual(filterKeys(list, step, true, NOW));
    }
  });
});

describe('countKeys', () => {
  it('counts all, active (rotating included) and live keys that are not revoked', () => {
    const keys = [
      key({ status: 'active', environment: 'live' }),
      key({ status: 'rotating', environment: 'test' }),
      key({ status: 'revoked', environment: 'live' }),
      key({ status: 'disabled', environment: 'live' }),
    ];
    expect(countKeys(keys)).toEqual({ total: 4, active: 2, live: 2 });
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

  it('orders like a stable sort with empty values last, whether or not the list came in order', () => {
    const columns = ['name', 'status', 'scopes', 'created_at', 'last_used_at', 'environment'] as const;
    const many = Array.from({ length: 200 }, (_, i) =>
      key({
        id: `k${i}`,
        name: `key ${(i * 7) % 13}`,
        status: (['active', 'revoked', 'disabled'] as const)[i % 3],
        scopes: i % 4 ? [`s${i % 5}`] : [],
        created_at: iso(NOW - ((i * 31) % 17) * D),
        last_used_at: i % 6 ? iso(NOW - (i % 9) * D) : null,
        environment: i % 5 ? 'test' : 'live',
      }),
    );
    const reference = (ks: Key[], column: (typeof columns)[number], direction: 'asc' | 'desc') => {
      const value = (k: Key) =>
        column === 'status' ? ['active', 'rotating', 'disabled', 'expired', 'revoked'].indexOf(k.status)
        : column === 'scopes' ? (k.scopes.length ? k.scopes.join(',') : null)
        : column === 'created_at' || column === 'last_used_at' ? (k[column] ? Date.parse(k[column]!) : null)
        : k[column];
      const withValue = ks.filter((k) => value(k) !== null);
      const order = (a: Key, b: Key) => {
        const [x, y] = [value(a)!, value(b)!];
        const c = typeof x === 'number' ? x - (y as number) : String(x).localeCompare(String(y), 'en', { numeric: true, sensitivity: 'base' });
        return direction === 'asc' ? c : -c;
      };
      return ids([...withValue].sort(order).concat(ks.filter((k) => value(k) === null)));
    };
    for (const column of columns) {
      for (const direction of ['asc', 'desc'] as const) {
        expect(ids(sortKeys(many, column, direction)), `${column} ${direction}`).toBe(reference(many, column, direction));
        const inOrder = sortKeys(many, column, direction);
        expect(ids(sortKeys(inOrder, column, direction))).toBe(ids(inOrder));
      }
    }
  });

  it('puts keys without a value last in both directions', () => {
    expect(ids(sortKeys(keys, 'last_used_at', 'desc'))).toBe('cadb');
    expect(ids(sortKeys(keys, 'last_used_at', 'asc'))).toBe('dacb');
  });
});
