// Keydesk against the floor: a bare Tauri 2 window (bench/bare-window) built with the same
// toolchain and profile, measured in the same run, runs interleaved.
// - Cold start: from the process's exec (its /proc start time) to the first keys on screen
//   (Keydesk, embedded sandbox with 1,000 keys per API; mark 'start-frame-painted' or, without
//   a start frame, 'keys-table-painted') or to the bare page's first paint
//   ('bare-window-painted'). Launched through tauri-driver. Keydesk three times per round: as
//   the last run left it (its start frame and inventory snapshot: an installed app's usual
//   start), with the start frame removed first (the app draws the snapshot's keys), and with
//   both removed (the keys wait for the sandbox and the list, as a start did before either).
// - Idle memory: launched directly (no WebDriver), PSS and RSS summed over the process and its
//   WebKit children after BENCH_IDLE_MS (30 s).
// Writes target/bench/results/floor-cold.json and floor-memory.json. Measures only: no figure here is asserted.
//   KEYDESK_APP=… BARE_WINDOW=… scripts/desktop-session node tests/e2e/bench/floor.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { appEnv, launchApp } from '../support/app.js';
import { filesUnder } from '../support/keydesk.js';
import { median, memoryOf, processTree, processesOf, runs, sleep, startedAt, waitForMarks, writeResult } from './lib.mjs';

const binaries = { app: process.env.KEYDESK_APP, bare: process.env.BARE_WINDOW };
if (!binaries.app || !binaries.bare) throw new Error('set KEYDESK_APP and BARE_WINDOW');
const KEYS = 1000;
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const marks = { app: 'keys-table-painted', bare: 'bare-window-painted' };
const FRAME_MARK = 'start-frame-painted';
const envs = { app: { KEYDESK_SANDBOX_SEED: `bulk:${KEYS}` }, bare: {} };

// Keydesk keeps its data (sandbox database, settings, keyring entries) between runs, as on a
// user's machine: a first start seeds the sandbox and is not measured.
const appHome = mkdtempSync(join(tmpdir(), 'keydesk-bench-floor-'));
const homes = { app: () => appHome, bare: () => mkdtempSync(join(tmpdir(), 'keydesk-bench-bare-')) };

/** The files named `name` in Keydesk's data dir (whichever build's folder holds them). */
const dataFiles = (name) => filesUnder(join(appHome, 'data')).filter((path) => basename(path) === name);

const forget = (...names) => names.flatMap(dataFiles).forEach((path) => rmSync(path));

/** Waits up to `timeoutMs` for the app to save its start frame; answers whether it did. */
async function frameSaved(timeoutMs) {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(50)) {
    if (dataFiles('start-frame.json').length > 0) return true;
  }
  return false;
}

/**
 * `variant` of Keydesk: 'frame' (as the last run left it), 'snapshot' (its start frame removed)
 * or 'no-snapshot' (the inventory snapshot removed too).
 */
async function coldStart(kind, index, variant = 'frame') {
  if (kind === 'app' && variant !== 'frame') forget('start-frame.json');
  if (kind === 'app' && variant === 'no-snapshot') forget('inventory-snapshots.json');
  const before = Date.now();
  const session = await launchApp(`bench-floor-${kind}-${variant}-${index}`, {
    application: binaries[kind],
    env: envs[kind],
    home: homes[kind](),
  });
  try {
    const page = await waitForMarks(session.browser, [marks[kind]], 120_000);
    const shownMark = page.marks[FRAME_MARK] ?? page.marks[marks[kind]];
    const shownAt = page.origin + shownMark;
    const phases = kind === 'app' ? await appPhases(session.browser, page.marks) : null;
    // The fresh list is in (so its snapshot is written) before the start that follows, and
    // the start frame the app saves once that list has been on screen a moment.
    const requested = Object.keys(page.marks).find((name) => name.startsWith('keys-requested:'));
    if (requested) await waitForMarks(session.browser, [requested.replace('requested', 'received')], 120_000);
    const saved = kind === 'app' ? await frameSaved(20_000) : null;
    const started = processesOf(binaries[kind])
      .map(startedAt)
      .filter((t) => t >= before - 20);
    return {
      exec_to_shown_ms: started.length ? shownAt - Math.min(...started) : null,
      session_request_to_shown_ms: shownAt - before,
      navigation_to_shown_ms: shownMark,
      phases,
      start_frame_saved: saved,
    };
  } finally {
    await session.stop();
  }
}

/**
 * Where Keydesk's page spent its time, in ms after navigation: the document loaded, its first
 * paint, the open connection's keys asked for and received (the first of the marks the UI
 * leaves around `listKeys`), the table in the DOM and on screen.
 */
async function appPhases(browser, pageMarks) {
  const timing = await browser.execute(() => ({
    loaded: performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? null,
    first_paint: performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint')?.startTime ?? null,
  }));
  const first = (prefix) =>
    Object.entries(pageMarks)
      .filter(([name]) => name.startsWith(prefix))
      .map(([, at]) => at)
      .sort((a, b) => a - b)[0] ?? null;
  return {
    ...timing,
    // The start's steps (ui/src/lib/shell/keydesk.svelte.ts): connections and the last known
    // keys answered, events subscribed, capabilities, settings and pending reveals answered.
    connections: pageMarks['start-connections'] ?? null,
    listening: pageMarks['start-listening'] ?? null,
    rest: pageMarks['start-rest'] ?? null,
    keys_requested: first('keys-requested:'),
    keys_received: first('keys-received:'),
    rendered: pageMarks['keys-table-rendered'] ?? null,
    start_frame: pageMarks[FRAME_MARK] ?? null,
    table_shown: pageMarks[marks.app],
    shown: pageMarks[FRAME_MARK] ?? pageMarks[marks.app],
    // Painted before the fresh list came: the last known keys, marked "as of".
    from_snapshot: pageMarks[marks.app] < (first('keys-received:') ?? Infinity),
    // Painted from the start frame, before the app's script had run.
    from_frame: FRAME_MARK in pageMarks,
  };
}

async function idleMemory(kind) {
  const root = homes[kind]();
  const child = spawn(binaries[kind], [], {
    env: appEnv(root, envs[kind]),
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await sleep(IDLE_MS);
  const tree = processTree(child.pid);
  const memory = memoryOf(tree);
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5_000)]);
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return memory;
}

// BENCH_FLOOR_PARTS=cold or =memory runs one half (each writes its own results file).
const parts = (process.env.BENCH_FLOOR_PARTS ?? 'cold,memory').split(',');

const warmup = await coldStart('app', 'seed');
console.log(`bench: floor: seeded the sandbox (first start ${warmup.exec_to_shown_ms} ms, not counted)`);

// Interleaved: bare, Keydesk without a snapshot, with the snapshot only, then with the start
// frame the start before it left.
const cold = { app: [], app_snapshot_only: [], app_no_snapshot: [], bare: [] };
const rounds = [
  ['bare', 'bare', 'frame'],
  ['app_no_snapshot', 'app', 'no-snapshot'],
  ['app_snapshot_only', 'app', 'snapshot'],
  ['app', 'app', 'frame'],
];
for (let i = 0; parts.includes('cold') && i < runs; i++) {
  for (const [name, kind, variant] of rounds) {
    const run = await coldStart(kind, i, variant);
    console.log(`bench: floor: cold start ${name} run ${i + 1}/${runs}: ${run.exec_to_shown_ms} ms`);
    cold[name].push(run);
  }
}

const memory = { app: [], bare: [] };
for (let i = 0; parts.includes('memory') && i < runs; i++) {
  for (const kind of ['bare', 'app']) {
    const run = await idleMemory(kind);
    console.log(
      `bench: floor: idle memory ${kind} run ${i + 1}/${runs}: PSS ${(run.pss_kb / 1024).toFixed(0)} MB, RSS ${(run.rss_kb / 1024).toFixed(0)} MB (${run.processes.map((p) => p.name).join(', ')})`,
    );
    memory[kind].push(run);
  }
}

const coldMedian = (kind) => median(cold[kind].map((r) => r.exec_to_shown_ms));
const memMedian = (kind, field) => median(memory[kind].map((r) => r[field]));
const common = { keys_per_api: KEYS, idle_ms: IDLE_MS, binaries };
if (parts.includes('cold')) {
  writeResult('floor-cold', {
    ...common,
    cold,
    summary: {
      cold_app_ms: coldMedian('app'),
      cold_bare_ms: coldMedian('bare'),
      cold_ratio: coldMedian('app') / coldMedian('bare'),
      cold_app_snapshot_only_ms: coldMedian('app_snapshot_only'),
      cold_snapshot_only_ratio: coldMedian('app_snapshot_only') / coldMedian('bare'),
      cold_app_no_snapshot_ms: coldMedian('app_no_snapshot'),
      cold_no_snapshot_ratio: coldMedian('app_no_snapshot') / coldMedian('bare'),
    },
  });
}
if (parts.includes('memory')) {
  writeResult('floor-memory', {
    ...common,
    memory,
    summary: {
      pss_app_kb: memMedian('app', 'pss_kb'),
      pss_bare_kb: memMedian('bare', 'pss_kb'),
      pss_ratio: memMedian('app', 'pss_kb') / memMedian('bare', 'pss_kb'),
      rss_app_kb: memMedian('app', 'rss_kb'),
      rss_bare_kb: memMedian('bare', 'rss_kb'),
      anon_app_kb: memMedian('app', 'anon_kb'),
      anon_bare_kb: memMedian('bare', 'anon_kb'),
      rss_ratio: memMedian('app', 'rss_kb') / memMedian('bare', 'rss_kb'),
    },
  });
}
