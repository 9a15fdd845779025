// Starts the real edugov server for a test.
//
//   const srv = await startServer();   // { url, stop(), dbUrl, tmpDir }
//   ...
//   await srv.stop();
//
// EDUGOV_BIN          the edugov binary (default build/src/cli/edugov under the repo root)
// EDUGOV_TEST_DB      'postgres': each server gets a fresh database on EDUGOV_TEST_PG_URL (lib/db.mjs)
// EDUGOV_TEST_DB_URL  a database URL to use instead of a temporary SQLite file
// EDUGOV_STATIC       the directory served as the web UI (default web/dist under the repo root)
import { spawn } from 'node:child_process';
import { mkdtemp, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDbUrl, usingPostgres } from './db.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const START_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 300_000;
const LISTEN_RE = /edugov: listening on (http:\/\/127\.0\.0\.1:\d+)/;

export function edugovBin() {
  const bin = process.env.EDUGOV_BIN || 'build/src/cli/edugov';
  return path.isAbsolute(bin) ? bin : path.join(repoRoot, bin);
}

// Runs `edugov ARGS…` to completion; rejects with its output when it fails.
export function runEdugov(args, { timeoutMs = STEP_TIMEOUT_MS } = {}) {
  const bin = edugovBin();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`edugov ${args.join(' ')}: timed out after ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${bin}: ${e.message} (build the server first, or set EDUGOV_BIN)`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout: out, stderr: err });
      else reject(new Error(`edugov ${args.join(' ')} exited with ${code ?? signal}\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

// cases: false leaves the demo year of cases out (edugov demo-data --no-cases):
// suites that never look at cases start faster, most of all on PostgreSQL,
// where the year's ~1,000 engine transactions take some 20 s.
// serveArgs: more `edugov serve` flags (e.g. ['--policy', FILE]).
// today: the demo's anchor day (edugov demo-data --today). Pinned to
// 2026-01-24 — the demo every suite was written against (2025-autumn whole,
// a year of 2025 cases, swept as of 2026-01-24) — so no suite depends on the
// day it runs; the server itself still runs on the real clock.
export const DEMO_TODAY = '2026-01-24';
export async function startServer({ staticDir, scale = 'county', seed = 1, cases = true, serveArgs = [], today = DEMO_TODAY } = {}) {
  const bin = edugovBin();
  try {
    await access(bin);
  } catch {
    throw new Error(`edugov binary not found at ${bin}: build the server first (cmake) or set EDUGOV_BIN`);
  }
  const webDist = staticDir || process.env.EDUGOV_STATIC || path.join(repoRoot, 'web', 'dist');
  try {
    await access(path.join(webDist, 'index.html'));
  } catch {
    throw new Error(`${webDist}/index.html not found: run "npm ci && npm run build" in web/ first`);
  }

  const tmpDir = await mkdtemp(path.join(tmpdir(), 'edugov-test-'));
  // EDUGOV_TEST_DB=postgres: a new database of its own on the throwaway server.
  const pg = usingPostgres() ? await freshDbUrl() : null;
  const dbUrl = pg?.url || process.env.EDUGOV_TEST_DB_URL || `sqlite:${path.join(tmpDir, 't.db')}`;
  const cleanup = async () => {
    await rm(tmpDir, { recursive: true, force: true });
    await pg?.drop();
  };

  try {
    await runEdugov(['migrate', '--db', dbUrl]);
    await runEdugov(['demo-data', '--scale', scale, '--seed', String(seed), '--today', today, '--db', dbUrl,
      ...(cases ? [] : ['--no-cases'])]);
  } catch (e) {
    await cleanup();
    throw e;
  }

  // --sweep-at off: no daily sweep may start mid-test at the real clock's 02:00
  // (the schedule itself is tested with a fake clock in src/compliance).
  const child = spawn(bin, ['serve', '--db', dbUrl, '--listen', '127.0.0.1:0', '--static', webDist, '--sweep-at', 'off', ...serveArgs], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`edugov serve did not report "listening" within ${START_TIMEOUT_MS} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
        START_TIMEOUT_MS,
      );
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = stdout.match(LISTEN_RE);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin}: ${e.message}`));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`edugov serve exited (${code ?? signal}) before listening\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      });
    });
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await cleanup();
    throw e;
  }

  let stopped = null;
  async function stop() {
    if (stopped) return stopped;
    stopped = (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await cleanup();
      // {code, signal}: a graceful SIGTERM shutdown exits with code 0.
      return exited;
    })();
    return stopped;
  }

  return {
    url,
    dbUrl,
    tmpDir,
    stop,
    output: () => ({ stdout, stderr }),
  };
}

// ---- a small API client for test setup (cookie + CSRF aware) --------------------------
export async function apiLogin(baseUrl, username, password = 'Edugov@2025') {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`login ${username}: HTTP ${res.status} ${JSON.stringify(body)}`);
  const cookies = (res.headers.getSetCookie ? res.headers.getSetCookie() : [res.headers.get('set-cookie') || ''])
    .map((c) => c.split(';')[0])
    .filter(Boolean)
    .join('; ');
  const csrf = body.csrf_token;
  async function call(method, p, payload) {
    const headers = { Accept: 'application/json', Cookie: cookies };
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${baseUrl}/api/v1${p}`, {
      method,
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const text = await r.text();
    const data = text ? JSON.parse(text) : null;
    if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status} ${text}`);
    return data;
  }
  return { user: body.user, csrf, cookies, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b) };
}
