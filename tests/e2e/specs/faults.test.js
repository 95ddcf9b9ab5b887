// Faults: with the sandbox failing 20% of requests (503) and answering after 100 ms, listing,
// revoking and the leaked-key search still complete (the app retries), and no list is left
// "loading" forever.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIMEOUT,
  click,
  copySecret,
  findLeaked,
  findSecretsOnDisk,
  launch,
  openConnection,
  openDetails,
  outputLogs,
  fillCreateForm,
  refresh,
  revealAll,
  rowNamed,
  storedIt,
  tableRows,
  text,
  waitForRow,
} from '../support/keydesk.js';

const PROVIDERS = ['Oligon Receipts', 'fiskaly', 'SyncgramPay', 'Strait'];

describe('faults: --fail-rate 0.2 --latency-ms 100', () => {
  let app;
  const secrets = [];
  before(async () => {
    app = await launch('faults', {
      env: { KEYDESK_SANDBOX_FAIL_RATE: '0.2', KEYDESK_SANDBOX_LATENCY_MS: '100', KEYDESK_SANDBOX_CHAOS_SEED: '7' },
    });
  });
  after(async () => {
    await app?.stop();
  });

  async function nothingLoading(browser) {
    await browser.waitUntil(
      async () =>
        browser.execute(
          () =>
            !document.querySelector('[aria-busy="true"]') &&
            !/Loading keys/.test(document.body.textContent ?? '') &&
            !document.querySelector('[data-testid="error-notice"]'),
        ),
      { timeout: TIMEOUT, timeoutMsg: 'something stays loading, or failed' },
    );
  }

  it('lists every connection, twice', async () => {
    const { browser } = app;
    for (const name of PROVIDERS) {
      await openConnection(browser, name);
      assert.ok((await tableRows(browser)).length > 3, `${name} lists its keys`);
      await refresh(browser);
      await nothingLoading(browser);
      assert.ok((await tableRows(browser)).length > 3, `${name} lists its keys again`);
    }
    // Every connection's count reached the sidebar: none is stuck loading.
    const metas = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="connection-item"] .meta')].map((m) => m.textContent ?? ''),
    );
    assert.equal(metas.length, 4);
    for (const meta of metas) assert.match(meta, /\d+ keys/);
  });

  it('revokes a key', async () => {
    const { browser } = app;
    await openConnection(browser, 'Oligon Receipts');
    const target = (await tableRows(browser)).find((r) => r.status === 'Active' && r.environment === 'Test');
    assert.ok(target, 'an active test key to revoke');
    const drawer = await openDetails(browser, target.id);
    await click(browser, 'Revoke', drawer);
    const confirm = await browser.$('[data-testid="confirm-dialog"]');
    await click(browser, 'Revoke', confirm);
    await confirm.waitForExist({ reverse: true, timeout: TIMEOUT, timeoutMsg: 'the revoke did not complete' });
    await waitForRow(browser, target.id, (r) => r.status === 'Revoked', 'the key is revoked');
    await refresh(browser);
    await nothingLoading(browser);
    await waitForRow(browser, target.id, (r) => r.status === 'Revoked', 'the provider lists it revoked');
  });

  it('finds a leaked key and revokes it', async () => {
    const { browser } = app;
    await openConnection(browser, 'Strait');
    // A create is not retried on its own (it is not idempotent): the user presses Retry.
    await click(browser, 'New key');
    const dialog = await fillCreateForm(browser, { name: 'e2e faults', scopes: ['read'] });
    await click(browser, 'Create key', dialog);
    const reveal = await browser.$('[data-testid="reveal-dialog"]');
    await browser.waitUntil(
      async () => {
        if (await reveal.isExisting()) return true;
        const retry = await dialog.$('[data-testid="error-notice"] button=Retry');
        if (await retry.isExisting()) await retry.click();
        return false;
      },
      { timeout: TIMEOUT, timeoutMsg: 'the key was never created' },
    );
    const [secret] = await revealAll(browser);
    secrets.push({ label: 'Strait key', value: secret.value });
    await copySecret(browser);
    await storedIt(browser);
    const row = await rowNamed(browser, 'e2e faults');

    const { dialog: leaked, match } = await findLeaked(browser, secret.value);
    assert.doesNotMatch(await text(leaked), /Could not search/);
    await click(browser, 'Revoke now', match);
    await browser.waitUntil(async () => /Revoked\. Requests using it now fail\./.test(await text(match)), {
      timeout: TIMEOUT,
      timeoutMsg: 'the match never said Revoked',
    });
    await click(browser, 'Close', leaked);
    await refresh(browser);
    await nothingLoading(browser);
    await rowNamed(browser, 'e2e faults');
    await waitForRow(browser, row.id, (r) => r.status === 'Revoked', 'Strait lists it revoked');
  });

  it('spec 12: no secret of this run on disk or in the logs', async () => {
    await app.stop();
    const { hits } = findSecretsOnDisk([app.root], outputLogs(app), secrets);
    assert.deepEqual(hits, []);
  });
});
