// "Double random, one public" in the browser: the bureau (juzhang) publishes
// a plan's commitment and draws on the 双随机抽查 page; the no-login
// /public/inspections page shows the drawn schools and inspectors' names.
// Screenshots: tests/artifacts/draws-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin } from '../lib/server.mjs';
import { launchBrowser, newPage, screenshot, uiLogin } from '../lib/browser.mjs';

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

function chinaTime(secs) {
  const d = new Date(Date.now() + secs * 1000 + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 19) + '+08:00';
}

test('the bureau commits and draws; the public page shows the result', async () => {
  const api = await apiLogin(srv.url, 'juzhang');
  const staff = await api.get(`/orgs/${api.user.org_id}/staff?limit=10`);
  const plan = await api.post('/draws', {
    name: '2025年秋季“双随机、一公开”检查', year: 2025, strata: ['township'],
    inspectors: staff.items.map((s) => s.code), draw_at: chinaTime(8), announced: '体彩排列五第 25300 期开奖号码',
  });

  const { context, page } = await newPage(browser, srv.url);
  await uiLogin(page, 'juzhang');
  await page.getByTestId('menu-draws').click();
  await page.getByTestId('draws-page').waitFor();
  const row = page.getByTestId('draws-plan-' + plan.id);
  await row.getByTestId('draws-commit').click();
  await page.locator('.el-message-box__btns .el-button--primary').click();
  await row.getByTestId('draws-commitment').waitFor();
  await screenshot(page, 'draws-committed');

  await page.waitForTimeout(8500);  // the draw time fixed in advance
  await row.getByTestId('draws-draw').click();
  await row.getByTestId('draws-seed').waitFor();
  await row.getByTestId('draws-result').waitFor();
  const drawnRows = await row.locator('[data-testid="draws-result"] tbody tr').count();
  assert.ok(drawnRows > 0);
  await screenshot(page, 'draws-bureau-drawn');
  await context.close();

  // No login: the public page lists the draw with school and inspector names.
  const pub = await newPage(browser, srv.url);
  await pub.page.goto('/public/inspections');
  const card = pub.page.getByTestId('public-draw-' + plan.id);
  await card.getByTestId('public-draw-result').waitFor();
  assert.equal(await card.locator('tbody tr').count(), drawnRows);
  const text = await card.innerText();
  assert.ok(text.includes('已抽取'), text);
  await screenshot(pub.page, 'draws-public');
  await pub.context.close();
});
