// Shared by the WebDriver benchmarks: statistics, performance marks read from the page,
// processes and their memory from /proc, and the JSON each benchmark leaves for the report.
// Measurements only: nothing here asserts a time.
import { mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const repo = resolve(import.meta.dirname, '../../..');

/** How many times each measurement is repeated (BENCH_RUNS; scripts/bench insists on ≥ 5). */
export const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Writes one benchmark's results where scripts/bench's report picks them up. */
export function writeResult(name, result) {
  const dir = process.env.BENCH_RESULTS ?? resolve(repo, 'target/bench/results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`bench: wrote ${file}`);
}

/**
 * Polls the page until every mark in `names` exists; returns all marks as {name: startTime}
 * plus the page's timeOrigin (epoch ms), or throws at the deadline.
 */
export async function waitForMarks(browser, names, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await browser.execute(() => ({
      origin: performance.timeOrigin,
      marks: Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])),
    }));
    if (names.every((n) => n in state.marks)) return state;
    if (Date.now() > until) {
      throw new Error(`marks ${names.filter((n) => !(n in state.marks)).join(', ')} missing after ${timeoutMs} ms`);
    }
    await sleep(25);
  }
}

const ticksPerSecond = 100; // USER_HZ on Linux

function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function stat(pid) {
  const fields = statFields(pid);
  return { ppid: Number(fields[1]), startTicks: Number(fields[19]) };
}

/** CPU time (user + system) `pid` has used so far, in ms (10 ms resolution). */
export function cpuMs(pid) {
  const fields = statFields(pid);
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/**
 * When `pid` was started, in epoch ms (10 ms resolution). Its start is counted from boot, like
 * /proc/uptime, so its age is exact; `btime` would be, but only to the second.
 */
export function startedAt(pid) {
  const ageMs = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000 - (stat(pid).startTicks * 1000) / ticksPerSecond;
  return Date.now() - ageMs;
}

function pids() {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** Running processes whose executable is `binary`. */
export function processesOf(binary) {
  const target = realpathSync(binary);
  return pids().filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`) === target;
    } catch {
      return false;
    }
  });
}

/** `pid` and all its descendants (the app and its WebKit web and network processes). */
export function processTree(pid) {
  const children = new Map();
  for (const p of pids()) {
    try {
      const { ppid } = stat(p);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(p);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    tree.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return tree;
}

/**
 * PSS, RSS and anonymous memory in kB summed over `tree`, with each process's name and share.
 * Anonymous memory (heaps, the JavaScript heap, stacks, library data written at load) is the
 * part no other process shares: unlike PSS, it does not drop when another WebKit app runs
 * beside and maps the same libraries.
 */
export function memoryOf(tree) {
  let pss = 0;
  let rss = 0;
  let anon = 0;
  const processes = [];
  for (const pid of tree) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      processes.push({ pid, name, pss_kb: field('Pss'), rss_kb: field('Rss'), anon_kb: field('Anonymous') });
      pss += field('Pss');
      rss += field('Rss');
      anon += field('Anonymous');
    } catch {
      // gone meanwhile
    }
  }
  return { pss_kb: pss, rss_kb: rss, anon_kb: anon, processes };
}

export function ensureDir(path) {
  mkdirSync(dirname(path), { recursive: true });
}
