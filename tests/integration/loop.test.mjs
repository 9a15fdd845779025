// The compliance loop inside the server (src/compliance; docs/workflows.md,
// "Rectifications from findings"), on a fresh demo county and no CLI call:
// the demo opens with findings and rectifications in every state; a school
// imports a violating week through the API → the sweep that import starts
// opens a finding and exactly one rectification for that school, assigned,
// with a deadline; corrected data → the finding resolves and the case awaits
// verification (待核验); the supervisor closes it; another sweep opens no
// duplicate. Bureau-only 立即检查: a school gets 403; a second click joins.
// SQLite or PostgreSQL (EDUGOV_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const RULE = 'homework-grades-7-9-average';
// A rectification's title carries the rule's title from the pack.
const TITLE = '初中书面作业每天平均不超过90分钟';
const Q = encodeURIComponent(TITLE);
const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const WEEK = ['2025-12-01', '2025-12-02', '2025-12-03', '2025-12-04', '2025-12-05'];

async function session(username) {
  const s = await apiLogin(srv.url, username);
  s.raw = async (method, p, { json, body, type } = {}) => {
    const headers = { Cookie: s.cookies, 'Accept-Language': 'zh-CN' };
    if (method !== 'GET') headers['X-CSRF-Token'] = s.csrf;
    if (json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
    if (type) headers['Content-Type'] = type;
    const r = await fetch(`${srv.url}/api/v1${p}`, { method, headers, body });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  return s;
}

// Polls the job until it ends: the server answers at once, the sweep runs on
// its own thread; each poll waits for a state change, bounded in count.
async function finished(s, id) {
  for (let i = 0; i < 600; i++) {
    const r = await s.raw('GET', `/compliance/sweeps/${id}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const { job } = r.body;
    if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`sweep job ${id} did not finish`);
}

async function importWeek(s, classId, minutes) {
  const csv = ['class_id,date,written_minutes,phone_based', ...WEEK.map((d) => `${classId},${d},${minutes},0`)].join('\n') + '\n';
  const r = await s.raw('POST', '/datasets/homework/import?file_name=week.csv', { body: csv, type: 'text/csv' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.sweep?.id, 'the import names the sweep that judges it');
  const job = await finished(s, r.body.sweep.id);
  assert.equal(job.state, 'succeeded', JSON.stringify(job));
  assert.equal(job.trigger, 'import');
  return job;
}

async function findingFor(s, classId) {
  for (let offset = 0; ; offset += 500) {
    const page = await s.get(`/findings?rule=${RULE}&limit=500&offset=${offset}`);
    const f = page.items.find((x) => x.entity.type === 'class' && x.entity.id === classId && x.period.start === WEEK[0]);
    if (f || page.items.length < 500) return f;
  }
}

test('the demo opens with findings and rectifications in every state, no CLI step', async () => {
  const boss = await session('juzhang');
  // No sweep job in this server's memory yet, but the findings say when the
  // county was last judged: the demo's sweep, the day after its semester.
  const sweeps = await boss.get('/compliance/sweeps');
  assert.equal(sweeps.last, null);
  assert.match(sweeps.last_judged_on, /^\d{4}-\d{2}-\d{2}$/);
  const findings = await boss.get('/findings?status=open&limit=1');
  assert.ok(findings.total > 0, 'findings from the demo sweep');
  for (const state of ['open', 'submitted', 'closed']) {
    const page = await boss.get(`/cases?type=rectification&state=${state}&limit=1`);
    assert.ok(page.total > 0, `rectifications in state ${state}`);
  }
});

test('立即检查 is for the bureau; a second request joins the running sweep', async () => {
  const school = await session('jiangying');
  const denied = await school.raw('POST', '/compliance/sweeps', { json: {} });
  assert.equal(denied.status, 403);
  assert.match(denied.body.error.message, /县教育局/);
  const boss = await session('juzhang');
  const first = await boss.raw('POST', '/compliance/sweeps', { json: {} });
  assert.ok([200, 202].includes(first.status), JSON.stringify(first.body));
  const second = await boss.raw('POST', '/compliance/sweeps', { json: {} });
  if (second.status === 200 && second.body.joined) assert.equal(second.body.job.id, first.body.job.id);
  const job = await finished(boss, second.body.job.id);
  assert.equal(job.state, 'succeeded', JSON.stringify(job));
  assert.equal(job.progress.percent, 100);
  assert.equal(job.requested_by, boss.user.display_name);
  const list = await school.get('/compliance/sweeps');
  assert.equal(list.last.state, 'succeeded');
});

test('import → finding → one rectification → corrected → 待核验 → verified → no duplicate', async () => {
  const boss = await session('dudao');
  // A demo school with no rectification of the rule yet (the demo's own
  // weeks would keep a shared case open: that path is the next test's).
  let school = null;
  for (const name of ['meicheng', 'jiangying']) {
    const s = await session(name);
    const has = await boss.get(`/cases?type=rectification&org=${s.user.org_id}&q=${Q}&limit=1`);
    if (has.total === 0) { school = s; break; }
  }
  assert.ok(school, 'a demo school without a rectification of the rule');
  const { items } = await school.get(`/orgs/${school.user.org_id}/classes`);
  const cls = items.find((c) => [7, 8, 9].includes(c.grade));
  assert.ok(cls, 'a junior class at the school');

  // 150 minutes a day for a school week: over the junior limit of 90.
  await importWeek(school, cls.id, 150);
  const finding = await findingFor(school, cls.id);
  assert.ok(finding, 'a finding for the week');
  assert.equal(finding.status, 'open');
  assert.equal(finding.measured, 150);
  let page = await school.raw('GET', `/findings/${finding.id}`);
  assert.equal(page.status, 200);
  const rect = page.body.case;
  assert.ok(rect, 'the finding is linked to a rectification');
  assert.equal(rect.state, 'open');
  const c = await school.get(`/cases/${rect.id}`);
  assert.equal(c.type, 'rectification');
  assert.equal(c.org.id, school.user.org_id);
  assert.ok(c.due_at, 'it has a deadline');
  assert.ok(c.finding_ids.includes(finding.id));
  assert.equal(c.assignee.level, 'school');
  // One rectification of this rule for the school, not one per finding.
  const all = await boss.get(`/cases?type=rectification&org=${school.user.org_id}&limit=500`);
  const ofRule = all.items.filter((x) => x.state !== 'cancelled' && x.title.includes(TITLE));
  assert.equal(ofRule.length, 1, JSON.stringify(ofRule.map((x) => [x.ref, x.state])));

  // The school corrects the week: the finding resolves, the case awaits verification.
  await importWeek(school, cls.id, 60);
  page = await school.raw('GET', `/findings/${finding.id}`);
  assert.equal(page.body.status, 'resolved');
  const waiting = await boss.get(`/cases/${rect.id}`);
  assert.deepEqual(waiting.finding_ids, [finding.id]);
  assert.equal(waiting.state, 'submitted', 'the data shows it fixed: 待核验');
  assert.equal(waiting.state_label.zh, '待核验');
  assert.equal(waiting.events.at(-1).transition, 'data_fixed');
  // The supervisor verifies.
  const closed = await boss.raw('POST', `/cases/${rect.id}/transitions`, { json: { transition: 'verify', version: waiting.version } });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  assert.equal(closed.body.state, 'closed');

  // Another sweep: no duplicate, the closed case stays closed.
  const again = await boss.raw('POST', '/compliance/sweeps', { json: {} });
  const job = await finished(boss, again.body.job.id);
  assert.equal(job.state, 'succeeded');
  const after = await boss.get(`/cases?type=rectification&org=${school.user.org_id}&limit=500`);
  assert.equal(after.items.filter((x) => x.state !== 'cancelled' && x.title.includes(TITLE)).length, 1);
});

test('a new violation at a school whose rectification of the rule is closed reopens it, never a second case', async () => {
  const boss = await session('dudao');
  const school = await session('jiangying');
  const before = await boss.get(`/cases?type=rectification&org=${school.user.org_id}&q=${Q}&limit=50`);
  assert.equal(before.items.filter((x) => x.state !== 'cancelled').length, 1, 'the demo opened one');
  const rect = before.items.find((x) => x.state !== 'cancelled');
  // Close it as a verifier would (answered with evidence first if still open).
  let c = await boss.get(`/cases/${rect.id}`);
  if (c.state === 'open') {
    const r = await school.raw('POST', `/cases/${rect.id}/transitions`, { json: {
      transition: 'submit', version: c.version, comment: '已整改', fields: { measures: '调整作业量' },
      attachments: [{ filename: '整改材料.png', content_base64: PNG_1x1 }] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    c = await boss.get(`/cases/${rect.id}`);
  }
  if (c.state === 'submitted') {
    const v = await boss.raw('POST', `/cases/${rect.id}/transitions`, { json: { transition: 'verify', version: c.version } });
    assert.equal(v.status, 200, JSON.stringify(v.body));
  }
  assert.equal((await boss.get(`/cases/${rect.id}`)).state, 'closed');
  const { items } = await school.get(`/orgs/${school.user.org_id}/classes`);
  const cls = items.find((x) => [7, 8, 9].includes(x.grade));
  await importWeek(school, cls.id, 150);
  const after = await boss.get(`/cases/${rect.id}`);
  assert.equal(after.state, 'open');
  assert.equal(after.events.at(-1).transition, 'data_reopened');
  const all = await boss.get(`/cases?type=rectification&org=${school.user.org_id}&q=${Q}&limit=50`);
  assert.equal(all.items.filter((x) => x.state !== 'cancelled').length, 1);
});

test('发起整改 on a finding that has its rectification answers 409 naming the case', async () => {
  const boss = await session('dudao');
  const page = await boss.get('/findings?status=open&limit=1');
  const f = await boss.raw('GET', `/findings/${page.items[0].id}`);
  assert.ok(f.body.case, 'the demo sweep linked it');
  assert.equal(f.body.can_open_case, false);
  const r = await boss.raw('POST', `/findings/${page.items[0].id}/rectification`, { json: {} });
  assert.equal(r.status, 409);
  assert.equal(r.body.case.id, f.body.case.id);
  assert.equal(r.body.case.ref, f.body.case.ref, 'its number, for the link');
  assert.match(r.body.error.message, new RegExp(f.body.case.ref));
});
