// Spec 13: axe-core (every rule, real layout in real WebKit) on the main screens: no serious or
// critical violations. Spec 14: screenshots of those screens for the README.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import {
  TIMEOUT,
  click,
  createKey,
  findSecretsOnDisk,
  launch,
  openConnection,
  outputLogs,
  revealAll,
  copySecret,
  storedIt,
  text,
  waitForKeys,
} from '../support/keydesk.js';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
// Every run photographs the screens into .artifacts; `make screenshots` points this at
// docs/screenshots to refresh the README's pictures, so plain test runs leave the tree clean.
const shots = process.env.KEYDESK_SCREENSHOTS_DIR
  ? resolve(process.env.KEYDESK_SCREENSHOTS_DIR)
  : resolve(import.meta.dirname, '../.artifacts/screenshots');

describe('screens', () => {
  let app;
  const secrets = [];
  const results = {};
  before(async () => {
    mkdirSync(shots, { recursive: true });
    app = await launch('screens');
  });
  after(async () => {
    await app?.stop();
  });

  /** Runs axe with its full rule set on the document; returns serious/critical violations. */
  async function audit(screen) {
    const { browser } = app;
    const loaded = await browser.execute(() => typeof window.axe !== 'undefined');
    if (!loaded) await browser.execute(axeSource);
    const violations = await browser.execute(async () => {
      const result = await window.axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
      }));
    });
    results[screen] = violations;
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }

  /**
   * Lets the last transition finish painting, then writes <shots>/<name>.png. The
   * window is captured from the X display (ImageMagick's `import`, 64 flat colours keep the PNGs
   * small): WebKitWebDriver's own screenshot stalls 45–60 s in some states (the leaked-key
   * dialog with a match), though the page paints normally. Without `import`, WebDriver's.
   */
  async function screenshot(name) {
    const { browser } = app;
    await browser.pause(300);
    const file = join(shots, `${name}.png`);
    const rect = await browser.getWindowRect();
    try {
      const raw = join(app.root, `${name}.png`);
      execFileSync('import', ['-window', 'root', '-crop', `${rect.width}x${rect.height}+${rect.x}+${rect.y}`, raw], {
        timeout: 20_000,
      });
      execFileSync('convert', [raw, '+repage', '+dither', '-colors', '64', '-strip', file], { timeout: 20_000 });
    } catch {
      await browser.saveScreenshot(file);
    }
    assert.ok(statSync(file).size > 10_000, `${name}.png was written`);
  }

  /** Audits and photographs the screen; the returned verdict asserts (after the test tidied up). */
  async function check(screen, shot) {
    if (shot) await screenshot(shot);
    const bad = await audit(screen);
    return () => assert.deepEqual(bad, [], `${screen}: ${JSON.stringify(bad, null, 1)}`);
  }

  it('keys table', async () => {
    await openConnection(app.browser, 'Oligon Receipts');
    const verdict = await check('keys table', 'keys-table');
    verdict();
  });

  it('key details', async () => {
    const { browser } = app;
    await (await browser.$('[data-testid="key-row"]')).click();
    await browser.$('[data-testid="key-details"]').waitForDisplayed({ timeout: TIMEOUT });
    const verdict = await check('key details');
    await click(browser, '×', await browser.$('[data-testid="key-details"]'));
    verdict();
  });

  it('new key dialog', async () => {
    const { browser } = app;
    await click(browser, 'New key');
    const dialog = await browser.$('[data-testid="create-dialog"]');
    await dialog.waitForDisplayed({ timeout: TIMEOUT });
    await dialog.$('[data-field="name"] input').setValue('Billing service');
    const verdict = await check('new key dialog', 'create-key');
    await click(browser, 'Cancel', dialog);
    await dialog.waitForExist({ reverse: true, timeout: TIMEOUT });
    verdict();
  });

  it('reveal dialog (masked)', async () => {
    const { browser } = app;
    await createKey(browser, { name: 'Billing service', environment: 'live', scopes: ['extract:read'] });
    const status = await copySecret(browser);
    assert.match(await text(status), /copied/);
    const verdict = await check('reveal dialog', 'reveal');
    const [secret] = await revealAll(browser);
    secrets.push({ label: 'Oligon key', value: secret.value });
    await storedIt(browser);
    verdict();
  });

  it('leaked key dialog with a match', async () => {
    const { browser } = app;
    await click(browser, 'Leaked key');
    const dialog = await browser.$('[data-testid="leaked-dialog"]');
    await dialog.waitForDisplayed({ timeout: TIMEOUT });
    await dialog.$('#leaked-input').setValue(secrets[0].value);
    await click(browser, 'Find', dialog);
    await dialog.$('[data-testid="leak-match"]').waitForDisplayed({ timeout: TIMEOUT });
    const verdict = await check('leaked key dialog', 'leaked-key');
    await click(browser, 'Close', dialog);
    await dialog.waitForExist({ reverse: true, timeout: TIMEOUT });
    verdict();
  });

  it('connection form', async () => {
    const { browser } = app;
    await click(browser, 'Add connection');
    const form = await browser.$('[data-testid="connection-form"]');
    await form.waitForDisplayed({ timeout: TIMEOUT });
    await form.$('#conn-provider').selectByAttribute('value', 'strait');
    await form.$('#conn-name').setValue('Strait production');
    await form.$('#conn-base_url').setValue('not a url');
    await click(browser, 'Test connection', form);
    await form.$('#conn-base_url-error').waitForDisplayed({ timeout: TIMEOUT });
    await form.$('#conn-base_url').setValue('https://api.strait.example/v1');
    const verdict = await check('connection form', 'connection-form');
    await click(browser, 'Cancel', form);
    verdict();
  });

  it('activity and settings', async () => {
    const { browser } = app;
    await click(browser, 'Activity');
    await browser.$('[data-testid="activity-view"]').waitForDisplayed({ timeout: TIMEOUT });
    const activity = await check('activity');
    await click(browser, 'Settings');
    await browser.$('[data-testid="settings-view"]').waitForDisplayed({ timeout: TIMEOUT });
    const settings = await check('settings');
    activity();
    settings();
  });

  it('dark theme', async () => {
    const { browser } = app;
    const view = await browser.$('[data-testid="settings-view"]');
    await (await view.$('input[name="theme"][value="dark"]')).click();
    await click(browser, 'Save settings', view);
    await browser.waitUntil(
      async () => (await browser.execute(() => document.documentElement.getAttribute('data-theme'))) === 'dark',
      { timeout: TIMEOUT, timeoutMsg: 'the dark theme was not applied' },
    );
    await openConnection(browser, 'Strait');
    await waitForKeys(browser);
    const verdict = await check('keys table, dark', 'dark-theme');
    verdict();
  });

  it('spec 12: no secret of this run on disk or in the logs', async () => {
    await app.stop();
    const { hits } = findSecretsOnDisk([app.root], outputLogs(app), secrets);
    assert.deepEqual(hits, []);
  });
});
