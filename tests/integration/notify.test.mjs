// Notices, robots and sanctions from the outside (src/http/
// inbox_handlers.h, sanction_handlers.h): a public complaint reaches the
// petitions office's inbox without the complainant's identity, inboxes are
// each user's own, only bureau leaders manage webhooks and a real local
// robot receives the DingTalk-shaped message, and a misconduct decision
// lands in the sanctions ledger with its one-vote veto, scoped by org.
// Real server, demo county; SQLite or PostgreSQL (EDUGOV_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, apiLogin, runEdugov } from '../lib/server.mjs';

let srv;
// The test robot listens on loopback, which the server refuses to send to
// unless the operator allows it (docs/notifications.md).
before(async () => { srv = await startServer({ serveArgs: ['--webhook-allow', '127.0.0.1'] }); });
after(async () => { await srv?.stop(); });

async function session(username) {
  const s = await apiLogin(srv.url, username);
  s.raw = async (method, path, payload) => {
    const headers = { Cookie: s.cookies, 'Accept-Language': 'en' };
    if (method !== 'GET') headers['X-CSRF-Token'] = s.csrf;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${srv.url}/api/v1${path}`, {
      method, headers, body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  return s;
}

const SECRET_NAME = '韩秘密';
const SECRET_PHONE = '13912345678';

async function fileComplaint(text) {
  const form = await (await fetch(`${srv.url}/api/v1/public/complaint-form`)).json();
  const school = form.townships.flatMap((t) => t.schools)[0];
  const r = await fetch(`${srv.url}/api/v1/public/complaints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      category: form.categories[0].key, school_id: school.id, text, anonymous: false,
      name: SECRET_NAME, phone: SECRET_PHONE, attachments: [],
    }),
  });
  const body = await r.json();
  assert.equal(r.status, 201, JSON.stringify(body));
  return body;
}

test('a public complaint reaches the petitions inbox without the complainant; inboxes are one\'s own', async () => {
  const filed = await fileComplaint('食堂饭菜变质，孩子吃了肚子疼');
  const xinfang = await session('xinfang');
  const inbox = await xinfang.get('/inbox');
  const mine = inbox.items.filter((i) => i.title.includes(filed.ref));
  assert.equal(mine.length, 1, JSON.stringify(inbox.items.slice(0, 3)));
  const notice = mine[0];
  assert.equal(notice.kind, 'assigned');
  assert.equal(typeof notice.case_id, 'number');
  assert.match(notice.created_at, /\+08:00$/);
  assert.equal(notice.read_at, null);
  assert.ok(inbox.unread >= 1);
  const raw = JSON.stringify(inbox);
  assert.ok(!raw.includes(SECRET_NAME) && !raw.includes(SECRET_PHONE), 'no complainant identity in a notice');

  // Someone else's inbox does not hold it, and they cannot mark it read.
  const jiangying = await session('jiangying');
  const theirs = await jiangying.get('/inbox');
  assert.ok(!theirs.items.some((i) => i.id === notice.id));
  const foreign = await jiangying.raw('POST', `/inbox/${notice.id}/read`);
  assert.equal(foreign.status, 404);
  const missing = await xinfang.raw('POST', '/inbox/99999999/read');
  assert.equal(missing.status, 404);

  const read = await xinfang.post(`/inbox/${notice.id}/read`);
  assert.equal(read.id, notice.id);
  assert.equal(read.unread, inbox.unread - 1);
  const again = await xinfang.post(`/inbox/${notice.id}/read`);  // idempotent
  assert.equal(again.unread, inbox.unread - 1);
  const unread = await xinfang.get('/inbox?unread=1');
  assert.ok(!unread.items.some((i) => i.id === notice.id));
  const all = await xinfang.get('/inbox');
  assert.match(all.items.find((i) => i.id === notice.id).read_at, /\+08:00$/);

  assert.equal((await xinfang.raw('GET', '/inbox?unread=maybe')).status, 400);
  const badLimit = await xinfang.raw('GET', '/inbox?limit=0');
  assert.equal(badLimit.status, 400);
  assert.equal(badLimit.body.error.field, 'limit');
  assert.equal((await fetch(`${srv.url}/api/v1/inbox`)).status, 401);
});

test('webhooks are managed by leaders only, audited with the token redacted, and a real robot receives the notice', async () => {
  const received = [];
  let answer = 200;
  const robot = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ url: req.url, type: req.headers['content-type'], body });
      res.writeHead(answer, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise((resolve) => robot.listen(0, '127.0.0.1', resolve));
  const port = robot.address().port;
  try {
    for (const who of ['dudao', 'xinfang', 'jiangying', 'laoshi']) {
      const s = await session(who);
      assert.equal((await s.raw('GET', '/webhooks')).status, 403, who);
      assert.equal((await s.raw('POST', '/webhooks', { name: 'x', url: 'http://127.0.0.1:1/' })).status, 403, who);
    }
    const juzhang = await session('juzhang');
    const bad = await juzhang.raw('POST', '/webhooks', { name: '群', url: 'ftp://x/' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'url');
    const badFlavor = await juzhang.raw('POST', '/webhooks', { name: '群', url: 'http://x/', flavor: 'slack' });
    assert.equal(badFlavor.body.error.field, 'flavor');
    const unknownField = await juzhang.raw('POST', '/webhooks', { name: '群', url: 'http://x/', secret: 1 });
    assert.equal(unknownField.status, 400);
    // A private address the operator did not allow is refused on save.
    const internal = await juzhang.raw('POST', '/webhooks', { name: '群', url: 'http://10.1.2.3:8080/robot' });
    assert.equal(internal.status, 400);
    assert.equal(internal.body.error.field, 'url');
    assert.match(internal.body.error.message, /10\.1\.2\.3/);

    const created = await juzhang.raw('POST', '/webhooks', {
      name: '局办公室钉钉群', url: `http://127.0.0.1:${port}/robot/send?access_token=SECRET-TOKEN`,
      flavor: 'dingtalk', kinds: 'assigned,reminder',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.url, `http://127.0.0.1:${port}/robot/send?…`);
    assert.equal(created.body.enabled, true);
    const list = await juzhang.get('/webhooks');
    assert.ok(list.items.some((w) => w.id === created.body.id));
    assert.ok(!JSON.stringify(list).includes('SECRET-TOKEN'));
    const audit = await juzhang.get('/audit?limit=20');
    const entry = audit.items.find((a) => a.action === 'webhook.create');
    assert.ok(entry, 'webhook creation is audited');
    assert.ok(!JSON.stringify(audit).includes('SECRET-TOKEN'));

    const filed = await fileComplaint('校服价格过高，强制购买');
    // The dispatcher runs every 15 s: wait for the robot, at most 40 s.
    const deadline = Date.now() + 40_000;
    let hit;
    while (!(hit = received.find((r) => r.body.includes(filed.ref))) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(hit, 'the robot received the notice');
    assert.equal(hit.url, '/robot/send?access_token=SECRET-TOKEN');
    assert.match(hit.type, /application\/json/);
    const payload = JSON.parse(hit.body);
    assert.deepEqual(Object.keys(payload), ['msgtype', 'text']);
    assert.equal(payload.msgtype, 'text');
    assert.match(payload.text.content, /【待办】/);
    assert.ok(!hit.body.includes(SECRET_NAME) && !hit.body.includes(SECRET_PHONE));

    let stats;
    for (let i = 0; i < 40; i++) {
      stats = (await juzhang.get('/webhooks')).items.find((w) => w.id === created.body.id);
      if (stats.sent >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(stats.sent >= 1, JSON.stringify(stats));

    const off = await juzhang.post(`/webhooks/${created.body.id}`, { enabled: false });
    assert.equal(off.enabled, false);
    assert.equal((await (await session('dudao')).raw('POST', `/webhooks/${created.body.id}`, { enabled: true })).status, 403);
  } finally {
    answer = 200;
    await new Promise((resolve) => robot.close(resolve));
  }
});

test('a misconduct decision lands in the sanctions ledger with its one-vote veto, scoped by org', async () => {
  const juzhang = await session('juzhang');
  const jiangying = await session('jiangying');
  const meicheng = await session('meicheng');
  const laoshi = await session('laoshi');
  const schoolId = jiangying.user.org_id;
  const staff = (await juzhang.get(`/orgs/${schoolId}/staff?limit=5`)).items;
  assert.ok(staff.length > 0);
  const staffId = staff[staff.length - 1].id;

  const opened = await juzhang.raw('POST', '/cases', {
    type: 'misconduct', title: '有偿补课线索', org_id: schoolId, staff_id: staffId,
    fields: { category: 'paid_tutoring', text: '周末在家中有偿补课' }, comment: '立案调查',
  });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  const decided = await juzhang.raw('POST', `/cases/${opened.body.id}/transitions`, {
    transition: 'decide', version: opened.body.version, comment: '经查属实，给予警告处分',
    fields: { findings: '查实收费补课 3 次', measure: 'warning', veto_year: 2025 },
  });
  assert.equal(decided.status, 200, JSON.stringify(decided.body));

  const veto = await juzhang.get(`/staff/${staffId}/veto?year=2025`);
  assert.equal(veto.vetoed, true);
  assert.equal(veto.year, 2025);
  const ours = veto.sanctions.find((s) => s.case_id === opened.body.id);
  assert.ok(ours, JSON.stringify(veto));
  assert.equal(ours.measure, 'warning');
  assert.deepEqual(ours.measure_label, { zh: '警告', en: 'warning' });
  assert.equal(ours.veto_year, 2025);
  assert.equal(ours.staff.id, staffId);
  assert.equal(ours.org.id, schoolId);
  assert.equal(ours.decided_by, 'juzhang');
  assert.equal(ours.reason, '经查属实，给予警告处分');
  assert.match(ours.hash, /^[0-9a-f]{64}$/);
  assert.ok(Array.isArray(ours.accountable));
  const next = await juzhang.get(`/staff/${staffId}/veto?year=2026`);
  assert.equal(next.vetoed, false);
  assert.deepEqual(next.sanctions, []);
  const badYear = await juzhang.raw('GET', `/staff/${staffId}/veto?year=20x5`);
  assert.equal(badYear.status, 400);
  assert.equal(badYear.body.error.field, 'year');

  // The school sees its own staff member; another school and a teacher do not.
  assert.equal((await jiangying.get(`/staff/${staffId}/veto?year=2025`)).vetoed, true);
  assert.equal((await meicheng.raw('GET', `/staff/${staffId}/veto?year=2025`)).status, 404);
  assert.equal((await laoshi.raw('GET', `/staff/${staffId}/veto?year=2025`)).status, 403);
  assert.equal((await juzhang.raw('GET', '/staff/99999999/veto')).status, 404);

  const bureauList = await juzhang.get(`/sanctions?staff=${staffId}`);
  assert.ok(bureauList.items.some((s) => s.case_id === opened.body.id));
  const schoolList = await jiangying.get('/sanctions');
  assert.ok(schoolList.items.some((s) => s.case_id === opened.body.id));
  assert.ok(schoolList.items.every((s) => s.org.id === schoolId), 'a school sees only its own staff');
  const otherList = await meicheng.get('/sanctions');
  assert.ok(!otherList.items.some((s) => s.case_id === opened.body.id));
  assert.equal((await meicheng.raw('GET', `/sanctions?staff=${staffId}`)).status, 404);
  assert.equal((await laoshi.raw('GET', '/sanctions')).status, 403);
  assert.equal((await juzhang.raw('GET', '/sanctions?staff=abc')).status, 400);

  const verify = await runEdugov(['audit', 'verify', '--ledger', 'sanctions', '--db', srv.dbUrl]);
  assert.match(verify.stdout, /完整|intact/);
});
