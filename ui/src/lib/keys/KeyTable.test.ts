import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { CAPABILITIES } from '../ipc/capabilities';
import type { Key } from '../ipc/types';
import { fakeKey } from '../testing';
import KeyTable from './KeyTable.svelte';
import { COLUMNS } from './columns';

const oligon = CAPABILITIES.find((c) => c.provider === 'oligon')!;
const fiskaly = CAPABILITIES.find((c) => c.provider === 'fiskaly')!;
const NOW = Date.parse('2026-11-23T12:00:00Z');

function manyKeys(n: number): Key[] {
  return Array.from({ length: n }, (_, i) => fakeKey({ id: `k${i}`, name: `Key ${i}`, masked: `sk_test_…${String(i).padStart(4, '0')}` }));
}

function props(keys: Key[], over: Record<string, unknown> = {}) {
  return {
    keys,
    caps: oligon,
    now: NOW,
    sort: { column: 'name' as const, direction: 'asc' as const },
    onsort: vi.fn(),
    checked: new Set<string>(),
    ontoggle: vi.fn(),
    ontoggleall: vi.fn(),
    openId: null,
    onopen: vi.fn(),
    ...over,
  };
}

describe('KeyTable', () => {
  it('renders only the rows in view out of 10,000, and marks the first render', async () => {
    const mark = vi.spyOn(performance, 'mark');
    render(KeyTable, props(manyKeys(10_000)));

    const rows = screen.getAllByTestId('key-row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(screen.getByRole('grid')).toHaveAttribute('aria-rowcount', '10001');
    await vi.waitFor(() => expect(mark).toHaveBeenCalledWith('keys-table-rendered'));
  });

  it('renders the rows further down once scrolled there', async () => {
    render(KeyTable, props(manyKeys(10_000)));
    const grid = screen.getByRole('grid');
    grid.scrollTop = 36 * 5000;
    await fireEvent.scroll(grid);

    const ids = screen.getAllByTestId('key-row').map((r) => r.dataset.keyId);
    expect(ids).toContain('k5000');
    expect(ids).not.toContain('k0');
    // The active row (the first) scrolled out of the DOM: nothing may point at it.
    expect(grid).not.toHaveAttribute('aria-activedescendant');
  });

  it('keeps the rows that stay in view when scrolled, and refills rows in place for a new list', async () => {
    const keys = manyKeys(10_000);
    const { rerender } = render(KeyTable, props(keys));
    const grid = screen.getByRole('grid');
    const rowOf = (id: string) => screen.getAllByTestId('key-row').find((r) => r.dataset.keyId === id);
    const row20 = rowOf('k20');
    expect(row20).toBeDefined();

    grid.scrollTop = 36 * 3;
    await fireEvent.scroll(grid);
    expect(rowOf('k20')).toBe(row20);
    const rows = screen.getAllByTestId('key-row');
    // In index order in the DOM, each row saying which key and position it shows.
    const indexes = rows.map((r) => Number(r.getAttribute('aria-rowindex')));
    expect(indexes).toEqual(indexes.map((_, i) => indexes[0] + i));
    for (const r of rows) {
      const index = Number(r.getAttribute('aria-rowindex')) - 2;
      expect(r.dataset.keyId).toBe(`k${index}`);
      expect(within(r).getByRole('gridcell', { name: `Key ${index}` })).toBeInTheDocument();
      expect(r.style.top).toBe(`${index * 36}px`);
    }

    const odd = keys.filter((_, i) => i % 2 === 1);
    await rerender(props(odd));
    const refilled = screen.getAllByTestId('key-row');
    expect(refilled.length).toBe(rows.length);
    for (const r of refilled) {
      const index = Number(r.getAttribute('aria-rowindex')) - 2;
      expect(r.dataset.keyId).toBe(odd[index].id);
      expect(within(r).getByRole('checkbox')).toHaveAccessibleName(`Select ${odd[index].name}`);
    }
  });

  it('shows the masked key, environment, status and relative last use with exact time on hover', () => {
    const key = fakeKey({ last_used_at: '2026-11-23T09:00:00Z', last_used_ip: '203.0.113.5', scopes: ['extract:read'] });
    render(KeyTable, props([key]));
    const row = screen.getByTestId('key-row');

    expect(within(row).getByText('sk_live_…x9k2')).toBeInTheDocument();
    expect(within(row).getByText('Live')).toBeInTheDocument();
    expect(within(row).getByText('Active')).toBeInTheDocument();
    expect(within(row).getByText('extract:read')).toBeInTheDocument();
    const used = within(row).getByText('3 h ago');
    expect(used).toHaveAttribute('title', expect.stringContaining('203.0.113.5'));
    expect(used.getAttribute('title')).toContain('UTC');
  });

  it('says "not tracked by" where the provider does not report last use, and warns of near expiry', () => {
    const key = fakeKey({ expires_at: '2026-11-28T12:00:00Z' });
    // Shown only when chosen: fiskaly fills neither column.
    render(KeyTable, props([key], { caps: fiskaly, columns: COLUMNS }));
    expect(screen.getByText('not tracked by fiskaly')).toBeInTheDocument();
    expect(screen.getByText('in 5 d').closest('[role=gridcell]')).toHaveClass('soon');
  });

  it('says "not listed" for a key whose provider lists no part of it (SyncgramPay)', () => {
    render(KeyTable, props([fakeKey({ masked: '' })]));
    const cell = screen.getByText('not listed');
    expect(cell.closest('[role=gridcell]')).toHaveClass('masked');
  });

  it('shows a rotating key with the end of its grace period', () => {
    const key = fakeKey({
      status: 'rotating',
      rotation: { replaced_by: 'k2', grace_expires_at: '2026-11-23T12:45:00Z', interval_days: null, next_rotation_at: null, webhook_url: null },
    });
    render(KeyTable, props([key]));
    const badge = screen.getByText(/Rotating/);
    expect(badge).toHaveTextContent(/Rotating\s+until\s+\d\d:\d\d/);
    expect(badge.getAttribute('title')).toMatch(/^The old key keeps working until \d\d:\d\d \(in \d+ (minutes|hours?)\)$/);
  });

  it('sorts by a column when its header is clicked and reports the order to assistive tech', async () => {
    const p = props(manyKeys(3));
    render(KeyTable, p);
    await fireEvent.click(screen.getByRole('button', { name: /Last used/ }));
    expect(p.onsort).toHaveBeenCalledWith('last_used_at');
    expect(screen.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'ascending');
  });

  it('moves with the arrow keys, opens with Enter and selects with Space', async () => {
    const p = props(manyKeys(5));
    render(KeyTable, p);
    const grid = screen.getByRole('grid');
    grid.focus();

    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(grid).toHaveAttribute('aria-activedescendant', 'key-row-k2');
    await fireEvent.keyDown(grid, { key: 'ArrowUp' });
    await fireEvent.keyDown(grid, { key: 'Enter' });
    expect(p.onopen).toHaveBeenCalledWith(expect.objectContaining({ id: 'k1' }));
    await fireEvent.keyDown(grid, { key: ' ' });
    expect(p.ontoggle).toHaveBeenCalledWith('k1');
    await fireEvent.keyDown(grid, { key: 'End' });
    expect(grid).toHaveAttribute('aria-activedescendant', 'key-row-k4');
  });
});
