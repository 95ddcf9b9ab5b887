// Spec 8: fiskaly access tokens that expire mid-session (the sandbox issues 3-second tokens)
// are renewed without the user ever seeing an error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIMEOUT,
  click,
  copySecret,
  createKey,
  findSecretsOnDisk,
  launch,
  openConnection,
  openDetails,
  outputLogs,
  refresh,
  revealAll,
  rowNamed,
  storedIt,
  tableRows,
  waitForRow,
} from '../support/keydesk.js';

const TTL_SECS = 3;

describe('fiskaly token expiry', () => {
  let app;
  const secrets = [];
  before(async () => {
    app = await launch('fiskaly-token', {
      env: { KEYDESK_SANDBOX_TOKEN_TTL: String(TTL_SECS), KEYDESK_SANDBOX_VARIANT: 'deployed' },
    });
  });
  after(async () => {
    await app?.stop();
  });

  /** Waits until the access token issued before now has certainly expired. */
  async function outliveToken(browser) {
    const expired = Date.now() + TTL_SECS * 1000 + 1200;
    await browser.waitUntil(async () => Date.now() > expired, { timeout: TTL_SECS * 1000 + TIMEOUT, interval: 250 });
  }

  async function assertNoError(browser) {
    assert.equal(await browser.$('[data-testid="error-notice"]').isExisting(), false, 'no error is shown');
  }

  it('spec 8: list, create, disable and enable across several token lifetimes, with no error', async () => {
    const { browser } = app;
    await openConnection(browser, 'fiskaly');
    const before = (await tableRows(browser)).length;

    await outliveToken(browser);
    await refresh(browser);
    await assertNoError(browser);
    assert.equal((await tableRows(browser)).length, before);

    await outliveToken(browser);
    await createKey(browser, { name: 'e2e-token', environment: 'test' });
    const shown = await revealAll(browser);
    secrets.push(...shown.filter((s) => s.label !== 'API key').map((s) => ({ label: s.label, value: s.value })));
    await copySecret(browser, shown.length - 1);
    await storedIt(browser);
    const row = await rowNamed(browser, 'e2e-token');

    await outliveToken(browser);
    const drawer = await openDetails(browser, row.id);
    await click(browser, 'Disable', drawer);
    await waitForRow(browser, row.id, (r) => r.status === 'Disabled', 'the key is disabled');
    await assertNoError(browser);

    await outliveToken(browser);
    await click(browser, 'Enable', drawer);
    await waitForRow(browser, row.id, (r) => r.status === 'Active', 'the key is enabled again');
    await assertNoError(browser);
  });

  it('spec 12: no secret of this run on disk or in the logs', async () => {
    await app.stop();
    const { hits } = findSecretsOnDisk([app.root], outputLogs(app), secrets);
    assert.deepEqual(hits, []);
  });
});
