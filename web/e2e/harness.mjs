// Starts what the journeys need: a real `lakecat serve --demo` on a free port with a temp
// data directory, the built UI with its API proxy, and Debian's chromium through
// playwright-core (never a downloaded browser).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, readFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDist } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB = resolve(here, '..');
export const REPO = resolve(WEB, '..');
export const OUT = join(here, '.out');
export const SHOTS = join(REPO, 'docs', 'screenshots');

export function freePort() {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.on('error', ko);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * The data directory the server starts on: the demo catalog, plus the 10,000-column table of
 * `lakecat seed --scale 1` (the demo has no table that wide), with the search index built
 * before the server starts. The admin's password is what lakecat prints on first start.
 */
function prepareData(bin, dataDir) {
  const run = (...args) => execFileSync(bin, [...args, '--data-dir', dataDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const first = run('users', 'list');
  const adminPassword = first.match(/password: (\S+)/)?.[1];
  if (!adminPassword) throw new Error(`no admin password in: ${first}`);
  const t0 = Date.now();
  // The scale seed first: the demo's tenant permissions then win over its.
  run('seed', '--scale', '1');
  run('seed', '--demo');
  run('reindex');
  return { adminPassword, seedMs: Date.now() - t0 };
}

export async function startAll() {
  const bin = process.env.LAKECAT_BIN ?? join(REPO, 'target', 'debug', 'lakecat');
  const tmp = mkdtempSync(join(tmpdir(), 'lakecat-e2e-'));
  const dataDir = join(tmp, 'data');
  const { adminPassword, seedMs } = prepareData(bin, dataDir);
  const apiPort = await freePort();
  const logPath = join(tmp, 'serve.log');
  const log = openSync(logPath, 'w');
  const proc = spawn(bin, ['serve', '--demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${apiPort}`], { stdio: ['ignore', log, log] });
  const api = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`lakecat serve exited: ${readFileSync(logPath, 'utf8')}`);
    try {
      const r = await fetch(`${api}/readyz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`lakecat serve not ready: ${readFileSync(logPath, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const web = await serveDist({ dist: join(WEB, 'dist'), api });
  const base = `http://127.0.0.1:${web.address().port}`;
  mkdirSync(OUT, { recursive: true });
  const browser = await launchBrowser();
  async function stop() {
    await browser.close().catch(() => {});
    web.close();
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
    rmSync(tmp, { recursive: true, force: true });
  }
  return { api, base, browser, stop, adminPassword, seedMs, dataDir };
}

/** Debian's chromium through playwright-core (never a downloaded browser). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright-core gives every launch a fresh temporary profile (it refuses --user-data-dir).
  });
}

/** Signs in through the API (for set-up and for the concurrent editor). */
export async function apiToken(api, username, password = 'lakecat-demo') {
  const r = await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return (await r.json()).token;
}

export async function apiQuery(api, token, query, variables = {}) {
  const r = await fetch(`${api}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = await r.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
