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

/** The main window's entry in the saved geometry, if any. */
function saved(root) {
  return existsSync(stateFile(root)) ? JSON.parse(readFileSync(stateFile(root), 'utf8')).main : undefined;
}

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

  it('opens a first run at the configured 1200×760', async () => {
    const first = geometry(appWindow(app));
    assert.deepEqual([first.width, first.height], [1200, 760]);
    assert.equal(saved(root), undefined, 'a launch that moves nothing saves nothing');
  });

  it('shows the next launch at the size and place the window was left at', async () => {
    const left = { x: 83, y: 61, width: 941, height: 633 };
    const id = appWindow(app);
    execFileSync('xdotool', ['windowsize', '--sync', id, String(left.width), String(left.height)]);
    execFileSync('xdotool', ['windowmove', '--sync', id, String(left.x), String(left.y)]);
    assert.deepEqual(geometry(id), left, 'the X server moved and resized the window');
    // The app has taken the change in once WebKit reports the new frame.
    await app.browser.waitUntil(
      async () => {
        const rect = await app.browser.getWindowRect();
        return rect.width === left.width && rect.height === left.height && rect.x === left.x && rect.y === left.y;
      },
      { timeout: TIMEOUT, timeoutMsg: 'the app never saw its new geometry' },
    );

    // Saved once it settles, not only on quit: the driver ends the app with a kill, as a
    // logout or a crash would, so this is the path that must hold.
    await app.browser.waitUntil(() => saved(root)?.width === left.width && saved(root)?.x === left.x, {
      timeout: TIMEOUT,
      timeoutMsg: 'the new geometry was never saved',
    });
    await app.stop();

    app = await launch('window-again', { home: root });
    assert.deepEqual(geometry(appWindow(app)), left);
  });
});
