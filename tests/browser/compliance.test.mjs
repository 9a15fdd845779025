// Browser test for the compliance pages, in real Chromium: a teacher
// records written homework for a grade-1 class and the clause-25 finding
// appears at once — on the entry page and in the school's findings, whose
// page quotes the plan's sentence beside the evidence row; the bureau's heat
// map renders; the target board lists the principals' rural-years target
// (clause 21) with its progress and deadline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiLogin, runEdugov } from '../lib/server.mjs';
import { launchBrowser, newPage, screenshot, uiLogin } from '../lib/browser.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer({ cases: false });
  await runEdugov(['check', '--db', srv.dbUrl]); // the sweep: the heat map has something to show
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function withPage(name, fn) {
  const { context, page } = await newPage(browser, srv.url);
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

const QUOTE = '小学一二年级不布置书面家庭作业';

test('a teacher records written homework for grade 1 and sees the clause-25 finding with its quoted sentence', async () => {
  const api = await apiLogin(srv.url, 'laoshi');
  const classes = (await api.get(`/orgs/${api.user.org_id}/classes`)).items;
  const cls = classes.find((c) => c.grade === 1);
  assert.ok(cls, '江英学校 has a grade-1 class');

  await withPage('30-compliance-homework', async (page) => {
    await uiLogin(page, 'laoshi');
    await page.getByTestId('menu-homework-entry').filter({ hasText: '作业公示填报' }).click();
    await page.getByTestId('homework-page').waitFor();

    await page.getByTestId('hw-class').click();
    await page.getByTestId(`hw-class-${cls.id}`).click();
    const date = page.getByTestId('hw-date').locator('input').first();
    await date.fill('2025-11-12');
    await date.press('Enter');
    const minutes = page.getByTestId('hw-minutes').locator('input');
    await minutes.fill('30');
    await minutes.press('Tab');

    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/datasets/homework/rows'));
    await page.getByTestId('hw-submit').click();
    const res = await saved;
    // The demo semester already holds the class's 0-minute row for the day: replaced.
    assert.equal(res.status(), 200, await res.text());

    // At once, on the entry page: the finding with its clause and the plan's sentence.
    const found = page.getByTestId('hw-findings');
    await found.waitFor();
    const text = await found.innerText();
    assert.match(text, /第25条/);
    assert.ok(text.includes(QUOTE), text);
    await screenshot(page, '30-compliance-homework-finding');

    // In the school's findings: clause 25, and its page quotes the sentence beside the evidence.
    await page.getByTestId('menu-compliance').filter({ hasText: '合规监测' }).click();
    await page.getByTestId('compliance-page').waitFor();
    await page.getByTestId('filter-clause').click();
    await page.locator('.el-select-dropdown__item').filter({ hasText: '第25条' }).click();
    // The demo semester gives other classes of the school clause-25 days too: this class's row.
    const row = page.getByTestId('findings-table').locator('tbody tr')
      .filter({ has: page.locator('[data-rule="homework-grades-1-2-none"]') }).filter({ hasText: cls.name });
    await row.first().waitFor();
    assert.ok((await row.first().innerText()).includes(cls.name));
    await row.first().click();
    await page.getByTestId('finding-page').waitFor();
    assert.match(await page.getByTestId('finding-clause-no').innerText(), /第25条/);
    assert.ok((await page.getByTestId('clause-text').innerText()).includes(QUOTE));
    const evidence = await page.getByTestId('evidence-table').innerText();
    assert.ok(evidence.includes('2025-11-12'), evidence);
    assert.ok(evidence.includes('30'), evidence);
    assert.ok(evidence.includes(cls.name), evidence);
    assert.equal(await page.getByTestId('finding-status').innerText(), '未整改');
    await screenshot(page, '31-compliance-finding');
  });
});

test('the bureau sees the heat map and the trend; the target board shows clause 21 with its progress', async () => {
  await withPage('32-compliance-dashboard', async (page) => {
    await uiLogin(page, 'juzhang');
    await page.getByTestId('menu-compliance').filter({ hasText: '合规监测' }).click();
    const heat = page.getByTestId('heatmap');
    await heat.locator('canvas').first().waitFor();
    const box = await heat.boundingBox();
    assert.ok(box && box.width > 200 && box.height > 200, 'the heat map has a size');
    await page.getByTestId('trend-chart').locator('canvas').first().waitFor();
    assert.ok((await page.getByTestId('findings-table').locator('tbody tr').count()) > 0);
    await screenshot(page, '32-compliance-heatmap');

    // Drill down (what a click on a heat-map cell sets): clause 25 in 江英学校's township,
    // then the school — the homework finding recorded by the teacher above.
    const school = await apiLogin(srv.url, 'jiangying');
    const org = await school.get(`/orgs/${school.user.org_id}`);
    const townshipId = org.parent_id ?? org.org?.parent_id;
    assert.ok(townshipId, JSON.stringify(org).slice(0, 200));
    await page.goto(`/compliance?clause=25&township=${townshipId}&township_name=x`);
    await page.getByTestId('filter-township').waitFor();
    await page.getByTestId('filter-school').click();
    await page.locator('.el-select-dropdown__item').filter({ hasText: '江英学校' }).click();
    const hw = page.getByTestId('findings-table').locator('tbody tr').filter({ has: page.locator('[data-rule="homework-grades-1-2-none"]') });
    await hw.first().waitFor();
    await hw.first().click();
    await page.getByTestId('clause-text').filter({ hasText: QUOTE }).waitFor();
    await page.goBack();
    await page.getByTestId('filter-township').waitFor();

    // What-if: written homework allowed up to 60 minutes for grades 1–2 — nothing is saved.
    await page.getByTestId('what-if-name').click();
    await page.locator('.el-select-dropdown__item').filter({ hasText: 'max_written_minutes_grades_1_2' }).click();
    const wi = page.waitForResponse((r) => r.url().endsWith('/api/v1/what-if'));
    await page.getByTestId('what-if-value').locator('input').fill('60');
    await page.getByTestId('what-if-value').locator('input').press('Tab');
    await page.getByTestId('what-if-run').click();
    const body = await (await wi).json();
    assert.equal(body.params.max_written_minutes_grades_1_2, 60);
    const result = await page.getByTestId('what-if-result').innerText();
    assert.ok(result.includes('小学一二年级不布置书面家庭作业'), result);

    await page.getByTestId('menu-targets').filter({ hasText: '目标进度' }).click();
    const card = page.getByTestId('target-principals-rural-experience');
    await card.waitFor();
    const text = await card.innerText();
    assert.match(text, /第21条/);
    assert.ok(text.includes('农村学校任教经历'), text);
    assert.match(await card.getByTestId('target-deadline').innerText(), /2025-12-31/);
    assert.match(await card.getByTestId('target-status').innerText(), /^(按期推进|存在风险|已达成|未达成)$/);
    assert.match(await card.getByTestId('target-measured').innerText(), /\d/);
    await card.locator('.el-progress').waitFor();
    await screenshot(page, '33-compliance-targets');
  });
});

test('a school imports a homework CSV and sees the error report of the rejected row', async () => {
  const api = await apiLogin(srv.url, 'jiangying');
  const cls = (await api.get(`/orgs/${api.user.org_id}/classes`)).items.find((c) => c.grade >= 3 && c.grade <= 6);
  assert.ok(cls);
  const csv = `班级,日期,书面作业时长（分钟）,是否使用手机布置\n${cls.id},2025-11-17,40,否\n${cls.id},2025-11-18,900,否\n`;
  await withPage('34-compliance-import', async (page) => {
    await uiLogin(page, 'jiangying');
    await page.getByTestId('menu-data-import').filter({ hasText: '数据导入' }).click();
    await page.getByTestId('import-page').waitFor();
    await page.getByTestId('import-columns').filter({ hasText: '书面作业时长' }).waitFor(); // homework is the first dataset
    await page.getByTestId('import-file').setInputFiles({ name: '作业.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const done = page.waitForResponse((r) => r.url().includes('/api/v1/datasets/homework/import'));
    await page.getByTestId('import-submit').click();
    const res = await done;
    assert.equal(res.status(), 422);
    // The good row landed: the server checks the data at once, a sweep job the page names.
    const sweep = (await res.json()).sweep;
    assert.ok(sweep && sweep.id && sweep.trigger === 'import', JSON.stringify(sweep));
    await page.getByTestId('import-sweep').filter({ hasText: `#${sweep.id}` }).waitFor();
    await page.getByTestId('import-report').waitFor();
    assert.equal(await page.getByTestId('import-ok').innerText(), '1');
    assert.equal(await page.getByTestId('import-rejected').innerText(), '1');
    const problems = await page.getByTestId('import-problems').innerText();
    assert.ok(problems.includes('900'), problems);
    assert.match(problems, /\b3\b/); // the clerk's row number (the header is row 1)
    const link = page.getByTestId('import-errors-csv');
    assert.match(await link.getAttribute('href'), /^\/api\/v1\/imports\/\d+\/errors\.csv$/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = await download.path();
    const text = (await import('node:fs')).readFileSync(path, 'utf8');
    assert.ok(text.includes('错误原因') && text.includes('900'), text);
    await screenshot(page, '34-compliance-import-report');

    // 合规监测 follows that check to its end (or shows it ended): 上次检查, after import.
    await page.getByTestId('import-sweep-link').click();
    await page.locator(`[data-testid="sweep-last-state"][data-job="${sweep.id}"]`).filter({ hasText: '已完成' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('sweep-last').filter({ hasText: '数据导入后' }).waitFor();
    assert.equal(await page.getByTestId('sweep-result').count(), 0, "a school reads its own findings, not the county's counts");
  });
});
