// The shell holds: one app per data dir (a second launch hands over to the first and exits),
// the webview shows only Keydesk's own page (no navigating away, no new windows), and the
// opt-in global shortcut opens Leaked key from anywhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appBinary, appEnv } from '../support/app.js';
import { TIMEOUT, appDataDir, click, launch } from '../support/keydesk.js';

/** Starts the app binary directly (no driver); `exited` resolves with its exit code and signal. */
function startBinary(root) {
  const child = spawn(appBinary, [], { env: appEnv(root), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return { child, exited, output: () => output };
}

/** Resolves once `check()` is true; rejects with `what` after `ms` (a guard, not a timing). */
async function until(check, what, ms = TIMEOUT) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} (waited ${ms} ms)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How often the app has logged `line` so far. */
const timesLogged = (app, line) => readFileSync(app.appLog, 'utf8').split(line).length - 1;
const logged = (app, line, times = 1) => () => timesLogged(app, line) >= times;

describe('the shell', () => {
  let app;
  before(async () => {
    app = await launch('shell');
  });
  after(async () => {
    await app?.stop();
  });

  it('hands a second launch on the same data over to the running app, which stays', async () => {
    const second = startBinary(app.root);
    const result = await Promise.race([
      second.exited,
      new Promise((r) => setTimeout(() => r(null), TIMEOUT)),
    ]);
    if (result === null) second.child.kill();
    assert.deepEqual(result, { code: 0, signal: null }, `the second launch did not exit by itself:\n${second.output()}`);

    await until(logged(app, 'Keydesk was launched again'), 'the running app never heard of the second launch');
    const { browser } = app;
    assert.equal((await browser.getWindowHandles()).length, 1);
    assert.equal(await browser.$('main').isDisplayed(), true);
    assert.match(await browser.getTitle(), /^Keydesk\b/);
  });

  it('stays on its page when the page tries to navigate away', async () => {
    const { browser } = app;
    const before = await browser.execute(() => location.href);
    assert.match(before, /^tauri:\/\/localhost\b/);
    const refused = 'navigation away from Keydesk refused';
    const earlier = timesLogged(app, refused);
    await browser.execute(() => {
      location.href = 'https://example.invalid/';
    });
    await until(logged(app, refused, earlier + 1), 'the navigation was never refused');
    // A link with no target is a navigation too.
    await browser.execute(() => {
      const link = document.createElement('a');
      link.href = 'data:text/html,<h1>not Keydesk</h1>';
      document.body.append(link);
      link.click();
      link.remove();
    });
    await until(logged(app, refused, earlier + 2), 'the link was never refused');
    assert.equal(await browser.execute(() => location.href), before);
    assert.equal(await browser.$('main').isDisplayed(), true);
    assert.match(await browser.$('h1').getText(), /Keydesk/);
    // The page still answers the backend: the sidebar lists the sandbox connections.
    assert.ok((await browser.$$('[data-testid="connection-item"]').length) > 0);
  });

  it('opens no second window, from window.open or a target=_blank link', async () => {
    const { browser } = app;
    const refused = 'new window refused';
    const earlier = timesLogged(app, refused);
    // Clicked through WebDriver, so WebKit sees a user gesture and does not block them as popups.
    await browser.execute(() => {
      const opener = document.createElement('button');
      opener.id = 'e2e-opener';
      opener.textContent = 'open';
      opener.addEventListener('click', () => {
        window.e2eOpened = window.open('https://example.invalid/', '_blank');
      });
      const link = document.createElement('a');
      link.id = 'e2e-blank-link';
      link.href = 'https://example.invalid/elsewhere';
      link.target = '_blank';
      link.textContent = 'elsewhere';
      for (const el of [opener, link]) Object.assign(el.style, { position: 'fixed', top: '0', left: '0', zIndex: '9999' });
      link.style.top = '40px';
      document.body.append(opener, link);
    });
    await browser.$('#e2e-opener').click();
    await until(logged(app, refused, earlier + 1), 'window.open was never refused');
    assert.equal(await browser.execute(() => window.e2eOpened), null);
    await browser.$('#e2e-blank-link').click();
    await until(logged(app, refused, earlier + 2), 'the target=_blank link was never refused');

    assert.equal((await browser.getWindowHandles()).length, 1);
    assert.match(await browser.execute(() => location.href), /^tauri:\/\/localhost\b/);
    await browser.execute(() => {
      document.getElementById('e2e-opener')?.remove();
      document.getElementById('e2e-blank-link')?.remove();
    });
    assert.equal(await browser.$('main').isDisplayed(), true);
  });

  it('opens Leaked key from any application with the opt-in global shortcut', async () => {
    const { browser } = app;
    await click(browser, 'Settings');
    const view = await browser.$('[data-testid="settings-view"]');
    await view.waitForDisplayed({ timeout: TIMEOUT });
    const optIn = await view.$('label*=Bring Keydesk forward with Leaked key').$('input');
    await optIn.click();
    await click(browser, 'Save settings', view);
    await browser.waitUntil(async () => /Settings saved/.test(await browser.$('body').getText()), {
      timeout: TIMEOUT,
      timeoutMsg: 'the shortcut was not saved',
    });
    // The keys go to the X server, not to the webview: as a press in another application.
    execFileSync('xdotool', ['key', 'ctrl+alt+k']);
    const dialog = await browser.$('[role="dialog"]');
    await dialog.waitForDisplayed({ timeout: TIMEOUT, timeoutMsg: 'Leaked key did not open' });
    assert.match(await dialog.getText(), /Leaked key/);
    const focused = await browser.execute(() => document.activeElement?.getAttribute('type'));
    assert.equal(focused, 'password', 'the paste field has the focus');
    await browser.keys('Escape');
  });

  // Last: that app writes the sandbox connections' keyring items of this D-Bus session too.
  it('lets an app on other data dirs run beside it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'keydesk-e2e-shell-other-'));
    const other = startBinary(root);
    let exit = null;
    other.exited.then((result) => (exit = result));
    try {
      // Its settings exist once it is past the single-instance check and has set up its state.
      await until(
        () => exit !== null || existsSync(join(appDataDir(root), 'settings.json')),
        'the other app never wrote its settings',
        60_000,
      );
      assert.equal(exit, null, `the app on other data dirs exited:\n${other.output()}`);
    } finally {
      other.child.kill();
      await other.exited;
      rmSync(root, { recursive: true, force: true });
    }
  });
});
