// Attention against the embedded sandbox's demo data, as an admin meets it: the reminder that
// arrives at start (on a stand-in notification service on the session bus: no secret in it),
// its click opening the finding, then the view itself: snooze, set an owner, act on a finding.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, click, keyringSecrets, launch, secretForms, text } from '../support/keydesk.js';

const repo = resolve(import.meta.dirname, '../../..');
const fakeBinary = join(repo, 'target/debug/fake-notifications');

/**
 * Starts the stand-in `org.freedesktop.Notifications` (the test session's bus has none); answers
 * { next(): the next notification shown, click(id), stop() } once it owns the name.
 */
async function startNotifications() {
  const child = spawn(fakeBinary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  const queued = [];
  lines.on('line', (line) => {
    const message = JSON.parse(line);
    if (waiting.length) waiting.shift()(message);
    else queued.push(message);
  });
  const next = (timeout = 60_000) =>
    new Promise((done, fail) => {
      if (queued.length) return done(queued.shift());
      const timer = setTimeout(() => fail(new Error(`no notification within ${timeout} ms`)), timeout);
      waiting.push((message) => {
        clearTimeout(timer);
        done(message);
      });
    });
  assert.deepEqual(await next(20_000), { ready: true });
  return {
    next,
    click: (id) => child.stdin.write(`click ${id}\n`),
    stop: () =>
      new Promise((done) => {
        child.once('exit', done);
        child.stdin.end();
      }),
  };
}

/** The Attention view's finding rows: { id, connection, key, rule, reason, owner, action }. */
async function findingRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="finding-row"]')].map((row) => {
      const cell = (name) => (row.querySelector(`td.${name}`)?.textContent ?? '').replace(/\s+/g, ' ').trim();
      return {
        id: row.getAttribute('data-finding-id'),
        connection: cell('connection'),
        key: cell('key'),
        rule: cell('rule'),
        reason: cell('reason'),
        owner: cell('owner'),
        action: (row.querySelector('td.actions button')?.textContent ?? '').trim(),
        focused: row === document.activeElement || row.contains(document.activeElement),
      };
    }),
  );
}

/** The row of finding `id` (ids hold spaces, which WebdriverIO's selectors do not take). */
async function findingRow(browser, id) {
  let row;
  await browser.waitUntil(
    async () => {
      for (const candidate of await browser.$$('[data-testid="finding-row"]')) {
        if ((await candidate.getAttribute('data-finding-id')) === id) row = candidate;
      }
      return row !== undefined;
    },
    { timeout: TIMEOUT, timeoutMsg: `no finding row ${id}` },
  );
  await row.scrollIntoView({ block: 'center' });
  return row;
}

/** Presses `action` on the first finding that suggests it; answers the finding and the dialog. */
async function actOnFirst(browser, action) {
  const target = (await findingRows(browser)).find((row) => row.action === action);
  assert.ok(target, `a finding suggests ${action}`);
  await click(browser, action, await findingRow(browser, target.id));
  // Set owner opens a dialog, Revoke the confirmation (an alert dialog).
  const dialog = await browser.$('[role="dialog"], [role="alertdialog"]');
  await dialog.waitForDisplayed({ timeout: TIMEOUT });
  return { target, dialog };
}

async function gone(browser, id, message) {
  await browser.waitUntil(async () => !(await findingRows(browser)).some((row) => row.id === id), {
    timeout: TIMEOUT,
    timeoutMsg: message,
  });
}

describe('Attention', () => {
  let app;
  let notifications;
  let reminder;

  before(async () => {
    notifications = await startNotifications();
    app = await launch('attention', { env: { KEYDESK_FIRST_CHECK_SECS: '0' } });
    reminder = await notifications.next();
  });
  after(async () => {
    await app?.stop();
    await notifications?.stop();
  });

  it('reminds of the demo high findings at start, naming keys but no secret', async () => {
    assert.equal(reminder.app_name, 'Keydesk');
    assert.match(reminder.summary, /^(\d+ keys need attention now|.+ needs attention)$/);
    assert.ok(reminder.body.length > 0);
    assert.ok(reminder.actions.includes('default'), 'a click on it can be heard');
    const said = `${reminder.summary}\n${reminder.body}`;
    for (const secret of keyringSecrets()) {
      for (const form of secretForms(secret)) assert.ok(!said.includes(form), 'a credential in the notification');
    }
    assert.doesNotMatch(said, /\b(sk_(live|test)_\w{8,}|strait_[0-9a-f]{16,}|eyJ[\w-]{10,})/);
  });

  it('opens the first finding it names when clicked', async () => {
    const { browser } = app;
    notifications.click(reminder.id);
    await browser.$('#attention-title').waitForDisplayed({ timeout: TIMEOUT });
    const firstKey = reminder.body.split('\n')[0].split(' (')[0];
    await browser.waitUntil(
      async () => (await findingRows(browser)).some((row) => row.focused && row.key === firstKey),
      { timeout: TIMEOUT, timeoutMsg: `the finding of ${firstKey} never took focus` },
    );
  });

  it('groups findings by severity, high first, across every connection', async () => {
    const { browser } = app;
    const rows = await findingRows(browser);
    const connections = new Set(rows.map((row) => row.connection));
    assert.ok(connections.size >= 3, `findings of several connections: ${[...connections]}`);
    const groups = await browser.execute(() =>
      [...document.querySelectorAll('table[data-testid^="severity-"]')].map((t) => t.getAttribute('data-testid')),
    );
    assert.deepEqual(groups, ['severity-high', 'severity-medium', 'severity-low'].filter((g) => groups.includes(g)));
    assert.equal(groups[0], 'severity-high');
    const badge = await text(browser.$('[data-testid="attention-item"] .count'));
    assert.match(badge, new RegExp(`^${rows.length}\\b`));
  });

  it('shows on the first run what needs an earlier look, from the demo history', async () => {
    const rows = await findingRows(app.browser);
    const keysOf = (rule) => rows.filter((row) => row.rule === rule).map((row) => row.key);
    const shows = (rule, name) =>
      assert.ok(keysOf(rule).some((key) => key.includes(name)), `${rule}: ${keysOf(rule)}`);
    shows('Secret never arrived', 'Nightly export');
    shows('Disappeared', 'pos-cologne-01');
    shows('Appeared', 'Backup exporter');
  });

  it('snoozes a finding for 7 days', async () => {
    const { browser } = app;
    const rows = await findingRows(browser);
    const target = rows.find((row) => row.rule && row.action !== 'Set owner') ?? rows[0];
    const row = await findingRow(browser, target.id);
    await click(browser, 'Snooze', row);
    await (await row.$('button[aria-label="Snooze for 7 days"]')).click();
    await gone(browser, target.id, 'the snoozed finding stays listed');
  });

  it('sets the owner of an unowned key', async () => {
    const { browser } = app;
    const { target, dialog } = await actOnFirst(browser, 'Set owner');
    await (await dialog.$('#owner-input')).click();
    await browser.keys('ana@example.com'.split(''));
    await click(browser, 'Set owner', dialog);
    await gone(browser, target.id, 'the unowned finding stays after setting an owner');
    const others = (await findingRows(browser)).filter((row) => row.key === target.key);
    for (const other of others) assert.equal(other.owner, 'ana@example.com');
  });

  it('revokes a key from its finding after the usual confirmation', async () => {
    const { browser } = app;
    const { target, dialog } = await actOnFirst(browser, 'Revoke');
    assert.match(await text(dialog), /will fail|stop working|revoke/i);
    // A live key asks for its name to be typed first.
    const typed = await dialog.$('label.typed input');
    if (await typed.isExisting()) {
      const revoke = await dialog.$('button=Revoke');
      assert.equal(await revoke.isEnabled(), false, 'Revoke waits for the typed name');
      assert.equal(await text(dialog.$('label.typed .name')), target.key);
      await typed.setValue(target.key);
    }
    await click(browser, 'Revoke', dialog);
    await gone(browser, target.id, 'the revoked key keeps its finding');
  });
});
