// The restore drill (docs/operations.md, "The restore drill"): the real
// server takes complaints through the public API while `edugov backup` runs;
// the backup is restored into a new database; `edugov audit verify` passes on
// it, every complaint acknowledged (201) before the backup started is there,
// and what the copy holds is a prefix of the acknowledged writes — one
// consistent snapshot, not a torn one. Runs on SQLite and, under
// EDUGOV_TEST_DB=postgres, on PostgreSQL (pg_dump / pg_restore).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiLogin, edugovBin, repoRoot, startServer } from '../lib/server.mjs';
import { freshDbUrl } from '../lib/db.mjs';

const PASSPHRASE = 'restore drill passphrase 2025';

function edugov(args, { env = {} } = {}) {
  const r = spawnSync(edugovBin(), args, {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// `edugov ARGS…` in the background (the server keeps taking writes meanwhile).
function edugovAsync(args, { env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(edugovBin(), args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function casesRefs(url) {
  const sql = 'SELECT ref FROM cases';
  const out = url.startsWith('sqlite:')
    ? execFileSync('sqlite3', [url.slice('sqlite:'.length), sql], { encoding: 'utf8', stdio: 'pipe' })
    : execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8', stdio: 'pipe' });
  return new Set(out.split('\n').filter(Boolean));
}

const mode = (p) => statSync(p).mode & 0o777;

// `edugov serve` on an existing database (startServer() makes a new demo one).
async function serveExisting(dbUrl, keyFile) {
  const child = spawn(edugovBin(), ['serve', '--db', dbUrl, '--secret-key-file', keyFile, '--listen', '127.0.0.1:0',
    '--static', join(repoRoot, 'web', 'dist'), '--sweep-at', 'off'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/edugov: listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve(m[1]);
    });
    exited.then((code) => reject(new Error(`edugov serve on the restored database exited (${code})\n${err}`)));
  });
  return { url, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

test('restore drill: back up under write load, restore into a new database, audit verify passes, every acknowledged write is there', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'edugov-drill-'));
  const keyFile = join(work, 'secret.key');
  const srv = await startServer({
    cases: false,
    serveArgs: ['--secret-key-file', keyFile, '--public-intakes-per-hour', '100000'],
  });
  const restored = await freshDbUrl();
  const other = await freshDbUrl();
  try {
    const form = await (await fetch(`${srv.url}/api/v1/public/complaint-form`)).json();
    const schools = form.townships.flatMap((t) => t.schools.map((s) => s.id));
    assert.ok(schools.length > 100, 'the demo county has its schools on the public form');

    // One writer, one request at a time: if write i is in the copy, so is every write before it.
    const acked = []; // refs in the order the server acknowledged them
    let sent = 0;
    async function fileOne() {
      const i = sent++;
      const r = await fetch(`${srv.url}/api/v1/public/complaints`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
        body: JSON.stringify({
          category: 'meals', school_id: schools[i % schools.length], anonymous: false,
          name: `家长${i}`, phone: `139${String(10000000 + i)}`,
          text: `演练投诉第 ${i} 条：食堂饭菜问题，请核查。`,
        }),
      });
      const body = await r.json();
      assert.equal(r.status, 201, JSON.stringify(body));
      acked.push(body.ref);
    }
    for (let i = 0; i < 10; i++) await fileOne();
    const ackedBeforeBackup = [...acked];

    let backupDone = false;
    const writer = (async () => {
      while (!backupDone && sent < schools.length) await fileOne();
    })();
    const out = join(work, 'backup');
    const backup = await edugovAsync(['backup', '--db', srv.dbUrl, '--out', out, '--secret-key-file', keyFile],
      { env: { EDUGOV_BACKUP_PASSPHRASE: PASSPHRASE, LANG: 'en_US.UTF-8' } });
    backupDone = true;
    await writer;
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /database backed up to/);
    assert.ok(acked.length > ackedBeforeBackup.length, 'the server kept acknowledging writes while the backup ran');

    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.backend, srv.dbUrl.startsWith('sqlite:') ? 'sqlite' : 'postgresql');
    assert.ok(manifest.schema_version > 0);
    assert.deepEqual(manifest.files.map((f) => f.role).sort(), ['database', 'secret_key']);
    for (const f of [...manifest.files.map((x) => x.name), 'manifest.json']) {
      assert.equal(mode(join(out, f)), 0o600, `${f} is private`);
    }
    const key = readFileSync(keyFile, 'utf8');
    const sealedName = manifest.files.find((f) => f.role === 'secret_key').name;
    assert.ok(!readFileSync(join(out, sealedName), 'utf8').includes(key.trim()), 'the key copy is sealed');

    // The passphrase is never a command-line argument.
    assert.notEqual(edugov(['backup', '--db', srv.dbUrl, '--out', join(work, 'x'), '--passphrase', PASSPHRASE]).code, 0);

    // Restore, with the passphrase from a file this time.
    const passFile = join(work, 'pass.txt');
    writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    const restoredKey = join(work, 'restored.key');
    const restore = edugov(['restore', '--from', out, '--db', restored.url, '--key-out', restoredKey, '--passphrase-file', passFile],
      { env: { LANG: 'en_US.UTF-8' } });
    assert.equal(restore.code, 0, restore.stderr);
    assert.equal(readFileSync(restoredKey, 'utf8'), key, 'the key comes back byte for byte');
    assert.equal(mode(restoredKey), 0o600);
    if (restored.url.startsWith('sqlite:')) assert.equal(mode(restored.url.slice('sqlite:'.length)), 0o600);

    const verify = edugov(['audit', 'verify', '--db', restored.url], { env: { LANG: 'en_US.UTF-8' } });
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /audit chain intact, \d+ entries/);

    const present = casesRefs(restored.url);
    t.diagnostic(`${ackedBeforeBackup.length} complaints acknowledged before the backup, ${acked.length - ackedBeforeBackup.length} while it ran; ${acked.filter((r) => present.has(r)).length} of them restored`);
    for (const ref of ackedBeforeBackup) assert.ok(present.has(ref), `${ref}, acknowledged before the backup, is restored`);
    // A consistent snapshot: the acknowledged writes it holds are a prefix of them, without holes.
    const flags = acked.map((ref) => present.has(ref));
    const firstMissing = flags.indexOf(false);
    if (firstMissing >= 0) assert.ok(flags.slice(firstMissing).every((f) => !f), `no write after ${acked[firstMissing]} is in the copy`);

    // The restored key opens what the old one sealed: the petitions office reads a complainant's name.
    const revived = await serveExisting(restored.url, restoredKey);
    try {
      const office = await apiLogin(revived.url, 'xinfang');
      const found = await office.get(`/cases?type=complaint&q=${encodeURIComponent(ackedBeforeBackup[0])}`);
      assert.equal(found.total, 1);
      const opened = await office.get(`/cases/${found.items[0].id}`);
      assert.equal(opened.confidential.name, '家长0');
    } finally {
      await revived.stop();
    }

    // Never into a database that holds anything: zh first, en by LANG.
    const full = edugov(['restore', '--from', out, '--db', restored.url, '--key-out', join(work, 'k2')],
      { env: { EDUGOV_BACKUP_PASSPHRASE: PASSPHRASE, LANG: 'zh_CN.UTF-8', LC_ALL: '' } });
    assert.notEqual(full.code, 0);
    assert.match(full.stderr, /不是空库（已有表 .+）；只能恢复到新建的空数据库/);
    const fullEn = edugov(['restore', '--from', out, '--db', restored.url, '--key-out', join(work, 'k2')],
      { env: { EDUGOV_BACKUP_PASSPHRASE: PASSPHRASE, LANG: 'en_US.UTF-8' } });
    assert.match(fullEn.stderr, /is not empty \(it has table .+\); restore only into a new, empty database/);

    // A wrong passphrase, then a damaged copy: refused before the database is touched.
    const wrong = edugov(['restore', '--from', out, '--db', other.url, '--key-out', join(work, 'k3')],
      { env: { EDUGOV_BACKUP_PASSPHRASE: 'not the drill passphrase', LANG: 'en_US.UTF-8' } });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /passphrase is wrong/);
    const dbName = manifest.files.find((f) => f.role === 'database').name;
    const fd = openSync(join(out, dbName), 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 100);
    writeSync(fd, Buffer.from([byte[0] ^ 0xff]), 0, 1, 100);
    closeSync(fd);
    const damaged = edugov(['restore', '--from', out, '--db', other.url, '--key-out', join(work, 'k3')],
      { env: { EDUGOV_BACKUP_PASSPHRASE: PASSPHRASE, LANG: 'en_US.UTF-8' } });
    assert.notEqual(damaged.code, 0);
    assert.match(damaged.stderr, new RegExp(`${dbName} does not match the manifest`));
    assert.throws(() => casesRefs(other.url), 'the damaged backup left the target database empty');
  } finally {
    await srv.stop();
    await restored.drop();
    await other.drop();
    rmSync(work, { recursive: true, force: true });
  }
});
