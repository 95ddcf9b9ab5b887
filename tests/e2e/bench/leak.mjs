// The leaked-key search in the real app (WebKitGTK through tauri-driver) across 4 sandbox
// connections of 10,000 keys each, every sandbox answer 20 ms late: from Find (Enter in the
// paste field) to the match painted. The search lists every connection again, so each search
// pays the paging. One app; the first search and BENCH_RUNS (≥ 5) more, median. Writes
// target/bench/results/ui-leak.json. Measures only: no figure here is asserted.
//   scripts/desktop-session node tests/e2e/bench/leak.mjs
import { launchApp } from '../support/app.js';
import { createKey, openConnection, revealAll, storedIt, click, TIMEOUT } from '../support/keydesk.js';
import { median, runs, waitForMarks, writeResult } from './lib.mjs';

const KEYS = Number(process.env.BENCH_LEAK_KEYS ?? 10_000);
const LATENCY_MS = 20;

/** Times the next search: Find submitted → a match in the DOM → the frame after it painted. */
function installSearchProbe() {
  const probe = { submitted: null, found: null, painted: null };
  window.__keydeskLeak = probe;
  addEventListener('submit', () => (probe.submitted = performance.now()), { capture: true, once: true });
  const observer = new MutationObserver(() => {
    if (probe.found !== null || !document.querySelector('[data-testid="leak-match"]')) return;
    probe.found = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => (probe.painted = performance.now()), 0));
  });
  observer.observe(document.body, { childList: true, subtree: true });
}

async function search(browser, value) {
  await click(browser, 'Leaked key');
  const dialog = await browser.$('[data-testid="leaked-dialog"]');
  await dialog.waitForDisplayed({ timeout: TIMEOUT });
  await dialog.$('#leaked-input').setValue(value);
  await browser.execute(installSearchProbe);
  await browser.keys('Enter');
  await browser.waitUntil(() => browser.execute(() => window.__keydeskLeak.painted !== null), {
    timeout: 120_000,
    interval: 20,
    timeoutMsg: 'no match was painted',
  });
  const probe = await browser.execute(() => window.__keydeskLeak);
  await browser.keys('Escape');
  await dialog.waitForExist({ reverse: true, timeout: TIMEOUT });
  return { found_ms: probe.found - probe.submitted, painted_ms: probe.painted - probe.submitted };
}

const env = { KEYDESK_SANDBOX_SEED: `bulk:${KEYS}`, KEYDESK_SANDBOX_LATENCY_MS: String(LATENCY_MS) };
const app = await launchApp('bench-leak', { env });
try {
  const { browser } = app;
  await browser.setTimeout({ script: 180_000 });
  await waitForMarks(browser, ['keys-table-painted'], 300_000);
  await openConnection(browser, 'Oligon Receipts');
  await createKey(browser, { name: 'bench leaked key', environment: 'test', scopes: ['extract:read'] });
  const [leaked] = await revealAll(browser);
  await storedIt(browser);

  const first = await search(browser, leaked.value);
  const searches = [];
  for (let i = 0; i < runs; i++) searches.push(await search(browser, leaked.value));
  console.log(
    `bench: leak search over 4 × ${KEYS} keys at ${LATENCY_MS} ms: first ${first.painted_ms.toFixed(0)} ms, then ${searches
      .map((s) => s.painted_ms.toFixed(0))
      .join(' ')} ms`,
  );
  writeResult('ui-leak', {
    app: process.env.KEYDESK_APP ?? 'target/debug/keydesk',
    keys_per_connection: KEYS,
    latency_ms: LATENCY_MS,
    first,
    searches,
    summary: {
      painted_ms: median(searches.map((s) => s.painted_ms)),
      found_ms: median(searches.map((s) => s.found_ms)),
    },
  });
} finally {
  await app.stop();
}
