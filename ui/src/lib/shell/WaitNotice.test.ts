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

  it('gives focus back to where it was before Cancel once the wait ends', async () => {
    vi.useFakeTimers();
    const before = document.createElement('button');
    before.textContent = 'Refresh';
    document.body.append(before);
    const wait = { operationId: 'op-1', waitingFor: 'Oligon Receipts', startedAt: Date.now() };
    const { rerender } = render(WaitNotice, { waits: [wait], oncancel: vi.fn() });
    before.focus();
    await vi.advanceTimersByTimeAsync(1000);

    const cancel = screen.getByRole('button', { name: 'Cancel' });
    cancel.focus();
    await fireEvent.click(cancel);
    // The operation answers "cancelled": the notice goes, and so does its focused button.
    await rerender({ waits: [], oncancel: vi.fn() });
    expect(screen.queryByTestId('wait-notice')).not.toBeInTheDocument();
    expect(document.activeElement).toBe(before);
    before.remove();
  });

  it('says next to its Cancel when the cancel itself failed, and lets the user try again', async () => {
    vi.useFakeTimers();
    const wait = { operationId: 'op-1', waitingFor: 'Oligon Receipts', startedAt: Date.now() };
    const oncancel = vi.fn().mockRejectedValue({ kind: 'internal', message: 'The operations list is poisoned.' });
    render(WaitNotice, { waits: [wait], oncancel });
    await vi.advanceTimersByTimeAsync(1000);

    const notice = screen.getByTestId('wait-notice');
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    await fireEvent.click(cancel);
    await vi.advanceTimersByTimeAsync(0);
    expect(notice).toContainElement(screen.getByRole('alert'));
    expect(screen.getByRole('alert')).toHaveTextContent('Could not cancel: The operations list is poisoned.');
    expect(cancel).toBeEnabled();
  });
});
