// The complaint analysis report over HTTP (plan item 5;
// src/http/report_handlers.h, docs/reports.md): point-to-point — a school
// user's report covers its own school only, a township's its own township,
// the bureau's the county with the distribution list; teachers are refused;
// PDF and XLSX come back as files; bad parameters are 400 naming them.
// Real server on the demo county; a handful of complaints written straight
// into the cases table so the figures are known. SQLite or PostgreSQL
// (EDUGOV_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin } from '../lib/server.mjs';
import { sqlOn } from '../lib/db.mjs';

let srv;
let jiangying; // school user 江英学校
let meicheng; // school user 梅城镇中学

// 2025-03-10 09:00 +08:00 in microseconds, and a deadline in the past of the period's end.
const OPENED = Date.UTC(2025, 2, 10, 1, 0, 0) * 1000;
const DUE = Date.UTC(2025, 2, 20, 1, 0, 0) * 1000;
const PERIOD = 'from=2025-03-01&to=2025-03-31';

function insertComplaint(n, orgId, category, { closed = false, satisfaction = null } = {}) {
  return `INSERT INTO cases (ref, case_type, state, title, category, org_id, org_path, assignee_level, opened_at,
            state_entered_at, due_at, closed_at, satisfaction, fields_json, updated_at)
          SELECT 'ITEST-${String(n).padStart(6, '0')}', 'complaint', '${closed ? 'closed' : 'handling'}',
            '李四投诉', '${category}', o.id, o.path, 'school', ${OPENED + n}, ${OPENED + n}, ${DUE},
            ${closed ? OPENED + 86400000000 : 'NULL'}, ${satisfaction ?? 'NULL'}, '{"name":"李四"}', ${OPENED}
          FROM orgs o WHERE o.id = ${orgId};`;
}

before(async () => {
  srv = await startServer();
  jiangying = await apiLogin(srv.url, 'jiangying');
  meicheng = await apiLogin(srv.url, 'meicheng');
  const sql = [
    insertComplaint(1, jiangying.user.org_id, 'meals'),
    insertComplaint(2, jiangying.user.org_id, 'meals', { closed: true, satisfaction: 5 }),
    insertComplaint(3, jiangying.user.org_id, 'illegal_fees'),
    insertComplaint(4, meicheng.user.org_id, 'uniforms', { closed: true, satisfaction: 2 }),
  ].join('\n');
  await sqlOn(srv.dbUrl, sql);
});
after(async () => { await srv?.stop(); });

async function get(session, query, lang = 'zh-CN') {
  const r = await fetch(`${srv.url}/api/v1/reports/complaints?${query}`, {
    headers: { Cookie: session.cookies, 'Accept-Language': lang },
  });
  return r;
}

test("a school user's report covers its own school only", async () => {
  const r = await get(jiangying, `kind=regional&${PERIOD}`);
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.equal(body.scope.org_id, jiangying.user.org_id);
  assert.equal(body.scope.county_wide, false);
  assert.deepEqual(body.distribution.to, []);
  assert.ok(body.current.received >= 3, JSON.stringify(body.current));
  assert.ok(body.schools.length >= 1);
  for (const s of body.schools) assert.equal(s.org_id, jiangying.user.org_id);
  for (const f of body.feedback) assert.equal(f.unit.org_id, jiangying.user.org_id);
  const text = JSON.stringify(body);
  assert.ok(!text.includes('梅城镇中学'), 'no other school');
  assert.ok(!text.includes('ITEST-000004'));
  assert.ok(!text.includes('李四'), 'never the complainant or the title');

  // The printable page says it is this school's part.
  const html = await (await get(jiangying, `kind=routine&${PERIOD}&format=html`)).text();
  assert.match(html, /点对点反馈/);
  assert.ok(html.includes('江英学校'));
  assert.ok(!html.includes('梅城镇中学'));

  // Another school named as scope: 404, never its data.
  const foreign = await get(jiangying, `${PERIOD}&scope=${meicheng.user.org_id}`, 'en');
  assert.equal(foreign.status, 404);
  assert.equal((await foreign.json()).error.field, 'scope');
});

test('the bureau gets the county with the distribution list, and may narrow to a school', async () => {
  const bureau = await apiLogin(srv.url, 'juzhang');
  const body = await (await get(bureau, `kind=regional&${PERIOD}`)).json();
  assert.equal(body.scope.county_wide, true);
  assert.deepEqual(body.distribution.to.map((d) => d.zh), ['局领导']);
  assert.deepEqual(body.distribution.cc.map((d) => d.zh), ['组织人事股', '党工委', '纪工委', '督导室']);
  assert.ok(body.current.received >= 4);
  const ids = body.schools.map((s) => s.org_id);
  assert.ok(ids.includes(jiangying.user.org_id) && ids.includes(meicheng.user.org_id));
  assert.ok(body.townships.length > 1);
  for (const t of body.townships) assert.equal(typeof t.students, 'number');

  const narrowed = await (await get(bureau, `kind=routine&${PERIOD}&scope=${meicheng.user.org_id}`)).json();
  assert.equal(narrowed.scope.name, '梅城镇中学');
  for (const s of narrowed.schools) assert.equal(s.org_id, meicheng.user.org_id);

  // The demo year (demo-data makes 2025's complaints through the engine):
  // seasons, weak links and recommendations for the second half-year.
  const year = await (await get(bureau, 'kind=routine&from=2025-07-01&to=2025-12-31')).json();
  assert.ok(year.current.received >= 100, JSON.stringify(year.current));
  assert.ok(year.previous_received >= 100);
  const sep = year.months.indexOf('2025-09');
  const total = (m) => year.categories.reduce((n, c) => n + c.by_month[m], 0);
  assert.ok(total(sep) > total(year.months.indexOf('2025-08')), 'September (term start) outnumbers August');
  assert.ok(year.weak_links.some((w) => w.kind === 'overdue'));
  assert.ok(year.recommendations.some((r) => r.kind === 'accountability'));

  const topical = await (await get(bureau, `kind=topical&topic=meals&${PERIOD}`)).json();
  assert.equal(topical.topic.key, 'meals');
  assert.ok(topical.topic.current.received >= 2);
});

test('PDF and XLSX come back as files', async () => {
  const bureau = await apiLogin(srv.url, 'dongping');
  const pdf = await get(bureau, `kind=regional&${PERIOD}&format=pdf`);
  assert.equal(pdf.status, 200, await pdf.clone().text().catch(() => ''));
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  assert.match(pdf.headers.get('content-disposition'), /attachment; filename="complaints-regional-2025-03-01_2025-03-31\.pdf"/);
  const bytes = Buffer.from(await pdf.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');

  const xlsx = await get(jiangying, `kind=routine&${PERIOD}&format=xlsx`);
  assert.equal(xlsx.status, 200);
  const book = Buffer.from(await xlsx.arrayBuffer());
  assert.equal(book.subarray(0, 2).toString('latin1'), 'PK');
});

test('teachers are refused; bad parameters are 400 naming them; no session is 401', async () => {
  const teacher = await apiLogin(srv.url, 'laoshi');
  assert.equal((await get(teacher, PERIOD)).status, 403);
  for (const [query, field] of [
    ['kind=weekly&' + PERIOD, 'kind'], ['from=2025-03-01', 'to'], ['from=2025-13-01&to=2025-03-31', 'from'],
    ['from=2025-03-31&to=2025-03-01', 'to'], ['kind=topical&' + PERIOD, 'topic'],
    ['kind=topical&topic=ufo&' + PERIOD, 'topic'], [PERIOD + '&format=doc', 'format'], [PERIOD + '&scope=x', 'scope'],
  ]) {
    const r = await get(jiangying, query, 'en');
    assert.equal(r.status, 400, query);
    assert.equal((await r.json()).error.field, field, query);
  }
  assert.equal((await fetch(`${srv.url}/api/v1/reports/complaints?${PERIOD}`)).status, 401);
});

test('a PDF printed before comes from memory until the data changes, and never to another subtree', async () => {
  const town = await apiLogin(srv.url, 'dongping');
  const query = `kind=routine&${PERIOD}&format=pdf`;
  const pdf = async (session) => {
    const r = await get(session, query);
    assert.equal(r.status, 200, await r.clone().text().catch(() => ''));
    return { cache: r.headers.get('x-report-cache'), bytes: Buffer.from(await r.arrayBuffer()) };
  };
  const first = await pdf(town);
  assert.equal(first.cache, 'miss');
  const again = await pdf(town);
  assert.equal(again.cache, 'hit');
  assert.ok(again.bytes.equals(first.bytes));
  // Another school asking the same query gets its own print.
  assert.equal((await pdf(meicheng)).cache, 'miss');
  // A complaint written straight into the database, as another process
  // would (the edugov CLI, a script): the next request prints anew.
  await sqlOn(srv.dbUrl, insertComplaint(5, town.user.org_id, 'meals'));
  const after = await pdf(town);
  assert.equal(after.cache, 'miss');
  assert.ok(!after.bytes.equals(first.bytes));
  assert.equal((await pdf(town)).cache, 'hit');
});
