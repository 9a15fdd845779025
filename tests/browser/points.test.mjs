// Teacher points (教师积分) in the browser: on a 390 px phone a teacher reads
// their own points and files an objection (a points_objection case opens);
// the school's principal sees the standings with the one-vote veto and
// eligibility. Screenshots: tests/artifacts/points-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin } from '../lib/server.mjs';
import { launchBrowser, newPage, screenshot, uiLogin } from '../lib/browser.mjs';

let srv;
let browser;
before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The school year under way in China (September starts one), as the page defaults to it.
function schoolYear() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  return d.getUTCMonth() >= 8 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
}

test('a teacher reads their points and objects on a phone; the school sees the standings', async () => {
  const bureau = await apiLogin(srv.url, 'juzhang');
  const school = await apiLogin(srv.url, 'jiangying');
  const schoolId = school.user.org_id;
  const staff = await bureau.post(`/orgs/${schoolId}/staff`, {
    code: 'wulaoshi', name: '吴老师', gender: 'female', hired_on: '2012-09-01', posts: ['teacher'],
  });
  await bureau.post('/users', { username: 'wulaoshi', display_name: '江英学校吴老师', role: 'teacher', org_id: schoolId, password: 'Edugov@2025' });
  const year = schoolYear();
  const entry = await school.post('/points/entries', {
    staff_id: staff.id, school_year: year, rule_id: 'extra_lessons', quantity: 3, evidence: '教务处课时统计表(第一学期)',
  });
  await bureau.post('/points/entries', { staff_id: staff.id, school_year: year, rule_id: 'award_county', evidence: '安教发〔2025〕12 号' });

  const { context, page } = await newPage(browser, srv.url);
  await page.setViewportSize({ width: 390, height: 844 });
  await uiLogin(page, 'wulaoshi');
  await page.goto('/points');
  const mine = page.getByTestId('points-mine');
  await mine.waitFor();
  assert.equal(await page.getByTestId('points-total').innerText(), '合计 68 分');
  const card = page.getByTestId('points-entry-' + entry.seq);
  assert.match(await card.innerText(), /超工作量授课[\s\S]*\+3[\s\S]*教务处课时统计表/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scrolling at 390 px (page is ${width} px wide)`);
  await screenshot(page, 'points-teacher-phone');

  await card.getByTestId('points-object').click();
  await page.locator('.el-message-box textarea').fill('实际超课时 40 节,应计 4 分');
  await page.locator('.el-message-box__btns .el-button--primary').click();
  const link = card.getByTestId('points-objected');
  await link.waitFor();
  assert.match(await link.innerText(), /已提出异议/);
  await screenshot(page, 'points-teacher-objected');
  await context.close();

  // The objection is a case the school sees.
  const cases = await school.get('/cases?type=points_objection');
  assert.ok(cases.items.some((c) => c.staff_id === staff.id || c.title.includes(String(entry.seq))), JSON.stringify(cases.items));

  const head = await newPage(browser, srv.url);
  await uiLogin(head.page, 'jiangying');
  await head.page.goto('/points');
  const table = head.page.getByTestId('points-standings');
  await table.waitFor();
  const row = table.locator('tr', { hasText: '吴老师' });
  await row.waitFor();
  assert.match(await row.innerText(), /68/);
  assert.match(await row.innerText(), /✓ 资格注册/);
  await screenshot(head.page, 'points-school-standings');
  await head.context.close();
});
