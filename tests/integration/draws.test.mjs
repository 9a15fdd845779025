// "Double random, one public" (双随机、一公开) from the outside: the bureau
// plans, commits and draws over the API; the no-login page data shows the
// commitment first and the result after; `edugov draw verify` re-runs the
// published inputs to the same bytes and refuses a wrong seed; the draws
// ledger verifies; a school and a teacher get 403 on every bureau route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, apiLogin, edugovBin, repoRoot } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ cases: false }); });
after(async () => { await srv?.stop(); });

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// RFC 3339 in China time, whole seconds, `secs` from now.
function chinaTime(secs) {
  const d = new Date(Date.now() + secs * 1000 + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 19) + '+08:00';
}

test('the bureau draws, the public page shows it, anyone can verify it', async () => {
  const bureau = await apiLogin(srv.url, 'juzhang');
  const staff = await bureau.get(`/orgs/${bureau.user.org_id}/staff?limit=8`);
  const inspectors = staff.items.map((s) => s.code);
  assert.equal(inspectors.length, 8);

  const policy = await bureau.get('/draws/policy');
  assert.equal(policy.min_rate_percent, 20);
  assert.match(policy.quote_zh, /双随机、一公开/);

  // A rate below the pack's minimum is refused, naming the field.
  const low = await raw('POST', '/draws', {
    cookies: bureau.cookies, csrf: bureau.csrf,
    body: { name: 'x', year: 2025, rate_percent: 5, inspectors, draw_at: chinaTime(60), announced: 'x' },
  });
  assert.equal(low.status, 400);
  assert.equal(low.json.error.field, 'rate_percent');

  const drawAt = chinaTime(4);
  const plan = await bureau.post('/draws', {
    name: '2025年秋季“双随机、一公开”检查', year: 2025, strata: ['township'], inspectors,
    draw_at: drawAt, announced: '体彩排列五第 25300 期开奖号码',
  });
  assert.equal(plan.status, 'draft');
  const committed = await bureau.post(`/draws/${plan.id}/commit`);
  assert.equal(committed.status, 'committed');
  assert.match(committed.commitment, /^[0-9a-f]{64}$/);
  assert.equal(committed.seed, '');

  // Published before the draw: the commitment, never the seed.
  let pub = await raw('GET', '/public/inspections');
  assert.equal(pub.status, 200);
  let item = pub.json.items.find((i) => i.id === plan.id);
  assert.equal(item.commitment, committed.commitment);
  assert.equal(item.seed, '');
  assert.deepEqual(item.schools, []);
  const early = await raw('GET', `/public/inspections/${plan.id}/inputs`);
  assert.equal(early.status, 200);
  assert.ok(!('seed' in early.json));

  // Not before the draw time.
  const tooEarly = await raw('POST', `/draws/${plan.id}/draw`, { cookies: bureau.cookies, csrf: bureau.csrf });
  assert.equal(tooEarly.status, 409, tooEarly.text);
  await sleep(4500);
  const drawn = await bureau.post(`/draws/${plan.id}/draw`);
  assert.equal(drawn.status, 'drawn');
  assert.match(drawn.seed, /^[0-9a-f]{64}$/);
  assert.ok(drawn.result.assignments.length > 0);

  // The public page data: school names, inspectors' display names, dates — no staff codes.
  pub = await raw('GET', '/public/inspections');
  item = pub.json.items.find((i) => i.id === plan.id);
  assert.equal(item.status, 'drawn');
  assert.equal(item.seed, drawn.seed);
  assert.equal(item.schools.length, drawn.result.assignments.length);
  assert.ok(item.schools[0].school.length > 0);
  assert.ok(item.drawn_at.startsWith('20'));
  for (const code of inspectors) assert.ok(!JSON.stringify(item).includes(`"${code}"`), code);

  // Anyone re-runs the published inputs and gets the same bytes.
  const doc = await raw('GET', `/public/inspections/${plan.id}/inputs`);
  assert.equal(doc.status, 200);
  const file = path.join(srv.tmpDir, 'inputs.json');
  await writeFile(file, doc.text);
  const v = edugov(['draw', 'verify', file]);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, JSON.stringify(doc.json.result) + '\n');

  // A wrong seed does not open the commitment.
  const forged = { ...doc.json, seed: 'f'.repeat(64) };
  await writeFile(file, JSON.stringify(forged));
  const bad = edugov(['draw', 'verify', file]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /commitment/);

  // The draws ledger: plan, commit, draw.
  const ledger = edugov(['draw', 'verify-ledger', '--db', srv.dbUrl]);
  assert.equal(ledger.code, 0, ledger.stderr);
  assert.match(ledger.stdout, /intact, 3 entries/);
});

test('schools, teachers and strangers get no bureau route', async () => {
  for (const username of ['jiangying', 'laoshi', 'dongping']) {
    const s = await apiLogin(srv.url, username);
    const auth = { cookies: s.cookies, csrf: s.csrf };
    assert.equal((await raw('GET', '/draws', auth)).status, 403, username);
    assert.equal((await raw('GET', '/draws/policy', auth)).status, 403, username);
    assert.equal((await raw('GET', '/draws/1', auth)).status, 403, username);
    const created = await raw('POST', '/draws', {
      ...auth,
      body: { name: 'x', year: 2025, inspectors: ['a'], draw_at: chinaTime(60), announced: 'x' },
    });
    assert.equal(created.status, 403, username);
    assert.equal((await raw('POST', '/draws/1/commit', auth)).status, 403, username);
    assert.equal((await raw('POST', '/draws/1/draw', auth)).status, 403, username);
  }
  assert.equal((await raw('GET', '/draws')).status, 401);
  assert.equal((await raw('GET', '/public/inspections')).status, 200);
});
