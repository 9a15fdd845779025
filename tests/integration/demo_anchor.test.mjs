// The demo is anchored to the day it is made (edugov demo-data --today): on
// 2026-12-07 its school year, homework, inspections and cases end then — not
// in 2025 — and the pack's provisional semesters make that day a school day.
// Also: an import of a homework row dated outside every semester keeps it and
// says 不在任何学期内 (every import path passes the pack's semesters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edugovBin, repoRoot } from '../lib/server.mjs';
import { freshDbUrl, queryOn } from '../lib/db.mjs';

function edugov(args, env = {}) {
  const r = spawnSync(edugovBin(), args, {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LANG: 'zh_CN.UTF-8', LC_ALL: '', ...env }, timeout: 600_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Microseconds since the epoch → the China (UTC+8) date.
function chinaDate(micros) {
  return new Date(Number(micros) / 1000 + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

test('demo-data --today 2026-12-07: a current county, not one stuck in 2025', async () => {
  const db = await freshDbUrl();
  try {
    assert.equal(edugov(['migrate', '--db', db.url]).code, 0);
    const r = edugov(['demo-data', '--scale', 'county', '--seed', '1', '--today', '2026-12-07', '--db', db.url, '--no-users']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /demo semester 2026-autumn \(2026-09-01 \.\. 2026-12-06/);
    assert.match(r.stdout, /demo cases 2025-12-01 \.\. 2026-11-30/);
    assert.match(r.stdout, /compliance sweep as of 2026-12-07: [1-9]\d* findings open/);

    // Homework of the running (provisional) semester up to the anchor's eve:
    // 2026-12-06 is a Sunday, so the last school day is Friday the 4th.
    const [[first, last, classes]] = await queryOn(db.url,
      'SELECT MIN(date), MAX(date), COUNT(DISTINCT class_id) FROM ds_homework');
    assert.equal(first, '2026-09-01');
    assert.equal(last, '2026-12-04');
    assert.ok(Number(classes) > 1000, `${classes} classes report homework`);
    // Nothing dated on or after the anchor in the annual datasets either.
    const [[future]] = await queryOn(db.url,
      "SELECT (SELECT COUNT(*) FROM ds_school_evaluations WHERE date >= '2026-12-07') + " +
      "(SELECT COUNT(*) FROM ds_salaries WHERE date >= '2026-12-07')");
    assert.equal(future, '0');
    const [[salaryMonths]] = await queryOn(db.url, "SELECT COUNT(DISTINCT date) FROM ds_salaries WHERE date >= '2026-01-01'");
    assert.equal(salaryMonths, '12', 'monthly pay through December 2026');

    // Findings of this semester's weeks exist, judged as of the anchor.
    const [[weekly]] = await queryOn(db.url,
      "SELECT COUNT(*) FROM findings WHERE rule_id LIKE 'homework-%' AND period_start >= '2026-09-01'");
    assert.ok(Number(weekly) > 0, 'homework findings of 2026-autumn');

    // Cases: every one received in the twelve months before December 2026,
    // the latest within weeks of the anchor, none dated 2025-01 … 2025-11.
    const [[oldest, newest]] = (await queryOn(db.url,
      "SELECT MIN(opened_at), MAX(opened_at) FROM cases WHERE source_kind IS NULL OR source_kind <> 'finding'"))
      .map((row) => row.map(chinaDate));
    assert.ok(oldest >= '2025-12-01', `oldest case ${oldest}`);
    assert.ok(newest >= '2026-11-01' && newest <= '2026-12-07', `newest case ${newest}`);
    // Open complaints left unanswered fall due within the year, none in 2025's
    // first eleven months (the old demo's 已逾期 228 个工作日).
    const [[earliestDue]] = (await queryOn(db.url,
      "SELECT MIN(due_at) FROM cases WHERE case_type = 'complaint' AND state NOT IN ('closed', 'merged') AND due_at IS NOT NULL"))
      .map((row) => row.map(chinaDate));
    assert.ok(earliestDue >= '2025-12-01', `earliest due date of an open complaint: ${earliestDue}`);
  } finally {
    await db.drop();
  }
});

test('a homework row outside every semester is kept and flagged 不在任何学期内 (CLI import)', async () => {
  const db = await freshDbUrl();
  const dir = mkdtempSync(join(tmpdir(), 'edugov-semester-'));
  try {
    assert.equal(edugov(['migrate', '--db', db.url]).code, 0);
    assert.equal(edugov(['demo-data', '--scale', 'county', '--seed', '1', '--today', '2026-01-24', '--db', db.url,
      '--no-users', '--no-cases']).code, 0);
    const [[classId]] = await queryOn(db.url, 'SELECT id FROM classes WHERE grade = 5 ORDER BY id LIMIT 1');
    // 2026-02-10 lies in the winter holidays (2025-autumn ends 2026-01-23,
    // provisional 2026-spring starts 2026-03-02); 2026-03-10 is a school day.
    const csv = join(dir, 'homework.csv');
    writeFileSync(csv, `班级,日期,书面作业时长（分钟）\n${classId},2026-02-10,30\n${classId},2026-03-10,40\n`);
    const r = edugov(['import', 'homework', csv, '--db', db.url]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /成功 2 行/);
    assert.match(r.stdout, /1 行已保存但需注意/);
    assert.match(r.stdout, /第 2 行 .*2026-02-10 不在任何学期内/);
    assert.doesNotMatch(r.stdout, /2026-03-10 不在任何学期内/);
    const [[kept]] = await queryOn(db.url, `SELECT COUNT(*) FROM ds_homework WHERE class_id = ${classId} AND date IN ('2026-02-10', '2026-03-10')`);
    assert.equal(kept, '2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
});

test('edugov policy semesters marks the provisional ones 暂定', () => {
  const r = edugov(['policy', 'semesters', '--through', '2027-03-01']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(/\s+/).filter(Boolean).join(' ')), [
    '2025-spring 2025-02-17 .. 2025-07-05 已声明',
    '2025-autumn 2025-09-01 .. 2026-01-23 已声明',
    '2026-spring 2026-03-02 .. 2026-07-04 暂定',
    '2026-autumn 2026-09-01 .. 2027-01-22 暂定',
    '2027-spring 2027-02-22 .. 2027-07-03 暂定',
  ]);
});
