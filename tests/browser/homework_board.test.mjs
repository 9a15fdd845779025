// 作业公示 on a phone (390×844): a teacher enters today's homework between
// lessons; the class page parents open from the QR code (no login) shows
// it with the day's written total against the norm. Screenshots:
// tests/artifacts/homework-board-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin } from '../lib/server.mjs';
import { launchBrowser, screenshot, uiLogin } from '../lib/browser.mjs';

const PHONE = { width: 390, height: 844 };
let srv;
let browser;
before(async () => {
  srv = await startServer({ cases: false });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function phonePage() {
  const context = await browser.newContext({
    baseURL: srv.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: PHONE, deviceScaleFactor: 2, hasTouch: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

async function noSidewaysScroll(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `the page is ${width}px wide on a ${PHONE.width}px phone`);
}

test('a teacher publishes homework on a phone; the public class page shows it', async () => {
  const bureau = await apiLogin(srv.url, 'juzhang');
  const school = await apiLogin(srv.url, 'jiangying');
  await bureau.post('/users', {
    username: 'hwphone', display_name: '江英学校孙老师', role: 'teacher', org_id: school.user.org_id, password: 'Edugov@2025',
  });
  const { items } = await school.get('/homework-board/classes');
  const cls = items[0];
  const put = await fetch(`${srv.url}/api/v1/homework-board/classes/${cls.id}/teachers`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: school.cookies, 'X-CSRF-Token': school.csrf },
    body: JSON.stringify({ teachers: ['hwphone'] }),
  });
  assert.equal(put.status, 204);

  const { context, page } = await phonePage();
  await uiLogin(page, 'hwphone');
  await page.goto('/homework-board');
  await page.getByTestId('board-page').waitFor();
  await page.getByTestId('board-norm').waitFor();  // the class's day and its norm have loaded
  await noSidewaysScroll(page);

  await page.getByTestId('board-subject').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '数学' }).click();
  await page.locator('textarea[data-testid="board-content"], [data-testid="board-content"] textarea').fill('练习册第12页第1-5题');
  const minutes = page.locator('input[data-testid="board-minutes"], [data-testid="board-minutes"] input');
  await minutes.fill('35');
  await minutes.blur();
  await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/homework-board/classes/${cls.id}/entries`) && r.request().method() === 'POST'),
    page.getByTestId('board-save').click(),
  ]);
  const entry = page.getByTestId('board-entry-数学');
  await entry.waitFor();
  assert.ok((await entry.innerText()).includes('练习册第12页第1-5题'));
  await page.getByTestId('board-written-total').filter({ hasText: '35 分钟' }).waitFor();
  await noSidewaysScroll(page);
  await screenshot(page, 'homework-board-teacher-phone');
  const publicPath = await page.getByTestId('board-open-public').getAttribute('href');
  assert.equal(publicPath, `/public/homework/${cls.token}`);
  await context.close();

  // A parent scans the QR code: no login, the class and today's homework, no names of people.
  const parent = await phonePage();
  await parent.page.goto(publicPath);
  const pubEntry = parent.page.getByTestId('pubhw-entry-数学');
  await pubEntry.waitFor();
  assert.ok((await pubEntry.innerText()).includes('练习册第12页第1-5题'));
  assert.ok((await parent.page.getByTestId('pubhw-class').innerText()).includes(cls.name));
  const total = await parent.page.getByTestId('pubhw-total').innerText();
  assert.match(total, /书面作业合计\s*35 分钟/);
  assert.match(total, /标准：/, 'the norm of the class stage is shown');
  const body = await parent.page.locator('body').innerText();
  for (const name of ['孙老师', 'hwphone', '刘校长']) assert.ok(!body.includes(name), `no "${name}" on the public page`);
  await noSidewaysScroll(parent.page);
  await screenshot(parent.page, 'homework-board-public-phone');

  // A wrong link says so plainly.
  await parent.page.goto('/public/homework/' + '0'.repeat(32));
  await parent.page.getByTestId('pubhw-missing').waitFor();
  await parent.context.close();
});
