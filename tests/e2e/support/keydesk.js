// What a user does in Keydesk, as WebDriver steps: pick a connection, press a button by its
// label, create a key and read its secret from the reveal dialog, read the X clipboard.
// Secrets read here stay in memory (the audit's list); nothing secret is written to disk.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { artifacts, launchApp } from './app.js';

export const TIMEOUT = 20_000;

/** An element's text content, whitespace collapsed (WebKitWebDriver's getText misses some). */
export async function text(element) {
  const el = await element;
  return String(await el.getProperty('textContent')).replace(/\s+/g, ' ').trim();
}

/** Where the (debug build of the) app keeps its files under a launch's temp root. */
export function appDataDir(root) {
  return join(root, 'data', 'dev.keydesk.app', 'debug');
}

/** The stored connections (metadata only; credentials live in the keyring). */
export function storedConnections(root) {
  const file = join(appDataDir(root), 'settings.json');
  return JSON.parse(readFileSync(file, 'utf8')).connections;
}

/** The embedded sandbox's base URL, from the base URL of its Oligon connection. */
export function sandboxBaseUrl(root) {
  const oligon = storedConnections(root).find((c) => c.id === 'sandbox-oligon');
  assert.ok(oligon, 'the sandbox Oligon connection is stored');
  return oligon.base_url.replace(/\/oligon\/?$/, '');
}

/** Launches the app and waits for the shell with its connections. */
export async function launch(name, options = {}) {
  const app = await launchApp(name, options);
  app.name = name;
  // The temp home (app data, sandbox DB, WebKit dirs) goes when the spec file's process ends,
  // after its audit; KEYDESK_E2E_KEEP=1 keeps it for a look.
  if (!process.env.KEYDESK_E2E_KEEP) process.once('exit', () => rmSync(app.root, { recursive: true, force: true }));
  const stop = app.stop;
  let stopped;
  app.stop = () => (stopped ??= stop());
  await app.browser.setTimeout({ implicit: 0 });
  await app.browser.$('main').waitForDisplayed({ timeout: TIMEOUT });
  if (options.connections !== 0) {
    await app.browser.$('[data-testid="connection-item"] .name').waitForDisplayed({ timeout: TIMEOUT });
  }
  return app;
}

/** The app's and the driver's captured output of a launch. */
export function outputLogs(app) {
  return [join(artifacts, `${app.name}-driver.log`), app.appLog];
}

/** A visible, enabled button with exactly this text (inside `scope` when given). */
export async function button(browser, label, scope) {
  const root = scope ?? browser;
  const el = await root.$(`button=${label}`);
  await el.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: `no button "${label}"` });
  await el.waitForEnabled({ timeout: TIMEOUT, timeoutMsg: `button "${label}" stays disabled` });
  return el;
}

export async function click(browser, label, scope) {
  await (await button(browser, label, scope)).click();
}

/** Opens a connection from the sidebar and waits until its keys are listed. */
export async function openConnection(browser, name) {
  let target;
  await browser.waitUntil(
    async () => {
      for (const item of await browser.$$('[data-testid="connection-item"]')) {
        if ((await text(item.$('.name'))) === name) target = item;
      }
      return target !== undefined;
    },
    { timeout: TIMEOUT, timeoutMsg: `no connection named ${name} in the sidebar` },
  );
  await target.click();
  await browser.$('#keys-title').waitUntil(async function () {
    return (await this.getText()) === name;
  }, { timeout: TIMEOUT });
  await waitForKeys(browser);
}

/** Waits until the key table shows rows and no list is loading. */
export async function waitForKeys(browser) {
  await browser.waitUntil(
    async () =>
      (await browser.$$('[data-testid="key-row"]').length) > 0 &&
      !(await browser.$('[aria-busy="true"]').isExisting()) &&
      (await (await browser.$('button=Refresh')).isEnabled()),
    { timeout: TIMEOUT, timeoutMsg: 'the keys never finished loading' },
  );
}

/** Presses Refresh and waits for the list to be loaded again. */
export async function refresh(browser) {
  const refreshButton = await button(browser, 'Refresh');
  await refreshButton.click();
  await waitForKeys(browser);
}

/** The row of the key with this id (the table is virtualised: filter by search first). */
export async function keyRow(browser, id) {
  const row = await browser.$(`[data-testid="key-row"][data-key-id="${id}"]`);
  await row.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: `no row for key ${id}` });
  return row;
}

/**
 * The rendered key rows, read in one step: { id, name, masked, environment, scopes, status,
 * created, lastUsed, lastUsedTitle, expires }.
 */
export async function tableRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="key-row"]')].map((row) => {
      // By column, not position: a column the provider does not fill is not shown ('').
      const cell = (column) => row.querySelector(`[role="gridcell"][data-column="${column}"]`);
      const t = (column) => (cell(column)?.textContent ?? '').replace(/\s+/g, ' ').trim();
      return {
        id: row.getAttribute('data-key-id'),
        name: t('name'),
        masked: t('masked'),
        environment: t('environment'),
        scopes: t('scopes'),
        status: t('status'),
        created: t('created_at'),
        lastUsed: t('last_used_at'),
        lastUsedTitle: cell('last_used_at')?.getAttribute('title') ?? '',
        expires: t('expires_at'),
      };
    }),
  );
}

/** The rendered row of the key with this id, read as tableRows does. */
export async function rowOf(browser, id) {
  await keyRow(browser, id);
  return (await tableRows(browser)).find((r) => r.id === id);
}

export async function searchKeys(browser, query) {
  const input = await browser.$('#key-search');
  await input.setValue(query);
}

/** Fills the New key form. `fields` maps a field name to a string, or scopes to an array. */
export async function fillCreateForm(browser, fields) {
  const dialog = await browser.$('[data-testid="create-dialog"]');
  await dialog.waitForDisplayed({ timeout: TIMEOUT });
  for (const [name, value] of Object.entries(fields)) {
    const field = await dialog.$(`[data-field="${name}"]`);
    if (Array.isArray(value)) {
      const text = await field.$('input:not([type="checkbox"])');
      if (await text.isExisting()) {
        await text.setValue(value.join(', '));
      } else {
        for (const scope of value) {
          await (await field.$(`label*=${scope}`)).$('input').click();
        }
      }
    } else if (await field.$('select').isExisting()) {
      await field.$('select').selectByAttribute('value', value);
    } else {
      await field.$('input').setValue(value);
    }
  }
  return dialog;
}

/**
 * Creates a key through New key and waits for the reveal dialog. Returns the dialog element.
 */
export async function createKey(browser, fields, { replace = false } = {}) {
  await click(browser, 'New key');
  const dialog = await fillCreateForm(browser, fields);
  if (replace) {
    const checkbox = await dialog.$('.replace input');
    await checkbox.click();
    // Revoking the only active key takes its name, typed.
    const typed = await dialog.$('label.typed');
    await typed.waitForDisplayed({ timeout: TIMEOUT });
    await typed.$('input').setValue(await text(typed.$('.name')));
  }
  await click(browser, replace ? 'Revoke and create' : 'Create key', dialog);
  const reveal = await browser.$('[data-testid="reveal-dialog"]');
  try {
    await reveal.waitForDisplayed({ timeout: TIMEOUT });
  } catch {
    const said = (await dialog.isExisting()) ? await text(dialog) : '(no create dialog)';
    throw new Error(`the reveal dialog never opened; the create dialog says: ${said}`);
  }
  return reveal;
}

/** The secrets shown in the reveal dialog, each revealed with Reveal and masked again with Hide. */
export async function revealAll(browser) {
  const reveal = await browser.$('[data-testid="reveal-dialog"]');
  const items = await reveal.$$('[data-testid="secret"]');
  const secrets = [];
  for (const item of items) {
    const label = await item.$('.label').getText();
    const value = await item.$('[data-testid="secret-value"]');
    const masked = await value.getText();
    await (await item.$('button=Reveal')).click();
    await browser.waitUntil(async () => (await value.getText()) !== masked, {
      timeout: TIMEOUT,
      timeoutMsg: `${label} was never revealed`,
    });
    const plain = await value.getText();
    await (await item.$('button=Hide')).click();
    await browser.waitUntil(async () => (await value.getText()) === masked, { timeout: TIMEOUT });
    secrets.push({ label, masked, value: plain });
  }
  return secrets;
}

/** Presses Copy for the index-th secret and waits until the dialog says it is copied. */
export async function copySecret(browser, index = 0) {
  const reveal = await browser.$('[data-testid="reveal-dialog"]');
  const items = await reveal.$$('[data-testid="secret"]');
  await (await items[index].$('button=Copy')).click();
  const status = await reveal.$('[data-testid="clipboard-status"]');
  await browser.waitUntil(async () => /copied/.test(await status.getText()), {
    timeout: TIMEOUT,
    timeoutMsg: 'the dialog never said the secret was copied',
  });
  return status;
}

/**
 * Opens Leaked key, searches it for `value` and waits for a match; answers the dialog and
 * the first match (`why` names the failure when none comes).
 */
export async function findLeaked(browser, value) {
  await click(browser, 'Leaked key');
  const dialog = await browser.$('[data-testid="leaked-dialog"]');
  await dialog.waitForDisplayed({ timeout: TIMEOUT });
  await dialog.$('#leaked-input').setValue(value);
  await click(browser, 'Find', dialog);
  const match = await dialog.$('[data-testid="leak-match"]');
  try {
    await match.waitForDisplayed({ timeout: TIMEOUT });
  } catch {
    throw new Error(`no match for the leaked key: ${await text(dialog)}`);
  }
  return { dialog, match };
}

/** Closes the reveal dialog with "I have stored it" and waits until it is gone. */
export async function storedIt(browser) {
  const reveal = await browser.$('[data-testid="reveal-dialog"]');
  await click(browser, 'I have stored it', reveal);
  await reveal.waitForExist({ reverse: true, timeout: TIMEOUT, timeoutMsg: 'the reveal dialog stayed open' });
}

/** The X clipboard's text, read from outside the app ('' when it holds nothing). */
export function clipboardText() {
  try {
    return execFileSync('xclip', ['-o', '-selection', 'clipboard'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    });
  } catch {
    return '';
  }
}

/** Puts text on the X clipboard from outside the app (as another program would). */
export function setClipboard(text) {
  // xclip stays in the background to serve the selection: it must not hold our pipes.
  execFileSync('xclip', ['-i', '-selection', 'clipboard'], {
    input: text,
    stdio: ['pipe', 'ignore', 'ignore'],
    timeout: 5_000,
  });
}

/** The whole page's HTML plus every input's value. */
export async function pageText(browser) {
  return browser.execute(() => {
    const values = [...document.querySelectorAll('input, textarea')].map((i) => i.value).join('\n');
    return document.documentElement.outerHTML + '\n' + values;
  });
}

/** Credentials the app keeps in the session keyring (service dev.keydesk.debug), values only. */
export function keyringSecrets() {
  let out = '';
  try {
    out = execFileSync('secret-tool', ['search', '--all', '--unlock', 'service', 'dev.keydesk.debug'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    });
  } catch (err) {
    out = String(err.stdout ?? '');
  }
  return out
    .split('\n')
    .filter((line) => line.startsWith('secret = '))
    .map((line) => line.slice('secret = '.length))
    .flatMap((value) => {
      // A connection's credentials are stored as one JSON object; audit each value.
      // fiskaly's api_key is an identifier (the sandbox stores it to look keys up), not a secret.
      try {
        const parsed = JSON.parse(value);
        if (parsed && typeof parsed === 'object') {
          return Object.entries(parsed)
            .filter(([name]) => name !== 'api_key')
            .map(([, v]) => String(v));
        }
      } catch {}
      return [value];
    })
    .filter((value) => value.length >= 16);
}

/** Every file under `dir` (recursively), skipping what cannot be read. */
export function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    let info;
    try {
      info = statSync(path);
    } catch {
      continue;
    }
    if (info.isDirectory()) out.push(...filesUnder(path));
    else if (info.isFile()) out.push(path);
  }
  return out;
}

/**
 * The forms in which `value` could sit in a file, each named for the audit's report: UTF-8
 * and the UTF-16 WebKit's storage uses; base64, standard and url-safe, at each of the three
 * byte alignments a secret can have inside a longer encoded buffer (only whole 3-byte groups:
 * the characters of a partial group depend on the bytes around it); hex in lower and upper
 * case; and a 20-character slice from its middle (a secret stored without its prefix), in
 * UTF-8 and UTF-16.
 */
export function secretForms(value) {
  const bytes = Buffer.from(value, 'utf8');
  const forms = [
    { form: 'text', bytes },
    { form: 'UTF-16', bytes: Buffer.from(value, 'utf16le') },
  ];
  for (let skip = 0; skip < 3; skip++) {
    const groups = Math.floor((bytes.length - skip) / 3) * 3;
    const aligned = bytes.subarray(skip, skip + groups);
    const base64 = aligned.toString('base64');
    forms.push({ form: `base64 at +${skip}`, bytes: Buffer.from(base64) });
    forms.push({ form: `url-safe base64 at +${skip}`, bytes: Buffer.from(aligned.toString('base64url')) });
  }
  const hex = bytes.toString('hex');
  forms.push({ form: 'hex', bytes: Buffer.from(hex) });
  forms.push({ form: 'upper-case hex', bytes: Buffer.from(hex.toUpperCase()) });
  if (value.length >= 20) {
    const middle = Math.floor(value.length / 2);
    const slice = value.slice(middle - 10, middle + 10);
    forms.push({ form: 'inner slice', bytes: Buffer.from(slice, 'utf8') });
    forms.push({ form: 'UTF-16 inner slice', bytes: Buffer.from(slice, 'utf16le') });
  }
  return forms;
}

/**
 * The secrets audit: searches every file of the launch's temp XDG dirs (app data, sandbox DB,
 * activity log, WebKit data and cache) and the captured output of app and driver for each
 * secret in every form of `secretForms`. Returns "file: secret label as form" for each find
 * (never the secret).
 */
export function findSecretsOnDisk(roots, logs, secrets) {
  const files = [...roots.flatMap((r) => filesUnder(r)), ...logs.filter((l) => existsSync(l))];
  assert.ok(files.length > 0, 'there are files to audit');
  const needles = secrets.map(({ label, value }) => ({ label, forms: secretForms(value) }));
  const hits = [];
  for (const file of files) {
    let bytes;
    try {
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    for (const { label, forms } of needles) {
      const found = forms.find(({ bytes: form }) => bytes.includes(form));
      if (found) hits.push(`${file}: ${label} as ${found.form}`);
    }
  }
  return { hits, files: files.length };
}

/** Filters the table by `name` and returns that key's row (as tableRows reads it). */
export async function rowNamed(browser, name) {
  await searchKeys(browser, name);
  let found;
  await browser.waitUntil(
    async () => {
      found = (await tableRows(browser)).find((r) => r.name === name);
      return found !== undefined;
    },
    { timeout: TIMEOUT, timeoutMsg: `no row named ${name}` },
  );
  return found;
}

/** Waits until the row of key `id` satisfies `check` (re-reading it); returns the row. */
export async function waitForRow(browser, id, check, message) {
  let row;
  await browser.waitUntil(
    async () => {
      row = (await tableRows(browser)).find((r) => r.id === id);
      return row !== undefined && check(row);
    },
    { timeout: TIMEOUT, timeoutMsg: `${message}; last seen: ${JSON.stringify(row)}` },
  );
  return row;
}

/** Opens the details drawer of key `id` and returns it. */
export async function openDetails(browser, id) {
  await (await keyRow(browser, id)).click();
  const drawer = await browser.$('[data-testid="key-details"]');
  await drawer.waitForDisplayed({ timeout: TIMEOUT });
  await browser.waitUntil(async () => (await text(drawer.$('.selectable'))) === id, { timeout: TIMEOUT });
  return drawer;
}

/** An HTTP call to the sandbox's data plane: returns the status. */
export async function dataPlane(url, init = {}) {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return response.status;
}
