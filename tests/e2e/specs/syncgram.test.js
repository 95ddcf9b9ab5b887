// Spec 7: SyncgramPay's rules in the UI: one active key per organisation (explained before a
// second create) and one create per minute (a rate-limited create counts down).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIMEOUT,
  button,
  click,
  copySecret,
  createKey,
  fillCreateForm,
  findSecretsOnDisk,
  launch,
  openConnection,
  openDetails,
  outputLogs,
  revealAll,
  rowNamed,
  storedIt,
  text,
  waitForRow,
} from '../support/keydesk.js';

describe('SyncgramPay rules', () => {
  let app;
  const secrets = [];
  before(async () => {
    app = await launch('syncgram');
  });
  after(async () => {
    await app?.stop();
  });

  it('spec 7: a second create explains the one-active-key rule', async () => {
    const { browser } = app;
    await openConnection(browser, 'SyncgramPay');
    await click(browser, 'New key');
    let dialog = await browser.$('[data-testid="create-dialog"]');
    await dialog.waitForDisplayed({ timeout: TIMEOUT });
    assert.match(await text(dialog), /SyncgramPay allows one active key per organisation\./);
    assert.match(await text(dialog), /is active now\. A new key can only be created after it is revoked\./);
    const blocked = await dialog.$('button=Revoke and create');
    assert.equal(await blocked.isEnabled(), false, 'creating is blocked while a key is active');
    await click(browser, 'Cancel', dialog);
    await dialog.waitForExist({ reverse: true, timeout: TIMEOUT });

    // Replacing is allowed, with a warning of what breaks.
    await createKey(browser, { name: 'e2e first', environment: 'test' }, { replace: true });
    const [secret] = await revealAll(browser);
    secrets.push({ label: 'SyncgramPay key', value: secret.value });
    await copySecret(browser);
    await storedIt(browser);
    await rowNamed(browser, 'e2e first');

    // A second create names the new active key and blocks again.
    await click(browser, 'New key');
    dialog = await browser.$('[data-testid="create-dialog"]');
    await dialog.waitForDisplayed({ timeout: TIMEOUT });
    assert.match(await text(dialog), /e2e first \(.*\) is active now\./);
    assert.equal(await (await dialog.$('button=Revoke and create')).isEnabled(), false);
    await click(browser, 'Cancel', dialog);
    await dialog.waitForExist({ reverse: true, timeout: TIMEOUT });
  });

  it('spec 7: a rate-limited create shows the countdown', async () => {
    const { browser } = app;
    // Revoke the active key the ordinary way, so the next create is allowed by the rule…
    const row = await rowNamed(browser, 'e2e first');
    const drawer = await openDetails(browser, row.id);
    await click(browser, 'Revoke', drawer);
    const confirm = await browser.$('[data-testid="confirm-dialog"]');
    await click(browser, 'Revoke', confirm);
    await confirm.waitForExist({ reverse: true, timeout: TIMEOUT });
    await waitForRow(browser, row.id, (r) => r.status === 'Revoked', 'the key is revoked');

    // …but not by the rate limit (one create per minute).
    await click(browser, 'New key');
    const dialog = await fillCreateForm(browser, { name: 'e2e second', environment: 'test' });
    assert.doesNotMatch(await text(dialog), /is active now/);
    await click(browser, 'Create key', dialog);
    const notice = await dialog.$('[data-testid="error-notice"]');
    await notice.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: 'no error for the rate-limited create' });
    assert.equal(await notice.getAttribute('data-kind'), 'rate_limited');
    const countdown = await notice.$('.countdown');
    const first = await text(countdown);
    assert.match(first, /^Retry possible in .*\d/);
    // One countdown: the message holds no second, frozen wait; Create waits with Retry.
    assert.equal((await text(notice)).match(/\d+ s\b/g)?.length, 1, await text(notice));
    assert.equal(await (await dialog.$('button=Create key')).isEnabled(), false);
    await browser.waitUntil(async () => (await text(countdown)) !== first, {
      timeout: TIMEOUT,
      timeoutMsg: 'the countdown does not count',
    });
    assert.equal(await browser.$('[data-testid="reveal-dialog"]').isExisting(), false);
    await click(browser, 'Cancel', dialog);
    assert.ok(await button(browser, 'New key'));
  });

  it('spec 12: no secret of this run on disk or in the logs', async () => {
    await app.stop();
    const { hits } = findSecretsOnDisk([app.root], outputLogs(app), secrets);
    assert.deepEqual(hits, []);
  });
});
