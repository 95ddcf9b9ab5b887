import { fireEvent, render, screen } from '@testing-library/svelte';
import WaitNotice from './WaitNotice.svelte';

describe('WaitNotice', () => {
  afterEach(() => vi.useRealTimers());

  it('says what it waits for after a second, counts the seconds, and offers Cancel', async () => {
    vi.useFakeTimers();
    const wait = { operationId: 'op-1', waitingFor: 'Oligon Receipts', startedAt: Date.now() };
    const oncancel = vi.fn();
    render(WaitNotice, { waits: [wait], oncancel });

    expect(screen.queryByTestId('wait-notice')).not.toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(1000);
    expect(screen.getByTestId('wait-notice')).toHaveTextContent('Waiting for Oligon Receipts… 1 s');
    await vi.advanceTimersByTimeAsync(11_000);
    expect(screen.getByTestId('wait-notice')).toHaveTextContent('Waiting for Oligon Receipts… 12 s');

    const cancel = screen.getByRole('button', { name: 'Cancel' });
    await fireEvent.click(cancel);
    expect(oncancel).toHaveBeenCalledExactlyOnceWith(wait);
    expect(cancel).toBeDisabled();
  });
});
