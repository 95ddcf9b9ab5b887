// Spec 1: a first run opens on the embedded sandbox. Spec 10: a reveal survives a reload.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIMEOUT,
  appDataDir,
  click,
  copySecret,
  createKey,
  outputLogs,
  keyringSecrets,
  findSecretsOnDisk,
  launch,
  openConnection,
  openDetails,
  pageText,
  revealAll,
  tableRows,
  storedIt,
  clipboardText,
  text,
} from '../support/keydesk.js';

const PROVIDERS = ['Oligon Receipts', 'fiskaly', 'SyncgramPay', 'Strait'];

describe('first run', () => {
  let app;
  const secrets = [];
  before(async () => {
    app = await launch('first-run');
  });
  after(async () => {
    await app?.stop();
  });

  it('spec 1: opens on the four sandbox connections, with keys and their last-used times', async () => {
    const { browser } = app;
    const items = await browser.$$('[data-testid="connection-item"]');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="connection-item"]').length) === 4, {
      timeout: TIMEOUT,
      timeoutMsg: 'four connections never appeared',
    });
    const names = [];
    for (const item of await browser.$$('[data-testid="connection-item"]')) {
      names.push(await text(item.$('.name')));
      assert.equal(await text(item.$('.badge')), 'Sandbox');
    }
    assert.deepEqual(names.sort(), [...PROVIDERS].sort());
    assert.ok(items.length === 4 || names.length === 4);

    for (const name of ['Oligon Receipts', 'SyncgramPay', 'Strait']) {
      await openConnection(browser, name);
      const lastUsed = (await tableRows(browser)).map((r) => r.lastUsed);
      assert.ok(
        lastUsed.some((text) => /^(just now|\d+ (min|h|d) ago)$/.test(text)),
        `${name} shows when keys were last used: ${lastUsed.join(' | ')}`,
      );
      assert.ok(lastUsed.includes('never'), `${name} shows never-used keys too`);
    }
    await openConnection(browser, 'fiskaly');
    const [row] = await tableRows(browser);
    // fiskaly does not report last use: no column saying so on every row; the details say it.
    assert.equal(await browser.$('[role="columnheader"][data-column="last_used_at"]').isExisting(), false);
    assert.equal(row.lastUsed, '');
    const drawer = await openDetails(browser, row.id);
    assert.match(await text(drawer), /Last used\s+not tracked by fiskaly/);
    assert.match(await browser.getTitle(), /^Keydesk — fiskaly$/);
  });

  it('spec 10: a reveal still pending after the window reloads', async () => {
    const { browser } = app;
    await openConnection(browser, 'Oligon Receipts');
    await createKey(browser, { name: 'e2e reload survivor', environment: 'test', scopes: ['extract:read'] });
    const before = await browser.$('[data-testid="reveal-dialog"] .which').getText();
    assert.match(before, /e2e reload survivor/);

    await browser.refresh();
    const reveal = await browser.$('[data-testid="reveal-dialog"]');
    await reveal.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: 'the pending reveal was lost on reload' });
    assert.equal(await reveal.$('.which').getText(), before);
    assert.match(await reveal.getText(), /This is the only time this secret will be shown\. Store it now\./);

    const [secret] = await revealAll(browser);
    secrets.push({ label: 'oligon key (reload)', value: secret.value });
    assert.match(secret.value, /^sk_test_/);
    await copySecret(browser);
    assert.equal(clipboardText(), secret.value);
    await storedIt(browser);
    assert.ok(!(await pageText(browser)).includes(secret.value), 'the secret left the DOM');
  });

  it('spec 12: no secret of this run on disk or in the logs', async () => {
    const tokens = keyringSecrets();
    assert.ok(tokens.length >= 4, `the four connections' secret credentials are in the keyring (${tokens.length})`);
    secrets.push(...tokens.map((value) => ({ label: 'connection credential', value })));
    await app.stop();
    const { hits, files } = findSecretsOnDisk([app.root], outputLogs(app), secrets);
    assert.ok(files > 3, `audited ${files} files`);
    assert.deepEqual(hits, []);
  });
});
