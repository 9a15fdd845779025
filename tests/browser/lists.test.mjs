// Browser tests for what issue 13 found broken in daily lists: the school's staff list was
// always empty (the UI's offset=0 was refused and the page swallowed the error); case
// timelines showed raw keys and English; a drill-down lost its filters on 返回; a finding's
// class came without its school; the township's heat map had one column and its overview
// read "乡镇 1". Every wait is on a state of the page, never on time.
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
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function withPage(name, fn, options) {
  const { context, page } = await newPage(browser, srv.url, options);
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

test('机构 → 教职工: the school staff list shows rows and pages on', async () => {
  await withPage('60-staff-list', async (page) => {
    await uiLogin(page, 'jiangying');
    const first = page.waitForResponse((r) => /\/api\/v1\/orgs\/\d+\/staff\?/.test(r.url()));
    await page.getByTestId('menu-orgs').click();
    const res = await first;
    assert.match(res.url(), /offset=0/, 'the first page asks for offset 0');
    assert.equal(res.status(), 200, `offset=0 is a valid offset: ${await res.text()}`);
    const rows = page.getByTestId('staff-table').locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 20, 'a full first page of 20');
    assert.equal(await page.getByTestId('staff-error').count(), 0);
    // Page 2 asks for offset 20 and shows other people.
    const firstName = await rows.first().locator('td').nth(1).innerText();
    const second = page.waitForResponse((r) => /\/staff\?.*offset=20/.test(r.url()));
    await page.getByTestId('staff-pager').getByText('2', { exact: true }).click();
    assert.equal((await second).status(), 200);
    await page.getByTestId('staff-table').locator('tbody tr').first().locator('td').nth(1).filter({ hasNotText: firstName }).waitFor();
  });
});

test('a refused staff request is shown with the server’s message, not as an empty list', async () => {
  await withPage('61-staff-error', async (page) => {
    await uiLogin(page, 'jiangying');
    await page.route(/\/api\/v1\/orgs\/\d+\/staff\?/, (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'invalid_argument', message: 'offset 须为 0…1000000000 之间的整数', field: 'offset' } }),
      }),
    );
    await page.getByTestId('menu-orgs').click();
    const err = page.getByTestId('staff-error');
    await err.waitFor();
    assert.match(await err.innerText(), /教职工列表加载失败：offset 须为 0…1000000000 之间的整数/);
    // The rest of the school page still stands.
    await page.locator('[data-testid="class-item"]').first().waitFor();
  });
});

test('a case timeline in Chinese has no raw keys and names people by display name', async () => {
  const leader = await apiLogin(srv.url, 'juzhang');
  // The server's clock sweep escalates the demo's overdue cases when it starts: wait for one.
  let escalated = null;
  for (let i = 0; i < 120 && !escalated; i++) {
    const list = await leader.get('/cases?overdue=1&open=1&limit=200');
    escalated = list.items.find((c) => c.escalation_level > 0);
    if (!escalated) await new Promise((r) => setTimeout(r, 500)); // polling the server's state
  }
  assert.ok(escalated, 'an escalated demo case');
  const detail = await leader.get(`/cases/${escalated.id}`);
  const escalation = detail.events.find((e) => e.kind === 'escalate');
  assert.ok(escalation && escalation.text, JSON.stringify(detail.events).slice(0, 400));
  assert.match(escalation.text.en, /^Overdue: escalated to the /);

  // A complaint a person handled: the petitions office dispatched it.
  const complaints = await leader.get('/cases?type=complaint&limit=100');
  let handled = null;
  for (const c of complaints.items) {
    const d = await leader.get(`/cases/${c.id}`);
    if (d.events.some((e) => e.actor !== 'system' && e.actor !== 'public')) {
      handled = d;
      break;
    }
  }
  assert.ok(handled, 'a complaint handled by a person');
  const person = handled.events.find((e) => e.actor !== 'system' && e.actor !== 'public');
  assert.notEqual(person.actor_label.zh, person.actor, `${person.actor} has a display name`);

  await withPage('62-case-timeline-zh', async (page) => {
    await uiLogin(page, 'juzhang');
    for (const id of [escalated.id, handled.id]) {
      await page.goto(`/cases/${id}`);
      const items = page.getByTestId('timeline-item');
      await items.first().waitFor();
      const texts = await page.getByTestId('timeline-text').allInnerTexts();
      const actors = await page.getByTestId('timeline-actor').allInnerTexts();
      const whole = await page.getByTestId('case-timeline').innerText();
      // No ASCII role or org-kind key, no English sentence, no username.
      const KEYS = /\b(school|township|department|leadership|supervision|petitions|discipline|basic_education|safety|bureau|county|escalated|overdue|reminder)\b/;
      assert.doesNotMatch(whole, KEYS, whole);
      for (const a of actors) assert.doesNotMatch(a.trim(), /^[a-z][a-z0-9._-]*$/, `actor shown by username: ${a}`);
      if (id === escalated.id) {
        assert.ok(texts.some((x) => /^逾期未办，升级至.+督办，对承办单位（.+）书面批评$/.test(x)), texts.join(' | '));
        assert.ok(texts.some((x) => /^已超过办理期限（\d{4}-\d{2}-\d{2}），催办$/.test(x)), texts.join(' | '));
        assert.ok(actors.includes('系统'), actors.join(' | '));
      } else {
        assert.ok(actors.includes(person.actor_label.zh), `${person.actor_label.zh} in ${actors.join(' | ')}`);
      }
    }
  });
  await withPage('63-case-timeline-en', async (page) => {
    await uiLogin(page, 'juzhang');
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('lang-switch').filter({ hasText: '中文' }).waitFor();
    await page.goto(`/cases/${escalated.id}`);
    await page.getByTestId('timeline-text').first().waitFor();
    const texts = await page.getByTestId('timeline-text').allInnerTexts();
    for (const x of texts) assert.doesNotMatch(x, /[\u4e00-\u9fff]/, `English text: ${x}`);
    assert.ok(texts.some((x) => x.startsWith('Overdue: escalated to the ')), texts.join(' | '));
  });
});

test('a drill-down keeps its filters on 返回; a class is shown with its school', async () => {
  await withPage('64-drilldown-back', async (page) => {
    await uiLogin(page, 'juzhang');
    await page.getByTestId('menu-compliance').click();
    await page.getByTestId('findings-table').locator('tbody tr').first().waitFor();
    // Clause 25 (homework, per class), open findings only.
    await page.getByTestId('filter-clause').click();
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^第25条$/ }).click();
    await page.waitForURL(/clause=25/);
    await page.getByTestId('filter-status').click();
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^未整改$/ }).click();
    await page.waitForURL(/status=open/);
    const rows = page.getByTestId('findings-table').locator('tbody tr');
    await rows.first().waitFor();
    const entity = await rows.first().getByTestId('finding-entity').innerText();
    assert.match(entity, /^.+(学校|中学|小学|学区|中心学校) · .+班$/, `a class with its school: ${entity}`);
    const url = page.url();
    await rows.first().click();
    await page.getByTestId('finding-back').waitFor();
    await page.getByTestId('finding-back').click();
    await page.waitForURL(url);
    assert.match(page.url(), /clause=25/);
    assert.match(page.url(), /status=open/);
    await page.getByTestId('findings-table').locator('tbody tr').first().waitFor();
    assert.match(await page.getByTestId('filter-clause').innerText(), /第25条/);
    for (const cell of await page.getByTestId('finding-clause').allInnerTexts()) assert.equal(cell.trim(), '25');
  });

  await withPage('65-case-list-back', async (page) => {
    await uiLogin(page, 'juzhang');
    await page.goto('/cases?tab=all&type=complaint');
    const rows = page.locator('[data-testid="case-list-page"] tbody tr');
    await rows.first().waitFor();
    await rows.first().click();
    await page.getByTestId('case-back').waitFor();
    await page.getByTestId('case-back').click();
    await page.waitForURL(/\/cases\?/);
    assert.match(page.url(), /tab=all/);
    assert.match(page.url(), /type=complaint/);
  });
});

test('a township sees its own name, a heat map by school, and its schools on the overview', async () => {
  await withPage('66-township-overview', async (page) => {
    await uiLogin(page, 'dongping');
    await page.getByTestId('menu-overview').click();
    const kpi = page.getByTestId('kpi-township');
    await kpi.waitFor();
    assert.match(await kpi.innerText(), /乡镇\s*东坪镇/);
    assert.equal(await page.getByTestId('kpi-townships').count(), 0, 'no "乡镇 1" count');
    await page.locator('[data-testid="chart-township"] canvas').first().waitFor();

    const summary = page.waitForResponse((r) => /\/api\/v1\/findings\/summary\?by=unit/.test(r.url()));
    await page.getByTestId('menu-compliance').click();
    const body = await (await summary).json();
    const columns = new Set(body.items.map((r) => (r.unit ? r.unit.id : 0)));
    assert.ok(columns.size > 1, `a column per school: ${[...columns].join(',')}`);
    for (const r of body.items) assert.ok(r.unit && r.unit.name, JSON.stringify(r));
    await page.getByTestId('heatmap').locator('canvas').first().waitFor();
  });
  for (const [name, viewport] of [['67-township-overview-phone', { width: 390, height: 844 }]]) {
    const { context, page } = await newPage(browser, srv.url);
    try {
      await page.setViewportSize(viewport);
      await uiLogin(page, 'dongping');
      await page.goto('/overview');
      await page.getByTestId('kpi-township').waitFor();
      await page.locator('[data-testid="chart-township"] canvas').first().waitFor();
      await screenshot(page, name);
    } finally {
      await context.close();
    }
  }
});
