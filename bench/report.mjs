// Writes BENCHMARKS.md from what `scripts/bench` left in target/bench: criterion estimates
// and the JSON of the other steps. A figure that was not measured says so; none is made up.
//   node bench/report.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from '../tests/e2e/bench/lib.mjs';

const repo = resolve(import.meta.dirname, '..');
const out = join(repo, 'target/bench');
const results = process.env.BENCH_RESULTS ?? join(out, 'results');

const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);
const result = (name) => readJson(join(results, `${name}.json`));
const meta = (name) => readJson(join(results, `${name}.meta.json`));
const failed = (name) => existsSync(join(results, `${name}.failed`));
const run = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
};

const ms = (v, digits = 1) => (v == null ? '—' : `${v.toFixed(digits)} ms`);
const mb = (kb) => (kb == null ? '—' : `${(kb / 1024).toFixed(0)} MB`);
const ratio = (v) => (v == null || !Number.isFinite(v) ? '—' : `${v.toFixed(2)}×`);
const MISS = '❌ **miss**';
const OK = '✅ within';
const NOT = '— not measured';
const verdict = (value, max) => (value == null || !Number.isFinite(value) ? NOT : value <= max ? OK : MISS);

/** Why a step has no figures. */
function absent(step) {
  if (failed(step)) return `${NOT}: the \`${step}\` step failed (target/bench/logs/${step}.log)`;
  return `${NOT}: the \`${step}\` step has not run`;
}

// --- criterion (core) -------------------------------------------------------------------
function criterionEstimates() {
  const root = join(out, 'criterion');
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (!statSync(path).isDirectory()) continue;
      if (name === 'new' && existsSync(join(path, 'benchmark.json'))) {
        const bench = readJson(join(path, 'benchmark.json'));
        const estimates = readJson(join(path, 'estimates.json'));
        const sample = readJson(join(path, 'sample.json'));
        found.push({
          group: bench.group_id,
          name: bench.function_id ?? bench.value_str ?? '',
          median_ms: estimates.median.point_estimate / 1e6,
          low_ms: estimates.median.confidence_interval.lower_bound / 1e6,
          high_ms: estimates.median.confidence_interval.upper_bound / 1e6,
          samples: sample?.iters?.length ?? null,
          iterations: sample?.iters?.reduce((a, b) => a + b, 0) ?? null,
        });
      } else if (name !== 'base' && name !== 'change' && name !== 'report') {
        walk(path);
      }
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

const lines = [];
const put = (...text) => lines.push(...text);
const summary = [];
const row = (what, value, budget, mark) => summary.push(`| ${what} | ${value} | ${budget} | ${mark} |`);

// --- machine ------------------------------------------------------------------------------
const build = meta('build')?.build ?? meta('ui')?.build ?? process.env.BENCH_BUILD ?? 'release';
const webkit = run('dpkg-query', ['-W', '-f=${Version}', 'libwebkit2gtk-4.1-0']);
const tauriVersion = /name = "tauri"\nversion = "([^"]+)"/.exec(readFileSync(join(repo, 'Cargo.lock'), 'utf8'))?.[1];
const debian = readFileSync('/etc/debian_version', 'utf8').trim();
const steps = ['build', 'core', 'sandbox', 'ui', 'floor', 'size'];
const loads = steps
  .map((s) => meta(s))
  .filter(Boolean)
  .map((m) => `${m.step} ${m.load} (${m.started})`);

put(
  '# Keydesk benchmarks',
  '',
  `Written by \`make bench\` (\`scripts/bench\`, then \`bench/report.mjs\`) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
  'Every figure is the median of at least 5 runs; a ratio compares two figures measured in the same run.',
  'The budgets are those of DESIGN.md ("Performance budgets"). No figure here is asserted by a test.',
  '',
);
if (build !== 'release') {
  put(
    `> **These figures come from ${build} builds** (\`BENCH_BUILD=${build}\`), for working on the harness:`,
    '> they are not the product\'s. `make bench` measures release builds.',
    '',
  );
}

// --- core ---------------------------------------------------------------------------------
const estimates = criterionEstimates();
const decode = estimates.filter((e) => /decode/i.test(e.group));
const inventory = estimates.filter((e) => /inventory/i.test(e.group));
const concurrent = inventory.find((e) => /concurrent/i.test(e.name));
const attention = estimates.find((e) => /^attention/i.test(e.group));
const leakMatch = estimates.filter((e) => /^leaked-key match/i.test(e.group));
const sequential = inventory.find((e) => /sequential/i.test(e.name));
const cursorPages = inventory.find((e) => /^strait/i.test(e.group));

if (decode.length) {
  for (const e of decode) row(`Decode + normalize 10,000 ${e.name} keys`, ms(e.median_ms, 2), '≤ 20 ms', verdict(e.median_ms, 20));
} else {
  row('Decode + normalize 10,000 keys per provider', '—', '≤ 20 ms', absent('core'));
}
if (concurrent) {
  row('Inventory of 10,000 fiskaly keys at 20 ms latency, concurrent paging', ms(concurrent.median_ms, 0), '≤ 400 ms', verdict(concurrent.median_ms, 400));
  row(
    '… sequential paging (same run), and the ratio',
    sequential ? `${ms(sequential.median_ms, 0)}; ${ratio(sequential.median_ms / concurrent.median_ms)} slower` : '—',
    'informational (≥ 2 s expected)',
    sequential ? 'ℹ️' : NOT,
  );
} else {
  row('Inventory of 10,000 fiskaly keys at 20 ms latency', '—', '≤ 400 ms', absent('core'));
}
row(
  'Inventory of 10,000 Strait keys at 20 ms latency, deployed service (cursor pages, one after another)',
  cursorPages ? ms(cursorPages.median_ms, 0) : '—',
  'informational (100 pages: ≥ 2 s)',
  cursorPages ? 'ℹ️' : absent('core'),
);
if (attention) {
  row('Attention over 4 × 10,000 keys (annotations, previous snapshot)', ms(attention.median_ms, 2), '≤ 20 ms', verdict(attention.median_ms, 20));
} else {
  row('Attention over 4 × 10,000 keys', '—', '≤ 20 ms', absent('core'));
}
if (leakMatch.length) {
  for (const e of leakMatch) row(`Leaked-key match in core over 4 × 10,000 keys, ${e.name}`, ms(e.median_ms, 2), '≤ 5 ms', verdict(e.median_ms, 5));
} else {
  row('Leaked-key match in core over 4 × 10,000 keys', '—', '≤ 5 ms', absent('core'));
}

// --- ui (leaked-key search) --------------------------------------------------------------
const uiLeak = result('ui-leak');
if (uiLeak) {
  const painted = uiLeak.summary.painted_ms;
  row(`Leaked key: Find → match on screen, 4 × ${uiLeak.keys_per_connection.toLocaleString('en')} keys at ${uiLeak.latency_ms} ms latency`, ms(painted, 0), '≤ 1 s', verdict(painted, 1000));
} else {
  row('Leaked key: Find → match on screen, 4 × 10,000 keys at 20 ms latency', '—', '≤ 1 s', absent('ui'));
}

// --- cli (inventory over the app's saved connections) ----------------------------------------
const cliInventory = result('cli');
if (cliInventory) {
  const wall = cliInventory.summary.wall_ms;
  row(`\`keydesk-cli inventory --json\`, ${cliInventory.connections} × ${cliInventory.keys_per_connection.toLocaleString('en')} keys at ${cliInventory.latency_ms} ms latency (whole process)`, ms(wall, 0), '≤ 1 s', verdict(wall, 1000));
} else {
  row('`keydesk-cli inventory --json`, 4 × 10,000 keys at 20 ms latency (whole process)', '—', '≤ 1 s', absent('cli'));
}

// --- ui (10,000-key table) ------------------------------------------------------------------
const ui = result('ui-table');
if (ui) {
  const s = ui.summary;
  row('Keys table: first paint of 10,000 rows (list received → painted)', ms(s.painted_ms, 0), '≤ 150 ms', verdict(s.painted_ms, 150));
  row('Filter keystroke on 10,000 keys (keydown → filtered, laid out)', ms(s.first_keystroke_work_ms, 0), '≤ 16 ms', verdict(s.first_keystroke_work_ms, 16));
  row('… the same keystroke to the next painted frame', ms(s.first_keystroke_paint_ms, 0), 'informational (includes waiting for the frame)', 'ℹ️');
  row('… further keystrokes, narrowing the list (keydown → filtered, laid out)', ms(s.further_keystroke_work_ms, 0), '≤ 16 ms', verdict(s.further_keystroke_work_ms, 16));
  row(
    'Scroll through 10,000 rows: frames over 50 ms (all runs)',
    `${s.scroll_gaps_over_50ms} of ${s.scroll_frames} frames; worst ${ms(s.scroll_worst_gap_ms, 0)}`,
    'no long task over 50 ms',
    s.scroll_gaps_over_50ms === 0 ? OK : MISS,
  );
  row('… CPU time of the web process per scroll frame', ms(s.scroll_web_cpu_ms_per_frame, 1), 'informational (a frame\'s own cost)', 'ℹ️');
} else {
  row('Keys table on 10,000 keys (first paint, keystroke, scroll)', '—', '≤ 150 ms / ≤ 16 ms / no task > 50 ms', absent('ui'));
}

// --- floor ---------------------------------------------------------------------------------
const floorCold = result('floor-cold');
const floorMemory = result('floor-memory');
// Keydesk's cold starts without its start frame, and without its inventory snapshot too: as
// the budget table (`budget`) and the floor's own table (`what`) name them.
const coldVariants = floorCold
  ? [
      {
        kind: 'app_snapshot_only',
        budget: 'without the start frame (the app draws the inventory snapshot)',
        what: 'without the start frame (inventory snapshot only)',
        shown: floorCold.summary.cold_app_snapshot_only_ms,
        ratio: floorCold.summary.cold_snapshot_only_ratio,
      },
      {
        kind: 'app_no_snapshot',
        budget: 'without an inventory snapshot (keys wait for the sandbox and the list)',
        what: 'without an inventory snapshot',
        shown: floorCold.summary.cold_app_no_snapshot_ms,
        ratio: floorCold.summary.cold_no_snapshot_ratio,
      },
    ].filter((v) => v.shown != null && floorCold.cold[v.kind]?.length)
  : [];
if (floorCold) {
  const s = floorCold.summary;
  row(
    'Cold start to first keys on screen (1,000 keys) vs bare window first paint',
    `${ms(s.cold_app_ms, 0)} vs ${ms(s.cold_bare_ms, 0)}: ${ratio(s.cold_ratio)}`,
    '≤ 1.3×',
    verdict(s.cold_ratio, 1.3),
  );
  for (const v of coldVariants) {
    row(`… ${v.budget}`, `${ms(v.shown, 0)} vs ${ms(s.cold_bare_ms, 0)}: ${ratio(v.ratio)}`, '≤ 1.3×', verdict(v.ratio, 1.3));
  }
} else {
  row('Cold start to first keys on screen vs bare window first paint', '—', '≤ 1.3×', absent('floor'));
}
if (floorMemory) {
  const s = floorMemory.summary;
  row('Idle memory after 30 s, PSS (app + WebKit processes) vs bare window', `${mb(s.pss_app_kb)} vs ${mb(s.pss_bare_kb)}: ${ratio(s.pss_ratio)}`, '≤ 1.2×', verdict(s.pss_ratio, 1.2));
  row('… RSS, same runs', `${mb(s.rss_app_kb)} vs ${mb(s.rss_bare_kb)}: ${ratio(s.rss_ratio)}`, 'informational', 'ℹ️');
  if (s.anon_app_kb != null) {
    row('… anonymous memory (heaps, the JavaScript heap, stacks, library data written at load), same runs', `${mb(s.anon_app_kb)} vs ${mb(s.anon_bare_kb)}`, 'informational', 'ℹ️');
  }
} else {
  row('Idle memory after 30 s, PSS and RSS vs bare window', '—', '≤ 1.2×', absent('floor'));
}

// --- size ------------------------------------------------------------------------------------
const size = result('size');
if (size) {
  const mbytes = (b) => `${(b / 1e6).toFixed(2)} MB`;
  row('Release .deb (bare window\'s beside it)', `${mbytes(size.app.bytes)} (bare: ${mbytes(size.bare.bytes)})`, '≤ 10 MB', verdict(size.app.bytes / 1e6, 10));
} else {
  row('Release .deb size', '—', '≤ 10 MB', build === 'release' ? absent('size') : `${NOT}: debug run (no packages)`);
}

// --- sandbox ----------------------------------------------------------------------------------
const sandbox = result('sandbox');
const rps = (kind) => {
  const values = sandbox.runs.filter((r) => r.kind === kind).map((r) => r.rps).sort((a, b) => a - b);
  const mid = Math.floor(values.length / 2);
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
};
if (sandbox) {
  row('Sandbox: Oligon key list (16 keys), requests/s', rps('list').toFixed(0), 'informational', 'ℹ️');
  row('Sandbox: Oligon data-plane key check, requests/s', rps('check').toFixed(0), 'informational', 'ℹ️');
} else {
  row('Sandbox requests/s (list, data-plane check)', '—', 'informational', absent('sandbox'));
}

put('## Against the budgets', '', '| what | measured (median) | budget | |', '|---|---|---|---|', ...summary, '');

// --- details ------------------------------------------------------------------------------------
put('## Details', '');
put('### Core (criterion, `cargo bench -p keydesk-core`)', '');
if (estimates.length) {
  put('| benchmark | median | 95 % interval of the median | samples |', '|---|---|---|---|');
  for (const e of estimates) {
    put(`| ${e.group} / ${e.name} | ${ms(e.median_ms, 2)} | ${ms(e.low_ms, 2)} – ${ms(e.high_ms, 2)} | ${e.samples} |`);
  }
  put(
    '',
    'Decode: the bytes of one list answer of 10,000 keys (every optional field filled) parsed and normalized into `Key`s (`benches/decode.rs`).',
    'Inventory: `list_keys` of the fiskaly client against a spawned sandbox seeded with `bulk:10000`, every request answered after 20 ms;',
    'concurrent = the client\'s default `HttpOptions::page_concurrency` (16 pages at a time in this run), sequential = `page_concurrency: 1`, same client code and sandbox (`benches/inventory.rs`).',
    'Strait: `list_keys` of the Strait client against a sandbox serving Strait as its open-source service does (`--variant deployed`: cursor pages of 50 unless the request asks for up to 100), seeded and slowed the same way. A cursor names the next page, so pages come one after another; the client asks for 100 keys a page.',
    'Attention: `attention()` over 4 connections × 10,000 keys with annotations, noticed changes and every rule in play (`benches/attention.rs`).',
    'Snapshots read: the inventory snapshots of those 4 × 10,000 keys read back from the compact JSON their record file holds, as a start reads it while its window opens (`benches/attention.rs`).',
    'Leaked-key match: a pasted key parsed, matched against the 40,000 listed keys and its fingerprint looked up among 40,000 remembered ones (`benches/leak.rs`).',
    '',
  );
} else {
  put(absent('core'), '');
}

put('### Keys table in the real app (WebDriver, 10,000 keys per connection)', '');
if (ui) {
  const s = ui.summary;
  put(
    '| figure | median |',
    '|---|---|',
    `| list_keys round trip for the open connection (request → list in the UI; backend, IPC, JSON) | ${ms(s.list_ms, 0)} |`,
    ...(s.second_start_open_list_ms == null
      ? []
      : [
          `| second start (4 × ${ui.keys.toLocaleString('en')} keys on disk): the open connection's list round trip / the slowest of the four | ${ms(s.second_start_open_list_ms, 0)} / ${ms(s.second_start_slowest_list_ms, 0)} |`,
          `| second start: the last of the four lists in, after the page's navigation | ${ms(s.second_start_last_list_in_ms, 0)} |`,
        ]),
    `| list received → table in the DOM (\`keys-table-rendered\`) | ${ms(s.rendered_ms, 0)} |`,
    `| list received → table painted (\`keys-table-painted\`) | ${ms(s.painted_ms, 0)} |`,
    `| first filter keystroke: keydown → filtered and laid out | ${ms(s.first_keystroke_work_ms, 0)} |`,
    ...(s.first_keystroke_script_ms == null
      ? []
      : [
          `| … of which the page's script (\`input\` event → its update flushed) / what follows until the next task (a frame, when one falls due) | ${ms(s.first_keystroke_script_ms, 0)} / ${ms(s.first_keystroke_wait_ms, 0)} |`,
        ]),
    `| first filter keystroke: keydown → next frame painted | ${ms(s.first_keystroke_paint_ms, 0)} |`,
    `| further keystrokes (narrowing): work / painted | ${ms(s.further_keystroke_work_ms, 0)} / ${ms(s.further_keystroke_paint_ms, 0)} |`,
    `| Escape (back to 10,000): work / painted | ${ms(s.clear_work_ms, 0)} / ${ms(s.clear_paint_ms, 0)} |`,
    `| scroll: median frame interval / median of each run's longest frame / longest of all | ${ms(s.scroll_median_gap_ms, 0)} / ${ms(s.scroll_max_gap_ms, 0)} / ${ms(s.scroll_worst_gap_ms, 0)} |`,
    `| scroll: CPU time of the web process per frame (not waiting for the machine's other work) | ${ms(s.scroll_web_cpu_ms_per_frame, 1)} |`,
    ...(s.first_keystroke_web_cpu_ms == null
      ? []
      : [
          `| keystrokes: CPU time of the web process, first / further (10 ms ticks; includes the next frame and serving WebDriver) | ${ms(s.first_keystroke_web_cpu_ms, 0)} / ${ms(s.further_keystroke_web_cpu_ms, 0)} |`,
        ]),
    '',
    `Method: ${ui.runs.length} fresh launches of \`${ui.app.replace(`${repo}/`, '')}\` through tauri-driver with \`KEYDESK_SANDBOX_SEED=bulk:${ui.keys}\`;`,
    'the app opens the first connection (Oligon) while the other three load in the background, as on every start.',
    'After each, the app is started again on the same data dir (its record files now hold a snapshot of every key) and timed until all four lists are in.',
    'Marks come from the UI: `keys-requested:<id>` / `keys-received:<id>` around `listKeys`, `keys-table-rendered` after the first',
    'non-empty list is in the DOM, `keys-table-painted` from a task queued in the next animation frame (runs once that frame is painted).',
    'Keystrokes are real key events (WebDriver) typed into the search box once all four lists are in (plus 2 s): the last three characters of the first key\'s name, one at a time',
    `(${s.shown_after_first_keystroke} keys shown after the first), then Escape. "Work" ends in a task queued after the \`input\` event, after forcing`,
    'layout: the keystroke\'s own cost. "Painted" ends after the next frame, so it also holds the wait for that frame (up to 16.7 ms at 60 Hz).',
    `Scroll: the grid scrolled 20 rows (720 px) per animation frame from top to bottom. PerformanceObserver \`longtask\` is ${s.longtask_supported ? 'supported and was recorded' : '**not supported by WebKitGTK** (its entry types: ' + (ui.runs[0].scroll.supported_entry_types ?? []).join(', ') + ')'},`,
    'so long tasks are measured as gaps between consecutive `requestAnimationFrame` callbacks: a gap over 50 ms is a frame the user waited over 50 ms for.',
    'WebKitGTK coarsens `performance.now()` to whole milliseconds.',
    '',
  );
} else {
  put(absent('ui'), '');
}

/** Keydesk's page timeline (medians, ms after navigation), when the runs recorded one. */
function phaseLine(runs, which = 'Keydesk') {
  const recorded = runs.filter((r) => r.phases);
  if (recorded.length === 0) return [];
  const at = (name) => {
    const value = median(recorded.map((r) => r.phases[name]).filter((v) => v != null));
    return value === null ? '—' : value.toFixed(0);
  };
  const fromSnapshot = recorded.filter((r) => r.phases.from_snapshot).length;
  const fromFrame = recorded.filter((r) => r.phases.from_frame).length;
  const frame = fromFrame > 0 ? `start frame on screen ${at('start_frame')} (${fromFrame} of ${recorded.length} runs), ` : '';
  const steps = recorded.some((r) => r.phases.connections != null)
    ? `connections (and the last known keys) answered ${at('connections')}, the start's other calls ${at('rest')}, `
    : '';
  return [
    `${which}, the page: medians in ms after navigation: ${frame}document loaded ${at('loaded')}, first paint ${at('first_paint')}, ` +
      steps +
      `open connection's keys asked for ${at('keys_requested')} and received ${at('keys_received')}, table in the DOM ${at('rendered')}, on screen ${at('table_shown')}` +
      ` (${fromSnapshot} of ${recorded.length} runs painted the last known keys before the fresh list came).`,
  ];
}

put('### Against the floor: a bare Tauri 2 window (`bench/bare-window`)', '');
if (floorCold) {
  const s = floorCold.summary;
  const each = (kind, f) => floorCold.cold[kind].map((r) => f(r)).join(', ');
  put(
    '| figure | Keydesk | bare window | ratio |',
    '|---|---|---|---|',
    `| cold start: exec → first keys on screen / first paint | ${ms(s.cold_app_ms, 0)} | ${ms(s.cold_bare_ms, 0)} | ${ratio(s.cold_ratio)} |`,
    ...coldVariants.map((v) => `| … ${v.what} | ${ms(v.shown, 0)} | ${ms(s.cold_bare_ms, 0)} | ${ratio(v.ratio)} |`),
    '',
    `Cold-start runs (ms, exec → shown): Keydesk ${each('app', (r) => Math.round(r.exec_to_shown_ms))}; bare ${each('bare', (r) => Math.round(r.exec_to_shown_ms))}.`,
    ...coldVariants.map((v) => `Keydesk ${v.what}: ${each(v.kind, (r) => Math.round(r.exec_to_shown_ms))}.`),
    `Of which page navigation → shown: Keydesk ${each('app', (r) => r.navigation_to_shown_ms.toFixed(0))}; bare ${each('bare', (r) => r.navigation_to_shown_ms.toFixed(0))}.`,
    ...phaseLine(floorCold.cold.app),
    ...coldVariants.flatMap((v) => phaseLine(floorCold.cold[v.kind], `Keydesk ${v.what}`)),
    '',
    `Method: runs interleaved (bare, Keydesk, bare, …) in one Xvfb session (\`scripts/desktop-session\`), ${floorCold.cold.app.length} of each, launched through`,
    'tauri-driver and timed from the process\'s exec (its start time in /proc, 10 ms resolution) to the page\'s mark (`start-frame-painted`, else `keys-table-painted`, for Keydesk,',
    '`bare-window-painted` for the bare page, both taken the same way: a task queued in the next animation frame).',
    `Keydesk runs on its embedded sandbox seeded \`bulk:${floorCold.keys_per_api}\` (1,000 keys in each of its four connections); its data dir is kept between runs`,
    'and its first start, which seeds the sandbox, is not counted: this is the start of an installed app, with the page cache warm for both.',
    '',
  );
} else {
  put(absent('floor'), '');
}
if (floorMemory) {
  const s = floorMemory.summary;
  put(
    '| figure | Keydesk | bare window | ratio |',
    '|---|---|---|---|',
    `| idle PSS after ${floorMemory.idle_ms / 1000} s (process + WebKit processes) | ${mb(s.pss_app_kb)} | ${mb(s.pss_bare_kb)} | ${ratio(s.pss_ratio)} |`,
    `| idle RSS after ${floorMemory.idle_ms / 1000} s | ${mb(s.rss_app_kb)} | ${mb(s.rss_bare_kb)} | ${ratio(s.rss_ratio)} |`,
    ...(s.anon_app_kb != null ? [`| … of which anonymous (no other process shares it) | ${mb(s.anon_app_kb)} | ${mb(s.anon_bare_kb)} | ${ratio(s.anon_app_kb / s.anon_bare_kb)} |`] : []),
    '',
    'Per process (median run):',
    '',
  );
  for (const kind of ['app', 'bare']) {
    const runs = [...floorMemory.memory[kind]].sort((a, b) => a.pss_kb - b.pss_kb);
    const mid = runs[Math.floor(runs.length / 2)];
    const anon = (p) => (p.anon_kb != null ? ` / ${mb(p.anon_kb)} anonymous` : '');
    put(`- ${kind === 'app' ? 'Keydesk' : 'bare window'}: ${mid.processes.map((p) => `${p.name} ${mb(p.pss_kb)} PSS / ${mb(p.rss_kb)} RSS${anon(p)}`).join('; ')}`);
  }
  put(
    '',
    `Method: ${floorMemory.memory.app.length} runs of each, interleaved; each binary started directly (no WebDriver, Keydesk on the same seeded data dir),`,
    `left idle ${floorMemory.idle_ms / 1000} s, then \`Pss\` and \`Rss\` from /proc/<pid>/smaps_rollup summed over the process and its descendants`,
    '(WebKitWebProcess, WebKitNetworkProcess).',
    '',
  );
} else {
  put(absent('floor'), '');
}

put('### Release packages (`cargo build --release`, then `tauri bundle --bundles deb`: what `tauri build` does)', '');
if (size) {
  put(
    '| package | .deb | installed size | binary |',
    '|---|---|---|---|',
    ...['app', 'bare'].map(
      (k) =>
        `| ${size[k].file.split('/').pop()} | ${(size[k].bytes / 1e6).toFixed(2)} MB (${size[k].bytes} bytes) | ${(size[k].installed_kb / 1024).toFixed(1)} MiB | ${(size[k].binary_bytes / 1e6).toFixed(2)} MB |`,
    ),
    '',
  );
} else {
  put(build === 'release' ? absent('size') : `${NOT}: debug run (no packages).`, '');
}

put('### Sandbox on loopback (informational: the test target, not the product)', '');
if (sandbox) {
  const p = (kind, field) => sandbox.runs.filter((r) => r.kind === kind).map((r) => r[field]).join(', ');
  put(
    `\`${sandbox.tool}\` against \`keydesk-sandbox serve --seed ${sandbox.seed}\` (release), list and check alternated, ${sandbox.runs.length / 2} runs each;`,
    'wrk, the server and everything else on the machine share its two cores.',
    '',
    '| load | requests/s (median) | all runs | latency p50 | latency p99 |',
    '|---|---|---|---|---|',
    `| \`GET /oligon/v1/api-keys\` (${sandbox.listed_keys} keys, bearer JWT) | ${rps('list').toFixed(0)} | ${p('list', 'rps')} | ${p('list', 'p50')} | ${p('list', 'p99')} |`,
    `| \`GET /oligon/v1/extract\` (data plane: key hashed, compared, last use written) | ${rps('check').toFixed(0)} | ${p('check', 'rps')} | ${p('check', 'p50')} | ${p('check', 'p99')} |`,
    '',
  );
} else {
  put(absent('sandbox'), '');
}

// What the figures mean and what was done about the misses: written by people, kept beside
// the harness, included as it stands (it names the run it was written against).
const notes = join(repo, 'bench/notes.md');
if (existsSync(notes)) put(readFileSync(notes, 'utf8').trim(), '');

put(
  '## Machine',
  '',
  `- CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, shared by everything a step runs (the app, its WebKit processes, wrk and the sandbox); RAM ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
  `- Debian ${debian}, Linux ${run('uname', ['-r'])}; WebKitGTK ${webkit}; Tauri ${tauriVersion}; ${run('rustc', ['--version'])}; Node.js ${process.version}`,
  `- Build: ${build === 'release' ? 'release profile (lto = true, codegen-units = 1, opt-level = "s" with keydesk-core and serde_json at 3, panic = "abort", strip)' : `${build} (not the product's profile)`}`,
  '- Display: Xvfb 1400×900×24 with a private D-Bus session and gnome-keyring (`scripts/desktop-session`), `WEBKIT_DISABLE_COMPOSITING_MODE=1`',
  `- Load average (1, 5, 15 min) when each step started: ${loads.length ? loads.join('; ') : 'not recorded'}`,
  '- Priority: every measurement ran at `nice -n -10` (builds at the normal priority), so other work on the machine interferes less;',
  '  the load averages above say how busy the machine was (they include the steps\' own processes, and lag by a minute).',
  '',
  '## How to run',
  '',
  '`make bench` (release builds, every step, this file). `scripts/bench STEP…` runs some of the steps',
  '(build core sandbox ui floor size report); `BENCH_RUNS=N` repeats more; `BENCH_BUILD=debug` works on the harness without release builds.',
  '',
);

writeFileSync(join(repo, 'BENCHMARKS.md'), lines.join('\n'));
console.log(`bench: wrote ${join(repo, 'BENCHMARKS.md')}`);
