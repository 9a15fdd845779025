// The edugov command line from the outside: exit codes, one-line errors in
// the user's language, and audit verification catching tampering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_TODAY, edugovBin, repoRoot } from '../lib/server.mjs';
import { freshDbUrl, sqlOn } from '../lib/db.mjs';

function edugov(args, { env = {}, input } = {}) {
  const r = spawnSync(edugovBin(), args, {
    cwd: repoRoot, input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help works on every subcommand', () => {
  for (const args of [[], ['serve'], ['migrate'], ['demo-data'], ['user'], ['user', 'add'], ['audit', 'verify']]) {
    const r = edugov([...args, '--help']);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /Usage|用法/i);
  }
});

test('serve refuses an unmigrated database with a one-line error', async () => {
  const db = await freshDbUrl();
  const zh = edugov(['serve', '--db', db.url, '--listen', '127.0.0.1:0'], { env: { LANG: 'zh_CN.UTF-8', LC_ALL: '' } });
  assert.notEqual(zh.code, 0);
  assert.match(zh.stderr, /edugov migrate/);
  assert.match(zh.stderr, /错误/);
  const en = edugov(['serve', '--db', db.url, '--listen', '127.0.0.1:0'], { env: { LANG: 'en_US.UTF-8', LC_ALL: '' } });
  assert.match(en.stderr, /error: database schema is at version 0/);
  await db.drop();
});

test('unreachable and malformed database URLs fail clearly', () => {
  const unreachable = edugov(['migrate', '--db', 'postgresql://edugov:secret@127.0.0.1:1/none'], { env: { LANG: 'en_US.UTF-8' } });
  assert.notEqual(unreachable.code, 0);
  assert.equal(unreachable.stderr.trim().split('\n').length, 1, unreachable.stderr);
  assert.doesNotMatch(unreachable.stderr, /secret/);
  const malformed = edugov(['migrate', '--db', 'mysql://x'], { env: { LANG: 'en_US.UTF-8' } });
  assert.notEqual(malformed.code, 0);
});

test('user add / list / passwd / disable, with errors naming the field', async () => {
  const db = await freshDbUrl();
  assert.equal(edugov(['migrate', '--db', db.url]).code, 0);
  assert.equal(edugov(['demo-data', '--scale', 'county', '--seed', '1', '--today', DEMO_TODAY, '--db', db.url]).code, 0);
  const add = edugov(['user', 'add', '--db', db.url, '--username', 'clerk1', '--display-name', '办事员',
    '--role', 'bureau_dept', '--department', 'finance', '--org', '430923'], { input: 'Clerk@2025\n' });
  assert.equal(add.code, 0, add.stderr);
  const dup = edugov(['user', 'add', '--db', db.url, '--username', 'clerk1', '--display-name', 'x',
    '--role', 'school', '--org', '430923'], { input: 'Clerk@2025\n', env: { LANG: 'en_US.UTF-8' } });
  assert.notEqual(dup.code, 0);
  const weak = edugov(['user', 'add', '--db', db.url, '--username', 'clerk2', '--display-name', 'x',
    '--role', 'bureau_dept', '--department', 'finance', '--org', '430923', '--password', 'short'],
  { env: { LANG: 'en_US.UTF-8' } });
  assert.notEqual(weak.code, 0);
  assert.match(weak.stderr, /password/);
  const list = edugov(['user', 'list', '--db', db.url]);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /clerk1/);
  assert.equal(edugov(['user', 'passwd', '--db', db.url, '--username', 'clerk1'], { input: 'Clerk@2026\n' }).code, 0);
  assert.equal(edugov(['user', 'disable', '--db', db.url, '--username', 'clerk1']).code, 0);
  assert.match(edugov(['user', 'list', '--db', db.url]).stdout, /clerk1\s+bureau_dept\s+finance\s+yes/);
  await db.drop();
});

test('audit verify passes, then names the first edited, deleted or reordered entry', async () => {
  const db = await freshDbUrl();
  assert.equal(edugov(['migrate', '--db', db.url]).code, 0);
  assert.equal(edugov(['demo-data', '--scale', 'county', '--seed', '1', '--today', DEMO_TODAY, '--db', db.url]).code, 0);
  for (const u of ['a1', 'a2', 'a3']) {
    assert.equal(edugov(['user', 'add', '--db', db.url, '--username', `audit.${u}`, '--display-name', u,
      '--role', 'bureau_dept', '--department', 'hr', '--org', '430923'], { input: 'Audit@2025\n' }).code, 0);
  }
  const ok = edugov(['audit', 'verify', '--db', db.url], { env: { LANG: 'en_US.UTF-8' } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /intact/);

  await sqlOn(db.url, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
  const edited = edugov(['audit', 'verify', '--db', db.url], { env: { LANG: 'en_US.UTF-8' } });
  assert.notEqual(edited.code, 0);
  assert.match(edited.stderr, /entry 3/);
  const zh = edugov(['audit', 'verify', '--db', db.url], { env: { LANG: 'zh_CN.UTF-8' } });
  assert.match(zh.stderr, /第 3 条/);
  await db.drop();
});

test('audit verify catches a deleted entry', async () => {
  const db = await freshDbUrl();
  assert.equal(edugov(['migrate', '--db', db.url]).code, 0);
  assert.equal(edugov(['demo-data', '--scale', 'county', '--seed', '1', '--today', DEMO_TODAY, '--db', db.url]).code, 0);
  await sqlOn(db.url, 'DELETE FROM audit_log WHERE seq = 2');
  const r = edugov(['audit', 'verify', '--db', db.url], { env: { LANG: 'en_US.UTF-8' } });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /entry 2/);
  assert.match(r.stderr, /deleted/);
  await db.drop();
});

// Issue 15: a forger who cuts the tail and rewrites the head leaves a chain
// consistent in itself; the head anchor written outside the database names it.
test('audit anchor writes the heads outside the database; verify --anchor catches a cut tail with a rewritten head', async () => {
  const db = await freshDbUrl();
  assert.equal(edugov(['migrate', '--db', db.url]).code, 0);
  assert.equal(edugov(['demo-data', '--scale', 'county', '--seed', '1', '--today', DEMO_TODAY, '--db', db.url, '--no-cases']).code, 0);
  const dir = mkdtempSync(join(tmpdir(), 'edugov-anchor-'));
  const file = join(dir, 'anchors.txt');
  const a = edugov(['audit', 'anchor', '--db', db.url, '--out', file], { env: { LANG: 'en_US.UTF-8' } });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('edugov-anchor 1 audit '));
  const seq = Number(line.split(' ')[3]);
  assert.ok(seq > 1);
  const ok = edugov(['audit', 'verify', '--db', db.url, '--anchor', file], { env: { LANG: 'en_US.UTF-8' } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /1 head anchor\(s\) match the chain/);

  await sqlOn(db.url, `DELETE FROM audit_log WHERE seq = ${seq}`);
  await sqlOn(db.url, `UPDATE ledger_heads SET seq = ${seq - 1}, hash = (SELECT hash FROM audit_log WHERE seq = ${seq - 1}) WHERE ledger = 'audit'`);
  assert.equal(edugov(['audit', 'verify', '--db', db.url]).code, 0, 'without the anchor the cut is invisible');
  const r = edugov(['audit', 'verify', '--db', db.url, '--anchor', file], { env: { LANG: 'en_US.UTF-8' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`the chain ends at entry ${seq - 1} but the head anchor \\(written .*, line 1\\) records entry ${seq}: entries after ${seq - 1} were deleted and the head rewritten`));
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
});

test('cases sweep says how many provisional deadlines it recomputed, in the user\'s language', async () => {
  const db = await freshDbUrl();
  assert.equal(edugov(['migrate', '--db', db.url]).code, 0);
  const en = edugov(['cases', 'sweep', '--db', db.url, '--as-of', '2026-12-07'], { env: { LANG: 'en_US.UTF-8', LC_ALL: '' } });
  assert.equal(en.code, 0, en.stderr);
  assert.match(en.stdout, /0 reminded, 0 escalation\(s\), 0 with an unknown deadline \(calendar lacks the year\), 0 provisional deadline\(s\) recomputed/);
  const zh = edugov(['cases', 'sweep', '--db', db.url, '--as-of', '2026-12-07'], { env: { LANG: 'zh_CN.UTF-8', LC_ALL: '' } });
  assert.equal(zh.code, 0, zh.stderr);
  assert.match(zh.stdout, /催办 0 件，升级 0 次，0 件因日历缺少年份而期限未知，0 件暂定期限按新日历重算/);
  await db.drop();
});
