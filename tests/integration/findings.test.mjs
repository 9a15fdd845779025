// The read-only findings API (src/http/findings_handlers.h): after
// one `edugov check` over the demo county, the bureau sees every finding —
// among them clause 15 for the townships without a standardised boarding
// school — a school sees only findings about itself (possibly none), filters
// are validated and scoped, and the summary counts add up. Real server, demo
// county, policy/anhua-2025.yaml; SQLite or PostgreSQL (EDUGOV_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin, runEdugov } from '../lib/server.mjs';

let srv;

before(async () => {
  srv = await startServer({ cases: false });
  await runEdugov(['check', '--db', srv.dbUrl]);
});
after(async () => { await srv?.stop(); });

async function session(username) {
  const s = await apiLogin(srv.url, username);
  s.raw = async (path) => {
    const r = await fetch(`${srv.url}/api/v1${path}`, { headers: { Cookie: s.cookies, 'Accept-Language': 'en' } });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  return s;
}

// Every finding the session may see, page by page.
async function allFindings(s, query = '') {
  const items = [];
  let total = 0;
  for (let offset = 0; ; offset += 200) {
    const page = await s.get(`/findings?limit=200&offset=${offset}${query}`);
    total = page.total;
    items.push(...page.items);
    if (page.items.length < 200) break;
  }
  assert.equal(items.length, total);
  return items;
}

test('the bureau sees the findings, clause 15 for townships without a boarding school', async () => {
  const bureau = await session('juzhang');
  const items = await allFindings(bureau);
  assert.ok(items.length > 0, 'the registry rules find something in the demo county');
  const c15 = items.filter((f) => f.clause === '15');
  assert.ok(c15.length > 0, 'some township lacks a standardised boarding school');
  for (const f of c15) {
    assert.equal(f.rule, 'standardised-boarding-school-per-township');
    assert.equal(f.entity.type, 'township');
    assert.ok(f.entity.name, 'the township is named');
    assert.equal(f.status, 'open');
    assert.ok(f.opened_on);
    assert.ok(Array.isArray(f.parameters));
    assert.ok(Array.isArray(f.evidence.row_ids));
    assert.equal(typeof f.evidence.count, 'number');
    assert.equal(typeof f.period.kind, 'string'); // registry rules judge no period: start/end empty
  }
  // Filters: clause, rule, status, township.
  const byClause = await bureau.get('/findings?clause=15&limit=500');
  assert.equal(byClause.total, c15.length);
  const byRule = await bureau.get('/findings?rule=standardised-boarding-school-per-township&status=open');
  assert.equal(byRule.total, c15.length);
  assert.equal((await bureau.get('/findings?status=resolved')).total,
    items.filter((f) => f.status === 'resolved').length);
  const township = c15[0].entity.id;
  const inTownship = await allFindings(bureau, `&township=${township}`);
  assert.ok(inTownship.some((f) => f.id === c15[0].id));
  for (const f of inTownship) assert.equal(f.township_id ?? f.entity.id, township);

  // The summary counts the same findings by clause × township.
  const summary = await bureau.get('/findings/summary');
  assert.equal(summary.items.reduce((n, r) => n + r.total, 0), items.length);
  const s15 = summary.items.filter((r) => r.clause === '15');
  assert.equal(s15.reduce((n, r) => n + r.open, 0), c15.length);
  assert.ok(s15.every((r) => r.township && r.township.name));
});

test('a school sees only findings about itself, and no other org through the filters', async () => {
  const school = await session('jiangying');
  const bureau = await session('juzhang');
  const own = await allFindings(school);
  for (const f of own) {
    assert.ok(['school', 'class', 'staff'].includes(f.entity.type), JSON.stringify(f));
    if (f.entity.type === 'school') assert.equal(f.entity.id, school.user.org_id);
  }
  // Exactly what the bureau sees about this school.
  const seenByBureau = await allFindings(bureau, `&school=${school.user.org_id}`);
  assert.deepEqual(own.map((f) => f.id), seenByBureau.map((f) => f.id));
  const summary = await school.get('/findings/summary');
  assert.equal(summary.items.reduce((n, r) => n + r.total, 0), own.length);

  // Another org named in a filter: 404, never its data.
  const other = await session('meicheng');
  const c15 = await bureau.get('/findings?clause=15&limit=1');
  const foreignSchool = await school.raw(`/findings?school=${other.user.org_id}`);
  assert.equal(foreignSchool.status, 404);
  assert.equal(foreignSchool.body.error.field, 'school');
  assert.ok(!('items' in foreignSchool.body));
  if (c15.items.length) {
    const foreignTownship = await school.raw(`/findings?township=${c15.items[0].entity.id}`);
    assert.equal(foreignTownship.status, 404);
  }
  // Its own org named as a school: fine.
  assert.equal((await school.get(`/findings?school=${school.user.org_id}`)).total, own.length);
});

// The page is served from a read cache (src/http/findings_handlers.cc):
// two schools asking the very same URL, interleaved, each get their own
// subtree's answer, every time, byte for byte the same.
test('the same page URL answers each school with its own findings, repeatedly', async () => {
  const a = await session('jiangying');
  const b = await session('meicheng');
  const url = '/findings?limit=20&offset=0';
  const text = async (s) => {
    const r = await fetch(`${srv.url}/api/v1${url}`, { headers: { Cookie: s.cookies } });
    assert.equal(r.status, 200);
    return r.text();
  };
  const firstA = await text(a);
  const firstB = await text(b);
  for (let i = 0; i < 5; i++) {
    assert.equal(await text(a), firstA);
    assert.equal(await text(b), firstB);
  }
  const idsA = JSON.parse(firstA).items.map((f) => f.id);
  const idsB = JSON.parse(firstB).items.map((f) => f.id);
  assert.ok(idsA.length > 0, 'the demo school has findings');
  assert.deepEqual(idsA.filter((id) => idsB.includes(id)), []);
  for (const id of idsA) {
    assert.equal((await a.raw(`/findings/${id}`)).status, 200);
    assert.equal((await b.raw(`/findings/${id}`)).status, 404);
  }
});

// A registry write reaches the cached page at once: the class's new name.
test('a class renamed through the API is renamed on the findings page at once', async () => {
  const school = await session('jiangying');
  const before = await school.get('/findings?limit=500');
  const f = before.items.find((x) => x.entity.type === 'class');
  assert.ok(f, 'a class finding at the demo school');
  const old = f.entity.name;
  const csrf = { Cookie: school.cookies, 'X-CSRF-Token': school.csrf, 'Content-Type': 'application/json' };
  const rename = async (name) => {
    const r = await fetch(`${srv.url}/api/v1/classes/${f.entity.id}`, {
      method: 'PATCH', headers: csrf, body: JSON.stringify({ name }),
    });
    assert.equal(r.status, 200, await r.text());
  };
  await rename(`${old}改`);
  const after = await school.get('/findings?limit=500');
  assert.equal(after.items.find((x) => x.id === f.id).entity.name, `${old}改`);
  await rename(old);
  assert.deepEqual(await school.get('/findings?limit=500'), before);
});

test('bad query values are 400 naming the parameter; no session is 401', async () => {
  const bureau = await session('juzhang');
  for (const [query, field] of [
    ['limit=abc', 'limit'], ['limit=0', 'limit'], ['limit=100000', 'limit'], ['limit=-1', 'limit'],
    ['offset=x', 'offset'], ['status=closed', 'status'], ['township=abc', 'township'], ['school=', 'school'],
    ['clause=', 'clause'],
  ]) {
    const r = await bureau.raw(`/findings?${query}`);
    assert.equal(r.status, 400, query);
    assert.equal(r.body.error.field, field, query);
    assert.match(r.body.error.message, new RegExp(field));
  }
  // A school id given as township: 400 (the caller may see it, it is the wrong kind).
  const school = await session('jiangying');
  const wrongKind = await bureau.raw(`/findings?township=${school.user.org_id}`);
  assert.equal(wrongKind.status, 400);
  assert.equal(wrongKind.body.error.field, 'township');
  assert.equal((await bureau.raw('/findings/summary?status=x')).status, 400);

  for (const p of ['/api/v1/findings', '/api/v1/findings/summary']) {
    const r = await fetch(`${srv.url}${p}`);
    assert.equal(r.status, 401, p);
  }
});
