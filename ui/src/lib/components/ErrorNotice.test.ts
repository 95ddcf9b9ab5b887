import { fireEvent, render, screen } from '@testing-library/svelte';
import type { AppError } from '../ipc/types';
import ErrorNotice from './ErrorNotice.svelte';

const error = (over: Partial<AppError>): AppError => ({
  kind: 'internal',
  message: 'Something broke.',
  request_id: null,
  field: null,
  retry_after_secs: null,
  ...over,
});

describe('ErrorNotice', () => {
  afterEach(() => vi.useRealTimers());

  it('counts a rate limit down and offers Retry once the wait is over', async () => {
    vi.useFakeTimers();
    const onretry = vi.fn();
    render(ErrorNotice, { error: error({ kind: 'rate_limited', message: 'Too many requests.', retry_after_secs: 3 }), onretry });
    const retry = screen.getByRole('button', { name: 'Retry' });

    expect(screen.getByRole('alert')).toHaveTextContent('Retry possible in 3 s.');
    expect(retry).toBeDisabled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(screen.getByRole('alert')).toHaveTextContent('Retry possible in 2 s.');
    await vi.advanceTimersByTimeAsync(2000);
    expect(screen.getByRole('alert')).not.toHaveTextContent('Retry possible');
    expect(retry).toBeEnabled();
    await fireEvent.click(retry);
    expect(onretry).toHaveBeenCalledOnce();
  });

  it('offers the next step per kind and never a Retry where retrying cannot help', () => {
    const { unmount } = render(ErrorNotice, { error: error({ kind: 'forbidden', message: 'No.' }), onretry: vi.fn() });
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Ask an admin of the provider.');
    unmount();

    const onreauth = vi.fn();
    render(ErrorNotice, { error: error({ kind: 'unauthorized', message: 'Refused.' }), onreauth });
    expect(screen.getByRole('button', { name: 'Re-enter credentials' })).toBeInTheDocument();
  });

  it('keeps the request id one click away, and shows no Details without one', async () => {
    const { unmount } = render(ErrorNotice, { error: error({ request_id: 'req_77' }) });
    const details = screen.getByText('Details').closest('details')!;
    expect(details).not.toHaveAttribute('open');
    await fireEvent.click(screen.getByText('Details'));
    expect(details).toHaveAttribute('open');
    expect(screen.getByText('req_77')).toBeInTheDocument();
    unmount();

    render(ErrorNotice, { error: error({}) });
    expect(screen.queryByText('Details')).not.toBeInTheDocument();
  });
});
