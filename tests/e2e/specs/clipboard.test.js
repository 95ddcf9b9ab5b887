// Spec 9: a copied secret leaves the clipboard after the configured time, unless the user
// copied something else meanwhile.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIMEOUT,
  click,
  clipboardText,
  copySecret,
  createKey,
  findSecretsOnDisk,
  launch,
  openConnection,
  outputLogs,
  revealAll,
  setClipboard,
  storedIt,
  text,
} from '../support/keydesk.js';

const CLEAR_SECS = 10;

describe('clipboard', () => {
  let app;
  const secrets = [];
  before(async () => {
    app = await launch('clipboard');
  });
  after(async () => {
    await app?.stop();
  });

  it('spec 9: the clearing time is a setting (10–300 s)', async () => {
    const { browser } = app;
    await click(browser, 'Settings');
    const view = await browser.$('[data-testid="settings-view"]');
    await view.waitForDisplayed({ timeout: TIMEOUT });
    const seconds = await view.$('input[inputmode="numeric"]');
    await seconds.setValue('3');
    await browser.waitUntil(async () => /Choose between 10 and 300 seconds\./.test(await text(view)), {
      timeout: TIMEOUT,
      timeoutMsg: '3 s is not refused',
    });
    assert.equal(await (await view.$('button=Save settings')).isEnabled(), false);
    await seconds.setValue(String(CLEAR_SECS));
    await click(browser, 'Save settings', view);
    await browser.waitUntil(async () => (await seconds.getValue()) === String(CLEAR_SECS), { timeout: TIMEOUT });
  });

  it(`spec 9: a copied secret is cleared after ${CLEAR_SECS} s`, async () => {
    const { browser } = app;
    await openConnection(browser, 'Strait');
    await createKey(browser, { name: 'e2e clipboard', scopes: ['read'] });
    const [secret] = await revealAll(browser);
    secrets.push({ label: 'Strait key', value: secret.value });
    const status = await copySecret(browser);
    assert.match(await text(status), new RegExp(`clipboard will be cleared in`));
    assert.equal(clipboardText(), secret.value);
    await browser.waitUntil(async () => /Clipboard cleared\./.test(await text(status)), {
      timeout: CLEAR_SECS * 1000 + TIMEOUT,
      timeoutMsg: 'the dialog never said the clipboard was cleared',
    });
    assert.notEqual(clipboardText(), secret.value, 'the secret left the clipboard');
  });

  it('spec 9: not cleared when the user copied something else meanwhile', async () => {
    const { browser } = app;
    const status = await copySecret(browser);
    assert.equal(clipboardText(), (secrets[0] ?? {}).value);
    const mine = 'a note the user copied meanwhile';
    setClipboard(mine);
    assert.equal(clipboardText(), mine);
    await browser.waitUntil(
      async () => /The clipboard changed since the copy, so Keydesk left it as it is\./.test(await text(status)),
      { timeout: CLEAR_SECS * 1000 + TIMEOUT, timeoutMsg: 'the dialog never said it kept the clipboard' },
    );
    assert.equal(clipboardText(), mine, 'what the user copied is still there');
    await storedIt(browser);
  });

  it('spec 12: no secret of this run on disk or in the logs', async () => {
    await app.stop();
    const { hits } = findSecretsOnDisk([app.root], outputLogs(app), secrets);
    assert.deepEqual(hits, []);
  });
});
