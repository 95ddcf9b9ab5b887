// The window comes back where it was left: moved and resized on the X display (as a window
// manager does for the user's drag), the app quits, and the next launch on the same home shows
// its window at that size and place from its first frame. Under Xvfb there is no window
// manager, so the app's own requests are honoured as made and the position round-trips too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TIMEOUT, launch } from '../support/keydesk.js';

/** Where the window state plugin keeps the geometry, under a launch's temp root. */
const stateFile = (root) => join(root, 'config', 'dev.keydesk.app', '.window-state.json');

/** The main window's entry in the saved geometry, if any. */
function saved(root) {
  return existsSync(stateFile(root)) ? JSON.parse(readFileSync(stateFile(root), 'utf8')).main : undefined;
}

/** The X window of the launch's app process, once it is mapped. */
function appWindow(app) {
  const pid = readFileSync(join(app.root, `${app.name}-app.pid`), 'utf8').trim();
  const found = execFileSync('xdotool', ['search', '--sync', '--onlyvisible', '--pid', pid], {
    encoding: 'utf8',
    timeout: TIMEOUT,
  });
  return found.trim().split('\n')[0];
}

/** Position and size of an X window as the X server has them. */
function geometry(id) {
  const shell = execFileSync('xdotool', ['getwindowgeometry', '--shell', id], { encoding: 'utf8' });
  const values = Object.fromEntries(shell.trim().split('\n').map((line) => line.split('=')));
  return { x: Number(values.X), y: Number(values.Y), width: Number(values.WIDTH), height: Number(values.HEIGHT) };
}

/** Moves and resizes the app's window from outside, then waits until the app reports it. */
async function moveAndResize(app, to) {
  const id = appWindow(app);
  execFileSync('xdotool', ['windowsize', '--sync', id, String(to.width), String(to.height)]);
  execFileSync('xdotool', ['windowmove', '--sync', id, String(to.x), String(to.y)]);
  assert.deepEqual(geometry(id), to, 'the X server moved and resized the window');
  await app.browser.waitUntil(
    async () => {
      const rect = await app.browser.getWindowRect();
      return rect.width === to.width && rect.height === to.height && rect.x === to.x && rect.y === to.y;
    },
    { timeout: TIMEOUT, timeoutMsg: 'the app never saw its new geometry' },
  );
  return id;
}

const same = (entry, to) =>
  entry?.width === to.width && entry?.height === to.height && entry?.x === to.x && entry?.y === to.y;

describe('window geometry', () => {
  let app;
  let root;
  before(async () => {
    app = await launch('window');
    root = app.root;
  });
  after(async () => {
    await app?.stop();
  });

  it('opens a first run at the configured 1200×760 and saves nothing while nothing moves', async () => {
    const first = geometry(appWindow(app));
    assert.deepEqual([first.width, first.height], [1200, 760]);
    assert.equal(saved(root), undefined);
  });

  it('closed right after a move and resize, the window opens there next time', async () => {
    const left = { x: 83, y: 61, width: 941, height: 633 };
    const id = await moveAndResize(app, left);
    // Closed at once, as the close button does: quitting itself must write the geometry.
    execFileSync('python3', [join(import.meta.dirname, '../support/close-window.py'), id]);
    await app.stop();
    assert.ok(same(saved(root), left), `saved on quit: ${JSON.stringify(saved(root))}`);

    app = await launch('window-closed', { home: root });
    assert.deepEqual(geometry(appWindow(app)), left);
  });

  it('a move that has settled is kept even when the app is killed instead of quitting', async () => {
    const left = { x: 140, y: 20, width: 1010, height: 700 };
    await moveAndResize(app, left);
    await app.browser.waitUntil(() => same(saved(root), left), {
      timeout: TIMEOUT,
      timeoutMsg: `the settled geometry was never saved: ${JSON.stringify(saved(root))}`,
    });
    // The driver ends the app with a kill, as a logout or a crash would.
    await app.stop();

    app = await launch('window-killed', { home: root });
    assert.deepEqual(geometry(appWindow(app)), left);
  });
});
