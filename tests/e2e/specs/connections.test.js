// Spec 11: adding a connection through the UI (bad URL, bad token, then a good one), and
// finding it again after a restart with its token from the keyring. Faults: a create whose
// answer is lost brings up the orphan dialog, and its Revoke works.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  TIMEOUT,
  appDataDir,
  click,
  fillCreateForm,
  findSecretsOnDisk,
  launch,
  openConnection,
  outputLogs,
  refresh,
  storedConnections,
  tableRows,
  text,
  waitForKeys,
  waitForRow,
} from '../support/keydesk.js';
import { sandboxToken, startProxy, startSandbox } from '../support/external.js';

const NAME = 'Ops Oligon';

describe('connections', () => {
  let app;
  let root;
  let provider;
  let proxy;
  let token;
  const secrets = [];
  const logs = [];

  before(async () => {
    provider = await startSandbox();
    proxy = await startProxy(provider.baseUrl);
    token = sandboxToken(provider.db, 'oligon').credentials.token;
    secrets.push({ label: 'Ops Oligon token', value: token });
    app = await launch('connections');
    root = app.root;
  });
  after(async () => {
    await app?.stop();
    await proxy?.stop();
    provider?.stop();
  });

  async function form() {
    const el = await app.browser.$('[data-testid="connection-form"]');
    await el.waitForDisplayed({ timeout: TIMEOUT });
    return el;
  }

  async function testConnection(formEl) {
    await click(app.browser, 'Test connection', formEl);
    await (await formEl.$('button=Test connection')).waitForEnabled({ timeout: TIMEOUT });
  }

  it('spec 11: a bad URL and a bad token get clear errors; a good connection lists its keys', async () => {
    const { browser } = app;
    await click(browser, 'Add connection');
    const f = await form();
    await f.$('#conn-provider').selectByAttribute('value', 'oligon');
    await f.$('#conn-name').setValue(NAME);

    // A base URL that is no URL.
    await f.$('#conn-base_url').setValue('receipts.example');
    await f.$('#conn-token').setValue('not-a-token');
    await testConnection(f);
    const urlError = await f.$('#conn-base_url-error');
    await urlError.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: 'no error next to the base URL' });
    assert.ok((await text(urlError)).length > 10, `says what is wrong: ${await text(urlError)}`);
    assert.equal(await f.$('#conn-base_url').getAttribute('aria-invalid'), 'true');

    // Plain HTTP to a remote host is refused too.
    await f.$('#conn-base_url').setValue('http://receipts.example.com/oligon');
    await testConnection(f);
    await browser.waitUntil(async () => /HTTPS/i.test(await text(f)), {
      timeout: TIMEOUT,
      timeoutMsg: `no word about HTTPS: ${await text(f)}`,
    });

    // The right URL with a wrong token: the provider refuses, and the form says so.
    await f.$('#conn-base_url').setValue(`${proxy.url}/oligon`);
    await testConnection(f);
    const notice = await f.$('[data-testid="error-notice"]');
    await notice.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: `no error for a bad token: ${await text(f)}` });
    assert.equal(await notice.getAttribute('data-kind'), 'unauthorized');
    assert.ok((await text(notice)).length > 20, `says what to do: ${await text(notice)}`);
    // Nothing is stored yet: it is the typed token that was refused.
    assert.match(await text(notice), /The token was refused\./);
    assert.doesNotMatch(await text(notice), /stored credentials/i);

    // Saving what just failed asks first, and No is the default: Enter saves nothing.
    await click(browser, 'Save', f);
    const ask = await browser.$('[data-testid="confirm-dialog"]');
    await ask.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: 'Save did not ask after a failed test' });
    assert.match(await text(ask), /Save anyway\?/);
    assert.match(await text(ask), /The last test of these settings failed/);
    await browser.keys('Enter');
    await ask.waitForExist({ reverse: true, timeout: TIMEOUT });
    const settingsFile = join(appDataDir(root), 'settings.json');
    const saved = existsSync(settingsFile) ? storedConnections(root) : [];
    assert.ok(!saved.some((c) => c.name === NAME), 'nothing was saved');

    // The right token.
    await f.$('#conn-token').setValue(token);
    await testConnection(f);
    await browser.waitUntil(async () => /Connected\. \d+ keys visible\./.test(await text(f)), {
      timeout: TIMEOUT,
      timeoutMsg: `the test did not pass: ${await text(f)}`,
    });
    await click(browser, 'Save', f);
    await browser.$('#keys-title').waitUntil(async function () {
      return (await this.getText()) === NAME;
    }, { timeout: TIMEOUT });
    await waitForKeys(browser);
    assert.ok((await tableRows(browser)).length > 5, 'the seeded keys are listed');
  });

  it('spec 11: after a restart the connection is still there, its token from the keyring', async () => {
    await app.stop();
    logs.push(...outputLogs(app));
    const stored = storedConnections(root).find((c) => c.name === NAME);
    assert.ok(stored, 'the connection is stored');
    const settings = readFileSync(join(appDataDir(root), 'settings.json'), 'utf8');
    assert.ok(!settings.includes(token), 'the token is not in the settings file');
    const inKeyring = execFileSync(
      'secret-tool',
      ['lookup', 'service', 'dev.keydesk.debug', 'username', stored.id],
      { encoding: 'utf8' },
    );
    assert.equal(JSON.parse(inKeyring).token, token, 'the keyring holds the token');

    app = await launch('connections-restart', { home: root });
    await openConnection(app.browser, NAME);
    assert.ok((await tableRows(app.browser)).length > 5, 'the keys are listed again');
  });

  it('faults: a create whose answer is lost brings up the orphan dialog, and its Revoke works', async () => {
    const { browser } = app;
    proxy.dropNext('POST', /\/oligon\/v1\/api-keys$/);
    await click(browser, 'New key');
    const dialog = await fillCreateForm(browser, { name: 'e2e lost answer', environment: 'live', scopes: ['extract:read'] });
    await click(browser, 'Create key', dialog);
    const orphan = await browser.$('[data-testid="orphan-dialog"]');
    await orphan.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: 'no orphan dialog' });
    assert.deepEqual(proxy.dropped, ['POST /oligon/v1/api-keys']);
    assert.match(await text(orphan), /A key was created, but its secret never arrived/);
    assert.match(await text(orphan), /e2e lost answer/);
    await click(browser, 'Revoke', orphan);
    await browser.waitUntil(async () => /Revoked\. You can create a new key now\./.test(await text(orphan)), {
      timeout: TIMEOUT,
      timeoutMsg: `the orphan was not revoked: ${await text(orphan)}`,
    });
    await click(browser, 'Close', orphan);
    await orphan.waitForExist({ reverse: true, timeout: TIMEOUT });
    await refresh(browser);
    const row = (await tableRows(browser)).find((r) => r.name === 'e2e lost answer');
    assert.ok(row, 'the orphan is listed');
    await waitForRow(browser, row.id, (r) => r.status === 'Revoked', 'the orphan is revoked at the provider');
  });

  it('spec 12: no secret of this run on disk or in the logs', async () => {
    await app.stop();
    logs.push(...outputLogs(app));
    const { hits } = findSecretsOnDisk([root], logs, secrets);
    assert.deepEqual(hits, []);
  });
});
