// Teacher points (教师积分) from the outside, on SQLite and PostgreSQL: a
// school records points, a teacher reads their own ledger and objects (a
// points_objection case opens), another school and another teacher get 404,
// a second correction of one entry is refused naming "corrects", standings
// rank the school's teachers, and `edugov audit verify --ledger points`
// passes — then names an edited entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, apiLogin, edugovBin, repoRoot } from '../lib/server.mjs';
import { sqlOn } from '../lib/db.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const PW = 'Edugov@2025';

function edugov(args) {
  const r = spawnSync(edugovBin(), args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function raw(method, p, { cookies, csrf, body } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': 'en' };
  if (cookies) headers.Cookie = cookies;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${srv.url}/api/v1${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, text, json: text ? JSON.parse(text) : null };
}
const as = (s) => ({ cookies: s.cookies, csrf: s.csrf });

test('points: record, read own, scoping, objection, correction, standings, verify', async () => {
  const bureau = await apiLogin(srv.url, 'juzhang');
  const school = await apiLogin(srv.url, 'jiangying');
  const schoolId = school.user.org_id;
  // A teacher whose account is named by their staff code (docs/ledgers.md).
  const staff = await bureau.post(`/orgs/${schoolId}/staff`, {
    code: 'zhoulaoshi', name: '周老师', gender: 'female', hired_on: '2015-09-01', posts: ['teacher'],
  });
  await bureau.post('/users', { username: 'zhoulaoshi', display_name: '江英学校周老师', role: 'teacher', org_id: schoolId, password: PW });
  const teacher = await apiLogin(srv.url, 'zhoulaoshi');

  const policy = await school.get('/points/policy');
  assert.match(policy.quote_zh, /教师积分管理制度/);
  assert.equal(policy.base_points, 60);

  const e1 = await school.post('/points/entries', {
    staff_id: staff.id, school_year: 2025, rule_id: 'training_hours', quantity: 3, evidence: '县教师发展中心培训证明 2025-41',
  });
  assert.equal(e1.points, 3);
  assert.equal(e1.recorded_by, 'jiangying');
  assert.equal(e1.clause, '建立教师积分管理制度');

  // Bad input names the field; nothing is written.
  const unknownRule = await raw('POST', '/points/entries', { ...as(school), body: { staff_id: staff.id, school_year: 2025, rule_id: 'gifts', evidence: 'x' } });
  assert.equal(unknownRule.status, 400);
  assert.equal(unknownRule.json.error.field, 'rule_id');
  const unknownTeacher = await raw('POST', '/points/entries', { ...as(school), body: { staff_id: 99999999, school_year: 2025, rule_id: 'training_hours', evidence: 'x' } });
  assert.equal(unknownTeacher.status, 404);
  assert.equal(unknownTeacher.json.error.field, 'staff_id');
  // A school may not record the misconduct deduction.
  const notTheirs = await raw('POST', '/points/entries', { ...as(school), body: { staff_id: staff.id, school_year: 2025, rule_id: 'misconduct', evidence: 'x' } });
  assert.equal(notTheirs.status, 403);

  // The teacher reads their own ledger.
  const mine = await teacher.get('/points/me?year=2025');
  assert.equal(mine.staff_id, staff.id);
  assert.equal(mine.total, 63);
  assert.equal(mine.entries.length, 1);
  assert.equal(mine.entries[0].rule_label.zh, '继续教育培训学时');

  // Another school cannot read or record this school's teacher; the demo
  // teacher (no staff record of their own) cannot read it either.
  const other = await apiLogin(srv.url, 'meicheng');
  assert.equal((await raw('GET', `/points/teachers/${staff.id}?year=2025`, as(other))).status, 404);
  assert.equal((await raw('POST', '/points/entries', { ...as(other), body: { staff_id: staff.id, school_year: 2025, rule_id: 'training_hours', evidence: 'x' } })).status, 404);
  assert.equal((await raw('GET', `/points/standings?org_id=${schoolId}&year=2025`, as(other))).status, 404);
  const laoshi = await apiLogin(srv.url, 'laoshi');
  assert.equal((await raw('GET', `/points/teachers/${staff.id}?year=2025`, as(laoshi))).status, 404);
  assert.equal((await raw('GET', `/points/standings?year=2025`, as(teacher))).status, 403);
  assert.equal((await raw('GET', '/points/me')).status, 401);

  // The teacher objects: a points_objection case opens; a second objection is refused.
  const obj = await teacher.post(`/points/entries/${e1.seq}/objections`, { text: '实际培训 48 学时,应计 4 分' });
  assert.match(obj.case.ref, /^JF/);
  const again = await raw('POST', `/points/entries/${e1.seq}/objections`, { ...as(teacher), body: { text: 'x' } });
  assert.equal(again.status, 409);
  assert.equal(again.json.error.field, 'entry');
  const theCase = await teacher.get(`/cases/${obj.case.id}`);
  assert.equal(theCase.type, 'points_objection');
  // The school sees it; another school does not.
  assert.equal((await raw('GET', `/cases/${obj.case.id}`, as(school))).status, 200);
  assert.equal((await raw('GET', `/cases/${obj.case.id}`, as(other))).status, 404);

  // Upheld: the school corrects the entry — once; a second correction of it is refused.
  const fix = await school.post(`/points/entries/${e1.seq}/corrections`, { rule_id: 'training_hours', quantity: 4, evidence: '复核:48 学时' });
  assert.equal(fix.corrects_seq, e1.seq);
  const twice = await raw('POST', `/points/entries/${e1.seq}/corrections`, { ...as(school), body: { rule_id: 'training_hours', quantity: 1, evidence: 'x' } });
  assert.equal(twice.status, 409);
  assert.equal(twice.json.error.field, 'corrects');
  const after = await teacher.get('/points/me?year=2025');
  assert.equal(after.total, 64);
  assert.equal(after.entries[0].corrected_by_seq, fix.seq);
  assert.equal(after.entries[0].objection_case_id, obj.case.id);

  // Standings: the school's teachers ranked, eligibility from the thresholds.
  const st = await school.get(`/points/standings?org_id=${schoolId}&year=2025`);
  const row = st.teachers.find((t) => t.staff_id === staff.id);
  assert.equal(row.total, 64);
  assert.equal(row.rank, 1);
  const el = Object.fromEntries(row.eligibility.map((e) => [e.list_id, e]));
  assert.equal(el.registration.eligible, true);
  assert.equal(el.awards.eligible, false);
  assert.match(el.awards.reason.zh, /低于评先评优门槛 75/);
  assert.ok(st.teachers.every((t) => t.org_id === schoolId));
  assert.ok(st.teachers.length > 1);

  // The ledger verifies; an edited entry is named.
  let v = edugov(['audit', 'verify', '--ledger', 'points', '--db', srv.dbUrl]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /points chain intact, 2 entries/);
  await sqlOn(srv.dbUrl, `UPDATE points_entries SET points = 30 WHERE seq = ${e1.seq}`);
  v = edugov(['audit', 'verify', '--ledger', 'points', '--db', srv.dbUrl]);
  assert.equal(v.code, 2);
  assert.match(v.stderr, new RegExp(`points entry ${e1.seq} was edited`));
});
