// The life of a key on every provider, against the embedded sandbox, as a user does it:
// spec 2 (create → reveal → copy → stored), 3 (last used), 4 (revoke), 6 (leaked key),
// 5 (Strait rotate with grace), then the secrets audit (12) over this launch.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIMEOUT,
  click,
  clipboardText,
  copySecret,
  createKey,
  dataPlane,
  findLeaked,
  findSecretsOnDisk,
  keyringSecrets,
  launch,
  openConnection,
  openDetails,
  outputLogs,
  pageText,
  refresh,
  revealAll,
  rowNamed,
  sandboxBaseUrl,
  storedIt,
  tableRows,
  text,
  waitForRow,
} from '../support/keydesk.js';

const CREATES = [
  {
    connection: 'Oligon Receipts',
    fields: { name: 'e2e oligon live', environment: 'live', scopes: ['extract:read'] },
    labels: 1,
    prefix: /^sk_live_/,
  },
  {
    connection: 'fiskaly',
    fields: { name: 'e2e-fiskaly', environment: 'test' },
    labels: 2,
    prefix: /./,
  },
  {
    connection: 'SyncgramPay',
    fields: { name: 'e2e syncgram', environment: 'test' },
    labels: 1,
    prefix: /^sk_/,
  },
  {
    connection: 'Strait',
    fields: { name: 'e2e strait', scopes: ['read', 'write'] },
    labels: 1,
    prefix: /^strait_[0-9a-f]{64}$/,
  },
];

describe('keys on every provider', () => {
  let app;
  let base;
  /** Every secret of this launch, in memory only, for the audit. */
  const secrets = [];
  /** connection name → { row, values } of the key created there. */
  const created = {};

  before(async () => {
    app = await launch('keys');
    base = sandboxBaseUrl(app.root);
  });
  after(async () => {
    await app?.stop();
  });

  for (const { connection, fields, labels, prefix } of CREATES) {
    it(`spec 2: ${connection}: create → reveal → copy → "I have stored it" → masked row`, async () => {
      const { browser } = app;
      await openConnection(browser, connection);
      const createDialogNeedsReplace = connection === 'SyncgramPay';
      const reveal = await createKey(browser, fields, { replace: createDialogNeedsReplace });
      assert.match(await text(reveal), /This is the only time this secret will be shown\. Store it now\./);

      const shown = await revealAll(browser);
      assert.equal(shown.length, labels, `${labels} secret(s) shown`);
      for (const [index, secret] of shown.entries()) {
        // fiskaly's API key is public: its list answers carry it (the sandbox stores it to
        // look keys up). Its API secret is the secret.
        const isPublic = connection === 'fiskaly' && secret.label === 'API key';
        if (!isPublic) secrets.push({ label: `${connection} ${secret.label}`, value: secret.value });
        assert.notEqual(secret.value, secret.masked);
        await copySecret(browser, index);
        assert.equal(clipboardText(), secret.value, `the clipboard holds the ${secret.label}`);
      }
      assert.match(shown[0].value, prefix);
      await storedIt(browser);

      const html = await pageText(browser);
      for (const secret of shown) assert.ok(!html.includes(secret.value), `${secret.label} is gone from the DOM`);

      const row = await rowNamed(browser, fields.name);
      assert.notEqual(row.masked, shown[0].value);
      assert.ok(row.masked.includes('…'), `masked: ${row.masked}`);
      assert.ok(shown[0].value.endsWith(row.masked.split('…').pop()), 'the masked key ends like the secret');
      assert.equal(shown[0].masked, row.masked, 'the reveal masks the key as its row does');
      assert.equal(row.status, 'Active');
      created[connection] = { row, values: Object.fromEntries(shown.map((s) => [s.label, s.value])) };
    });
  }

  it('spec 3: a key used on the data plane shows "just now" after Refresh (and the IP for Oligon)', async () => {
    const { browser } = app;
    const oligonKey = Object.values(created['Oligon Receipts'].values)[0];
    assert.equal(await dataPlane(`${base}/oligon/v1/extract`, { headers: { 'X-API-Key': oligonKey } }), 200);
    const syncgramKey = Object.values(created.SyncgramPay.values)[0];
    assert.equal(
      await dataPlane(`${base}/syncgram/api/v1/balance`, { headers: { Authorization: `Bearer ${syncgramKey}` } }),
      200,
    );
    const straitKey = Object.values(created.Strait.values)[0];
    assert.equal(
      await dataPlane(`${base}/strait/v1/whoami`, { headers: { Authorization: `Bearer ${straitKey}` } }),
      200,
    );
    const [fiskalyKey, fiskalySecret] = Object.values(created.fiskaly.values);
    assert.equal(
      await dataPlane(`${base}/fiskaly/api/v0/auth`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ api_key: fiskalyKey, api_secret: fiskalySecret }),
      }),
      200,
      'the new fiskaly key and secret authenticate',
    );

    for (const connection of ['Oligon Receipts', 'SyncgramPay', 'Strait']) {
      await openConnection(browser, connection);
      const { id } = created[connection].row;
      const before = await rowNamed(browser, created[connection].row.name);
      assert.equal(before.lastUsed, 'never');
      await refresh(browser);
      await waitForRow(browser, id, (r) => r.lastUsed === 'just now', `${connection}: last used just now`);
    }
    await openConnection(browser, 'Oligon Receipts');
    await rowNamed(browser, created['Oligon Receipts'].row.name);
    const drawer = await openDetails(browser, created['Oligon Receipts'].row.id);
    assert.match(await text(drawer), /Last used just now .* from 127\.0\.0\.1/);
  });

  it('spec 4: revoking a live key takes its typed name; the data plane refuses it afterwards', async () => {
    const { browser } = app;
    const { row } = created['Oligon Receipts'];
    const drawer = await browser.$('[data-testid="key-details"]');
    await click(browser, 'Revoke', drawer);
    const confirm = await browser.$('[data-testid="confirm-dialog"]');
    await confirm.waitForDisplayed({ timeout: TIMEOUT });
    assert.match(await text(confirm), /will fail within seconds/);
    const revoke = await confirm.$('button=Revoke');
    assert.equal(await revoke.isEnabled(), false, 'Revoke waits for the typed name');
    await confirm.$('input').setValue(row.name);
    await revoke.waitForEnabled({ timeout: TIMEOUT });
    await revoke.click();
    await confirm.waitForExist({ reverse: true, timeout: TIMEOUT });
    await waitForRow(browser, row.id, (r) => r.status === 'Revoked', 'the row says Revoked');
    const key = Object.values(created['Oligon Receipts'].values)[0];
    assert.equal(await dataPlane(`${base}/oligon/v1/extract`, { headers: { 'X-API-Key': key } }), 401);
  });

  it('spec 6: a pasted leaked key is found in its connection and revoked', async () => {
    const { browser } = app;
    await openConnection(browser, 'Strait');
    await createKey(browser, { name: 'e2e strait leaked', scopes: ['read'] });
    const [leaked] = await revealAll(browser);
    secrets.push({ label: 'Strait leaked key', value: leaked.value });
    await copySecret(browser);
    await storedIt(browser);
    const row = await rowNamed(browser, 'e2e strait leaked');

    // Support works from another connection: the search covers all of them.
    await openConnection(browser, 'Oligon Receipts');
    const { dialog, match } = await findLeaked(browser, leaked.value);
    assert.equal((await dialog.$$('[data-testid="leak-match"]')).length, 1);
    assert.match(await text(match), /e2e strait leaked .* in Strait/);
    await click(browser, 'Revoke now', match);
    await browser.waitUntil(async () => /Revoked\. Requests using it now fail\./.test(await text(match)), {
      timeout: TIMEOUT,
      timeoutMsg: 'the match never said Revoked',
    });
    assert.equal(
      await dataPlane(`${base}/strait/v1/whoami`, { headers: { Authorization: `Bearer ${leaked.value}` } }),
      401,
    );
    await click(browser, 'Close', dialog);
    await dialog.waitForExist({ reverse: true, timeout: TIMEOUT });
    await openConnection(browser, 'Strait');
    await refresh(browser);
    await rowNamed(browser, 'e2e strait leaked');
    await waitForRow(browser, row.id, (r) => r.status === 'Revoked', 'Strait lists it revoked');
  });

  it('spec 5: Strait rotate with grace lists both keys, the old one with its grace countdown', async () => {
    const { browser } = app;
    await openConnection(browser, 'Strait');
    const old = created.Strait.row;
    await rowNamed(browser, old.name);
    const drawer = await openDetails(browser, old.id);
    await click(browser, 'Rotate', drawer);
    const dialog = await browser.$('[data-testid="rotate-dialog"]');
    await dialog.waitForDisplayed({ timeout: TIMEOUT });
    const grace = await dialog.$('input[type="number"]');
    await grace.setValue('90');
    await browser.waitUntil(async () => /keeps working for 90 min/.test(await text(dialog)), { timeout: TIMEOUT });
    await click(browser, 'Rotate', dialog);
    const reveal = await browser.$('[data-testid="reveal-dialog"]');
    await reveal.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: 'no reveal for the rotated key' });
    const [secret] = await revealAll(browser);
    secrets.push({ label: 'Strait rotated key', value: secret.value });
    assert.match(secret.value, /^strait_[0-9a-f]{64}$/);
    assert.notEqual(secret.value, Object.values(created.Strait.values)[0]);
    await copySecret(browser);
    await storedIt(browser);

    let listed = [];
    await browser.waitUntil(
      async () => {
        listed = await tableRows(browser);
        return listed.some((r) => r.name === old.name) && listed.some((r) => r.name === `${old.name} (rotated)`);
      },
      { timeout: TIMEOUT, timeoutMsg: 'the old and the new key are not both listed' },
    ).catch((err) => {
      throw new Error(`${err.message}: ${JSON.stringify(listed.map((r) => [r.name, r.status]))}`);
    });
    const oldRow = await waitForRow(browser, old.id, (r) => /^Rotating until (\d\d:\d\d|\d{1,2} \w+)$/.test(r.status), 'old key rotating');
    const fresh = (await tableRows(browser)).find((r) => r.name === `${old.name} (rotated)`);
    assert.notEqual(fresh.id, old.id);
    assert.equal(fresh.status, 'Active');
    assert.ok(oldRow);
    const badge = await browser.$(`[data-key-id="${old.id}"] span.status`);
    assert.match(await badge.getAttribute('title'), /keeps working until (\d\d:\d\d|\d+ \w+) \(in (1 hour|8\d minutes)\)/);
    // Both keys work during the grace period.
    for (const key of [Object.values(created.Strait.values)[0], secret.value]) {
      assert.equal(
        await dataPlane(`${base}/strait/v1/whoami`, { headers: { Authorization: `Bearer ${key}` } }),
        200,
      );
    }
  });

  it('spec 12: no secret or token of this run on disk, in WebKit storage or in the logs', async () => {
    const tokens = keyringSecrets();
    assert.ok(tokens.length >= 4, 'the connections\' credentials are in the keyring');
    secrets.push(...tokens.map((value) => ({ label: 'connection credential', value })));
    assert.ok(secrets.length >= 6 + 4, `${secrets.length} secrets to look for`);
    await app.stop();
    const { hits, files } = findSecretsOnDisk([app.root], outputLogs(app), secrets);
    assert.ok(files > 3, `audited ${files} files`);
    assert.deepEqual(hits, []);
  });
});
