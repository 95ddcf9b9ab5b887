import { captureStartFrame, keepStartFrame, removeStartFrame, showStartFrame } from './startFrame';

/** A shell as the app draws it, with what a frame must never keep. */
function shell(): HTMLElement {
  document.body.innerHTML = `
    <div id="app"><div class="shell svelte-app">
      <div class="notices svelte-app" role="status"><p>The settings file was corrupt.</p></div>
      <nav class="sidebar svelte-side"><button id="c-1" data-testid="connection" aria-keyshortcuts="1" onclick="alert(1)">Receipts<span class="count" data-start-frame-skip>1002</span></button></nav>
      <section class="view svelte-kv" aria-labelledby="keys-title">
        <header class="view-head svelte-kv"><div class="title svelte-kv"><h2 id="keys-title" class="svelte-kv">Receipts production</h2></div></header>
        <label for="key-search"><input id="key-search" type="search" placeholder="Search keys" /></label>
        <div class="grid" role="grid" tabindex="0" aria-activedescendant="key-row-1" style="--tracks: 1fr">
          <div role="row" class="row" data-key-id="k1" style="transform: translateY(0px)"><span>ci-deploy</span><span>sk_live_…9k2x</span></div>
        </div>
        <div role="dialog" aria-modal="true" class="dialog">Your new key: sk_live_SECRETSECRETSECRET</div>
      </section>
    </div></div>`;
  const search = document.querySelector<HTMLInputElement>('input[type="search"]')!;
  // What is typed is a property: a pasted key must not reach the frame either way.
  search.value = 'sk_live_TYPEDTYPEDTYPED';
  return document.querySelector<HTMLElement>('.shell')!;
}

describe('the start frame', () => {
  afterEach(() => {
    document.body.innerHTML = '';
    document.documentElement.removeAttribute('data-theme');
    vi.useRealTimers();
  });

  it('captures the shell without dialogs, notices, what a start learns later, ids, test ids, handlers or typed values', () => {
    const html = captureStartFrame(shell());
    for (const gone of ['SECRETSECRET', 'TYPEDTYPED', 'settings file was corrupt', '1002', ' id=', 'data-testid', 'onclick', 'aria-activedescendant', 'tabindex', ' for=', 'aria-keyshortcuts']) {
      expect(html, gone).not.toContain(gone);
    }
    for (const kept of ['Receipts production', 'ci-deploy', 'sk_live_…9k2x', 'style="transform: translateY(0px)"', 'role="grid"', 'placeholder="Search keys"', 'class="view svelte-kv"']) {
      expect(html, kept).toContain(kept);
    }
    // The shell itself is untouched.
    expect(document.getElementById('keys-title')).not.toBeNull();
    expect(document.querySelector('.notices')).not.toBeNull();
  });

  it('leaves an empty as-of mark beside the title, in the view’s own styles', () => {
    const template = document.createElement('template');
    template.innerHTML = captureStartFrame(shell());
    const mark = template.content.querySelector('.view-head .title [data-start-frame-as-of]');
    expect(mark?.className).toBe('as-of svelte-kv');
    expect(mark?.textContent).toBe('');
  });

  it('paints a frame inert and hidden from assistive technology, marked as of its time', () => {
    const now = Date.parse('2026-12-05T15:00:00');
    const html = captureStartFrame(shell());
    document.body.innerHTML = '<div id="app"></div>';

    const frame = showStartFrame({ taken_at: new Date('2026-12-05T14:05:00').toISOString(), theme: 'dark', html }, now);

    expect(frame).toBe(document.body.firstElementChild);
    expect(frame).toHaveAttribute('inert');
    expect(frame).toHaveAttribute('aria-hidden', 'true');
    expect(frame).toHaveTextContent('ci-deploy');
    expect(frame!.querySelector('.as-of')).toHaveTextContent(/^as of 14:05$/);
    expect(frame!.querySelector('.as-of')).not.toHaveAttribute('title');
    expect(document.documentElement).toHaveAttribute('data-theme', 'dark');
    removeStartFrame();
    expect(document.body.innerHTML).toBe('<div id="app"></div>');
  });

  it('writes the date into the mark when the keys were listed on another day', () => {
    const html = '<div class="shell"><div class="view-head"><div class="title"><span class="as-of" data-start-frame-as-of=""></span></div></div></div>';
    const frame = showStartFrame({ taken_at: new Date('2026-12-03T09:30:00').toISOString(), theme: 'system', html }, Date.parse('2026-12-05T15:00:00'));
    expect(frame!.querySelector('.as-of')).toHaveTextContent(/^as of 3 Dec 2026, 09:30$/);
    expect(document.documentElement).not.toHaveAttribute('data-theme');
  });

  it('cleans a frame it is handed again: the file is the user’s to edit', () => {
    const html = '<div class="shell"><script>window.ran = 1</script><img src="x" onerror="window.ran = 2"><p id="dup" onclick="x()">key</p></div>';
    const frame = showStartFrame({ taken_at: '2026-12-05T14:05:00Z', theme: 'sepia' as 'dark', html });
    expect(frame!.innerHTML).toBe('<div class="shell"><p>key</p></div>');
    expect(document.documentElement).not.toHaveAttribute('data-theme');
  });

  it('paints nothing without a frame, or with one that is not whole', () => {
    expect(showStartFrame(undefined)).toBeNull();
    expect(showStartFrame({ taken_at: 'yesterday', theme: 'system', html: '<p>x</p>' })).toBeNull();
    expect(showStartFrame({ taken_at: '2026-12-05T14:05:00Z', theme: 'system' } as never)).toBeNull();
    expect(document.body.innerHTML).toBe('');
  });

  it('saves the frame once the page has been still a whole quiet time in its start state, and only when it changed', async () => {
    vi.useFakeTimers();
    const root = shell();
    const text = (value: string) => (root.querySelector('.row span')!.textContent = value);
    let ready = false;
    const saved: string[] = [];
    const stop = keepStartFrame(root, () => ready, (html) => saved.push(html), 1_000);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(saved).toEqual([]);

    ready = true;
    text('ci-deploy-2');
    await vi.advanceTimersByTimeAsync(600);
    text('ci-deploy-3');
    await vi.advanceTimersByTimeAsync(600);
    // Changed again within the quiet time that followed: it waits for another.
    text('ci-deploy-4');
    await vi.advanceTimersByTimeAsync(1_700);
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toContain('ci-deploy-4');

    // A change that leaves the same frame is not sent again.
    root.querySelector('.row')!.setAttribute('data-key-id', 'k1');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(saved).toHaveLength(1);

    // A view that was not ready (a dialog open over it) is saved once a change outside the
    // shell, such as the dialog closing, has settled.
    ready = false;
    text('renamed');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(saved).toHaveLength(1);
    ready = true;
    document.body.append(document.createElement('p'));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(saved).toHaveLength(2);
    expect(saved[1]).toContain('renamed');

    stop();
    text('after');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(saved).toHaveLength(2);
  });
});
