// The compliance API (src/http/compliance_handlers.h) and the
// re-check after a form row (src/rules/recheck.h), on the real server over
// the demo county with policy/anhua-2025.yaml, after one `edugov check`:
// a teacher's over-limit homework row opens its clause-25 finding at once;
// its page carries the evidence row and the quoted clause; another school
// cannot see it; what-if writes nothing; the target board measures clause 21;
// the dropout target (item 18) counts the open dropout cases;
// the trend counts by ISO week. SQLite or PostgreSQL (EDUGOV_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin, runEdugov } from '../lib/server.mjs';

let srv;

before(async () => {
  // With the demo year of cases: the dropout target counts its open dropouts.
  srv = await startServer();
  await runEdugov(['check', '--db', srv.dbUrl]);
});
after(async () => { await srv?.stop(); });

async function session(username) {
  const s = await apiLogin(srv.url, username);
  s.raw = async (method, path, body) => {
    const headers = { Cookie: s.cookies, 'Accept-Language': 'en' };
    if (method !== 'GET') headers['X-CSRF-Token'] = s.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${srv.url}/api/v1${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  return s;
}

// A class of the user's school in `grades`.
async function classOf(s, grades) {
  const list = await s.get(`/orgs/${s.user.org_id}/classes`);
  const items = list.items || list;
  const c = items.find((k) => grades.includes(k.grade));
  assert.ok(c, `a class in grades ${grades} at org ${s.user.org_id}`);
  return c;
}

// Of a re-check's open finding ids, the one of `rule` for class `classId`.
// The server lists only findings the submitter may open (recheck.h,
// KeepVisibleTo): every id must answer 200 — a 404 would be another org's
// finding leaking its id.
async function findingOf(s, ids, rule, classId) {
  let found = null;
  for (const id of ids) {
    const r = await s.raw('GET', `/findings/${id}`);
    assert.equal(r.status, 200, `re-check answered finding ${id}, which ${s.user.username} cannot open`);
    if (r.body.rule === rule && r.body.entity.id === classId) found = r.body;
  }
  if (found) return found;
  assert.fail(`no ${rule} finding for class ${classId} among ${JSON.stringify(ids)}`);
}

const CLAUSE_25 = '小学一二年级不布置书面家庭作业';

test('a teacher records written homework for grade 1: the clause-25 finding opens at once, with its evidence', async () => {
  const teacher = await session('laoshi');
  const cls = await classOf(teacher, [1, 2]);
  const r = await teacher.raw('POST', '/datasets/homework/rows',
    { class_id: cls.id, date: '2025-11-12', written_minutes: 30, phone_based: false });
  // The demo semester already holds the class's row for the day (0 minutes,
  // src/demo/semester_demo.h); the teacher's entry replaces it.
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.updated, true);
  assert.ok(r.body.row_id > 0);
  assert.ok(r.body.recheck, 'the answer carries the re-check');
  assert.equal(r.body.recheck.opened, 1, JSON.stringify(r.body.recheck));
  const f = await findingOf(teacher, r.body.recheck.open_finding_ids, 'homework-grades-1-2-none', cls.id);
  const id = f.id;

  assert.equal(f.clause, '25');
  assert.equal(f.rule, 'homework-grades-1-2-none');
  assert.equal(f.status, 'open');
  assert.equal(f.entity.type, 'class');
  assert.equal(f.entity.id, cls.id);
  assert.equal(f.period.start, '2025-11-12');
  assert.equal(f.measured, 30);
  assert.equal(f.threshold, 0);
  assert.ok(f.rule_info.source_zh.includes(CLAUSE_25), f.rule_info.source_zh);
  assert.equal(f.evidence.dataset, 'homework');
  assert.deepEqual(f.evidence.row_ids, [r.body.row_id]);
  assert.equal(f.evidence.rows.length, 1);
  assert.equal(f.evidence.rows[0].row_id, r.body.row_id);
  assert.equal(f.evidence.rows[0].values.written_minutes, 30);
  assert.equal(f.evidence.rows[0].values.date, '2025-11-12');
  assert.ok(f.evidence.rows[0].labels.class_id.includes('江英学校'), JSON.stringify(f.evidence.rows[0]));
  assert.ok(f.evidence.columns.some((c) => c.name === 'written_minutes' && c.label_zh));

  // The school's list shows it too, and submitting the same row again changes nothing.
  const school = await session('jiangying');
  const list = await school.get('/findings?clause=25&limit=500');
  assert.ok(list.items.some((x) => x.id === id));
  const again = await teacher.raw('POST', '/datasets/homework/rows',
    { class_id: cls.id, date: '2025-11-12', written_minutes: 30, phone_based: false });
  assert.equal(again.status, 200);
  assert.equal(again.body.recheck.opened, 0);
  assert.ok(again.body.recheck.open_finding_ids.includes(id));
  assert.equal((await school.get('/findings?clause=25&limit=500')).total, list.total);

  // Scoping: another school and another township's user get 404, never the evidence.
  const other = await session('meicheng');
  const foreign = await other.raw('GET', `/findings/${id}`);
  assert.equal(foreign.status, 404);
  assert.ok(!JSON.stringify(foreign.body).includes('written_minutes'));
  assert.ok(!(await other.get('/findings?clause=25&limit=500')).items.some((x) => x.id === id));
  // The township above sees it; an unknown id reads like a foreign one.
  const township = await session('dongping');
  assert.equal((await township.get(`/findings/${id}`)).id, id);
  assert.equal((await other.raw('GET', '/findings/999999999')).status, 404);
  assert.equal((await other.raw('GET', '/findings/abc')).status, 404);

  // The teacher corrects the day to 0 minutes: resolved at once.
  const fixed = await teacher.raw('POST', '/datasets/homework/rows',
    { class_id: cls.id, date: '2025-11-12', written_minutes: 0, phone_based: false });
  assert.equal(fixed.status, 200);
  assert.equal(fixed.body.recheck.resolved, 1);
  assert.equal((await teacher.get(`/findings/${id}`)).status, 'resolved');
  // The school's list (served from the read cache) shows the change at once.
  assert.equal((await school.get('/findings?clause=25&limit=500')).items.find((x) => x.id === id).status, 'resolved');
  // … and wrong again reopens the same finding (for the tests below).
  const back = await teacher.raw('POST', '/datasets/homework/rows',
    { class_id: cls.id, date: '2025-11-12', written_minutes: 30, phone_based: false });
  assert.equal(back.body.recheck.reopened, 1);
  assert.equal((await school.get('/findings?clause=25&limit=500')).items.find((x) => x.id === id).status, 'open');
  for (const x of [again, fixed, back]) {
    for (const fid of x.body.recheck.open_finding_ids) {
      assert.equal((await teacher.raw('GET', `/findings/${fid}`)).status, 200, `finding ${fid} leaked to the teacher`);
    }
  }
});

test('a junior class over 90 minutes a week: the weekly-average finding', async () => {
  const school = await session('jiangying');
  const cls = await classOf(school, [7, 8, 9]);
  // The demo semester holds the class's rows for the week of the mid-term;
  // 150 minutes on each of its five days replace them. Exam days are exempt,
  // so the weekly average over the others is 150 whichever days they are;
  // it crosses 90 part-way: exactly one finding opens, and stays.
  let opened = 0;
  let ids = [];
  for (const date of ['2025-11-10', '2025-11-11', '2025-11-12', '2025-11-13', '2025-11-14']) {
    const r = await school.raw('POST', '/datasets/homework/rows',
      { class_id: cls.id, date, written_minutes: 150, phone_based: false });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.updated, true);
    opened += r.body.recheck.opened;
    ids = r.body.recheck.open_finding_ids;
  }
  assert.equal(opened, 1);
  const f = await findingOf(school, ids, 'homework-grades-7-9-average', cls.id);
  assert.equal(f.period.kind, 'week');
  assert.equal(f.period.start, '2025-11-10');
  assert.equal(f.measured, 150);
  assert.equal(f.threshold, 90);
});

test('what-if recomputes with other parameters and writes nothing; bureau only', async () => {
  const bureau = await session('juzhang');
  const before = await bureau.get('/findings/summary');
  const total = (await bureau.get('/findings?limit=1')).total;
  const r = await bureau.post('/what-if', { params: { max_written_minutes_grades_1_2: 60, max_avg_minutes_junior: 200 } });
  const rule = (id) => r.by_rule.find((x) => x.rule === id);
  assert.ok(rule('homework-grades-1-2-none').now >= 1);
  // At least the two rows recorded above (30 minutes, 150 minutes) no longer break the norms.
  assert.ok(rule('homework-grades-1-2-none').what_if <= rule('homework-grades-1-2-none').now - 1);
  assert.ok(rule('homework-grades-7-9-average').what_if <= rule('homework-grades-7-9-average').now - 1);
  assert.ok(r.total.what_if <= r.total.now - 2);
  const c25 = r.by_clause.find((x) => x.clause === '25');
  assert.ok(c25.what_if <= c25.now - 2);
  // Rules without the changed parameters count the same.
  for (const x of r.by_rule.filter((x) => x.clause !== '25')) assert.equal(x.what_if, x.now, x.rule);
  assert.equal(r.params.max_written_minutes_grades_1_2, 60);
  // Nothing written.
  assert.deepEqual(await bureau.get('/findings/summary'), before);
  assert.equal((await bureau.get('/findings?limit=1')).total, total);

  const bad = await bureau.raw('POST', '/what-if', { params: { no_such_parameter: 1 } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /no_such_parameter/);
  const notNumber = await bureau.raw('POST', '/what-if', { params: { max_avg_minutes_junior: 'x' } });
  assert.equal(notNumber.status, 400);
  assert.equal(notNumber.body.error.field, 'params.max_avg_minutes_junior');
  assert.equal((await bureau.raw('POST', '/what-if', {})).status, 400);
  const school = await session('jiangying');
  assert.equal((await school.raw('POST', '/what-if', { params: { max_avg_minutes_junior: 60 } })).status, 403);
});

test('the target board measures clause 21 (principals with rural years) with its progress', async () => {
  for (const username of ['juzhang', 'jiangying']) {
    const s = await session(username);
    const r = await s.get('/targets');
    assert.match(r.as_of, /^\d{4}-\d{2}-\d{2}$/);
    const t = r.items.find((x) => x.id === 'principals-rural-experience');
    assert.ok(t, `${username} sees the county's clause-21 target`);
    assert.equal(t.clause, '21');
    assert.equal(t.target, 0.75);
    assert.equal(t.comparison, '>=');
    assert.equal(t.deadline, '2025-12-31');
    assert.equal(t.entity.type, 'county');
    assert.equal(typeof t.measured, 'number');
    assert.ok(t.measured >= 0 && t.measured <= 1);
    assert.ok(['on_track', 'at_risk', 'met', 'missed'].includes(t.status));
    // Past the deadline a target is met or missed, by its measured value.
    if (r.as_of > t.deadline) assert.equal(t.status, t.measured >= 0.75 ? 'met' : 'missed');
    assert.ok(t.source_zh.includes('农村学校任教经历'));
  }
});

test('the target board counts open dropout cases against item 18\'s goal of zero', async () => {
  const bureau = await session('juzhang');
  const open = await bureau.get('/cases?type=dropout&open=1&limit=1');
  assert.ok(open.total > 0, 'the demo year leaves some dropout cases open');
  const r = await bureau.get('/targets');
  const t = r.items.find((x) => x.id === 'dropouts-dynamically-zero');
  assert.ok(t, 'the board lists the dropout target');
  assert.equal(t.clause, '18');
  assert.equal(t.entity.type, 'county');
  assert.equal(t.comparison, '<=');
  assert.equal(t.target, 0);
  assert.equal(t.deadline, '2025-12-31');
  assert.equal(t.measured, open.total);
  assert.equal(t.status, r.as_of > t.deadline ? 'missed' : 'at_risk');
  assert.ok(t.source_zh.includes('控辍保学动态清零'));
  // A school sees the county's count too (a number, no child's data).
  const school = await session('jiangying');
  const st = (await school.get('/targets')).items.find((x) => x.id === 'dropouts-dynamically-zero');
  assert.equal(st.measured, open.total);
});

test('the rules of the pack, with their quoted clause and dated parameters', async () => {
  const school = await session('jiangying');
  const r = await school.get('/rules');
  const rule = r.items.find((x) => x.id === 'homework-grades-1-2-none');
  assert.equal(rule.clause, '25');
  assert.ok(rule.source_zh.includes(CLAUSE_25));
  const p = rule.parameters.find((x) => x.name === 'max_written_minutes_grades_1_2');
  assert.deepEqual(p.values, [{ value: 0, valid_from: '2025-01-01', valid_to: '' }]);
  assert.equal((await fetch(`${srv.url}/api/v1/rules`)).status, 401);
});

test('the trend counts findings by ISO week, scoped', async () => {
  const school = await session('jiangying');
  const r = await school.get('/findings/trend?weeks=104');
  assert.equal(r.weeks.length, 104);
  const w46 = r.weeks.find((w) => w.week === '2025-W46');
  assert.ok(w46, 'the window reaches back to 2025-W46');
  assert.equal(w46.start, '2025-11-10');
  assert.equal(w46.end, '2025-11-16');
  // Exactly the school's findings whose period (or first day seen) falls in that week,
  // among them the grade-1 day and the junior week recorded above.
  const own = (await school.get('/findings?limit=500')).items;
  const inWeek = own.filter((f) => {
    const d = f.period.start || f.opened_on;
    return d >= '2025-11-10' && d <= '2025-11-16';
  });
  assert.ok(inWeek.some((f) => f.rule === 'homework-grades-1-2-none'));
  assert.ok(inWeek.some((f) => f.rule === 'homework-grades-7-9-average'));
  assert.equal(w46.total, inWeek.length);
  assert.equal(w46.open, inWeek.filter((f) => f.status === 'open').length);
  assert.ok(r.weeks.reduce((n, w) => n + w.total, 0) <= own.length);
  const other = await session('meicheng');
  const theirs = await other.get('/findings/trend?weeks=104');
  const theirsInWeek = (await other.get('/findings?limit=500')).items.filter((f) => {
    const d = f.period.start || f.opened_on;
    return d >= '2025-11-10' && d <= '2025-11-16';
  });
  // The demo semester gives 梅城 homework findings of its own that week, never 江英's.
  assert.ok(!theirsInWeek.some((f) => inWeek.some((g) => g.id === f.id)));
  assert.equal(theirs.weeks.find((w) => w.week === '2025-W46').total, theirsInWeek.length);
  for (const q of ['weeks=0', 'weeks=105', 'weeks=x', 'clause=']) {
    const bad = await school.raw('GET', `/findings/trend?${q}`);
    assert.equal(bad.status, 400, q);
  }
  assert.equal((await fetch(`${srv.url}/api/v1/targets`)).status, 401);
});

test('item 24 names schools: one progress line per named school, each school sees only its own', async () => {
  const bureau = await session('juzhang');
  const items = (await bureau.get('/targets')).items;
  const as_of = (await bureau.get('/targets')).as_of;
  const top5 = items.filter((x) => x.id === 'zhongkao-jiangying-top-5');
  assert.deepEqual(top5.map((x) => x.entity.name), ['江英学校']);
  const top20 = items.filter((x) => x.id === 'zhongkao-five-schools-top-20');
  assert.deepEqual(top20.map((x) => x.entity.name).sort(),
    ['东坪中学', '思源学校', '梅城镇中学', '紫薇中学', '酉州学校'].sort());
  const talent = items.filter((x) => x.id === 'top-talent-admissions');
  assert.deepEqual(talent.map((x) => x.entity.name).sort(), ['安化一中', '安化二中'].sort());
  for (const t of [...top5, ...top20, ...talent]) {
    assert.equal(t.clause, '24');
    assert.equal(t.entity.type, 'school');
    assert.equal(t.unresolved_org_code, null, 'every named code is in the demo registry');
    assert.equal(typeof t.measured, 'number', `${t.id} ${t.entity.name} has a 2025 result`);
    if (as_of > t.deadline) {
      const met = t.comparison === '<=' ? t.measured <= t.target : t.measured >= t.target;
      assert.equal(t.status, met ? 'met' : 'missed', `${t.id} ${t.entity.name}`);
    }
  }
  // 江英学校 sees its own ranking target, not the five other schools' lines.
  const school = (await (await session('jiangying')).get('/targets')).items;
  assert.deepEqual(school.filter((x) => x.id === 'zhongkao-jiangying-top-5').map((x) => x.entity.name), ['江英学校']);
  assert.equal(school.filter((x) => x.id === 'zhongkao-five-schools-top-20').length, 0);
});
