// A relaunch starts from the last known keys: the open connection's rows are painted from the
// inventory snapshot, marked "as of", before the fresh list arrives; then the list refreshes
// them in place and the mark goes. With the start frame the last run saved, they are on
// screen before the app's script has even run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  TIMEOUT,
  appDataDir,
  createKey,
  findSecretsOnDisk,
  launch,
  revealAll,
  storedIt,
  tableRows,
  text,
  waitForKeys,
} from '../support/keydesk.js';

/** The page's performance marks, by name (ms after navigation). */
async function marks(browser) {
  return browser.execute(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
}

describe('start from the last known keys', () => {
  let app;
  let listed;
  before(async () => {
    app = await launch('start-first');
    await waitForKeys(app.browser);
    listed = await tableRows(app.browser);
    // A first run has nothing to show before its first list.
    assert.equal(await app.browser.$('[data-testid="as-of"]').isExisting(), false);
  });
  after(async () => {
    await app?.stop();
  });

  it('a relaunch paints the last known rows marked "as of" before the fresh list, then drops the mark', async () => {
    const root = app.root;
    await app.stop();
    // Every provider answer now takes 1.5 s: the fresh list comes well after the first frame.
    app = await launch('start-again', { home: root, env: { KEYDESK_SANDBOX_LATENCY_MS: '1500' } });
    const { browser } = app;
    const mark = await browser.$('[data-testid="as-of"]');
    await mark.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: 'the last known keys were not marked "as of"' });
    assert.match(await text(mark), /^as of \d\d:\d\d$/);
    const early = await tableRows(browser);
    assert.deepEqual(
      early.map((r) => r.id),
      listed.map((r) => r.id),
      'the rows of the last run are on screen',
    );
    const before = await marks(browser);
    assert.ok('keys-table-painted' in before, 'the table was painted');
    assert.ok(!('keys-received:sandbox-oligon' in before), 'painted before the fresh list came');

    await mark.waitForExist({ reverse: true, timeout: TIMEOUT, timeoutMsg: 'the "as of" mark stayed after the fresh list' });
    const after = await marks(browser);
    assert.ok(after['keys-table-painted'] < after['keys-received:sandbox-oligon']);
    await waitForKeys(browser);
    assert.deepEqual(
      (await tableRows(browser)).map((r) => r.id),
      listed.map((r) => r.id),
    );
  });

  it('saves the start frame without the secret just shown, and a relaunch paints it before the app runs', async () => {
    const { browser } = app;
    const name = 'e2e start frame';
    await createKey(browser, { name, environment: 'test', scopes: ['extract:read'] });
    const shown = await revealAll(browser);
    await storedIt(browser);
    const file = join(appDataDir(app.root), 'start-frame.json');
    const saved = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    // Saved once the view has been still a moment with the new key listed.
    await browser.waitUntil(async () => saved().includes(name), {
      timeout: TIMEOUT,
      timeoutMsg: 'no start frame with the new key was saved',
    });
    const { hits } = findSecretsOnDisk([], [file], shown.map(({ label, value }) => ({ label, value })));
    assert.deepEqual(hits, [], 'the start frame holds no secret');
    const frame = JSON.parse(saved());
    assert.doesNotMatch(frame.html, /data-testid|\sid="/);
    listed = await tableRows(browser);
    for (const row of listed.slice(0, 5)) assert.ok(frame.html.includes(row.name), `${row.name} is in the frame`);

    const root = app.root;
    await app.stop();
    app = await launch('start-frame', { home: root, env: { KEYDESK_SANDBOX_LATENCY_MS: '1500' } });
    await waitForKeys(app.browser);
    const at = await marks(app.browser);
    assert.ok('start-frame-painted' in at, 'the start frame was painted');
    assert.ok(at['start-frame-painted'] < at['start-connections'], 'before the app asked for anything');
    assert.ok(at['start-frame-painted'] < at['keys-table-painted'], 'before the app drew its table');
    // The live table replaced it.
    assert.equal(await app.browser.$('#start-frame').isExisting(), false);
    assert.deepEqual(
      (await tableRows(app.browser)).map((r) => r.id),
      listed.map((r) => r.id),
    );
  });
});
