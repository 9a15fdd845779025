// 作业公示 from the outside: the school assigns a teacher to a class; the
// teacher's entry lands in the homework dataset (summed written minutes) and
// the answer carries the re-check; the public page by token needs no login
// and shows no names of people; a wrong or rotated token is 404; a teacher
// of another class is refused; the QR code and the school's A4 sheet render.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, apiLogin } from '../lib/server.mjs';

const PW = 'Edugov@2025';
let srv;
before(async () => { srv = await startServer({ cases: false }); });
after(async () => { await srv?.stop(); });

async function raw(method, p, { who, body } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': 'zh-CN' };
  if (who) {
    headers.Cookie = who.cookies;
    if (method !== 'GET') headers['X-CSRF-Token'] = who.csrf;
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${srv.url}/api/v1${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: r.status, text, json, type: r.headers.get('content-type') || '' };
}

// One value read behind the server's back: the dataset row the entry landed.
function sqlValue(sql) {
  const url = srv.dbUrl;
  const out = url.startsWith('sqlite:')
    ? execFileSync('sqlite3', [url.slice('sqlite:'.length), sql], { encoding: 'utf8' })
    : execFileSync('psql', [url, '-tAc', sql], { encoding: 'utf8' });
  return out.trim();
}

test('a teacher publishes homework; parents read it by link; the dataset and the re-check follow', async () => {
  const bureau = await apiLogin(srv.url, 'juzhang');
  const school = await apiLogin(srv.url, 'jiangying');
  const schoolId = school.user.org_id;
  await bureau.post('/users', { username: 'hwlaoshi1', display_name: '江英学校吴老师', role: 'teacher', org_id: schoolId, password: PW });
  await bureau.post('/users', { username: 'hwlaoshi2', display_name: '江英学校郑老师', role: 'teacher', org_id: schoolId, password: PW });

  const { items: classes, today } = await school.get('/homework-board/classes');
  assert.ok(classes.length >= 2, 'the school has classes');
  for (const c of classes) assert.match(c.token, /^[0-9a-f]{32}$/);
  const [mine, theirs] = classes;
  assert.equal((await raw('PUT', `/homework-board/classes/${mine.id}/teachers`, { who: school, body: { teachers: ['hwlaoshi1'] } })).status, 204);
  assert.equal((await raw('PUT', `/homework-board/classes/${theirs.id}/teachers`, { who: school, body: { teachers: ['hwlaoshi2'] } })).status, 204);

  const t1 = await apiLogin(srv.url, 'hwlaoshi1');
  const seen = await t1.get('/homework-board/classes');
  assert.deepEqual(seen.items.map((c) => c.id), [mine.id], 'a teacher sees only the classes assigned to them');

  const math = await raw('POST', `/homework-board/classes/${mine.id}/entries`, {
    who: t1, body: { date: today, subject: '数学', content: '练习册第12页1-5题', minutes: 30, written: true },
  });
  assert.equal(math.status, 200, math.text);
  const reading = await raw('POST', `/homework-board/classes/${mine.id}/entries`, {
    who: t1, body: { date: today, subject: '语文', content: '朗读课文《春》', minutes: 15, written: false },
  });
  assert.equal(reading.status, 200, reading.text);
  const english = await raw('POST', `/homework-board/classes/${mine.id}/entries`, {
    who: t1, body: { date: today, subject: '英语', content: '抄写第三单元单词', minutes: 20, written: true },
  });
  assert.equal(english.status, 200, english.text);
  assert.equal(english.json.written_total, 50, 'written minutes sum over subjects; 非书面 is not counted');
  // One entry, two uses: the day's written total is the class's homework dataset row …
  assert.ok(english.json.dataset_row_id > 0);
  assert.equal(sqlValue(`SELECT written_minutes FROM ds_homework WHERE class_id = ${mine.id} AND date = '${today}'`), '50');
  // … landed through the form path, so the answer carries the re-check's outcome.
  assert.equal(english.json.recheck.error, undefined, JSON.stringify(english.json.recheck));
  assert.ok(english.json.recheck.rules >= 1, JSON.stringify(english.json.recheck));
  assert.ok(Array.isArray(english.json.recheck.in_progress));

  // A teacher of another class is refused (404: the class is not theirs), and nothing lands.
  const t2 = await apiLogin(srv.url, 'hwlaoshi2');
  const refused = await raw('POST', `/homework-board/classes/${mine.id}/entries`, {
    who: t2, body: { date: today, subject: '物理', content: 'x', minutes: 10 },
  });
  assert.equal(refused.status, 404, refused.text);
  assert.equal((await raw('GET', `/homework-board/classes/${mine.id}/entries`, { who: t2 })).status, 404);
  // A township reads but does not enter.
  const town = await apiLogin(srv.url, 'dongping');
  const townPost = await raw('POST', `/homework-board/classes/${mine.id}/entries`, {
    who: town, body: { date: today, subject: '物理', content: 'x', minutes: 10 },
  });
  assert.equal(townPost.status, 403, townPost.text);
  // Bad input names its field.
  const bad = await raw('POST', `/homework-board/classes/${mine.id}/entries`, {
    who: t1, body: { date: today, subject: '数学', content: 'x', minutes: 999 },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'minutes');

  // The public page: no login, the class and its homework, the norm from the pack, no names of people.
  const pub = await raw('GET', `/public/homework/${mine.token}`);
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.json.class_name, mine.name);
  assert.deepEqual(pub.json.day.entries.map((e) => e.subject).sort(), ['数学', '英语', '语文'].sort());
  assert.equal(pub.json.day.written_minutes, 50);
  assert.equal(pub.json.day.total_minutes, 65);
  for (const name of ['hwlaoshi1', '吴老师', 'jiangying', '刘校长', 'entered_by']) {
    assert.ok(!pub.text.includes(name), `the public page must not carry "${name}"`);
  }
  const qr = await raw('GET', `/public/homework/${mine.token}/qr.svg`);
  assert.equal(qr.status, 200);
  assert.match(qr.type, /image\/svg\+xml/);
  assert.match(qr.text, /^<svg /);

  // Wrong token: 404; rotation: the old link stops working, the new one works.
  assert.equal((await raw('GET', `/public/homework/${'0'.repeat(32)}`)).status, 404);
  assert.equal((await raw('POST', `/homework-board/classes/${mine.id}/link`, { who: t1 })).status, 403, 'a teacher cannot rotate');
  const rotated = await raw('POST', `/homework-board/classes/${mine.id}/link`, { who: school });
  assert.equal(rotated.status, 200, rotated.text);
  assert.notEqual(rotated.json.token, mine.token);
  assert.equal((await raw('GET', `/public/homework/${mine.token}`)).status, 404);
  assert.equal((await raw('GET', `/public/homework/${mine.token}/qr.svg`)).status, 404);
  assert.equal((await raw('GET', `/public/homework/${rotated.json.token}`)).status, 200);

  // The school's A4 QR sheet: one card per class, each with an inline QR code of its current link.
  const sheet = await raw('GET', '/homework-board/qr-sheet', { who: school });
  assert.equal(sheet.status, 200);
  assert.match(sheet.type, /text\/html/);
  assert.match(sheet.text, /@page\{size:A4/);
  assert.equal((sheet.text.match(/class="card"/g) || []).length, classes.length);
  assert.ok(sheet.text.includes(`/public/homework/${rotated.json.token}`));
  assert.ok(!sheet.text.includes(mine.token));

  // Every change is audited, the token never.
  const audit = sqlValue("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'homework_board.%'");
  assert.equal(audit, String(2 + 3 + 1), 'two assignments, three entries, one rotation');
  assert.equal(sqlValue(`SELECT COUNT(*) FROM audit_log WHERE after_json LIKE '%${rotated.json.token}%'`), '0');
});

test('the public page is rate-limited per address', async () => {
  const school = await apiLogin(srv.url, 'jiangying');
  const { items } = await school.get('/homework-board/classes');
  let limited = null;
  for (let i = 0; i < 80 && !limited; ++i) {
    const r = await fetch(`${srv.url}/api/v1/public/homework/${items[0].token}`);
    await r.arrayBuffer();
    if (r.status === 429) limited = r;
  }
  assert.ok(limited, 'a burst past the limit is answered 429');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
});
