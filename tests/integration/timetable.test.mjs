// The timetable API from the outside (docs/timetable.md, "Web UI and API"):
// check an uploaded .fet, solve it, generate a school and solve it, export
// the result as XLSX / .fet, and who may call it. A real edugov server with
// the synthetic demo county.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServer, apiLogin, repoRoot, edugovBin } from '../lib/server.mjs';

let srv;
const PW = 'Edugov@2025';
const testdata = path.join(repoRoot, 'src', 'timetable', 'testdata');

before(async () => { srv = await startServer({ cases: false }); });
after(async () => { await srv?.stop(); });

async function session(username) {
  const s = await apiLogin(srv.url, username, PW);
  // A raw request as this user: {status, body (JSON when it parses, else text), headers, bytes}.
  s.req = async (method, p, { body, json, type, lang = 'zh-CN' } = {}) => {
    const headers = { Cookie: s.cookies, 'X-CSRF-Token': s.csrf, 'Accept-Language': lang };
    let payload = body;
    if (json !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(json); }
    else if (type) headers['Content-Type'] = type;
    const r = await fetch(`${srv.url}${p}`, { method, headers, body: payload });
    const bytes = Buffer.from(await r.arrayBuffer());
    let parsed = bytes.toString('utf8');
    try { parsed = JSON.parse(parsed); } catch { /* not JSON */ }
    return { status: r.status, body: parsed, headers: r.headers, bytes };
  };
  return s;
}

const fet = (name) => readFile(path.join(testdata, name), 'utf8');

test('a .fet naming an unknown teacher → 400 naming the line, in Chinese or English', async () => {
  const s = await session('jiangying');
  const text = await fet('bad_teacher.fet');
  const line = text.split('\n').findIndex((l) => l.includes('<Teacher>Nobody</Teacher>')) + 1;
  const zh = await s.req('POST', '/api/v1/timetable/check', { body: text, type: 'application/xml' });
  assert.equal(zh.status, 400);
  assert.equal(zh.body.error.code, 'invalid_argument');
  assert.equal(zh.body.error.field, `line ${line}`);
  assert.match(zh.body.error.message, /Nobody/);
  assert.match(zh.body.error.message, /[\u4e00-\u9fff]/, 'Chinese by default');
  const en = await s.req('POST', '/api/v1/timetable/check', { body: text, type: 'text/xml', lang: 'en-US,en;q=0.9' });
  assert.equal(en.status, 400);
  assert.match(en.body.error.message, /teacher/i);
  assert.doesNotMatch(en.body.error.message, /[\u4e00-\u9fff]{2}/);

  const truncated = await s.req('POST', '/api/v1/timetable/check', { body: await fet('truncated.fet'), type: 'application/xml' });
  assert.equal(truncated.status, 400);
  assert.match(truncated.body.error.field, /^line \d+$/);

  const empty = await s.req('POST', '/api/v1/timetable/check', { body: '  ', type: 'application/xml' });
  assert.equal(empty.status, 400);
});

test('a good .fet: the report, then solve → export .fet → check says hard = 0', async () => {
  const s = await session('jiangying');
  const text = await fet('tiny.fet');
  // Nothing locked yet: every activity is unplaced, and the report says so.
  const unplaced = await s.req('POST', '/api/v1/timetable/check', { body: text, type: 'application/xml' });
  assert.equal(unplaced.status, 200);
  assert.ok(unplaced.body.report.hard > 0);
  assert.equal(unplaced.body.report.violations.length, unplaced.body.report.total_violations);
  for (const v of unplaced.body.report.violations) {
    for (const k of ['constraint', 'type', 'hard', 'what', 'where', 'clause', 'source']) assert.ok(k in v, `violation has ${k}`);
  }

  const solved = await s.req('POST', '/api/v1/timetable/solve?time_limit=2&seed=3&first_complete=1', {
    body: text, type: 'application/xml',
  });
  assert.equal(solved.status, 200);
  assert.equal(solved.body.report.hard, 0);
  assert.equal(solved.body.solve.seed, 3);
  assert.ok(solved.body.placements.every(([start]) => start >= 0), 'every activity placed');

  const exported = await s.req('POST', '/api/v1/timetable/export?format=fet', {
    json: { instance_yaml: solved.body.instance_yaml, placements: solved.body.placements },
  });
  assert.equal(exported.status, 200);
  assert.match(exported.headers.get('content-disposition'), /timetable\.fet/);
  const back = await s.req('POST', '/api/v1/timetable/check', { body: exported.body, type: 'application/xml' });
  assert.equal(back.status, 200);
  assert.equal(back.body.report.hard, 0, JSON.stringify(back.body.report.violations.slice(0, 3)));
  assert.deepEqual(back.body.placements.map((p) => p[0]), solved.body.placements.map((p) => p[0]));
});

// 0 is a seed like any other (the page's seed box starts at 0); a negative one is refused by name.
test('solve ?seed=0 is a seed; ?seed=-1 is an error naming seed', async () => {
  const s = await session('jiangying');
  const text = await fet('tiny.fet');
  const zero = await s.req('POST', '/api/v1/timetable/solve?time_limit=2&seed=0&first_complete=1', { body: text, type: 'application/xml' });
  assert.equal(zero.status, 200, JSON.stringify(zero.body));
  assert.equal(zero.body.solve.seed, 0);
  const negative = await s.req('POST', '/api/v1/timetable/solve?seed=-1', { body: text, type: 'application/xml' });
  assert.equal(negative.status, 400);
  assert.equal(negative.body.error.field, 'seed');
});

test('generate a junior school and solve: every class grid complete, checker hard = 0, XLSX export', async () => {
  const s = await session('jiangying');
  const r = await s.req('POST', '/api/v1/timetable/generate', {
    json: { stage: 'junior', classes: 6, seed: 2, time_limit: 10, first_complete: true },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
  const { instance, report, timetable, placements } = r.body;
  assert.equal(report.hard, 0, JSON.stringify(report.violations.slice(0, 5)));
  assert.equal(timetable.classes.length, 6);
  assert.ok(placements.every(([start]) => start >= 0), 'every activity placed');
  assert.deepEqual(instance.days_zh, ['星期一', '星期二', '星期三', '星期四', '星期五']);
  const reserved = instance.periods.map((p, i) => (p.reserved ? i : -1)).filter((i) => i >= 0);
  assert.ok(instance.periods.some((p) => p.name === '大课间' && p.reserved && p.start), '大课间 is a reserved period with its time');
  const free = instance.periods.length - reserved.length;
  for (const c of timetable.classes) {
    let filled = 0;
    c.cells.forEach((day) => day.forEach((cell, p) => {
      if (reserved.includes(p)) assert.equal(cell.length, 0, `${c.name}: nothing in a reserved period`);
      else if (cell.length > 0) filled++;
    }));
    assert.equal(filled, c.lessons, `${c.name}: no two lessons in one cell`);
    assert.ok(filled > 0 && filled <= 5 * free, `${c.name}: ${filled} lessons`);
    for (const day of c.cells) for (const cell of day) for (const l of cell) assert.ok(l.subject && l.teachers, 'subject and teacher');
  }
  // Every lesson of every class appears: the classes' periods add up to the activities' periods.
  const teacherPeriods = timetable.teachers.reduce((n, t) => n + t.lessons, 0);
  const classPeriods = timetable.classes.reduce((n, c) => n + c.lessons, 0);
  assert.equal(classPeriods, teacherPeriods, 'each class lesson has one teacher here');
  assert.ok(timetable.rooms.length > 0);

  const xlsx = await s.req('POST', '/api/v1/timetable/export?format=xlsx', {
    json: { instance_yaml: r.body.instance_yaml, placements, school: '江英学校' },
  });
  assert.equal(xlsx.status, 200);
  assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
  assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK', 'a zip (xlsx) file');
});

test('limits and roles: time_limit ≤ 30 s, bad input 400, teacher 403, anonymous 401', async () => {
  const s = await session('jiangying');
  const text = await fet('tiny.fet');
  const slow = await s.req('POST', '/api/v1/timetable/solve?time_limit=60', { body: text, type: 'application/xml' });
  assert.equal(slow.status, 400);
  assert.equal(slow.body.error.field, 'time_limit');
  const stage = await s.req('POST', '/api/v1/timetable/generate', { json: { stage: 'college' } });
  assert.equal(stage.status, 400);
  assert.equal(stage.body.error.field, 'stage');
  const format = await s.req('POST', '/api/v1/timetable/export?format=pdf', { json: {} });
  assert.equal(format.status, 400);
  const badPlacements = await s.req('POST', '/api/v1/timetable/export?format=xlsx', {
    json: { instance_yaml: (await s.req('POST', '/api/v1/timetable/check', { body: text, type: 'application/xml' })).body.instance_yaml, placements: [[999, 0]] },
  });
  assert.equal(badPlacements.status, 400);
  assert.equal(badPlacements.body.error.field, 'placements');

  const teacher = await session('laoshi');
  const t = await teacher.req('POST', '/api/v1/timetable/check', { body: text, type: 'application/xml' });
  assert.equal(t.status, 403);

  for (const u of ['dongping', 'juzhang']) {
    const other = await session(u);
    const ok = await other.req('POST', '/api/v1/timetable/check', { body: text, type: 'application/xml' });
    assert.equal(ok.status, 200, `${u} may check`);
  }

  const anon = await fetch(`${srv.url}/api/v1/timetable/check`, { method: 'POST', body: text, headers: { 'Content-Type': 'application/xml' } });
  assert.equal(anon.status, 401);
});

// --- Solves as jobs on the worker pool, off the I/O threads ---------------

// tiny.fet made impossible: class Y1 has 4 periods in a 2-day week but at
// most 1 a day, so the solver searches until its time limit or a cancel.
async function impossibleFet() {
  return (await fet('tiny.fet')).replace('</Time_Constraints_List>',
    '<ConstraintStudentsSetMaxHoursDaily><Weight_Percentage>100</Weight_Percentage><Maximum_Hours_Daily>1</Maximum_Hours_Daily>'
    + '<Students>Y1</Students><Active>true</Active></ConstraintStudentsSetMaxHoursDaily>\n</Time_Constraints_List>');
}

// Polls a job until `done(job)` holds: waits for a state the server reports,
// never for a guessed duration (bounded so a broken server fails the test).
async function until(s, id, done, what) {
  for (let i = 0; i < 1500; i++) {
    const r = await s.req('GET', `/api/v1/timetable/jobs/${id}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (done(r.body)) return r.body;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`job ${id} never became ${what}`);
}

test('a long solve runs as a job: /health answers while it runs, progress is visible, cancel stops it', async () => {
  const s = await session('jiangying');
  const submitted = await s.req('POST', '/api/v1/timetable/solve?async=1&time_limit=30&seed=1', {
    body: await impossibleFet(), type: 'application/xml',
  });
  assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
  const id = submitted.body.id;
  assert.match(id, /^[0-9a-f]{24}$/);
  assert.equal(submitted.headers.get('location'), `/api/v1/timetable/jobs/${id}`);
  assert.equal(submitted.body.kind, 'solve');

  // The solver has started and reported its best so far (hard > 0: it cannot finish).
  const running = await until(s, id, (j) => j.state === 'running' && j.progress, 'running with progress');
  assert.ok(running.progress.hard > 0);
  assert.equal(running.result, undefined);

  // While it runs, the server answers other requests, on either I/O thread.
  const t0 = performance.now();
  for (let i = 0; i < 4; i++) {
    const h = await fetch(`${srv.url}/api/v1/health`);
    assert.equal(h.status, 200);
  }
  const healthMs = performance.now() - t0;
  const still = await s.req('GET', `/api/v1/timetable/jobs/${id}`);
  assert.equal(still.body.state, 'running', 'the four health requests were answered during the solve');
  assert.ok(healthMs < 5000, `health answered in ${healthMs} ms`);

  // A synchronous solve from another school runs on the second worker meanwhile.
  const m = await session('meicheng');
  const sync = await m.req('POST', '/api/v1/timetable/solve?time_limit=5&first_complete=1', { body: await fet('tiny.fet'), type: 'application/xml' });
  assert.equal(sync.status, 200, JSON.stringify(sync.body).slice(0, 300));
  assert.equal(sync.body.report.hard, 0);
  assert.equal((await s.req('GET', `/api/v1/timetable/jobs/${id}`)).body.state, 'running');

  // Someone else's job does not exist for them.
  assert.equal((await m.req('GET', `/api/v1/timetable/jobs/${id}`)).status, 404);
  assert.equal((await m.req('DELETE', `/api/v1/timetable/jobs/${id}`)).status, 404);

  const cancel = await s.req('DELETE', `/api/v1/timetable/jobs/${id}`);
  assert.equal(cancel.status, 200);
  const cancelled = await until(s, id, (j) => j.state === 'cancelled', 'cancelled');
  assert.ok(cancelled.finished_at);
  assert.equal(cancelled.error.code, 'failed_precondition');
});

test('a job that finishes carries the same answer as the synchronous form; generate and check run as jobs too', async () => {
  const s = await session('jiangying');
  const text = await fet('tiny.fet');
  const sub = await s.req('POST', '/api/v1/timetable/solve?async=1&time_limit=5&seed=3&first_complete=1', { body: text, type: 'application/xml' });
  assert.equal(sub.status, 202);
  const done = await until(s, sub.body.id, (j) => j.state === 'done', 'done');
  assert.equal(done.result.report.hard, 0);
  assert.equal(done.result.solve.seed, 3);
  assert.ok(done.result.placements.every(([start]) => start >= 0));

  const gen = await s.req('POST', '/api/v1/timetable/generate', { json: { stage: 'primary', classes: 2, seed: 1, time_limit: 5, first_complete: true, async: true } });
  assert.equal(gen.status, 202, JSON.stringify(gen.body));
  assert.equal(gen.body.kind, 'generate');
  const g = await until(s, gen.body.id, (j) => j.state === 'done', 'done');
  assert.equal(g.result.report.hard, 0);
  assert.equal(g.result.timetable.classes.length, 2);

  const chk = await s.req('POST', '/api/v1/timetable/check?async=1', { body: text, type: 'application/xml' });
  assert.equal(chk.status, 202);
  const c = await until(s, chk.body.id, (j) => j.state === 'done', 'done');
  assert.ok(c.result.report.hard > 0, 'nothing locked: unplaced activities');

  assert.equal((await s.req('GET', '/api/v1/timetable/jobs/0123456789abcdef01234567')).status, 404);
});

test('the job queue is bounded: too many per account → 429, a full queue → 503, both with Retry-After and zh + en', async () => {
  const body = await impossibleFet();
  const users = await Promise.all(['jiangying', 'meicheng', 'dongping'].map(session));
  const jobs = [];
  const submit = (s, lang) => s.req('POST', '/api/v1/timetable/solve?async=1&time_limit=30', { body, type: 'application/xml', lang });
  try {
    // 2 run, up to 4 wait; at most 3 unfinished per account.
    for (let i = 0; i < 3; i++) {
      const r = await submit(users[0]);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      jobs.push([users[0], r.body.id]);
    }
    // The two workers take the first two jobs off the queue on their own
    // threads; wait until they have, or (on a loaded machine) the queue may
    // still hold them when the next account submits and fill up early.
    await until(users[0], jobs[0][1], (j) => j.state === 'running', 'running');
    await until(users[0], jobs[1][1], (j) => j.state === 'running', 'running');
    const mine = await submit(users[0]);
    assert.equal(mine.status, 429);
    assert.ok(mine.headers.get('retry-after'));
    assert.match(mine.body.error.message, /排课任务/);
    for (let i = 0; i < 3; i++) {
      const r = await submit(users[1]);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      jobs.push([users[1], r.body.id]);
    }
    const full = await submit(users[2], 'en-US,en;q=0.9');
    assert.equal(full.status, 503);
    assert.ok(full.headers.get('retry-after'));
    assert.match(full.body.error.message, /queue is full/);
    const zh = await submit(users[2]);
    assert.match(zh.body.error.message, /排课队列已满/);
    const queued = (await users[1].req('GET', `/api/v1/timetable/jobs/${jobs[5][1]}`)).body;
    assert.equal(queued.state, 'queued');
    assert.ok(queued.queue_position >= 1);
  } finally {
    for (const [s, id] of jobs) await s.req('DELETE', `/api/v1/timetable/jobs/${id}`);
    for (const [s, id] of jobs) await until(s, id, (j) => j.state === 'cancelled', 'cancelled');
  }
});

// --- Checker findings into the policy engine's findings --------------------

test('a school checks a timetable with too few PE lessons → a clause-26 finding for that school; fixed and re-checked → resolved', async () => {
  const s = await session('jiangying');
  const gen = await s.req('POST', '/api/v1/timetable/generate', { json: { stage: 'junior', classes: 1, seed: 4, time_limit: 10, first_complete: true } });
  assert.equal(gen.status, 200, JSON.stringify(gen.body).slice(0, 300));
  assert.equal(gen.body.report.hard, 0);
  const exported = await s.req('POST', '/api/v1/timetable/export?format=fet', {
    json: { instance_yaml: gen.body.instance_yaml, placements: gen.body.placements },
  });
  assert.equal(exported.status, 200);
  const good = exported.body;
  // One PE lesson of 7年级1班 becomes Chinese: PE drops below the plan's 3 a week.
  const pe = '<Subject>体育与健康</Subject>';
  assert.ok(good.includes(pe), 'the export has PE lessons');
  const bad = good.replace(pe, '<Subject>语文</Subject>');

  const before = await s.req('GET', '/api/v1/findings?rule=tt.pe_weekly');
  assert.equal(before.status, 200);
  assert.equal(before.body.total, 0);

  const checked = await s.req('POST', '/api/v1/timetable/check?file_name=bad.fet', { body: bad, type: 'application/xml' });
  assert.equal(checked.status, 200, JSON.stringify(checked.body).slice(0, 300));
  assert.ok(checked.body.report.hard_by_clause['26'] >= 1, 'the checker names clause 26');
  assert.ok(checked.body.report.violations.some((v) => v.clause === '26' && /PE/.test(v.what)));
  assert.equal(checked.body.findings.opened, 1);
  assert.match(checked.body.findings.upload, /^[0-9a-f]{16}$/);

  const open = await s.req('GET', '/api/v1/findings?rule=tt.pe_weekly');
  assert.equal(open.body.total, 1);
  const f = open.body.items[0];
  assert.equal(f.clause, '26');
  assert.equal(f.status, 'open');
  assert.ok(['class', 'school'].includes(f.entity.type));
  assert.equal(f.comparison, '>=');
  assert.ok(f.measured < f.threshold, `${f.measured} < ${f.threshold}`);
  // The threshold is the policy pack's timetable_norms value, with its validity and the plan's sentence.
  assert.equal(f.parameters[0].name, 'min_pe_lessons_junior');
  assert.equal(f.parameters[0].value, f.threshold);
  assert.equal(f.parameters[0].source, 'policy pack');
  assert.equal(f.parameters[0].valid_from, '2025-01-01');
  assert.equal(f.parameters[0].norm, 'tt-pe-weekly');
  assert.match(f.parameters[0].source_zh, /三至六年级和初中每周3课时/);
  assert.ok(checked.body.norms.some((n) => n.name === 'min_pe_lessons_junior' && n.value === 3 && n.source === 'policy pack'));
  assert.equal(f.evidence.dataset, 'timetable');
  assert.equal(f.evidence.upload, checked.body.findings.upload);
  assert.equal(f.evidence.file_name, 'bad.fet');
  assert.deepEqual(f.evidence.classes, ['7年级1班']);
  assert.equal(f.evidence.row_ids.length, f.measured, 'the PE lessons still there, by slot');

  // The same upload again: the standing finding is updated, not duplicated.
  const again = await s.req('POST', '/api/v1/timetable/check', { body: bad, type: 'application/xml' });
  assert.equal(again.body.findings.standing, 1);
  assert.equal(again.body.findings.opened, 0);
  assert.equal((await s.req('GET', '/api/v1/findings?rule=tt.pe_weekly')).body.total, 1);

  // Another school sees nothing of it; the bureau sees it.
  const other = await session('meicheng');
  assert.equal((await other.req('GET', '/api/v1/findings?rule=tt.pe_weekly')).body.total, 0);
  const bureau = await session('juzhang');
  assert.equal((await bureau.req('GET', '/api/v1/findings?rule=tt.pe_weekly')).body.total, 1);
  // A bureau check without school_id stores nothing.
  const plain = await bureau.req('POST', '/api/v1/timetable/check', { body: bad, type: 'application/xml' });
  assert.equal(plain.body.findings, null);

  // Fixed: the good timetable resolves it.
  const fixed = await s.req('POST', '/api/v1/timetable/check?file_name=good.fet', { body: good, type: 'application/xml' });
  assert.equal(fixed.status, 200);
  assert.equal(fixed.body.findings.resolved, 1);
  assert.equal(fixed.body.findings.open, 0);
  const after = await s.req('GET', '/api/v1/findings?rule=tt.pe_weekly');
  assert.equal(after.body.total, 1);
  assert.equal(after.body.items[0].status, 'resolved');
  assert.ok(after.body.items[0].resolved_on);
});

// --- The CLI's check applies the plan's norms from the policy pack ---------

// `edugov ARGS…` from the repo root → {code, stdout, stderr}, whatever the exit code.
function runEdugov(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(edugovBin(), args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('edugov timetable check --policy: the pack\'s PE value decides; a malformed norm is an error with line:col', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tt-cli-'));
  const yaml = path.join(dir, 'school.yaml');
  let r = await runEdugov(['timetable', 'generate', '--stage', 'junior', '--classes', '2', '--seed', '3', '--out', yaml]);
  assert.equal(r.code, 0, r.stderr);
  r = await runEdugov(['timetable', 'solve', '--input', yaml, '--seed', '1', '--time-limit', '20', '--first-complete',
    '--formats', 'fet', '--out', dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const timetable = path.join(dir, 'timetable.fet');
  const shipped = await readFile(path.join(repoRoot, 'policy', 'anhua-2025.yaml'), 'utf8');

  // The shipped pack: the plan's 3 PE lessons a week for junior grades, met.
  const policy = path.join(repoRoot, 'policy', 'anhua-2025.yaml');
  r = await runEdugov(['timetable', 'check', '--input', timetable, '--policy', policy, '--date', '2025-10-01']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /min_pe_lessons_junior=3 \[2025-01-01, …\] policy pack tt-pe-weekly/);
  assert.match(r.stdout, /plan norms: 0 finding/);

  // The same timetable, the pack's value raised to 5: every class falls short.
  const at = shipped.indexOf('name: min_pe_lessons_junior');
  const v = shipped.indexOf('value: 3', at);
  const raised = path.join(dir, 'raised.yaml');
  await writeFile(raised, shipped.slice(0, v) + 'value: 5' + shipped.slice(v + 'value: 3'.length));
  r = await runEdugov(['timetable', 'check', '--input', timetable, '--policy', raised, '--date', '2025-10-01']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /min_pe_lessons_junior=5 /);
  assert.match(r.stdout, /plan norms: 2 finding/);
  assert.match(r.stdout, /tt\.pe_weekly clause 26 .*7年级1班: measured 3, norm >= 5 pe_junior/);

  // Before the pack's values are valid there is no norm to judge by: an error naming the parameter and the day.
  r = await runEdugov(['timetable', 'check', '--input', timetable, '--policy', raised, '--date', '2024-06-01']);
  assert.notEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /min_pe_lessons_grades_1_2.*2024-06-01/);

  // A malformed norm: the error names the file, line and column.
  const lines = shipped.split('\n');
  const bad = path.join(dir, 'bad.yaml');
  const line = lines.findIndex((l) => l.includes('name: min_break_minutes')) + 3;  // its values line (after label_zh), 1-based
  await writeFile(bad, shipped.replace('values: [{value: 15, valid_from: 2025-01-01}]', 'values: [{value: fifteen, valid_from: 2025-01-01}]'));
  r = await runEdugov(['timetable', 'check', '--input', timetable, '--policy', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`bad\\.yaml:${line}:\\d+: min_break_minutes`));
  // …and `edugov policy validate` refuses the same pack.
  r = await runEdugov(['policy', 'validate', bad]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, new RegExp(`bad\\.yaml:${line}:`));
  await rm(dir, { recursive: true, force: true });
});

// serve --policy FILE is the one pack of the process: the timetable routes
// judge by it (not by the shipped pack), and when the file changes the
// next sweep re-reads it for the timetable routes too.
test('serve --policy: timetable checks judge by the server\'s pack and follow it when the file changes', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tt-pack-'));
  const shipped = await readFile(path.join(repoRoot, 'policy', 'anhua-2025.yaml'), 'utf8');
  const withPe = (n) => {
    const at = shipped.indexOf('name: min_pe_lessons_junior');
    const v = shipped.indexOf('value: 3', at);
    return shipped.slice(0, v) + `value: ${n}` + shipped.slice(v + 'value: 3'.length);
  };
  const pack = path.join(dir, 'pack.yaml');
  await writeFile(pack, withPe(5));
  const own = await startServer({ cases: false, serveArgs: ['--policy', pack] });
  try {
    const login = async (u) => {
      const s = await apiLogin(own.url, u, PW);
      s.post = (p, init) => fetch(`${own.url}${p}`, {
        method: 'POST', ...init, headers: { Cookie: s.cookies, 'X-CSRF-Token': s.csrf, ...(init?.headers || {}) },
      });
      return s;
    };
    const school = await login('jiangying');
    const peJunior = async () => {
      const r = await school.post('/api/v1/timetable/check', {
        body: await fet('tiny.fet'), headers: { 'Content-Type': 'application/xml' },
      });
      assert.equal(r.status, 200);
      const body = await r.json();
      return body.norms.find((n) => n.name === 'min_pe_lessons_junior')?.value;
    };
    assert.equal(await peJunior(), 5, 'the server\'s own pack, not the shipped one (3)');

    // The file changes; a sweep (立即检查) re-reads it, and the timetable routes follow.
    await writeFile(pack, withPe(4) + '\n# edited\n');
    const bureau = await login('juzhang');
    const sweep = await bureau.post('/api/v1/compliance/sweeps', { headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.ok([200, 202].includes(sweep.status), `sweep answered ${sweep.status}`);
    const { job } = await sweep.json();
    // Polled until it ends (bounded): the sweep runs on its own thread.
    let state = job.state;
    for (let i = 0; i < 600 && !['succeeded', 'failed', 'cancelled'].includes(state); i++) {
      await new Promise((res) => setTimeout(res, 100));
      const r = await fetch(`${own.url}/api/v1/compliance/sweeps/${job.id}`, { headers: { Cookie: bureau.cookies } });
      state = (await r.json()).job.state;
    }
    assert.equal(state, 'succeeded');
    assert.equal(await peJunior(), 4);
  } finally {
    await own.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
