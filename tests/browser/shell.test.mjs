// Browser tests for the web shell: login, role-scoped menu, overview charts, org browser scope,
// language switch, and server error messages. One real edugov server for the file; a fresh
// browser context (cookies, localStorage) per test.
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
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// Runs `fn(page)` in a fresh context; saves a screenshot whatever happens.
async function withPage(name, fn, opts) {
  const { context, page } = await newPage(browser, srv.url, opts);
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

test('bureau leader sees the Chinese shell, the overview charts and 23 townships', async () => {
  await withPage('01-juzhang-overview', async (page) => {
    await uiLogin(page, 'juzhang');
    // Chinese by default; the bureau menu.
    await page.getByTestId('menu-overview').filter({ hasText: '全县总览' }).waitFor();
    for (const key of ['orgs', 'users', 'audit']) {
      assert.equal(await page.getByTestId(`menu-${key}`).count(), 1, `menu ${key} shown to bureau_leader`);
    }
    assert.equal(await page.getByTestId('menu-my-org').count(), 0);
    await page.getByTestId('product-name').filter({ hasText: '教育治理平台 edugov' }).waitFor();
    await page.getByTestId('user-org').filter({ hasText: '安化县教育局' }).waitFor();

    // Overview: KPI cards and both charts drawn on canvas.
    await page.getByTestId('overview-page').waitFor();
    await page.getByTestId('kpi-schools').waitFor();
    await page.locator('[data-testid="chart-township"] canvas').first().waitFor();
    await page.locator('[data-testid="chart-stage"] canvas').first().waitFor();
    await screenshot(page, '01-juzhang-overview-charts');

    // Org browser: the county's townships.
    await page.getByTestId('menu-orgs').click();
    await page.getByTestId('children-table').waitFor();
    await page.locator('[data-testid="children-table"] tr.kind-township').first().waitFor();
    assert.equal(await page.locator('[data-testid="children-table"] tr.kind-township').count(), 23);

    // The name filter narrows the table.
    const first = (await page.locator('[data-testid="children-table"] tr.kind-township [data-testid="child-link"]').first().innerText()).trim();
    await page.locator('[data-testid="org-filter"] input, input[data-testid="org-filter"]').first().fill(first);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="children-table"] tr.kind-township').length === 1,
    );
  });
});

test('a school user sees only its own school; another school by URL shows not-found', async () => {
  // Setup through the API as the bureau leader: the id of a school that is not 江英学校.
  const leader = await apiLogin(srv.url, 'juzhang');
  const county = leader.user.org_id;
  let other = null;
  const townships = (await leader.get(`/orgs/${county}/children`)).items;
  for (const t of townships) {
    const schools = (await leader.get(`/orgs/${t.id}/children`)).items.filter((o) => o.kind === 'school');
    other = schools.find((s) => s.name !== '江英学校');
    if (other) break;
  }
  assert.ok(other, 'found another school');

  await withPage('02-jiangying-scope', async (page) => {
    await uiLogin(page, 'jiangying');
    // School roles: 本校 + 机构, no overview/users/audit.
    await page.getByTestId('menu-my-org').waitFor();
    for (const key of ['overview', 'users', 'audit']) {
      assert.equal(await page.getByTestId(`menu-${key}`).count(), 0, `menu ${key} hidden from school`);
    }
    await page.getByTestId('menu-orgs').click();
    await page.getByTestId('org-name').filter({ hasText: '江英学校' }).waitFor();
    await page.locator('[data-testid="class-item"]').first().waitFor();
    assert.ok((await page.locator('[data-testid="class-item"]').count()) > 0, 'classes listed');
    await page.getByTestId('staff-table').waitFor();
    await screenshot(page, '02-jiangying-school');

    // No link leaves the school: every org link points at the user's own org.
    const me = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user);
    const hrefs = await page.locator('a[href*="/orgs/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const h of hrefs) assert.equal(h, `/orgs/${me.org_id}`, `link ${h} stays inside the school`);
    const crumbs = await page.getByTestId('org-breadcrumb').innerText();
    assert.ok(!crumbs.includes('教育局') && !crumbs.includes('中心学校'), `breadcrumb starts at the school: ${crumbs}`);

    // Another school's page by URL: an error page, not its data.
    await page.goto(`/orgs/${other.id}`);
    await page.getByTestId('org-not-found').waitFor();
    assert.equal(await page.getByTestId('org-name').count(), 0);
    assert.ok(!(await page.locator('body').innerText()).includes(other.name), 'other school name not shown');
  });
});

test('language switch to English and back, remembered across reloads', async () => {
  await withPage('03-language-switch', async (page) => {
    await uiLogin(page, 'dudao');
    await page.getByTestId('menu-overview').filter({ hasText: '全县总览' }).waitFor();
    // bureau_dept supervision: audit yes, users no.
    assert.equal(await page.getByTestId('menu-audit').count(), 1);
    assert.equal(await page.getByTestId('menu-users').count(), 0);

    await page.getByTestId('lang-switch').click();
    await page.getByTestId('menu-overview').filter({ hasText: 'County overview' }).waitFor();
    await page.getByTestId('menu-orgs').filter({ hasText: 'Organisations' }).waitFor();
    await page.getByTestId('logout').filter({ hasText: 'Log out' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');

    // Remembered: reload, still English, and requests now ask for English.
    const apiRequest = page.waitForRequest((r) => r.url().includes('/api/v1/'));
    await page.reload();
    const req = await apiRequest;
    assert.match(req.headers()['accept-language'] || '', /^en/);
    await page.getByTestId('menu-overview').filter({ hasText: 'County overview' }).waitFor();
    await page.getByTestId('kpi-schools').filter({ hasText: 'Schools' }).waitFor();
    await screenshot(page, '03-language-switch-en');

    await page.getByTestId('lang-switch').click();
    await page.getByTestId('menu-overview').filter({ hasText: '全县总览' }).waitFor();
    await page.getByTestId('logout').filter({ hasText: '退出登录' }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('edugov.lang')), 'zh-CN');
  });
});

test("a wrong password shows the server's error message, in the UI language", async () => {
  await withPage('04-wrong-password', async (page) => {
    await page.goto('/login');
    await page.locator('input[name="username"]').fill('meicheng');
    await page.locator('input[name="password"]').fill('not-the-password');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
      page.getByTestId('login-submit').click(),
    ]);
    assert.ok(res.status() >= 400 && res.status() < 500, `login refused (${res.status()})`);
    assert.match(res.request().headers()['accept-language'] || '', /^zh/);
    const body = await res.json();
    assert.ok(body.error && body.error.message, 'server sent error.message');
    const alert = page.getByTestId('login-error');
    await alert.filter({ hasText: body.error.message }).waitFor();
    assert.equal(await page.getByTestId('side-menu').count(), 0, 'not logged in');

    // Same in English: the request asks for English and the page shows what the server said.
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('login-submit').filter({ hasText: 'Log in' }).waitFor();
    const [res2] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
      page.getByTestId('login-submit').click(),
    ]);
    assert.match(res2.request().headers()['accept-language'] || '', /^en/);
    const body2 = await res2.json();
    await alert.filter({ hasText: body2.error.message }).waitFor();
  });
});

test('bureau leader creates and disables a user; the audit log shows it', async () => {
  await withPage('05-users-audit', async (page) => {
    await uiLogin(page, 'juzhang');
    const me = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user);
    await page.getByTestId('menu-users').click();
    await page.locator('[data-testid="users-table"] tbody tr').first().waitFor();

    await page.getByTestId('user-create').click();
    const dialog = page.locator('.el-dialog').filter({ has: page.getByTestId('new-submit') });
    await dialog.waitFor();
    const field = (id) => page.locator(`[data-testid="${id}"] input, input[data-testid="${id}"]`).first();
    await field('new-username').fill('uitest_anquan');
    await field('new-display-name').fill('界面测试安全员');
    // Role: bureau_dept (局机关科室); department: safety (安全).
    await page.getByTestId('new-role').click();
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '局机关科室' }).click();
    await page.getByTestId('new-department').click();
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^安全$/ }).click();
    await field('new-org-id').fill(String(me.org_id));
    await field('new-password').fill('Uitest@2025-pass');
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST'),
      page.getByTestId('new-submit').click(),
    ]);
    assert.equal(created.status(), 201, `create user: ${await created.text()}`);
    assert.ok(created.request().headers()['x-csrf-token'], 'X-CSRF-Token sent');
    const row = page.locator('[data-testid="users-table"] tbody tr').filter({ hasText: 'uitest_anquan' });
    await row.waitFor();

    await page.getByTestId('disable-uitest_anquan').click();
    const [disabled] = await Promise.all([
      page.waitForResponse((r) => /\/api\/v1\/users\/[^/]+\/disable$/.test(r.url())),
      page.locator('.el-message-box__btns .el-button--primary').click(),
    ]);
    assert.equal(disabled.status(), 204, 'disable user');
    await row.filter({ hasText: '已停用' }).waitFor();

    // The audit log has entries; the newest is about that user, with before/after JSON.
    await page.getByTestId('menu-audit').click();
    const first = page.locator('[data-testid="audit-table"] tbody tr.el-table__row').first();
    await first.waitFor();
    await first.locator('.el-table__expand-icon').click();
    await page.locator('[data-testid="audit-table"] pre.json').first().waitFor();
  });
});

test('a township user sees its township overview and its schools only', async () => {
  await withPage('06-dongping-township', async (page) => {
    await uiLogin(page, 'dongping');
    await page.getByTestId('menu-overview').filter({ hasText: '本镇总览' }).waitFor();
    for (const key of ['users', 'audit', 'my-org']) {
      assert.equal(await page.getByTestId(`menu-${key}`).count(), 0, `menu ${key} hidden from township`);
    }
    await page.locator('[data-testid="chart-township"] canvas').first().waitFor();
    await page.getByTestId('menu-orgs').click();
    await page.getByTestId('org-name').filter({ hasText: '东坪镇中心学校' }).waitFor();
    const rows = page.locator('[data-testid="children-table"] tr.kind-school');
    await rows.first().waitFor();
    assert.ok((await rows.count()) > 0, 'schools listed');
    // The breadcrumb starts at the township: nothing above it is shown or linked.
    const crumbs = await page.getByTestId('org-breadcrumb').innerText();
    assert.ok(!crumbs.includes('教育局'), `breadcrumb starts at the township: ${crumbs}`);
    // Into a school and back up through the breadcrumb.
    const name = (await rows.first().getByTestId('child-link').innerText()).trim();
    await rows.first().getByTestId('child-link').click();
    await page.getByTestId('org-name').filter({ hasText: name }).waitFor();
    await page.getByTestId('org-breadcrumb').getByText('东坪镇中心学校').click();
    await page.getByTestId('children-table').waitFor();
  });
});
