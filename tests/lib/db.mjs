// Fresh databases for tests, on the backend the suite runs on:
// EDUGOV_TEST_DB=postgres (with EDUGOV_TEST_PG_URL from scripts/with-postgres.sh)
// gives each caller its own new PostgreSQL database; anything else a SQLite
// file in a new temporary directory.
//
//   const db = await freshDbUrl();   // { url, drop() }
//   await sqlOn(db.url, 'DELETE FROM audit_log WHERE seq = 2');
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export function usingPostgres() {
  return process.env.EDUGOV_TEST_DB === 'postgres';
}

function pgAdminUrl() {
  const url = process.env.EDUGOV_TEST_PG_URL;
  if (!url) throw new Error('EDUGOV_TEST_DB=postgres needs EDUGOV_TEST_PG_URL (run through scripts/with-postgres.sh)');
  return url;
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function freshDbUrl() {
  if (usingPostgres()) {
    const admin = pgAdminUrl();
    const name = `edugov_it_${randomBytes(6).toString('hex')}`;
    execFileSync('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`]);
    return {
      url: withDatabase(admin, name),
      drop: async () => {
        execFileSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'edugov-db-'));
  return {
    url: `sqlite:${path.join(dir, 't.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

// sqlite3 gives up at once on a locked database; a running server may be
// writing (its start-up work, a sweep), so wait for the lock as edugov does.
const SQLITE_WAIT = ['-cmd', '.timeout 10000'];

// Runs SQL behind edugov's back (tests that tamper with the ledger).
export async function sqlOn(url, sql) {
  if (url.startsWith('sqlite:')) {
    execFileSync('sqlite3', [...SQLITE_WAIT, url.slice('sqlite:'.length), sql]);
  } else {
    execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', sql]);
  }
}

// Runs a query behind edugov's back and returns its rows as arrays of text.
export async function queryOn(url, sql) {
  const out = url.startsWith('sqlite:')
    ? execFileSync('sqlite3', [...SQLITE_WAIT, '-separator', '\t', url.slice('sqlite:'.length), sql], { encoding: 'utf8' })
    : execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-AtF', '\t', '-c', sql], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
