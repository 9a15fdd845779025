// The case routes and the public complaint routes (src/http/case_handlers.h,
// src/http/public_complaint_handlers.h) against the real server on the demo county,
// SQLite or PostgreSQL (EDUGOV_TEST_DB):
//   the full loop — a parent files a named complaint → the petitions office (xinfang)
//   dispatches it to 江英学校 → the school (jiangying) answers with evidence → the township
//   (dongping) verifies → the office closes → the parent reads the answer and rates it;
//   every transition refused to every role that may not take it (403, or 404 to whoever
//   cannot see the case); a stale version → 409;
//   confidentiality from the outside: the complainant's name and phone appear in no body a
//   school, township, teacher or supervisor can fetch (lists, case pages, timelines,
//   attachments, reports, inbox) nor in the server's log, while xinfang reads them;
//   forged tracking codes, wrong file types, oversize bodies, and a flood on the intake.
// The per-address limits are the server's defaults (10 intakes an hour, 60 lookups a
// minute): the tests before the flood spend 5 intakes, the flood test comes last.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin } from '../lib/server.mjs';

const NAME = '欧阳测试甲';
const PHONE = '13912345678';
const PNG_1x1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
// A Windows executable's first bytes, sent under an image's name.
const EXE_AS_PNG = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200, 0x41)]).toString('base64');

// Who the demo logins are (demo/demo-users.yaml); jiangying's school lies in dongping's township.
const USERS = {
  juzhang: { role: 'bureau_leader' },
  dudao: { role: 'bureau_dept', department: 'supervision' },
  xinfang: { role: 'bureau_dept', department: 'petitions' },
  dongping: { role: 'township' },
  jiangying: { role: 'school' },
  meicheng: { role: 'school', seesCase: false }, // another township's school
  laoshi: { role: 'teacher', seesCase: false }, // teachers see only cases they opened
};

let srv;
let form;
let jiangyingSchool; // org id of 江英学校
const s = {}; // sessions by username
let types;
let loop = {}; // the full-loop complaint: { code, ref, id, attachments }

before(async () => {
  srv = await startServer();
  for (const u of Object.keys(USERS)) s[u] = await session(u);
  form = (await pub('GET', '/public/complaint-form')).body;
  for (const t of form.townships) for (const sc of t.schools) if (sc.name === '江英学校') jiangyingSchool = sc.id;
  assert.ok(jiangyingSchool, '江英学校 is on the public form');
  types = (await s.xinfang.raw('GET', '/case-types')).body.items;
});
after(async () => { await srv?.stop(); });

async function session(username) {
  const base = await apiLogin(srv.url, username);
  base.raw = async (method, path, payload, { lang = 'zh-CN' } = {}) => {
    const headers = { Cookie: base.cookies, 'Accept-Language': lang };
    if (method !== 'GET') headers['X-CSRF-Token'] = base.csrf;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${srv.url}/api/v1${path}`, {
      method, headers, body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const text = await r.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = null; }
    return { status: r.status, body, text, headers: r.headers };
  };
  return base;
}

// A request without any session (the public pages).
async function pub(method, path, payload, { lang = 'zh-CN', rawBody } = {}) {
  const headers = { 'Accept-Language': lang };
  if (payload !== undefined || rawBody !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${srv.url}/api/v1${path}`, {
    method, headers, body: rawBody ?? (payload === undefined ? undefined : JSON.stringify(payload)),
  });
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  return { status: r.status, body, text, headers: r.headers };
}

const complaintType = () => types.find((t) => t.id === 'complaint');

// Whether `user` holds one of `roles` for case `c` (mirrors the engine's rule, cases/engine.cc).
function holds(user, roles, c) {
  const u = USERS[user];
  if (u.seesCase === false) return false;
  return roles.some((token) => {
    if (token === 'public' || token === 'system') return false;
    if (token === 'assignee') {
      const a = c.assignee;
      if (a.level === 'leadership') return u.role === 'bureau_leader';
      if (a.level === 'department') return u.role === 'bureau_dept' && u.department === a.department;
      if (a.level === 'school') return user === 'jiangying' && a.org_id === jiangyingSchool;
      if (a.level === 'township') return user === 'dongping';
      return false;
    }
    const [role, dept] = token.split(':');
    return role === u.role && (!dept || dept === u.department);
  });
}

// Every transition possible from the case's state, tried by every user who may not take
// it: 403 naming the transition (404 to those who cannot see the case); nothing changes.
async function refuseWrongRoles(caseId) {
  const before = (await s.xinfang.raw('GET', `/cases/${caseId}`)).body;
  const tried = [];
  for (const tr of complaintType().transitions) {
    const fromOk = tr.from.includes(before.state) || (tr.from.includes('*') && !complaintType().states.find((x) => x.id === before.state).terminal);
    if (!fromOk) continue;
    for (const user of Object.keys(USERS)) {
      if (holds(user, tr.roles, before)) continue;
      const r = await s[user].raw('POST', `/cases/${caseId}/transitions`, {
        transition: tr.id, version: before.version, comment: '越权尝试', fields: {},
      }, { lang: 'en' });
      const want = USERS[user].seesCase === false ? 404 : 403;
      assert.equal(r.status, want, `${user} taking ${tr.id} in ${before.state}: ${r.text}`);
      if (want === 403) {
        assert.match(r.body.error.message, new RegExp(tr.id), 'the refusal names the transition');
        assert.equal(r.body.error.field, 'transition');
      }
      tried.push(`${user}:${tr.id}`);
    }
  }
  const afterView = (await s.xinfang.raw('GET', `/cases/${caseId}`)).body;
  assert.equal(afterView.version, before.version, 'refused transitions change nothing');
  assert.equal(afterView.state, before.state);
  return tried;
}

async function take(user, caseId, transition, extra = {}) {
  const cur = (await s[user].raw('GET', `/cases/${caseId}`)).body;
  const r = await s[user].raw('POST', `/cases/${caseId}/transitions`, { transition, version: cur.version, ...extra });
  assert.equal(r.status, 200, `${user} ${transition}: ${r.text}`);
  return r.body;
}

// Everything `user` can fetch about cases, as text.
async function everythingVisibleTo(user, caseId, attachmentIds) {
  const bodies = [];
  const get = async (path) => {
    const r = await s[user].raw('GET', path);
    bodies.push(r.text);
    return r;
  };
  const list = await get('/cases?limit=500');
  assert.equal(list.status, 200);
  for (const q of ['?type=complaint&limit=500', '?open=1&limit=500', '?mine=1&limit=500', '?overdue=1',
    `?q=${encodeURIComponent(NAME)}`, `?q=${PHONE}`]) {
    const r = await get(`/cases${q}`);
    assert.equal(r.status, 200, `${user} /cases${q}`);
    if (q.startsWith('?q=')) assert.equal(r.body.total, 0, `${user}: searching by the complainant's identity finds nothing`);
  }
  const one = await get(`/cases/${caseId}`);
  if (USERS[user].seesCase === false) {
    assert.equal(one.status, 404, `${user} cannot see the case`);
    assert.ok(!list.body.items.some((c) => c.id === caseId));
  } else {
    assert.equal(one.status, 200, `${user} sees the case about its school`);
    assert.equal(one.body.confidential, undefined, `${user} gets no confidential block`);
    assert.ok(one.body.events.length > 0);
    assert.ok(list.body.items.some((c) => c.id === caseId));
  }
  for (const a of attachmentIds) {
    const r = await fetch(`${srv.url}/api/v1/cases/${caseId}/attachments/${a.id}`, { headers: { Cookie: s[user].cookies } });
    const buf = Buffer.from(await r.arrayBuffer());
    bodies.push(buf.toString('latin1'));
    if (a.confidential || USERS[user].seesCase === false) {
      assert.equal(r.status, 404, `${user}: attachment ${a.id} (${a.confidential ? 'the complainant\'s' : 'evidence'}) is 404`);
    } else {
      assert.equal(r.status, 200, `${user}: evidence attachment ${a.id}`);
    }
  }
  const year = new Date().getFullYear();
  for (const fmt of ['json', 'html']) {
    const r = await get(`/reports/complaints?kind=routine&from=${year}-01-01&to=${year}-12-31&format=${fmt}`);
    assert.ok([200, 403].includes(r.status), `${user} reports ${fmt}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const inbox = await get('/inbox');
  assert.ok([200, 404].includes(inbox.status));
  return bodies.join('\n');
}

function assertNoIdentity(text, where) {
  assert.ok(!text.includes(NAME), `${where}: the complainant's name leaked`);
  assert.ok(!text.includes(PHONE), `${where}: the complainant's phone leaked`);
  assert.ok(!text.includes(PHONE.slice(3)), `${where}: part of the phone leaked`);
}

async function checkConfidentiality(caseId) {
  const xv = (await s.xinfang.raw('GET', `/cases/${caseId}`)).body;
  assert.equal(xv.confidential?.name, NAME, 'the petitions office reads the name');
  assert.equal(xv.confidential?.phone, PHONE, 'and the phone');
  const attachments = xv.attachments.map((a) => ({ id: a.id, confidential: a.confidential }));
  assert.ok(attachments.some((a) => a.confidential), 'the complainant\'s attachment is confidential');
  const r = await fetch(`${srv.url}/api/v1/cases/${caseId}/attachments/${attachments.find((a) => a.confidential).id}`,
    { headers: { Cookie: s.xinfang.cookies } });
  assert.equal(r.status, 200, 'xinfang downloads the complainant\'s attachment');
  assert.equal(r.headers.get('content-type'), 'image/png');
  for (const user of ['jiangying', 'meicheng', 'dongping', 'laoshi', 'dudao']) {
    assertNoIdentity(await everythingVisibleTo(user, caseId, attachments), user);
  }
}

test('case types describe fields, states and transitions with their roles', async () => {
  const ids = types.map((t) => t.id);
  for (const id of ['complaint', 'rectification', 'misconduct']) assert.ok(ids.includes(id), id);
  const c = complaintType();
  assert.equal(c.prefix, 'TS');
  assert.equal(c.label.zh, '信访投诉举报');
  const name = c.fields.find((f) => f.name === 'name');
  assert.equal(name.confidential, true);
  const cat = c.fields.find((f) => f.name === c.category_field);
  assert.ok(cat.options.some((o) => o.key === 'meals' && o.label.zh === '校园餐'));
  const dispatch = c.transitions.find((t) => t.id === 'dispatch');
  assert.deepEqual(dispatch.roles.sort(), ['bureau_dept:petitions', 'bureau_leader']);
  assert.deepEqual(dispatch.required_fields, ['lead_org_id']);
  assert.equal(c.transitions.find((t) => t.id === 'answer').requires_evidence, true);
  // The public form: categories of the complaint type, townships with schools, public names only.
  assert.deepEqual(form.categories.map((x) => x.key), cat.options.map((o) => o.key));
  assert.ok(form.townships.length > 0 && form.max_attachments > 0 && form.max_attachment_bytes > 0);
  for (const t of form.townships) {
    assert.deepEqual(Object.keys(t).sort(), ['id', 'name', 'schools']);
    for (const sc of t.schools) assert.deepEqual(Object.keys(sc).sort(), ['id', 'name']);
  }
  const none = await pub('GET', '/case-types');
  assert.equal(none.status, 401, 'case types need a login');
});

test('the full loop: intake → dispatch → answer with evidence → verify → close → the parent reads and rates', async () => {
  const filed = await pub('POST', '/public/complaints', {
    category: 'meals', school_id: jiangyingSchool, anonymous: false, name: NAME, phone: PHONE,
    text: '江英学校食堂本周多次供应变质的饭菜，孩子吃后腹痛，请教育局核查。',
    attachments: [{ filename: '饭菜照片.png', content_base64: PNG_1x1 }],
  });
  assert.equal(filed.status, 201, filed.text);
  assert.match(filed.body.tracking_code, /^[0-9A-HJKMNP-TV-Z]{16}$/);
  assert.match(filed.body.ref, /^TS\d{4}-\d+$/);
  assert.equal(filed.body.merged_into_ref, null);
  assert.equal(filed.headers.get('cache-control'), 'no-store');
  loop.code = filed.body.tracking_code;
  loop.ref = filed.body.ref;

  let tracked = await pub('GET', `/public/complaints/${loop.code}`);
  assert.equal(tracked.status, 200);
  assert.equal(tracked.body.ref, loop.ref);
  assert.equal(tracked.body.state, 'received');
  assert.equal(tracked.body.school, '江英学校');
  assert.equal(tracked.body.can_rate, false);
  assertNoIdentity(tracked.text, 'public tracking');
  // Lower case and dashes are the same code (people retype it).
  const typed = loop.code.toLowerCase().replace(/(.{4})(?!$)/g, '$1-');
  assert.equal((await pub('GET', `/public/complaints/${typed}`)).status, 200);

  // The petitions office finds it in its list, with the identity.
  const list = (await s.xinfang.raw('GET', `/cases?type=complaint&q=${encodeURIComponent(loop.ref)}`)).body;
  assert.equal(list.total, 1);
  const summary = list.items[0];
  loop.id = summary.id;
  assert.equal(summary.state, 'received');
  assert.deepEqual(summary.state_label, { zh: '已受理', en: 'Received' });
  assert.deepEqual(summary.org, { id: jiangyingSchool, name: '江英学校' });
  assert.equal(summary.category, 'meals');
  assert.match(summary.opened_at, /\+08:00$/);
  assert.equal(summary.version, 1);
  const got = await s.xinfang.raw('GET', `/cases/${loop.id}`);
  assert.equal(got.headers.get('cache-control'), 'no-store', 'a page with the identity is never cached');
  let v = got.body;
  assert.equal(v.confidential.name, NAME);
  assert.ok(v.available_transitions.includes('dispatch'));
  assert.equal(v.attachments.length, 1);

  // Received: nobody but the office (and leadership) may dispatch.
  let tried = await refuseWrongRoles(loop.id);
  assert.ok(tried.includes('jiangying:dispatch') && tried.includes('dongping:dispatch') && tried.includes('dudao:dispatch'));
  // A missing required field names it.
  const noLead = await s.xinfang.raw('POST', `/cases/${loop.id}/transitions`, { transition: 'dispatch', version: v.version, fields: {} });
  assert.equal(noLead.status, 400, noLead.text);
  assert.match(noLead.body.error.field, /lead_org_id/);

  v = await take('xinfang', loop.id, 'dispatch', { comment: '请江英学校核查并答复', fields: { lead_org_id: jiangyingSchool } });
  assert.equal(v.state, 'dispatched');
  assert.equal(v.assignee.level, 'school');
  assert.equal(v.assignee.org_id, jiangyingSchool);

  // Stale version: someone acting on what they saw before the dispatch.
  const stale = await s.xinfang.raw('POST', `/cases/${loop.id}/transitions`, {
    transition: 'extend', version: v.version - 1, comment: '延期', fields: { extend_days: 3 },
  });
  assert.equal(stale.status, 409, stale.text);
  assert.equal(stale.body.error.field, 'version');
  // No version at all is a client error, not a silent overwrite.
  const noVersion = await s.xinfang.raw('POST', `/cases/${loop.id}/transitions`, { transition: 'extend', comment: 'x' });
  assert.equal(noVersion.status, 400);
  assert.equal(noVersion.body.error.field, 'version');

  await checkConfidentiality(loop.id);

  // Dispatched: only the school assigned answers.
  tried = await refuseWrongRoles(loop.id);
  assert.ok(tried.includes('dongping:answer') && tried.includes('xinfang:answer') && tried.includes('juzhang:answer'));
  const noEvidence = await s.jiangying.raw('POST', `/cases/${loop.id}/transitions`, {
    transition: 'answer', version: v.version, comment: '已核查', fields: { finding: 'substantiated' },
  });
  assert.equal(noEvidence.status, 400, 'answering needs evidence');
  const ANSWER = '经核查情况属实，已更换食材供应商并对食堂负责人诫勉谈话，今后每日留样公示。';
  v = await take('jiangying', loop.id, 'answer', {
    comment: ANSWER, fields: { finding: 'substantiated' },
    attachments: [{ filename: '整改照片.png', content_base64: `data:image/png;base64,${PNG_1x1}` }],
  });
  assert.equal(v.state, 'answered');
  assert.equal(v.attachments.filter((a) => !a.confidential).length, 1, 'the school sees its evidence, not the complainant\'s file');
  const evidence = v.attachments.find((a) => !a.confidential);
  const dl = await fetch(`${srv.url}/api/v1/cases/${loop.id}/attachments/${evidence.id}`, { headers: { Cookie: s.dongping.cookies } });
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'image/png');
  assert.match(dl.headers.get('content-disposition'), /filename\*=UTF-8''%E6%95%B4%E6%94%B9/);
  assert.deepEqual(Buffer.from(await dl.arrayBuffer()), Buffer.from(PNG_1x1, 'base64'));

  // Answered: the township verifies, the school may not.
  tried = await refuseWrongRoles(loop.id);
  assert.ok(tried.includes('jiangying:verify'));
  v = await take('dongping', loop.id, 'verify', { comment: '已现场核实' });
  assert.equal(v.state, 'verified');
  await refuseWrongRoles(loop.id);
  v = await take('xinfang', loop.id, 'close', { comment: '办结' });
  assert.equal(v.state, 'closed');
  assert.ok(v.closed_at);
  await refuseWrongRoles(loop.id);

  // The parent reads the answer — and nothing internal.
  tracked = await pub('GET', `/public/complaints/${loop.code}`);
  assert.equal(tracked.body.state, 'closed');
  assert.equal(tracked.body.answer, ANSWER);
  assert.equal(tracked.body.can_rate, true);
  assert.ok(tracked.body.events.length >= 2);
  for (const e of tracked.body.events) assert.deepEqual(Object.keys(e).sort(), ['at', 'comment', 'kind', 'label']);
  assert.ok(!tracked.text.includes('已现场核实'), 'the township\'s internal comment stays internal');
  assert.ok(!tracked.text.includes('jiangying') && !tracked.text.includes('xinfang'), 'no handler is named');

  const badRating = await pub('POST', `/public/complaints/${loop.code}/rating`, { satisfaction: 9 });
  assert.equal(badRating.status, 400);
  assert.equal(badRating.body.error.field, 'satisfaction');
  const rated = await pub('POST', `/public/complaints/${loop.code}/rating`, { satisfaction: 5, comment: '处理及时' });
  assert.equal(rated.status, 200, rated.text);
  assert.equal(rated.body.satisfaction, 5);
  v = (await s.xinfang.raw('GET', `/cases/${loop.id}`)).body;
  assert.equal(v.satisfaction, 5);

  await checkConfidentiality(loop.id);
});

test('an anonymous complaint stores no name or phone even when they are sent', async () => {
  const filed = await pub('POST', '/public/complaints', {
    category: 'paid_tutoring', kind: 'enquiry', school_id: jiangyingSchool, anonymous: true, name: '不该保存的名字', phone: '13700000000',
    text: '某老师周末在校外组织有偿补课，每人每月收费八百元。',
  });
  assert.equal(filed.status, 201, filed.text);
  const found = (await s.xinfang.raw('GET', `/cases?q=${encodeURIComponent(filed.body.ref)}`)).body.items[0];
  const v = (await s.xinfang.raw('GET', `/cases/${found.id}`)).body;
  const text = JSON.stringify(v);
  assert.ok(!text.includes('不该保存的名字') && !text.includes('13700000000'));
  assert.equal(v.fields.anonymous, true);
  assert.equal(v.fields.kind, 'enquiry');
  const badKind = await pub('POST', '/public/complaints', { category: 'meals', kind: 'rumour', school_id: jiangyingSchool, text: '问题', anonymous: true });
  assert.equal(badKind.status, 400);
  assert.equal(badKind.body.error.field, 'kind');
  // A named complaint needs a name and a phone, each named when missing.
  const noName = await pub('POST', '/public/complaints', { category: 'meals', school_id: jiangyingSchool, text: '问题', phone: PHONE });
  assert.equal(noName.status, 400);
  assert.equal(noName.body.error.field, 'name');
});

test('forged and unknown tracking codes all answer 404 with the same body', async () => {
  const forged = [
    '0000000000000000', 'ZZZZZZZZZZZZZZZZ', 'not-a-code', "'%20OR%201=1--", 'A'.repeat(200),
    loop.code.slice(0, 15) + (loop.code[15] === '0' ? '1' : '0'),
  ];
  const bodies = new Set();
  for (const code of forged) {
    const r = await pub('GET', `/public/complaints/${code}`);
    assert.equal(r.status, 404, code);
    bodies.add(r.text);
    const rate = await pub('POST', `/public/complaints/${code}/rating`, { satisfaction: 3 });
    assert.equal(rate.status, 404);
    bodies.add(rate.text);
    const reopen = await pub('POST', `/public/complaints/${code}/reopen`, { reason: '没解决' });
    assert.equal(reopen.status, 404);
    bodies.add(reopen.text);
  }
  assert.equal(bodies.size, 1, `one body for every forged code: ${[...bodies].join(' | ')}`);
});

test('wrong file types are refused naming the file; oversize bodies and files answer 413', async () => {
  const exe = await pub('POST', '/public/complaints', {
    category: 'uniforms', school_id: jiangyingSchool, anonymous: true, text: '校服质量差价格高，强制统一购买。',
    attachments: [{ filename: 'photo.png', content_base64: EXE_AS_PNG }],
  });
  assert.equal(exe.status, 400, exe.text);
  assert.match(exe.body.error.message, /photo\.png/);
  // The same through a signed-in transition.
  const v = (await s.xinfang.raw('GET', `/cases/${loop.id}`)).body;
  const exe2 = await s.xinfang.raw('POST', `/cases/${loop.id}/transitions`, {
    transition: 'reopen', version: v.version, comment: '补充', attachments: [{ filename: '证据.png', content_base64: EXE_AS_PNG }],
  });
  assert.equal(exe2.status, 400);
  assert.match(exe2.body.error.message, /证据\.png/);
  const bad64 = await s.xinfang.raw('POST', `/cases/${loop.id}/transitions`, {
    transition: 'reopen', version: v.version, comment: '补充', attachments: [{ filename: 'x.png', content_base64: '@@@not base64@@@' }],
  });
  assert.equal(bad64.status, 400);
  assert.equal(bad64.body.error.field, 'attachments[0]');
  assert.match(bad64.body.error.message, /x\.png/);

  // A body over the route's limit: refused before the handler (and before any token is spent).
  const huge = JSON.stringify({
    category: 'meals', school_id: jiangyingSchool, anonymous: true, text: '超大附件',
    attachments: [{ filename: 'big.png', content_base64: 'A'.repeat(10 * 1024 * 1024) }],
  });
  const r413 = await pub('POST', '/public/complaints', undefined, { rawBody: huge });
  assert.equal(r413.status, 413);
  assert.equal(r413.body.error.code, 'resource_exhausted');
  // One file over the per-file limit inside an acceptable body: 413 naming the file.
  const big = Buffer.alloc(form.max_attachment_bytes + 1024, 0);
  Buffer.from(PNG_1x1, 'base64').copy(big);
  const rFile = await s.xinfang.raw('POST', '/cases', {
    type: 'complaint', org_id: jiangyingSchool, fields: { category: 'meals', text: '大文件' },
    attachments: [{ filename: '大图.png', content_base64: big.toString('base64') }],
  });
  assert.equal(rFile.status, 413, rFile.text.slice(0, 300));
  assert.match(rFile.body.error.message, /大图\.png/);
});

test('signed-in bad input answers 4xx naming the problem', async () => {
  const cases = [
    ['GET', '/cases?limit=0', undefined, 400, 'limit'],
    ['GET', '/cases?type=nonsense', undefined, 400, 'type'],
    ['GET', '/cases?from=2026-13-01', undefined, 400, 'from'],
    ['GET', '/cases?overdue=maybe', undefined, 400, 'overdue'],
    ['GET', '/cases/abc', undefined, 404, ''],
    ['GET', '/cases/999999999', undefined, 404, ''],
    ['POST', '/cases', { type: 'nonsense' }, 400, 'type'],
    ['POST', '/cases', { type: 'complaint', fields: 'x' }, 400, 'fields'],
    ['POST', '/cases', { type: 'complaint', bogus: 1 }, 400, 'bogus'],
    ['POST', `/cases/${loop.id}/transitions`, { transition: 'no_such', version: 1 }, 400, 'transition'],
    ['POST', `/cases/${loop.id}/links`, { to: 'x' }, 400, 'to'],
  ];
  for (const [method, path, body, status, field] of cases) {
    const r = await s.xinfang.raw(method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
    if (field) assert.equal(r.body.error.field, field, `${method} ${path}`);
    assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'Chinese first');
  }
  // A school may not open a complaint (openers: public, leadership, petitions).
  const r = await s.jiangying.raw('POST', '/cases', { type: 'complaint', org_id: jiangyingSchool, fields: { category: 'meals', text: 'x' } });
  assert.equal(r.status, 403, r.text);
});

test('the complainant\'s name and phone never reach the server log', async () => {
  const { stdout, stderr } = srv.output();
  assertNoIdentity(stdout + stderr, 'server log');
  // The tracking code is a bearer secret: its lookups are logged with the code masked.
  assert.ok(!(stdout + stderr).includes(loop.code), 'the tracking code is not in the log');
  assert.ok((stdout + stderr).includes('/api/v1/public/complaints/*'), 'tracking lookups are logged, masked');
  assert.ok(stderr.includes('POST /api/v1/public/complaints 201') || stdout.includes('POST /api/v1/public/complaints 201'),
    'the access log does record the intake');
});

test('a flood of intakes from one address gets 429 while the rest of the server keeps answering', async () => {
  const intake = (i) => pub('POST', '/public/complaints', {
    category: 'other', school_id: jiangyingSchool, anonymous: true, text: `灌水测试第 ${i} 条：${'甲乙丙丁戊己庚辛'.repeat(i % 7 + 1)}${i * 7919}`,
  });
  const health = () => fetch(`${srv.url}/api/v1/health`).then((r) => r.status);
  const authed = () => s.xinfang.raw('GET', '/cases?limit=1').then((r) => r.status);
  const flood = [];
  const others = [];
  for (let i = 0; i < 30; i++) {
    flood.push(intake(i));
    if (i % 5 === 0) others.push(health(), authed());
  }
  const results = await Promise.all(flood);
  const statuses = results.map((r) => r.status);
  assert.ok(statuses.every((x) => x === 201 || x === 429), statuses.join(','));
  const accepted = statuses.filter((x) => x === 201).length;
  assert.ok(accepted <= 10, `at most the hourly budget is accepted (${accepted})`);
  assert.ok(statuses.filter((x) => x === 429).length >= 20);
  for (const r of results.filter((x) => x.status === 429)) {
    assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
    assert.equal(r.body.error.code, 'resource_exhausted');
    assert.match(r.body.error.message, /12345/);
  }
  for (const st of await Promise.all(others)) assert.equal(st, 200);
  // After the flood: still answering, and the limit holds for the next intake too.
  assert.equal(await health(), 200);
  assert.equal(await authed(), 200);
  const again = await intake(99);
  assert.equal(again.status, 429);
  const en = await pub('POST', '/public/complaints', { category: 'other', school_id: jiangyingSchool, anonymous: true, text: 'x' }, { lang: 'en' });
  assert.equal(en.status, 429);
  assert.match(en.body.error.message, /too many complaints/);
  // Lookups have their own, larger bucket: a code-guessing run is cut off too.
  const guesses = await Promise.all(Array.from({ length: 70 }, (_, i) => pub('GET', `/public/complaints/${String(i).padStart(16, '0')}`)));
  assert.ok(guesses.some((r) => r.status === 429), 'guessing tracking codes is rate-limited');
  assert.ok(guesses.every((r) => r.status === 404 || r.status === 429));
});
