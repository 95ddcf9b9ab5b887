// Containing a leak from the Leaked key dialog, as support staff do it against the embedded
// sandbox: paste → match → Replace (the live key's name typed) → the successor's secret
// revealed once → the incident report saved through the real native save dialog, accepted on
// the X display with the keyboard as a person would.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TIMEOUT,
  click,
  createKey,
  dataPlane,
  findLeaked,
  launch,
  openConnection,
  revealAll,
  sandboxBaseUrl,
  storedIt,
  text,
} from '../support/keydesk.js';

/** The id of the first X window whose title holds `title`, once it is mapped. */
function windowTitled(title) {
  const found = execFileSync('xdotool', ['search', '--sync', '--onlyvisible', '--name', title], {
    encoding: 'utf8',
    timeout: TIMEOUT,
  });
  return found.trim().split('\n')[0];
}

describe('leak containment', () => {
  let app;
  let exportDir;
  before(async () => {
    exportDir = mkdtempSync(join(tmpdir(), 'keydesk-e2e-exports-'));
    app = await launch('leak', { env: { KEYDESK_EXPORT_DIR: exportDir } });
  });
  after(async () => {
    await app?.stop();
    rmSync(exportDir, { recursive: true, force: true });
  });

  it('replaces a pasted live key, reveals its successor once and saves the incident report', async () => {
    const { browser } = app;
    const base = sandboxBaseUrl(app.root);
    await openConnection(browser, 'Oligon Receipts');
    await createKey(browser, { name: 'e2e leaked live', environment: 'live', scopes: ['extract:read'] });
    const [leaked] = await revealAll(browser);
    await storedIt(browser);

    const { dialog, match } = await findLeaked(browser, leaked.value);
    assert.match(await text(match), /e2e leaked live/);

    await click(browser, 'Replace', match);
    const replace = await browser.$('[data-testid="replace-dialog"]');
    await replace.waitForDisplayed({ timeout: TIMEOUT });
    const confirm = await replace.$('button=Replace');
    assert.equal(await confirm.isEnabled(), false, 'a live key waits for its typed name');
    await replace.$('label.typed input').setValue('e2e leaked live');
    await confirm.waitForEnabled({ timeout: TIMEOUT });
    await confirm.click();
    await browser.$('[data-testid="reveal-dialog"]').waitForDisplayed({ timeout: TIMEOUT });
    const [successor] = await revealAll(browser);
    assert.notEqual(successor.value, leaked.value);
    await storedIt(browser);
    const extract = `${base}/oligon/v1/extract`;
    assert.equal(await dataPlane(extract, { headers: { 'X-API-Key': leaked.value } }), 401, 'the leaked key is dead');
    assert.equal(await dataPlane(extract, { headers: { 'X-API-Key': successor.value } }), 200, 'its successor works');

    // The report goes through the native save dialog, which proposes the export folder.
    // The leak dialog is back as it was once the reveal is done with.
    const back = await dialog.$('[data-testid="leak-match"]');
    await back.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: 'the leak result was lost behind the reveal' });
    await click(browser, 'Export incident report', back);
    const saveDialog = windowTitled('Export the incident report');
    execFileSync('xdotool', ['windowfocus', '--sync', saveDialog, 'key', 'Return']);
    let files = [];
    await browser.waitUntil(
      async () => (files = readdirSync(exportDir).filter((f) => f.startsWith('keydesk-incident'))).length >= 2,
      { timeout: TIMEOUT, timeoutMsg: 'the incident report was never written' },
    );
    const markdown = readFileSync(join(exportDir, files.find((f) => f.endsWith('.md'))), 'utf8');
    assert.match(markdown, /e2e leaked live/);
    assert.match(markdown, /[Rr]eplace/);
    const json = readFileSync(join(exportDir, files.find((f) => f.endsWith('.json'))), 'utf8');
    for (const secret of [leaked.value, successor.value]) {
      assert.ok(!markdown.includes(secret) && !json.includes(secret), 'no secret in the incident report');
    }
  });
});
