// Starts the built Keydesk app in real WebKit through tauri-driver, with its own data dirs.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { remote } from 'webdriverio';

const repo = resolve(import.meta.dirname, '../../..');
export const artifacts = join(repo, 'tests/e2e/.artifacts');
export const appBinary = process.env.KEYDESK_APP ?? join(repo, 'target/debug/keydesk');

const tauriDriver =
  process.env.TAURI_DRIVER ??
  (process.env.HOME ? join(process.env.HOME, '.cargo/bin/tauri-driver') : 'tauri-driver');

/**
 * A port nothing listens on now, picked by the OS from its ephemeral range. A random pick near
 * 4444 sometimes landed on 5060, which fetch (and so WebdriverIO) refuses as a "bad port".
 */
function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port, or rejects at the deadline. */
async function waitForPort(port, deadlineMs, exited) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (exited()) throw new Error(`tauri-driver exited before listening on ${port}`);
    const open = await new Promise((done) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.end();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port} after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether a process runs (a zombie has let go of everything, its D-Bus name included). */
function running(pid) {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits for the app whose launcher wrote `pidFile` to exit; ends it if it does not. */
async function appGone(pidFile) {
  let pid;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return; // never launched
  }
  for (const signal of [null, 'SIGTERM', 'SIGKILL']) {
    if (signal) {
      try {
        process.kill(pid, signal);
      } catch {
        return;
      }
    }
    const until = Date.now() + 5_000;
    while (running(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (!running(pid)) return;
  }
}

/**
 * The environment of an app whose data, config and cache live under `root` (with `env` on top):
 * its own XDG dirs, no accessibility bus, WebKit's quicker first paint under Xvfb.
 */
export function appEnv(root, env = {}) {
  return {
    ...process.env,
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_CACHE_HOME: join(root, 'cache'),
    NO_AT_BRIDGE: '1',
    WEBKIT_DISABLE_COMPOSITING_MODE: '1',
    ...env,
  };
}

/**
 * Launches Keydesk with fresh XDG data/config/cache dirs (so every run is a first run) and
 * returns the WebDriver session plus a `stop()` that ends app and driver. `application` picks
 * another binary (the benchmarks' bare window).
 * The driver's output goes to .artifacts/<name>-driver.log and the app's (which WebKitWebDriver
 * does not pass on) to .artifacts/<name>-app.log, through a small launcher script, for the
 * secrets audit.
 */
export async function launchApp(name, { env = {}, home, application = appBinary } = {}) {
  mkdirSync(artifacts, { recursive: true });
  const root = home ?? mkdtempSync(join(tmpdir(), `keydesk-e2e-${name}-`));
  // WebKitWebDriver drops the application's stdout/stderr: a launcher keeps them.
  const appLog = join(artifacts, `${name}-app.log`);
  writeFileSync(appLog, '');
  const launcher = join(root, 'keydesk-launcher.sh');
  const quote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;
  // It also notes the app's pid ($$ stays the same through exec), so stop() can wait for it.
  const pidFile = join(root, `${name}-app.pid`);
  writeFileSync(
    launcher,
    `#!/bin/sh\necho $$ >${quote(pidFile)}\nexec ${quote(application)} "$@" >>${quote(appLog)} 2>&1\n`,
    { mode: 0o755 },
  );
  // A session that does not start (the POST to /session times out: what an app that never
  // comes up gives too) is tried once more with a fresh driver, and says so on stderr; the
  // app's log keeps both attempts. Once, in a CI run of 2026-12-05, one start of the `screens`
  // spec failed this way while every other session on the same build started.
  try {
    return await startSession(name, root, env, launcher, pidFile, appLog);
  } catch (err) {
    console.error(`launchApp(${name}): the WebDriver session did not start (${err.message}); trying once more`);
    return await startSession(`${name}-again`, root, env, launcher, pidFile, appLog);
  }
}

/** Starts tauri-driver and a WebDriver session on the app behind `launcher` (see launchApp). */
async function startSession(name, root, env, launcher, pidFile, appLog) {
  // The launcher writes it as the app starts: one left by an earlier launch would name a
  // process long gone (or, its pid reused, another one).
  rmSync(pidFile, { force: true });
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(tauriDriver, ['--port', String(port), '--native-port', String(nativePort)], {
    env: appEnv(root, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(join(artifacts, `${name}-driver.log`));
  driver.stdout.pipe(log);
  driver.stderr.pipe(log);
  let exited = false;
  driver.on('exit', () => {
    exited = true;
  });

  try {
    await waitForPort(port, 20_000, () => exited);
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'warn',
      capabilities: { 'tauri:options': { application: launcher } },
    });
    // Returns once the app is gone: Keydesk runs once per data dir, so an app still shutting
    // down would take over the next launch on the same home (a restart in a spec, the
    // benchmarks' cold starts) and that launch would exit at once.
    const stop = async () => {
      await browser.deleteSession().catch(() => {});
      driver.kill();
      await appGone(pidFile);
    };
    return { browser, root, stop, appLog };
  } catch (err) {
    driver.kill();
    // An app the failed session launched would hold the data dir against the next launch.
    await appGone(pidFile);
    throw err;
  }
}
