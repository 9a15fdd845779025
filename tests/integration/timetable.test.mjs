// The timetable API from the outside (docs/timetable.md, "Web UI and API"):
// check an uploaded .fet, solve it, generate a school and solve it, export
// the result as XLSX / .fet, and who may call it. A real edugov server with
// the synthetic demo county.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, apiLogin, repoRoot } from '../lib/server.mjs';

let srv;
const PW = 'Edugov@2025';
const testdata = path.join(repoRoot, 'src', 'timetable', 'testdata');

before(async () => { srv = await startServer(); });
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
