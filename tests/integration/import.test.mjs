// Dataset import over HTTP (docs/datasets.md): a school uploads a homework
// CSV with bad rows, gets 422 with the report (the good rows landed),
// downloads the annotated error file; another school cannot see it; a
// teacher records one row from a web form. Real server, demo county, the
// policy pack policy/anhua-2025.yaml; SQLite or PostgreSQL (EDUGOV_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';
import { startServer, apiLogin } from '../lib/server.mjs';

let srv;
const PW = 'Edugov@2025';

before(async () => { srv = await startServer({ cases: false }); });
after(async () => { await srv?.stop(); });

async function session(username) {
  const s = await apiLogin(srv.url, username, PW);
  s.raw = async (method, path, { body, type, headers = {} } = {}) => {
    const h = { 'Accept-Language': 'zh-CN', Cookie: s.cookies, 'X-CSRF-Token': s.csrf, ...headers };
    if (type) h['Content-Type'] = type;
    const r = await fetch(`${srv.url}${path}`, { method, headers: h, body });
    const text = await r.text();
    let parsed = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* CSV */ }
    return { status: r.status, body: parsed, text, headers: r.headers };
  };
  return s;
}

async function classesOf(s) {
  const { items } = await s.get(`/orgs/${s.user.org_id}/classes`);
  assert.ok(items.length >= 2, 'the demo school has classes');
  return items;
}

test('a CSV with bad rows: 422 with the report, good rows land, errors.csv for the clerk', async () => {
  const school = await session('jiangying');
  const other = await session('meicheng');
  const [c1, c2] = await classesOf(school);
  const [foreign] = await classesOf(other);
  const csv = [
    '班级,日期,书面作业时长（分钟）,是否使用手机布置',
    `${c1.id},2025-09-01,40,否`,        // row 2: good
    `${c2.id},2025/9/1,35,是`,          // row 3: good (date as Excel writes it)
    `${c1.id},2025-09-02,四十,否`,      // row 4: not a number
    `${foreign.id},2025-09-01,30,否`,   // row 5: another school's class
    `${c1.id},2025-09-01,45,否`,        // row 6: duplicate of row 2
  ].join('\r\n') + '\r\n';
  const r = await school.raw('POST', '/api/v1/datasets/homework/import?file_name=%E4%BD%9C%E4%B8%9A.csv',
    { body: csv, type: 'text/csv' });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.rows_total, 5);
  assert.equal(r.body.rows_ok, 2);
  assert.equal(r.body.rows_rejected, 3);
  assert.equal(r.body.status, 'partial');
  assert.deepEqual(r.body.problems.map((p) => p.row), [4, 5, 6]);
  assert.match(r.body.problems[0].reason_zh, /应为整数/);
  assert.match(r.body.problems[1].reason_zh, /不在您的管辖范围内/);
  assert.match(r.body.problems[2].reason_zh, /与第 2 行重复/);
  assert.equal(r.body.errors_url, `/api/v1/imports/${r.body.import_id}/errors.csv`);

  const errors = await school.raw('GET', r.body.errors_url);
  assert.equal(errors.status, 200);
  assert.match(errors.headers.get('content-type'), /^text\/csv/);
  assert.match(errors.headers.get('content-disposition'), /attachment/);
  const lines = errors.text.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines[0], '班级,日期,书面作业时长（分钟）,是否使用手机布置,错误列,错误原因');
  assert.equal(lines.length, 4);
  assert.match(lines[1], new RegExp(`^${c1.id},2025-09-02,四十,否,书面作业时长（分钟）,第 4 行：`));

  const record = await school.get(`/imports/${r.body.import_id}`);
  assert.equal(record.rows_rejected, 3);
  assert.equal(record.file_name, '作业.csv');

  // Another school sees neither the record nor the errors.
  assert.equal((await other.raw('GET', r.body.errors_url)).status, 404);
  assert.equal((await other.raw('GET', `/api/v1/imports/${r.body.import_id}`)).status, 404);
  // The bureau sees both.
  const bureau = await session('juzhang');
  assert.equal((await bureau.raw('GET', r.body.errors_url)).status, 200);
});

test('an all-good file answers 200; a file without a required column 400; wrong type 400', async () => {
  const school = await session('jiangying');
  const [, , c3] = await classesOf(school);
  const ok = await school.raw('POST', '/api/v1/datasets/homework/import',
    { body: `class_id,date,written_minutes\n${c3.id},2025-09-03,20\n`, type: 'text/csv; charset=utf-8' });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.rows_ok, 1);
  const missing = await school.raw('POST', '/api/v1/datasets/homework/import',
    { body: 'class_id,written_minutes\n1,20\n', type: 'text/csv' });
  assert.equal(missing.status, 400);
  assert.match(missing.body.error.message, /表头缺少/);
  const json = await school.raw('POST', '/api/v1/datasets/homework/import',
    { body: '{}', type: 'application/json' });
  assert.equal(json.status, 400);
  const unknown = await school.raw('POST', '/api/v1/datasets/nope/import', { body: 'a\n1\n', type: 'text/csv' });
  assert.equal(unknown.status, 404);
});

test('a teacher records one homework row from a web form; a correction updates it', async () => {
  const teacher = await session('laoshi');
  const school = await session('jiangying');
  const [c1] = await classesOf(school);
  // A spring-semester day: the demo's homework covers the autumn one, so this row is new.
  const first = await teacher.raw('POST', '/api/v1/datasets/homework/rows', {
    body: JSON.stringify({ class_id: c1.id, date: '2025-06-10', written_minutes: 50, phone_based: false }),
    type: 'application/json',
  });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.ok(first.body.row_id > 0);
  const fix = await teacher.raw('POST', '/api/v1/datasets/homework/rows', {
    body: JSON.stringify({ class_id: c1.id, date: '2025-06-10', written_minutes: 45 }),
    type: 'application/json',
  });
  assert.equal(fix.status, 200);
  assert.equal(fix.body.updated, true);
  assert.equal(fix.body.row_id, first.body.row_id);
  const bad = await teacher.raw('POST', '/api/v1/datasets/homework/rows', {
    body: JSON.stringify({ class_id: c1.id, date: '2025-09-11', written_minutes: 700 }),
    type: 'application/json',
  });
  assert.equal(bad.status, 422);
  assert.match(bad.body.problems[0].reason_zh, /大于最大值 600/);
  const unknownField = await teacher.raw('POST', '/api/v1/datasets/homework/rows', {
    body: JSON.stringify({ class_id: c1.id, date: '2025-09-11', minutes: 7 }),
    type: 'application/json',
  });
  assert.equal(unknownField.status, 400);
});

test('edugov import: summary, exit 2 with rejected rows, the annotated file beside it', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeFile, readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { edugovBin, repoRoot } = await import('../lib/server.mjs');
  const school = await session('jiangying');
  const [, , , c4] = await classesOf(school);
  const file = path.join(srv.tmpDir, 'cli-homework.csv');
  await writeFile(file, `班级,日期,书面作业时长（分钟）\n${c4.id},2025-10-01,30\n${c4.id},2025-10-02,-1\n`);
  const errors = path.join(srv.tmpDir, 'cli-errors.csv');
  const run = spawnSync(edugovBin(), ['import', 'homework', file, '--db', srv.dbUrl, '--as', 'jiangying',
    '--errors', errors], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LANG: 'zh_CN.UTF-8' } });
  assert.equal(run.status, 2, run.stdout + run.stderr);
  assert.match(run.stdout, /共 2 行，成功 1 行（新增 1，更新 0），拒绝 1 行/);
  assert.match(run.stdout, /第 3 行 书面作业时长（分钟）：「书面作业时长（分钟）」的值 -1 小于最小值 0/);
  const annotated = await readFile(errors, 'utf8');
  assert.match(annotated, /错误原因/);
  assert.match(annotated, new RegExp(`${c4.id},2025-10-02,-1,书面作业时长（分钟）,第 3 行`));
  // All good: exit 0.
  await writeFile(file, `class_id,date,written_minutes\n${c4.id},2025-10-02,10\n`);
  const ok = spawnSync(edugovBin(), ['import', 'homework', file, '--db', srv.dbUrl, '--as', 'jiangying'],
    { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  // An unknown dataset: exit 1, the declared ones named.
  const bad = spawnSync(edugovBin(), ['import', 'nope', file, '--db', srv.dbUrl], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /homework/);
});

test('the pack\'s enums read in Chinese: a clerk writes 收费 / 全面检查, the store keeps fee / full', async () => {
  const school = await session('jiangying');
  const listed = (await school.get('/datasets')).items.find((d) => d.name === 'inspections');
  const mode = listed.columns.find((c) => c.name === 'mode');
  assert.deepEqual(mode.values, ['full', 'spot']);
  assert.deepEqual(mode.value_labels_zh, ['全面检查', '重点抽查']);
  const org = await school.get(`/orgs/${school.user.org_id}`);
  const code = org.code ?? org.org?.code;
  assert.ok(code, JSON.stringify(org));
  const csv = [
    '学校,检查日期,检查类别,检查方式,检查人',
    `${code},2025-10-09,收费,全面检查,王督学`, // row 2: labels
    `${code},2025-10-10,canteen,spot,李督学`,  // row 3: values
    `${code},2025-10-11,收费,突击检查,张督学`, // row 4: neither
  ].join('\r\n') + '\r\n';
  const r = await school.raw('POST', '/api/v1/datasets/inspections/import?file_name=inspections.csv',
    { body: csv, type: 'text/csv' });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.rows_ok, 2, JSON.stringify(r.body.problems));
  assert.deepEqual(r.body.problems.map((p) => p.row), [4]);
  assert.equal(r.body.problems[0].reason_zh, '「检查方式」应为以下取值之一：全面检查（full）、重点抽查（spot）');
});

// Issue 15: resource bombs in uploads. A minimal zip writer (deflate, one
// central directory) so the bombs are generated here, from nothing.
function zip(parts) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(parts)) {
    const data = Buffer.from(text);
    const packed = deflateRawSync(data, { level: 9 });
    const n = Buffer.from(name);
    const crc = zlibCrc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0); dir.writeUInt16LE(20, 4); dir.writeUInt16LE(20, 6); dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(crc, 16); dir.writeUInt32LE(packed.length, 20); dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(n.length, 28); dir.writeUInt32LE(offset, 42);
    locals.push(local, n, packed);
    central.push(dir, n);
    offset += 30 + n.length + packed.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  const count = Object.keys(parts).length;
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(count, 8); end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

test('upload bombs: a small XLSX that unzips to 64 MB and a CSV with a 1 MB cell are refused with 413 naming the bound, nothing imported', async () => {
  const school = await session('jiangying');
  const workbook = '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    + 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="作业" sheetId="1" r:id="rId1"/></sheets></workbook>';
  const rels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>';
  const row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>';
  const sheet = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    + row.repeat(Math.ceil((64 << 20) / row.length)) + '</sheetData></worksheet>';
  const bomb = zip({ 'xl/workbook.xml': workbook, 'xl/_rels/workbook.xml.rels': rels, 'xl/worksheets/sheet1.xml': sheet });
  assert.ok(bomb.length < 512 * 1024, `the bomb is small: ${bomb.length} bytes`);
  const x = await school.raw('POST', '/api/v1/datasets/homework/import?file_name=bomb.xlsx', {
    body: bomb, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
  assert.equal(x.status, 413, JSON.stringify(x.body));
  assert.match(x.body.error.message, /上限 max_ratio = 100/);
  assert.equal(x.body.import_id, undefined);

  const csv = '班级,日期,书面作业时长（分钟）\n1,2025-09-01,' + 'x'.repeat(1 << 20) + '\n';
  const c = await school.raw('POST', '/api/v1/datasets/homework/import?file_name=bomb.csv', { body: csv, type: 'text/csv' });
  assert.equal(c.status, 413, JSON.stringify(c.body));
  assert.match(c.body.error.message, /上限 max_cell_bytes = 131068/);
  assert.equal(c.body.import_id, undefined, 'no import was recorded');
});
