// A stand-alone keydesk-sandbox (the binary), playing a provider that lives outside the app, and
// a small HTTP proxy in front of it that can lose the answer of one create (the sandbox's
// --drop-rate applies to every request, list included, so it cannot pick one create).
import { execFileSync, spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const repo = resolve(import.meta.dirname, '../../..');
const sandboxBinary = process.env.KEYDESK_SANDBOX ?? join(repo, 'target/debug/keydesk-sandbox');

/** Starts `keydesk-sandbox serve` on a free port; resolves with { baseUrl, db, stop }. */
export async function startSandbox(args = []) {
  const dir = mkdtempSync(join(tmpdir(), 'keydesk-e2e-external-'));
  const db = join(dir, 'sandbox.sqlite3');
  const child = spawn(sandboxBinary, ['serve', '--port', '0', '--db', db, '--seed', 'demo', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const baseUrl = await new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        done(JSON.parse(line).base_url);
      } catch (err) {
        fail(err);
      }
    });
    child.once('exit', (code) => fail(new Error(`keydesk-sandbox serve exited (${code})`)));
  });
  return {
    baseUrl,
    db,
    dir,
    stop: () => {
      child.kill();
      if (!process.env.KEYDESK_E2E_KEEP) process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    },
  };
}

/** `keydesk-sandbox token`: the credentials a client of `dialect` needs (in memory only). */
export function sandboxToken(db, dialect) {
  return JSON.parse(execFileSync(sandboxBinary, ['token', '--db', db, dialect], { encoding: 'utf8' }));
}

/**
 * A pass-through proxy to `target`. `dropNext(method, pathPattern)` makes the next matching
 * request reach the sandbox (so the work is done) and then closes the connection unanswered.
 */
export async function startProxy(target) {
  let drop = null;
  const dropped = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const upstream = request(
        new URL(req.url, target),
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (answer) => {
          const body = [];
          answer.on('data', (c) => body.push(c));
          answer.on('end', () => {
            if (drop && req.method === drop.method && drop.path.test(req.url)) {
              drop = null;
              dropped.push(`${req.method} ${req.url}`);
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    dropNext(method, path) {
      drop = { method, path };
    },
    dropped,
    stop: () => new Promise((done) => server.close(done)),
  };
}
