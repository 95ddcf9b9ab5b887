import { Toasts } from './toasts.svelte';

describe('Toasts', () => {
  afterEach(() => vi.useRealTimers());

  it('go away by themselves after their lifetime', () => {
    vi.useFakeTimers();
    const toasts = new Toasts(5000);
    toasts.show('Revoked CI');
    vi.advanceTimersByTime(3000);
    toasts.show('Deleted Old');
    expect(toasts.items.map((t) => t.text)).toEqual(['Revoked CI', 'Deleted Old']);
    vi.advanceTimersByTime(2000);
    expect(toasts.items.map((t) => t.text)).toEqual(['Deleted Old']);
    vi.advanceTimersByTime(3000);
    expect(toasts.items).toEqual([]);
  });
});
