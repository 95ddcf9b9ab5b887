import { fireEvent, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../App.svelte';
import { backendContextEntry } from '../ipc/context';
import { MockBackend, appError } from '../ipc/mockBackend';
import type { KeyDraft, PendingReveal } from '../ipc/types';
import RevealDialog from './RevealDialog.svelte';

const DRAFT: KeyDraft = {
  name: 'ci-runner',
  scopes: [],
  environment: 'live',
  expires_in_days: null,
  metadata: {},
  kind: null,
  rotation_interval_days: null,
  rotation_webhook_url: null,
};

async function created(backend: MockBackend, connectionId: string, draft: Partial<KeyDraft> = {}): Promise<PendingReveal> {
  const result = await backend.createKey(connectionId, { ...DRAFT, ...draft }, false);
  if (result.status !== 'created') throw new Error('expected a created key');
  return result.reveal;
}

function renderReveal(backend: MockBackend, reveal: PendingReveal) {
  const onclosed = vi.fn();
  const view = render(RevealDialog, {
    props: { reveal, connectionName: 'Receipts production', onclosed },
    context: new Map([backendContextEntry(backend)]),
  });
  return { ...view, onclosed };
}

describe('RevealDialog', () => {
  afterEach(() => vi.useRealTimers());

  it('says it is the only time, masks the secret, and cannot be dismissed by Esc or an outside click', async () => {
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    const user = userEvent.setup();
    const { onclosed } = renderReveal(backend, reveal);
    const dialog = screen.getByRole('dialog', { name: 'Store the new secret' });

    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(within(dialog).getByText('This is the only time this secret will be shown. Store it now.')).toBeInTheDocument();
    expect(within(dialog).getByTestId('secret-value')).toHaveTextContent(reveal.key.masked);

    await user.keyboard('{Escape}');
    await user.click(screen.getByTestId('dialog-backdrop'));
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(onclosed).not.toHaveBeenCalled();
    expect(backend.callsOf('acknowledge_reveal')).toHaveLength(0);
  });

  it('masks the API key as its row does, whatever the vault previews', async () => {
    const backend = new MockBackend();
    const created = await backend.createKey('c-fiskaly', { ...DRAFT, name: 'pos-terminal-7' }, false);
    if (created.status !== 'created') throw new Error('expected a created key');
    // The app's vault previews every secret as "…" and its last four; fiskaly's row shows the
    // key's first eight characters too.
    const reveal: PendingReveal = {
      ...created.reveal,
      key: { ...created.reveal.key, masked: 'c0ffee12…6c7d' },
      secrets: created.reveal.secrets.map((secret) => ({ ...secret, masked: '…6c7d' })),
    };
    renderReveal(backend, reveal);
    const [key, secret] = screen.getAllByTestId('secret-value');
    expect(key).toHaveTextContent('c0ffee12…6c7d');
    expect(secret).toHaveTextContent('…6c7d');
  });

  it('reveals and hides the plaintext, which is gone from the page after closing', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    const plaintext = await backend.revealSecret(reveal.reveal_id, 0);
    const { container, onclosed } = renderReveal(backend, reveal);

    await user.click(screen.getByRole('button', { name: 'Reveal API key' }));
    expect(screen.getByTestId('secret-value')).toHaveTextContent(plaintext);
    await user.click(screen.getByRole('button', { name: 'Hide API key' }));
    expect(container.innerHTML).not.toContain(plaintext);

    await user.click(screen.getByRole('button', { name: 'Reveal API key' }));
    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(onclosed).toHaveBeenCalledOnce();
    expect(backend.callsOf('acknowledge_reveal')).toEqual([{ revealId: reveal.reveal_id }]);
    expect(document.body.innerHTML).not.toContain(plaintext);
  });

  it('warns before closing when the secret was neither copied nor revealed', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    const { onclosed } = renderReveal(backend, reveal);

    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.getByRole('alert')).toHaveTextContent('You have not copied or revealed this secret');
    expect(onclosed).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Go back' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    await user.click(screen.getByRole('button', { name: 'Close without storing' }));
    expect(onclosed).toHaveBeenCalledOnce();
  });

  it('copies through the backend and counts down to the clipboard being cleared', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-23T12:00:00Z') });
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    const { onclosed } = renderReveal(backend, reveal);

    await fireEvent.click(screen.getByRole('button', { name: 'Copy API key' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.callsOf('copy_secret')).toEqual([{ revealId: reveal.reveal_id, index: 0 }]);
    const status = screen.getByTestId('clipboard-status');
    expect(status).toHaveTextContent('API key copied. The clipboard will be cleared in 30 s.');

    await vi.advanceTimersByTimeAsync(12_000);
    expect(status).toHaveTextContent('cleared in 18 s');
    await vi.advanceTimersByTimeAsync(18_000);
    expect(status).toHaveTextContent('Clipboard cleared.');

    // Copying counts as storing: no warning.
    await fireEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(onclosed).toHaveBeenCalledOnce();
  });

  it('says so when automatic clearing is off', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    backend.settings = { clipboard_clear_secs: null, theme: 'system' };
    const reveal = await created(backend, 'c-oligon');
    renderReveal(backend, reveal);
    await user.click(screen.getByRole('button', { name: 'Copy API key' }));
    expect(screen.getByTestId('clipboard-status')).toHaveTextContent('Automatic clearing is off');
  });

  it('shows every secret it is given: fiskaly key and secret, Strait key and webhook secret', async () => {
    const backend = new MockBackend();
    const fiskaly = await created(backend, 'c-fiskaly', { name: 'pos-terminal' });
    const { unmount } = renderReveal(backend, fiskaly);
    expect(screen.getAllByTestId('secret').map((s) => s.querySelector('.label')!.textContent)).toEqual(['API key', 'API secret']);
    unmount();

    const strait = await created(backend, 'c-strait', {
      scopes: ['jobs:read'],
      environment: null,
      rotation_interval_days: 30,
      rotation_webhook_url: 'https://hooks.example.test/rotate',
    });
    renderReveal(backend, strait);
    expect(screen.getAllByTestId('secret').map((s) => s.querySelector('.label')!.textContent)).toEqual([
      'API key',
      'Webhook signing secret',
    ]);
  });

  it('keeps the dialog open and shows the error when acknowledging fails', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    backend.failNext('acknowledge_reveal', appError('internal', 'The reveal vault is busy.', { request_id: 'req_9' }));
    const { onclosed } = renderReveal(backend, reveal);

    await user.click(screen.getByRole('button', { name: 'Reveal API key' }));
    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.getByTestId('error-notice')).toHaveTextContent('The reveal vault is busy.');
    expect(onclosed).not.toHaveBeenCalled();
  });

  it('retries a failed Copy with Copy again, and keeps the dialog and the secret', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    backend.failNext('copy_secret', appError('internal', 'The clipboard is not available.'));
    const { onclosed } = renderReveal(backend, reveal);

    await user.click(screen.getByRole('button', { name: 'Copy API key' }));
    expect(screen.getByTestId('error-notice')).toHaveTextContent('The clipboard is not available.');
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    expect(backend.callsOf('copy_secret')).toHaveLength(2);
    expect(backend.callsOf('acknowledge_reveal')).toHaveLength(0);
    expect(onclosed).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog', { name: 'Store the new secret' })).toBeInTheDocument();
    expect(screen.queryByTestId('error-notice')).not.toBeInTheDocument();
    expect(screen.getByTestId('clipboard-status')).toHaveTextContent('API key copied.');
  });

  it('retries a failed Reveal with Reveal again, not with acknowledging', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    const plaintext = await backend.revealSecret(reveal.reveal_id, 0);
    backend.failNext('reveal_secret', appError('internal', 'The reveal vault is busy.'));
    const { onclosed } = renderReveal(backend, reveal);

    await user.click(screen.getByRole('button', { name: 'Reveal API key' }));
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    expect(screen.getByTestId('secret-value')).toHaveTextContent(plaintext);
    expect(backend.callsOf('acknowledge_reveal')).toHaveLength(0);
    expect(onclosed).not.toHaveBeenCalled();
  });

  it('retries a failed acknowledge with acknowledging again', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    backend.failNext('acknowledge_reveal', appError('internal', 'The reveal vault is busy.'));
    const { onclosed } = renderReveal(backend, reveal);

    await user.click(screen.getByRole('button', { name: 'Copy API key' }));
    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(onclosed).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    expect(backend.callsOf('acknowledge_reveal')).toHaveLength(2);
    expect(backend.callsOf('copy_secret')).toHaveLength(1);
    expect(onclosed).toHaveBeenCalledOnce();
  });

  it('traps focus inside and starts on Copy', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    renderReveal(backend, reveal);

    expect(screen.getByRole('button', { name: 'Copy API key' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'I have stored it' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Reveal API key' })).toHaveFocus();
  });
});

describe('pending reveals', () => {
  it('reopen after a reload, and the next one follows once the first is stored', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const first = await created(backend, 'c-oligon', { name: 'first' });
    await created(backend, 'c-oligon', { name: 'second' });
    render(App, { backend });

    const dialog = await screen.findByRole('dialog', { name: 'Store the new secret' });
    expect(dialog).toHaveTextContent('first');
    await user.click(within(dialog).getByRole('button', { name: 'Copy API key' }));
    await user.click(within(dialog).getByRole('button', { name: 'I have stored it' }));

    expect(await screen.findByRole('dialog', { name: 'Store the new secret' })).toHaveTextContent('second');
    expect(backend.callsOf('acknowledge_reveal')).toEqual([{ revealId: first.reveal_id }]);
  });
});

describe('clipboard events', () => {
  it('say when the clipboard changed and was left alone', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const reveal = await created(backend, 'c-oligon');
    renderReveal(backend, reveal);
    await user.click(screen.getByRole('button', { name: 'Copy API key' }));

    backend.emitClipboard({ state: 'kept', reveal_id: 'some-other-reveal', clears_at: null });
    await vi.waitFor(() => expect(screen.getByTestId('clipboard-status')).toHaveTextContent('will be cleared in'));
    backend.emitClipboard({ state: 'kept', reveal_id: reveal.reveal_id, clears_at: null });
    await vi.waitFor(() =>
      expect(screen.getByTestId('clipboard-status')).toHaveTextContent('The clipboard changed since the copy, so Keydesk left it as it is.'),
    );
  });
});
