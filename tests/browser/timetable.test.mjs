// Browser test for the 课表 page: a school principal generates a demo school,
// solves it, reads the class timetable (with the reserved 大课间 band),
// switches to the teacher view, and sees the menu; a teacher account does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
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

test('jiangying generates and solves a junior school, views it by class and by teacher', async () => {
  await withPage('20-timetable-teacher', async (page) => {
    await uiLogin(page, 'jiangying');
    await page.getByTestId('menu-timetable').filter({ hasText: '课表' }).click();
    await page.getByTestId('timetable-page').waitFor();

    // The page submits a job (?async=1 → 202) and polls it until it is done.
    const submitted = page.waitForResponse((r) => r.url().includes('/api/v1/timetable/generate'), { timeout: 60_000 });
    await page.getByTestId('tt-generate').click();
    const sub = await submitted;
    assert.equal(sub.status(), 202);
    assert.match(sub.url(), /[?&]async=1/);
    const { id } = await sub.json();
    assert.ok(id, 'the 202 names the job');
    await page.waitForResponse((r) => r.url().endsWith(`/api/v1/timetable/jobs/${id}`) && r.request().method() === 'GET',
      { timeout: 60_000 });
    await page.locator('[data-testid="tt-job-state"][data-state="done"]').waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('tt-job-state').innerText(), /已完成/);
    assert.match(await page.getByTestId('tt-job-finished').innerText(), /用时 [\d.]+ 秒/);
    assert.match(await page.getByTestId('tt-job-progress').innerText(), /硬冲突 \d+ · 软代价/);
    assert.equal(await page.getByTestId('tt-cancel').count(), 0, 'no cancel button once finished');

    await page.getByTestId('tt-hard').filter({ hasText: '硬冲突 0' }).waitFor();
    const grid = page.getByTestId('tt-grid');
    await grid.waitFor();
    // Chinese layout: 星期一…星期五 across, periods with their times, 大课间 as a band.
    const head = await grid.locator('thead').innerText();
    for (const d of ['节次', '星期一', '星期五']) assert.ok(head.includes(d), `header has ${d}`);
    assert.match(await grid.locator('tbody').innerText(), /第1节\s+\d\d:\d\d–\d\d:\d\d/);
    await page.getByTestId('tt-reserved').filter({ hasText: '大课间' }).first().waitFor();
    assert.ok((await page.getByTestId('tt-reserved').filter({ hasText: '眼保健操' }).count()) >= 1);
    assert.match(await page.getByTestId('tt-grid-title').innerText(), /7年级1班 课程表/);
    const filled = await grid.locator('[data-testid="tt-cell"] .subject').count();
    assert.ok(filled > 20, `a week of lessons (${filled})`);
    await grid.scrollIntoViewIfNeeded();
    await screenshot(page, '20-timetable-class');

    // By teacher: the title names a teacher and the cells name classes.
    await page.getByTestId('tt-kind-teacher').click();
    await page.getByTestId('tt-grid-title').filter({ hasText: '教师' }).waitFor();
    const who = await grid.locator('[data-testid="tt-cell"] .who').first().innerText();
    assert.match(who, /年级\d+班/);

    // Another teacher through the select.
    const before = await page.getByTestId('tt-grid-title').innerText();
    await page.getByTestId('tt-entity').click();
    await page.locator('.el-select-dropdown__item:visible').nth(1).click();
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid="tt-grid-title"]').innerText !== t,
      before,
    );

    // By room.
    await page.getByTestId('tt-kind-room').click();
    await page.getByTestId('tt-grid-title').filter({ hasText: '使用表' }).waitFor();
    await page.getByTestId('tt-kind-teacher').click();
    await page.getByTestId('tt-grid-title').filter({ hasText: '教师' }).waitFor();

    await grid.scrollIntoViewIfNeeded();

    // Download the XLSX.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('tt-download-xlsx').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'timetables.xlsx');
  });
});

// A timetable no solver can finish: one teacher, one class, nine lessons in
// six periods. The solver keeps trying (hard conflicts stay) until its time
// limit, so the job is surely still running when 取消任务 is clicked. (The
// test used to generate a 48-class school and hope the solver was still
// improving; it reaches the optimum in about a second, so on a busy machine
// the job was sometimes done before the click — about one run in five.)
function unsolvableFet() {
  const activities = Array.from({ length: 9 }, (_, i) =>
    `<Activity><Teacher>T1</Teacher><Subject>Math</Subject><Students>Y1</Students><Duration>1</Duration>` +
    `<Total_Duration>1</Total_Duration><Id>${i + 1}</Id><Activity_Group_Id>0</Activity_Group_Id><Active>true</Active></Activity>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<fet version="6.8.5">
<Days_List><Number_of_Days>2</Number_of_Days><Day><Name>Mon</Name></Day><Day><Name>Tue</Name></Day></Days_List>
<Hours_List><Number_of_Hours>3</Number_of_Hours><Hour><Name>1</Name></Hour><Hour><Name>2</Name></Hour><Hour><Name>3</Name></Hour></Hours_List>
<Subjects_List><Subject><Name>Math</Name></Subject></Subjects_List>
<Teachers_List><Teacher><Name>T1</Name></Teacher></Teachers_List>
<Students_List><Year><Name>Y1</Name><Number_of_Students>30</Number_of_Students></Year></Students_List>
<Activities_List>
${activities}
</Activities_List>
<Rooms_List><Room><Name>R1</Name><Capacity>40</Capacity></Room></Rooms_List>
<Time_Constraints_List><ConstraintBasicCompulsoryTime><Weight_Percentage>100</Weight_Percentage><Active>true</Active></ConstraintBasicCompulsoryTime></Time_Constraints_List>
<Space_Constraints_List><ConstraintBasicCompulsorySpace><Weight_Percentage>100</Weight_Percentage><Active>true</Active></ConstraintBasicCompulsorySpace></Space_Constraints_List>
</fet>
`;
}

test('a long solve shows its progress while it runs and stops on 取消任务', async () => {
  await withPage('23-timetable-cancel', async (page) => {
    await uiLogin(page, 'jiangying');
    await page.goto('/timetable');
    await page.getByTestId('timetable-page').waitFor();
    await page.getByTestId('tt-time-limit').locator('input').fill('30');
    await page.getByTestId('tt-time-limit').locator('input').blur();
    await page.getByTestId('tt-file').setInputFiles({
      name: 'over-full.fet',
      mimeType: 'application/xml',
      buffer: Buffer.from(unsolvableFet()),
    });
    await page.getByTestId('tt-solve').click();
    await page.locator('[data-testid="tt-job-state"][data-state="running"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('tt-job-progress').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('tt-job-progress').innerText(), /[\d.]+ 秒 · 硬冲突 [1-9]\d* · 软代价/);
    const cancelled = page.waitForResponse((r) => /\/api\/v1\/timetable\/jobs\//.test(r.url()) && r.request().method() === 'DELETE');
    await page.getByTestId('tt-cancel').click();
    assert.equal((await cancelled).status(), 200);
    // The solver honours the cancel between moves; the page shows the state the poll reads.
    await page.locator('[data-testid="tt-job-state"][data-state="cancelled"]').waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('tt-error').innerText(), /任务已取消/);
    assert.equal(await page.getByTestId('tt-cancel').count(), 0);
  });
});

test('a bad .fet upload shows the line-numbered error; the teacher account has no 课表 menu', async () => {
  await withPage('21-timetable-bad-upload', async (page) => {
    await uiLogin(page, 'jiangying');
    await page.goto('/timetable');
    await page.getByTestId('tt-file').setInputFiles({
      name: 'broken.fet',
      mimeType: 'application/xml',
      buffer: Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<fet version="6.8.5">\n<Days_List>\n'),
    });
    await page.getByTestId('tt-check').click();
    await page.getByTestId('tt-error').waitFor();
    // The importer's message, naming the file and the line.
    assert.match(await page.getByTestId('tt-error').innerText(), /broken\.fet.*第\d+行/);
  });
  await withPage('22-timetable-teacher-no-menu', async (page) => {
    await uiLogin(page, 'laoshi');
    assert.equal(await page.getByTestId('menu-timetable').count(), 0);
  });
});
