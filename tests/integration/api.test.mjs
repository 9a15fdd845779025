// The platform's API from the outside: a real edugov server on a free
// loopback port, on SQLite or PostgreSQL (EDUGOV_TEST_DB=postgres, set by
// ./run test), with the synthetic demo county loaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin } from '../lib/server.mjs';

let srv;
const PW = 'Edugov@2025';

before(async () => { srv = await startServer({ cases: false }); });
after(async () => { await srv?.stop(); });

// A raw request: returns {status, body (parsed JSON or text), headers}.
async function req(method, path, { body, headers = {}, raw } = {}) {
  const h = { 'Accept-Language': 'zh-CN', ...headers };
  let payload = raw;
  if (body !== undefined) { h['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const r = await fetch(`${srv.url}${path}`, { method, headers: h, body: payload });
  const text = await r.text();
  let parsed = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: r.status, body: parsed, headers: r.headers };
}

async function session(username) {
  const s = await apiLogin(srv.url, username, PW);
  s.req = (method, path, opts = {}) => req(method, path, {
    ...opts, headers: { Cookie: s.cookies, 'X-CSRF-Token': s.csrf, ...(opts.headers || {}) },
  });
  return s;
}

// In-flight requests finishing during shutdown is pinned by the server's own
// unit test (src/http/server_test.cc), where a handler can be held mid-request.
test('SIGTERM stops the server gracefully with exit code 0', async () => {
  const other = await startServer({ cases: false });
  const s = await apiLogin(other.url, 'juzhang', PW);
  const r = await fetch(`${other.url}/api/v1/orgs/${s.user.org_id}`, { headers: { Cookie: s.cookies } });
  assert.equal(r.status, 200);
  const exit = await other.stop();
  assert.equal(exit.code, 0);
  assert.match(other.output().stdout, /GET \/api\/v1\/orgs\/\d+ 200/, 'one access-log line per request');
});

test('health answers ok', async () => {
  const r = await req('GET', '/api/v1/health');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.demo, true, 'the demo county is flagged as synthetic');
});

test('wrong password: 401 with a Chinese message, English on request', async () => {
  const zh = await req('POST', '/api/v1/auth/login', { body: { username: 'juzhang', password: 'Wrong@2025' } });
  assert.equal(zh.status, 401);
  assert.equal(zh.body.error.code, 'unauthenticated');
  assert.match(zh.body.error.message, /用户名或密码错误/);
  const en = await req('POST', '/api/v1/auth/login', {
    body: { username: 'nobody', password: 'Wrong@2025' }, headers: { 'Accept-Language': 'en-US,en;q=0.9' },
  });
  assert.equal(en.status, 401);
  assert.match(en.body.error.message, /wrong username or password/);
});

test('login sets an HttpOnly SameSite=Strict session cookie and /me answers', async () => {
  const r = await req('POST', '/api/v1/auth/login', { body: { username: 'juzhang', password: PW } });
  assert.equal(r.status, 200);
  const cookies = r.headers.getSetCookie();
  const sessionCookie = cookies.find((c) => c.startsWith('edugov_session='));
  assert.ok(sessionCookie, 'session cookie set');
  assert.match(sessionCookie, /HttpOnly/);
  assert.match(sessionCookie, /SameSite=Strict/);
  assert.equal(r.body.user.role, 'bureau_leader');
  assert.ok(r.body.csrf_token.length >= 32);
  const me = await req('GET', '/api/v1/me', { headers: { Cookie: sessionCookie.split(';')[0] } });
  assert.equal(me.status, 200);
  assert.equal(me.body.user.username, 'juzhang');
  assert.equal(me.body.csrf_token, r.body.csrf_token);
});

test('no session: 401 on every scoped endpoint', async () => {
  for (const p of ['/api/v1/me', '/api/v1/orgs/1', '/api/v1/orgs/1/children', '/api/v1/users', '/api/v1/audit']) {
    const r = await req('GET', p);
    assert.equal(r.status, 401, p);
    assert.equal(r.body.error.code, 'unauthenticated', p);
  }
  const forged = await req('GET', '/api/v1/me', { headers: { Cookie: 'edugov_session=' + 'a'.repeat(64) } });
  assert.equal(forged.status, 401);
});

test('CSRF: a state-changing request without the token is refused', async () => {
  const s = await session('juzhang');
  const newUser = { username: 'csrf.check', display_name: '测试', role: 'school', org_id: s.user.org_id, password: PW };
  const without = await req('POST', '/api/v1/users', { body: newUser, headers: { Cookie: s.cookies } });
  assert.equal(without.status, 403);
  assert.match(without.body.error.message, /CSRF/);
  const wrong = await req('POST', '/api/v1/auth/logout', { headers: { Cookie: s.cookies, 'X-CSRF-Token': 'x'.repeat(64) } });
  assert.equal(wrong.status, 403);
  // The session still works: the forged logout did nothing.
  assert.equal((await s.req('GET', '/api/v1/me')).status, 200);
});

test('scoping: a school sees itself and nothing else; a township only its schools', async () => {
  const bureau = await session('juzhang');
  const school = await session('jiangying');
  const meicheng = await session('meicheng');
  const township = await session('dongping');

  const own = await school.req('GET', `/api/v1/orgs/${school.user.org_id}`);
  assert.equal(own.status, 200);
  assert.equal(own.body.name, '江英学校');

  // Another school, the county, and a nonexistent id all look the same: 404.
  for (const id of [meicheng.user.org_id, bureau.user.org_id, 99999999]) {
    const r = await school.req('GET', `/api/v1/orgs/${id}`);
    assert.equal(r.status, 404, `org ${id}`);
    assert.equal(r.body.error.code, 'not_found');
    const c = await school.req('GET', `/api/v1/orgs/${id}/children`);
    assert.equal(c.status, 404, `children of ${id}`);
  }

  // The township sees its own schools, and no school of another township.
  const kids = await township.req('GET', `/api/v1/orgs/${township.user.org_id}/children`);
  assert.equal(kids.status, 200);
  assert.ok(kids.body.items.length > 0);
  const countyKids = await bureau.req('GET', `/api/v1/orgs/${bureau.user.org_id}/children`);
  assert.equal(countyKids.status, 200);
  assert.equal(countyKids.body.items.filter((o) => o.kind === 'township').length, 23);
  const otherTownship = countyKids.body.items.find((o) => o.kind === 'township' && o.id !== township.user.org_id);
  assert.equal((await township.req('GET', `/api/v1/orgs/${otherTownship.id}`)).status, 404);
  assert.equal((await township.req('GET', `/api/v1/orgs/${bureau.user.org_id}/overview`)).status, 404);
  const meichengFromTownship = await township.req('GET', `/api/v1/orgs/${meicheng.user.org_id}`);
  assert.equal(meichengFromTownship.status, 404);
});

test('roles: a teacher cannot change the registry; only leadership manages users', async () => {
  const teacher = await session('laoshi');
  const patch = await teacher.req('PATCH', `/api/v1/orgs/${teacher.user.org_id}`, { body: { name: '改名' } });
  assert.equal(patch.status, 403);
  const school = await session('jiangying');
  assert.equal((await school.req('GET', '/api/v1/users')).status, 403);
  assert.equal((await school.req('GET', '/api/v1/audit')).status, 403);
  const dudao = await session('dudao');
  assert.equal((await dudao.req('GET', '/api/v1/audit')).status, 200);
});

test('bad input answers 4xx naming the problem, never 500', async () => {
  const s = await session('juzhang');
  const malformed = await s.req('POST', '/api/v1/users', { raw: '{"username": ', headers: { 'Content-Type': 'application/json' } });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'invalid_argument');

  const unknown = await s.req('POST', '/api/v1/users', { body: { username: 'x1234', colour: 'red' } });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.field, 'colour');

  const wrongType = await s.req('POST', '/api/v1/users', {
    body: { username: 'typed.user', display_name: 'x', role: 'school', org_id: 'one', password: PW },
  });
  assert.equal(wrongType.status, 400);
  assert.equal(wrongType.body.error.field, 'org_id');

  const missing = await s.req('POST', '/api/v1/users', { body: { username: 'missing.fields' } });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.field, 'display_name');

  const badRole = await s.req('POST', '/api/v1/users', {
    body: { username: 'bad.role', display_name: 'x', role: 'king', org_id: s.user.org_id, password: PW },
  });
  assert.equal(badRole.status, 400);
  assert.equal(badRole.body.error.field, 'role');

  const notJsonObject = await s.req('POST', '/api/v1/auth/login', { raw: '[1,2]', headers: { 'Content-Type': 'application/json' } });
  assert.equal(notJsonObject.status, 400);

  const huge = await s.req('POST', '/api/v1/users', { raw: 'x'.repeat(2 * 1024 * 1024), headers: { 'Content-Type': 'application/json' } });
  assert.equal(huge.status, 413);

  assert.equal((await s.req('GET', '/api/v1/orgs/abc')).status, 404);
  assert.equal((await s.req('GET', '/api/v1/orgs/-1')).status, 404);
  assert.equal((await s.req('GET', '/api/v1/no/such/route')).status, 404);
  assert.equal((await s.req('GET', '/api/v1/audit?limit=banana')).status, 400);
  // The server is still fine after all that.
  assert.equal((await s.req('GET', '/api/v1/me')).status, 200);
});

test('API tokens authenticate machine clients without CSRF', async () => {
  const s = await session('juzhang');
  const users = await s.req('GET', '/api/v1/users');
  const target = users.body.items.find((u) => u.username === 'jiangying');
  const t = await s.req('POST', `/api/v1/users/${target.id}/api-tokens`, { body: { name: 'sis-sync', ttl_days: 30 } });
  assert.equal(t.status, 201);
  const auth = { Authorization: `Bearer ${t.body.token}` };
  const me = await req('GET', '/api/v1/me', { headers: auth });
  assert.equal(me.status, 200);
  assert.equal(me.body.user.username, 'jiangying');
  // Scoped like the user it acts for.
  const county = await req('GET', `/api/v1/orgs/${s.user.org_id}`, { headers: auth });
  assert.equal(county.status, 404);
  const bogus = await req('GET', '/api/v1/me', { headers: { Authorization: 'Bearer egt_' + '0'.repeat(64) } });
  assert.equal(bogus.status, 401);
});

test('every change lands in the audit log with before and after', async () => {
  const s = await session('juzhang');
  const created = await s.req('POST', '/api/v1/users', {
    body: { username: 'audit.me', display_name: '审计测试', role: 'bureau_dept', department: 'finance', org_id: s.user.org_id, password: PW },
  });
  assert.equal(created.status, 201);
  const disabled = await s.req('POST', `/api/v1/users/${created.body.id}/disable`);
  assert.equal(disabled.status, 204);
  const audit = await s.req('GET', '/api/v1/audit?limit=20');
  assert.equal(audit.status, 200);
  const actions = audit.body.items.filter((e) => e.entity === 'user' && e.entity_id === String(created.body.id));
  const disable = actions.find((e) => e.action === 'user.disable');
  assert.ok(disable, 'user.disable audited');
  assert.equal(disable.actor, 'juzhang');
  assert.equal(disable.before.disabled, false);
  assert.equal(disable.after.disabled, true);
  assert.ok(actions.find((e) => e.action === 'user.create'));
});

test('a disabled user is signed out at once', async () => {
  const leader = await session('juzhang');
  const created = await leader.req('POST', '/api/v1/users', {
    body: { username: 'soon.gone', display_name: '将停用', role: 'bureau_dept', department: 'safety', org_id: leader.user.org_id, password: PW },
  });
  assert.equal(created.status, 201);
  const victim = await session('soon.gone');
  assert.equal((await victim.req('GET', '/api/v1/me')).status, 200);
  assert.equal((await leader.req('POST', `/api/v1/users/${created.body.id}/disable`)).status, 204);
  assert.equal((await victim.req('GET', '/api/v1/me')).status, 401);
});

test('logout ends the session', async () => {
  const s = await session('dongping');
  assert.equal((await s.req('POST', '/api/v1/auth/logout')).status, 204);
  assert.equal((await s.req('GET', '/api/v1/me')).status, 401);
});

test('repeated failed logins slow the account down', async () => {
  for (let i = 0; i < 3; i++) {
    await req('POST', '/api/v1/auth/login', { body: { username: 'laoshi', password: 'Wrong@2025' } });
  }
  const r = await req('POST', '/api/v1/auth/login', { body: { username: 'laoshi', password: PW } });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'failed_precondition');
  assert.match(r.body.error.message, /登录失败次数过多/);
});
