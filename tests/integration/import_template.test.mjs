// Issue 13, Excel both ways (docs/import.md):
//   - a school imports its own file with no 学校代码 column, classes named as
//     written in the school (七年级1班, 7年级1班, 初一(1)班);
//   - 下载导入模板: the XLSX the server makes is filled here (its own bytes,
//     rows replaced) and imported back — rows land; a wrong enum value is a
//     row/column error;
//   - 导出: lists as XLSX with the list's filters and never a row outside the
//     caller's subtree.
// Real server, demo county; SQLite or PostgreSQL (EDUGOV_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin } from '../lib/server.mjs';
import { unzip, sheets, readSheet, sheetXml, fillFirstSheet } from '../lib/xlsx.mjs';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let srv;

before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

async function session(username) {
  const s = await apiLogin(srv.url, username);
  s.raw = async (method, path, { body, type } = {}) => {
    const h = { 'Accept-Language': 'zh-CN', Cookie: s.cookies, 'X-CSRF-Token': s.csrf };
    if (type) h['Content-Type'] = type;
    const r = await fetch(`${srv.url}${path}`, { method, headers: h, body });
    const buf = Buffer.from(await r.arrayBuffer());
    let json = null;
    try { json = JSON.parse(buf.toString('utf8')); } catch { /* a file */ }
    return { status: r.status, json, buf, headers: r.headers };
  };
  return s;
}

const NUMERALS = '一二三四五六七八九';
// 七年级1班 → 7年级1班; 七年级1班 → 初一(1)班 for grades 7–9.
function digitGrade(name) {
  return name.replace(/^([一二三四五六七八九])年级/, (_, n) => `${NUMERALS.indexOf(n) + 1}年级`);
}
function juniorStyle(name) {
  const m = /^([七八九])年级(\d+)班$/.exec(name);
  return m ? `初${'一二三'['七八九'.indexOf(m[1])]}(${m[2]})班` : null;
}

// First: the imports below start sweeps that move the findings between a list and its export.
test('导出: filtered lists as XLSX, never a row outside the caller\'s subtree', async () => {
  const bureau = await session('juzhang');
  const school = await session('jiangying');

  // Findings: the bureau's open findings, and the school's own.
  const open = await bureau.get('/findings?status=open&limit=1');
  const all = await bureau.get('/findings?limit=1');
  assert.ok(open.total > 0 && all.total >= open.total, `the demo has open findings (${open.total}/${all.total})`);
  const x = await bureau.raw('GET', '/api/v1/findings/export.xlsx?status=open');
  assert.equal(x.status, 200);
  assert.equal(x.headers.get('content-type'), XLSX);
  const rows = readSheet(x.buf);
  assert.deepEqual(rows[0].slice(0, 5), ['编号', '条款', '规则', '对象', '所属学校']);
  assert.equal(rows.length - 1, open.total);
  assert.equal(Number(x.headers.get('x-export-rows')), open.total);
  assert.ok(rows.slice(1).every((row) => row[9] === '未解决'));

  const mine = await school.get('/findings?limit=500');
  const sx = readSheet((await school.raw('GET', '/api/v1/findings/export.xlsx')).buf);
  assert.equal(sx.length - 1, mine.total);
  assert.ok(mine.total < all.total);
  const own = new Set(mine.items.map((f) => String(f.id)));
  assert.ok(sx.slice(1).every((row) => own.has(row[0])), 'only the school\'s own findings');
  // A filter naming a township above the school: answered as the list is, nothing leaks.
  const townshipId = open.items.find((f) => f.township_id)?.township_id;
  const listed = await school.raw('GET', `/api/v1/findings?township=${townshipId}`);
  const other = await school.raw('GET', `/api/v1/findings/export.xlsx?township=${townshipId}`);
  assert.equal(other.status, listed.status);
  if (other.status === 200) assert.equal(readSheet(other.buf).length - 1, listed.json.total);

  // Cases: the school's list and its export agree.
  const cases = await school.get('/cases?limit=1');
  const cx = await school.raw('GET', '/api/v1/cases/export.xlsx');
  assert.equal(cx.status, 200);
  const crow = readSheet(cx.buf);
  assert.deepEqual(crow[0].slice(0, 4), ['编号', '类型', '标题', '状态']);
  assert.equal(crow.length - 1, cases.total);
  const bureauCases = await bureau.get('/cases?limit=1');
  assert.ok(cases.total < bureauCases.total);

  // Staff and classes of the school.
  const staff = await school.get(`/orgs/${school.user.org_id}/staff?limit=1`);
  const stx = readSheet((await school.raw('GET', `/api/v1/orgs/${school.user.org_id}/staff/export.xlsx`)).buf);
  assert.deepEqual(stx[0].slice(0, 3), ['教职工编号', '姓名', '性别']);
  assert.equal(stx.length - 1, staff.total);
  assert.ok(stx.slice(1).every((row) => row[2] === '男' || row[2] === '女'));
  const { items: classes } = await school.get(`/orgs/${school.user.org_id}/classes`);
  const clx = readSheet((await school.raw('GET', `/api/v1/orgs/${school.user.org_id}/classes/export.xlsx`)).buf);
  assert.equal(clx.length - 1, classes.length);
  // Users: the bureau's scoped list, roles in Chinese.
  const { items: users } = await bureau.get('/users');
  const ux = readSheet((await bureau.raw('GET', '/api/v1/users/export.xlsx')).buf);
  assert.deepEqual(ux[0], ['用户名', '姓名', '角色', '科室', '所属单位', '已停用']);
  assert.equal(ux.length - 1, users.length);
  assert.ok(ux.some((row) => row[0] === 'juzhang' && row[2] === '局领导'));
  // Another org's lists: 404, as the list.
  const foreign = await school.raw('GET', `/api/v1/orgs/${bureau.user.org_id}/staff/export.xlsx`);
  assert.equal(foreign.status, 404);
});

test('a school imports its own CSV without 学校代码, classes named as the school writes them', async () => {
  const school = await session('jiangying');
  const { items: classes } = await school.get(`/orgs/${school.user.org_id}/classes`);
  const named = classes.filter((c) => /^[一二三四五六七八九]年级\d+班$/.test(c.name));
  assert.ok(named.length >= 3, 'the demo school has graded classes');
  const junior = named.find((c) => juniorStyle(c.name)) || named[2];
  const csv = [
    '班级,日期,书面作业时长（分钟）',
    `${named[0].name},2026-03-02,40`,
    `${digitGrade(named[1].name)},2026-03-02,35`,
    `${juniorStyle(junior.name) || junior.name},2026-03-03,30`,
    '九十九年级1班,2026-03-02,30',
  ].join('\r\n') + '\r\n';
  const r = await school.raw('POST', '/api/v1/datasets/homework/import?file_name=own.csv', { body: csv, type: 'text/csv' });
  assert.equal(r.status, 422, JSON.stringify(r.json));
  assert.equal(r.json.rows_ok, 3, JSON.stringify(r.json.problems));
  assert.equal(r.json.problems.length, 1);
  assert.equal(r.json.problems[0].row, 5);
  assert.equal(r.json.problems[0].column, '班级');
  assert.match(r.json.problems[0].reason_zh, /班级「九十九年级1班」不存在或不在您的管辖范围内/);
  assert.match(r.json.problems[0].reason_en, /unknown class/);

  // A per-school dataset: no 学校 column at all.
  const insp = await school.raw('POST', '/api/v1/datasets/inspections/import?file_name=insp.csv',
    { body: '检查日期,检查类别,检查方式\r\n2026-03-04,食堂,重点抽查\r\n', type: 'text/csv' });
  assert.equal(insp.status, 200, JSON.stringify(insp.json));
  assert.equal(insp.json.rows_ok, 1);

  // The township above still has to say which school.
  const township = await session('dongping');
  const t = await township.raw('POST', '/api/v1/datasets/inspections/import?file_name=insp.csv',
    { body: '检查日期,检查类别,检查方式\r\n2026-03-04,食堂,重点抽查\r\n', type: 'text/csv' });
  assert.equal(t.status, 400);
  assert.match(t.json.error.message, /表头缺少.*学校/);
});

test('下载导入模板: Chinese headers, notes, dropdowns, the school\'s classes; filled → imported', async () => {
  const school = await session('jiangying');
  const { items: classes } = await school.get(`/orgs/${school.user.org_id}/classes`);
  const r = await school.raw('GET', '/api/v1/datasets/homework/template.xlsx');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), XLSX);
  assert.match(r.headers.get('content-disposition'), /filename\*=UTF-8''/);
  const files = unzip(r.buf);
  assert.equal(sheets(files)[0].name, '每日作业公示', 'the data sheet comes first (the importer reads it)');
  assert.deepEqual(sheets(files).map((s) => s.name).sort(), ['填写说明', '每日作业公示', '选项'].sort());
  assert.ok(sheets(files).find((s) => s.name === '选项').hidden, 'the dropdown values sit on a hidden sheet');
  const rows = readSheet(files);
  assert.deepEqual(rows[0], ['班级', '日期', '书面作业时长（分钟）', '是否使用手机布置']);
  assert.equal(rows.length - 1, classes.length, 'one pre-filled row per class of the school');
  assert.deepEqual(new Set(rows.slice(1).map((row) => row[0])), new Set(classes.map((c) => c.name)));
  assert.match(sheetXml(files), /<dataValidation [^>]*type="list"/);
  assert.ok([...files.keys()].some((k) => /xl\/comments\d+\.xml/.test(k)), 'header cells carry notes');
  const comments = [...files.entries()].find(([k]) => /xl\/comments\d+\.xml/.test(k))[1].toString('utf8');
  assert.match(comments, /必填/);
  const notes = readSheet(files, '填写说明');
  assert.deepEqual(notes[0], ['列名', '字段', '必填', '填写要求', '允许的取值或范围']);
  assert.ok(notes.some((n) => n[0] === '是否使用手机布置' && n[4] === '是、否'));

  // Fill the first three pre-filled classes, leave the rest out, upload the workbook.
  const filled = fillFirstSheet(r.buf, [rows[0], ...rows.slice(1, 4).map((row, i) => [row[0], '2026-03-09', String(30 + i), '否'])]);
  const up = await school.raw('POST', '/api/v1/datasets/homework/import?file_name=template.xlsx', { body: filled, type: XLSX });
  assert.equal(up.status, 200, JSON.stringify(up.json));
  assert.equal(up.json.rows_ok, 3);

  // The inspections template of a school: no 学校 column; a wrong enum value is a row/column error.
  const t = await school.raw('GET', '/api/v1/datasets/inspections/template.xlsx');
  assert.equal(t.status, 200);
  const header = readSheet(t.buf)[0];
  assert.deepEqual(header, ['检查日期', '检查类别', '检查方式', '检查人']);
  assert.deepEqual(readSheet(t.buf, '选项').map((row) => row.slice(0, 2)), [['收费', '全面检查'], ['食堂', '重点抽查']]);
  const bad = fillFirstSheet(t.buf, [header, ['2026-03-10', '收费', '全面检查', '张三'], ['2026-03-11', '年检', '全面检查', '']]);
  const up2 = await school.raw('POST', '/api/v1/datasets/inspections/import?file_name=insp.xlsx', { body: bad, type: XLSX });
  assert.equal(up2.status, 422);
  assert.equal(up2.json.rows_ok, 1);
  assert.equal(up2.json.problems.length, 1);
  assert.equal(up2.json.problems[0].row, 3);
  assert.equal(up2.json.problems[0].column, '检查类别');
  assert.match(up2.json.problems[0].reason_zh, /「检查类别」应为以下取值之一：收费（fee）、食堂（canteen）/);
  assert.match(up2.json.problems[0].reason_en, /kind must be one of/);

  // The township's template names the school: 学校 and, before a class, 学校代码.
  const township = await session('dongping');
  const tt = await township.raw('GET', '/api/v1/datasets/homework/template.xlsx');
  assert.deepEqual(readSheet(tt.buf)[0], ['学校代码', '班级', '日期', '书面作业时长（分钟）', '是否使用手机布置']);
  assert.equal(readSheet(tt.buf).length, 1, 'no rows pre-filled above a school');
  const unknown = await township.raw('GET', '/api/v1/datasets/nope/template.xlsx');
  assert.equal(unknown.status, 404);
});

