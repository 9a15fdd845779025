// Issue 13, Excel both ways in the browser: a school clerk downloads the
// import template (下载导入模板), fills it — the real XLSX the server made,
// its rows replaced here — uploads it and sees the good rows land and the bad
// one named by row and column; lists export (导出) their filtered rows, and
// the file opened here has the list's header and row count. Desktop and
// 390×844. Every wait is on a state of the page (a download, a response, an
// element), never on time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, apiLogin } from '../lib/server.mjs';
import { launchBrowser, newPage, screenshot, uiLogin } from '../lib/browser.mjs';
import { readSheet, fillFirstSheet } from '../lib/xlsx.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function withPage(name, fn, { phone = false } = {}) {
  const { context, page } = await newPage(browser, srv.url);
  if (phone) await page.setViewportSize({ width: 390, height: 844 });
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  try {
    await fn(page);
    assert.deepEqual(problems, [], 'no uncaught errors in the page');
  } finally {
    await screenshot(page, name).catch(() => {});
    await context.close();
  }
}

// Clicks `testid` and answers the downloaded file's bytes and name.
async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const file = await dl.path();
  return { name: dl.suggestedFilename(), bytes: await readFile(file) };
}

// First in the file: the imports below start sweeps that move the findings.
test('导出 of a filtered findings list: the file has the list\'s header and row count', async () => {
  await withPage('71-findings-export', async (page) => {
    await uiLogin(page, 'dudao');
    const listed = page.waitForResponse((r) => /\/api\/v1\/findings\?.*status=open/.test(r.url()));
    await page.goto('/compliance?status=open');
    const res = await listed;
    assert.equal(res.status(), 200);
    const expected = await res.json();
    assert.ok(expected.total > 0);
    await page.getByTestId('findings-table').locator('tbody tr').first().waitFor();
    const { name, bytes } = await download(page, 'findings-export');
    assert.equal(name, '问题清单.xlsx');
    const rows = readSheet(bytes);
    assert.deepEqual(rows[0].slice(0, 5), ['编号', '条款', '规则', '对象', '所属学校']);
    assert.equal(rows.length - 1, expected.total);
    assert.ok(rows.slice(1).every((r) => r[9] === '未解决'));
  });
});

for (const phone of [false, true]) {
  const size = phone ? '390' : 'desktop';
  test(`模板 → 填写 → 导入 → 错误 (${size})`, async () => {
    await withPage(`70-import-template-${size}`, async (page) => {
      await uiLogin(page, 'jiangying');
      await page.goto('/import');
      await page.getByTestId('import-columns').waitFor();
      const { name, bytes } = await download(page, 'import-template');
      assert.equal(name, '每日作业公示-导入模板.xlsx');
      const rows = readSheet(bytes);
      assert.deepEqual(rows[0], ['班级', '日期', '书面作业时长（分钟）', '是否使用手机布置']);
      assert.ok(rows.length > 3, 'the school\'s classes are pre-filled');
      const day = phone ? '2026-04-14' : '2026-04-13';
      const filled = fillFirstSheet(bytes, [
        rows[0],
        [rows[1][0], day, '40', '否'],
        [rows[2][0], day, '35', '是'],
        [rows[3][0], day, '四十', '否'],
      ]);
      await page.getByTestId('import-file').setInputFiles({ name: '作业.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: filled });
      const answer = page.waitForResponse((r) => r.url().includes('/api/v1/datasets/homework/import'));
      await page.getByTestId('import-submit').click();
      assert.equal((await answer).status(), 422);
      await page.getByTestId('import-report').waitFor();
      assert.equal(await page.getByTestId('import-ok').innerText(), '2');
      assert.equal(await page.getByTestId('import-rejected').innerText(), '1');
      const problem = page.getByTestId('import-problems').locator('tbody tr').first();
      await problem.waitFor();
      const cells = await problem.locator('td').allInnerTexts();
      assert.equal(cells[0].trim(), '4');
      assert.equal(cells[1].trim(), '书面作业时长（分钟）');
      assert.match(cells[3], /应为整数/);
    }, { phone });
  });
}

for (const phone of [false, true]) {
  const size = phone ? '390' : 'desktop';
  test(`导出 as a school: cases and staff, only the school's own rows (${size})`, async () => {
    const api = await apiLogin(srv.url, 'jiangying');
    const cases = await api.get('/cases?limit=1');
    const bureau = await apiLogin(srv.url, 'juzhang');
    const all = await bureau.get('/cases?limit=1');
    assert.ok(cases.total < all.total);
    const staff = await api.get(`/orgs/${api.user.org_id}/staff?limit=1`);
    await withPage(`72-school-export-${size}`, async (page) => {
      await uiLogin(page, 'jiangying');
      const listed = page.waitForResponse((r) => /\/api\/v1\/cases\?/.test(r.url()) && !/limit=1&/.test(r.url()));
      await page.goto('/cases?tab=all');
      await listed;
      const c = await download(page, 'cases-export');
      assert.equal(c.name, '案件清单.xlsx');
      const crows = readSheet(c.bytes);
      assert.deepEqual(crows[0].slice(0, 4), ['编号', '类型', '标题', '状态']);
      assert.equal(crows.length - 1, cases.total);
      await screenshot(page, `72-cases-export-${size}`);

      await page.goto('/my-org');
      await page.getByTestId('staff-table').locator('tbody tr').first().waitFor();
      const s = await download(page, 'staff-export');
      assert.match(s.name, /教职工名单\.xlsx$/);
      const srows = readSheet(s.bytes);
      assert.deepEqual(srows[0].slice(0, 2), ['教职工编号', '姓名']);
      assert.equal(srows.length - 1, staff.total);
    }, { phone });
  });
}
