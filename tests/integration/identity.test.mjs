// Identity sealed at rest and references kept in scope, from the outside
// (docs/security.md), against the real server on SQLite or PostgreSQL
// (EDUGOV_TEST_DB):
//   - a parent files a complaint with a photo named after their phone number;
//     neither the phone, the file's name nor its bytes are anywhere in the
//     database — on SQLite the raw bytes of the database file and its WAL, on
//     PostgreSQL every column of the attachment row; the complaint office
//     downloads the photo intact under its name; the school never sees it;
//   - an attachment stored in clear (as before migration 012) is sealed by the
//     next `edugov serve` start and still downloads intact;
//   - the SQLite database file and the secret key file are mode 0600;
//   - the rating comment and the reopen reason reach the school with the
//     complainant's name and phone masked;
//   - a school naming another school's org or staff member in a case write
//     gets the byte-identical body a nonexistent id gets (no existence oracle).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { startServer, apiLogin, edugovBin, repoRoot } from '../lib/server.mjs';
import { usingPostgres, sqlOn } from '../lib/db.mjs';

const NAME = '司马测试乙';
const PHONE = '13987654321';
const FILE_NAME = `${PHONE}-司马家长.png`;
const MARKER = 'EDUGOV-SEALED-ATTACHMENT-MARKER-7f3a';
// A PNG signature (what the sniffer checks) followed by a marker the test looks for.
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(MARKER), Buffer.alloc(64, 0x78)]);

let srv;
const s = {};
let jiangyingSchool;
let meichengSchool;

before(async () => {
  srv = await startServer({ cases: false });
  for (const u of ['xinfang', 'jiangying', 'meicheng']) s[u] = await session(u);
  jiangyingSchool = s.jiangying.user.org_id;
  meichengSchool = s.meicheng.user.org_id;
});
after(async () => { await srv?.stop(); });

async function session(username) {
  const base = await apiLogin(srv.url, username);
  base.raw = async (method, p, payload) => {
    const headers = { Cookie: base.cookies, 'Accept-Language': 'zh-CN' };
    if (method !== 'GET') headers['X-CSRF-Token'] = base.csrf;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${srv.url}/api/v1${p}`, {
      method, headers, body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const buf = Buffer.from(await r.arrayBuffer());
    const text = buf.toString('utf8');
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = null; }
    return { status: r.status, body, text, buf, headers: r.headers };
  };
  return base;
}

async function pub(method, p, payload) {
  const r = await fetch(`${srv.url}/api/v1${p}`, {
    method,
    headers: { 'Accept-Language': 'zh-CN', 'Content-Type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, text };
}

// Every byte the database holds of case attachments and the case rows, as one buffer.
function storedBytes() {
  if (usingPostgres()) {
    const out = execFileSync('psql', [srv.dbUrl, '-At', '-v', 'ON_ERROR_STOP=1', '-c',
      "SELECT filename, sha256, encode(bytes, 'hex'), coalesce(encode(sealed_meta, 'hex'), '') FROM case_attachments; " +
      "SELECT encode(convert_to(c::text, 'UTF8'), 'hex') FROM cases c; " +
      "SELECT encode(convert_to(e::text, 'UTF8'), 'hex') FROM case_events e"]);
    // Hex columns back to bytes, the rest as they are.
    const lines = out.toString('utf8').split('\n');
    return Buffer.concat(lines.flatMap((l) => l.split('|').map((f) => (/^([0-9a-f]{2})+$/.test(f) ? Buffer.from(f, 'hex') : Buffer.from(f)))));
  }
  const file = srv.dbUrl.slice('sqlite:'.length);
  return Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
}

test('a photo named after the phone number is sealed at rest and opens intact for the complaint office only', async () => {
  const filed = await pub('POST', '/public/complaints', {
    category: 'meals', school_id: jiangyingSchool, anonymous: false, name: NAME, phone: PHONE,
    text: '江英学校食堂饭菜变质，孩子腹痛，请核查。',
    attachments: [{ filename: FILE_NAME, content_base64: PNG.toString('base64') }],
  });
  assert.equal(filed.status, 201, filed.text);

  const raw = storedBytes();
  assert.ok(raw.length > 0);
  for (const needle of [PHONE, FILE_NAME, MARKER, NAME]) {
    assert.equal(raw.indexOf(Buffer.from(needle)), -1, `${needle} is not in the database's bytes`);
  }

  const list = (await s.xinfang.raw('GET', `/cases?type=complaint&q=${encodeURIComponent(filed.body.ref)}`)).body;
  assert.equal(list.total, 1);
  const id = list.items[0].id;
  const office = (await s.xinfang.raw('GET', `/cases/${id}`)).body;
  assert.equal(office.attachments.length, 1);
  assert.equal(office.attachments[0].filename, FILE_NAME);
  const dl = await s.xinfang.raw('GET', `/cases/${id}/attachments/${office.attachments[0].id}`);
  assert.equal(dl.status, 200);
  assert.ok(dl.buf.equals(PNG), 'the office downloads the bytes intact');
  assert.match(dl.headers.get('content-disposition'), new RegExp(encodeURIComponent(FILE_NAME).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

  const school = await s.jiangying.raw('GET', `/cases/${id}`);
  assert.equal(school.status, 200);
  assert.equal(school.body.attachments.length, 0);
  for (const needle of [PHONE, FILE_NAME, NAME]) assert.ok(!school.text.includes(needle), `the school never sees ${needle}`);
  const tried = await s.jiangying.raw('GET', `/cases/${id}/attachments/${office.attachments[0].id}`);
  assert.equal(tried.status, 404);
  assert.ok(!tried.text.includes(PHONE));
});

test('the SQLite database file and the secret key file are mode 0600', { skip: usingPostgres() && 'PostgreSQL keeps its own files' }, () => {
  const file = srv.dbUrl.slice('sqlite:'.length);
  for (const f of [file, path.join(path.dirname(file), 'secret.key')]) {
    assert.equal(statSync(f).mode & 0o777, 0o600, `${f} is 0600`);
  }
});

test('a rating comment and a reopen reason reach the school with the complainant\'s identity masked', async () => {
  const filed = await pub('POST', '/public/complaints', {
    category: 'illegal_fees', school_id: jiangyingSchool, anonymous: false, name: NAME, phone: PHONE,
    text: '班主任要求每人交资料费两百元。',
  });
  assert.equal(filed.status, 201, filed.text);
  const list = (await s.xinfang.raw('GET', `/cases?type=complaint&q=${encodeURIComponent(filed.body.ref)}`)).body;
  const id = list.items[0].id;
  const closed = await s.xinfang.raw('POST', `/cases/${id}/transitions`, {
    transition: 'reply_directly', version: list.items[0].version, comment: '已核查，费用已退还。',
  });
  assert.equal(closed.status, 200, closed.text);
  const rated = await pub('POST', `/public/complaints/${filed.body.tracking_code}/rating`,
    { satisfaction: 1, comment: `没退，我是${NAME}，电话 ${PHONE}` });
  assert.equal(rated.status, 200, rated.text);
  const reopened = await pub('POST', `/public/complaints/${filed.body.tracking_code}/reopen`,
    { reason: `仍在收费，请打 139-8765-4321 找${NAME}` });
  assert.equal(reopened.status, 200, reopened.text);

  const school = await s.jiangying.raw('GET', `/cases/${id}`);
  assert.equal(school.status, 200);
  for (const needle of [NAME, PHONE, '139-8765-4321']) assert.ok(!school.text.includes(needle), `the school never sees ${needle}`);
  assert.ok(school.text.includes('仍在收费'), 'the school does read the reason');
  const office = await s.xinfang.raw('GET', `/cases/${id}`);
  assert.ok(office.text.includes('139-8765-4321'), 'the office reads it as typed');
});

test('a school naming another school\'s org or staff member gets the body a nonexistent id gets', async () => {
  const theirs = (await s.meicheng.raw('GET', `/orgs/${meichengSchool}/staff?limit=1`)).body.items[0].id;
  const ours = (await s.jiangying.raw('GET', `/orgs/${jiangyingSchool}/staff?limit=1`)).body.items[0].id;
  const hazard = (extra) => ({
    type: 'hazard', org_id: jiangyingSchool, fields: { grade: 'major', description: '化学品柜未上锁' }, ...extra,
  });
  const pairs = [
    ['staff_id', hazard({ staff_id: theirs }), hazard({ staff_id: 999999999 })],
    ['org_id', hazard({ org_id: meichengSchool }), hazard({ org_id: 999999999 })],
  ];
  for (const [field, elsewhere, nowhere] of pairs) {
    const a = await s.jiangying.raw('POST', '/cases', elsewhere);
    const b = await s.jiangying.raw('POST', '/cases', nowhere);
    assert.equal(a.status, 404, `${field}: ${a.text}`);
    assert.equal(a.body.error.field, field);
    assert.equal(a.text, b.text, `${field}: byte-identical bodies`);
    assert.ok(!a.text.includes(String(theirs)) && !a.text.includes(String(meichengSchool)), 'no id echoed');
  }
  // A staff field in a transition: the dropout's helper teacher.
  const dropout = await s.jiangying.raw('POST', '/cases', {
    type: 'dropout', org_id: jiangyingSchool, fields: { child_name: '测试学生', grade: 8, reason: 'work' },
  });
  assert.equal(dropout.status, 201, dropout.text);
  const helper = (staff) => s.jiangying.raw('POST', `/cases/${dropout.body.id}/transitions`, {
    transition: 'assign_helpers', version: dropout.body.version,
    fields: { helper_teacher: staff, helper_cadre: '村支书刘某', helper_parent: '家委会陈某' },
  });
  const a = await helper(theirs);
  const b = await helper(999999999);
  assert.equal(a.status, 404, a.text);
  assert.equal(a.body.error.field, 'fields.helper_teacher');
  assert.equal(a.text, b.text, 'helper_teacher: byte-identical bodies');
  assert.equal((await helper(ours)).status, 200, 'its own teacher is accepted');
  // The list filter of a township user answers the same for another township's school.
  const dongping = await session('dongping');
  const x = await dongping.raw('GET', `/cases?org=${meichengSchool}`);
  const y = await dongping.raw('GET', '/cases?org=999999999');
  assert.equal(x.status, 404, x.text);
  assert.equal(x.text, y.text);
});

// Starts a second `edugov serve` on the same database until it listens, and
// stops it: what it logs on the way.
async function startAndStopAnotherServe() {
  const child = spawn(edugovBin(), ['serve', '--db', srv.dbUrl, '--listen', '127.0.0.1:0', '--static',
    path.join(repoRoot, 'web', 'dist'), '--sweep-at', 'off'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`second serve did not listen:\n${log}`)), 30_000);
    const onData = (d) => {
      log += d;
      if (/edugov: listening on/.test(log)) { clearTimeout(timer); resolve(); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(() => { clearTimeout(timer); reject(new Error(`second serve exited:\n${log}`)); });
  });
  child.kill('SIGTERM');
  await exited;
  return log;
}

test('an attachment stored in clear before migration 012 is sealed by the next serve start and still opens', async () => {
  const list = (await s.xinfang.raw('GET', '/cases?type=complaint&limit=1')).body;
  const id = list.items[0].id;
  const legacyName = '13900001111-旧照片.png';
  const legacy = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('LEGACY-CLEAR-MARKER-91c2'), Buffer.alloc(16, 0x79)]);
  const blob = usingPostgres() ? `'\\x${legacy.toString('hex')}'::bytea` : `X'${legacy.toString('hex')}'`;
  await sqlOn(srv.dbUrl, 'INSERT INTO case_attachments (case_id, filename, content_type, size_bytes, sha256, bytes, ' +
    `confidential, uploaded_by, uploaded_at) VALUES (${id}, '${legacyName}', 'image/png', ${legacy.length}, 'x', ${blob}, 1, 'public', 0)`);
  assert.notEqual(storedBytes().indexOf(Buffer.from('LEGACY-CLEAR-MARKER-91c2')), -1, 'the planted row is in clear');

  const log = await startAndStopAnotherServe();
  assert.match(log, /sealed 1 case attachments stored in clear/);
  const raw = storedBytes();
  for (const needle of ['LEGACY-CLEAR-MARKER-91c2', legacyName]) {
    assert.equal(raw.indexOf(Buffer.from(needle)), -1, `${needle} is sealed`);
  }
  const office = (await s.xinfang.raw('GET', `/cases/${id}`)).body;
  const att = office.attachments.find((a) => a.filename === legacyName);
  assert.ok(att, 'the office still sees it under its name');
  const dl = await s.xinfang.raw('GET', `/cases/${id}/attachments/${att.id}`);
  assert.equal(dl.status, 200);
  assert.ok(dl.buf.equals(legacy), 'and downloads it intact');
  assert.doesNotMatch(await startAndStopAnotherServe(), /sealed \d+ case attachments/, 'sealed once');
});
