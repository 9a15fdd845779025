// Browser test of the compliance loop run by the server itself (data → finding → rectification →
// the school fixes it → verified → closed), in real Chromium against the real server:
//   1. a teacher records written homework for a grade-1 class of 江英学校 (a clause-25 finding);
//      the bureau leader (juzhang) clicks 立即检查 on 合规监测 and watches the job to its end —
//      progress while it runs, the outcome after, the findings list reloaded — and the sweep has
//      opened the finding's rectification;
//   2. the school (jiangying) finds it in 待办 and answers with its measures and a photo;
//   3. supervision (dudao) reaches it from the finding page and verifies it: 已销号;
//   4. a finding with no rectification yet: the bureau leader clicks 发起整改 on its page;
//   5. the homework form shows a week still running as 进行中 with its projection and an at-risk
//      mark, never 复核通过.
// One server for the file; a fresh browser context per person. Waits on state, never on time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, apiLogin, repoRoot, edugovBin } from '../lib/server.mjs';
import { launchBrowser, newPage, screenshot, uiLogin, tinyPng } from '../lib/browser.mjs';

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

const GRADE_1_RULE = 'homework-grades-1-2-none';

// Runs `fn(page)` in a fresh context (1366 px, or a 390 px phone); a screenshot whatever happens.
async function withPage(name, fn, { mobile = false } = {}) {
  let context;
  let page;
  if (mobile) {
    context = await browser.newContext({
      baseURL: srv.url,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  } else {
    ({ context, page } = await newPage(browser, srv.url));
  }
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

// The case page's header (the list page has refs and states too).
function header(page) {
  return page.getByTestId('case-page').getByTestId('case-header');
}

// The text box of an Element Plus input inside the wrapper `testid`.
function input(page, testid) {
  const id = `[data-testid="${testid}"]`;
  return page.locator(`input${id}, textarea${id}, ${id} input, ${id} textarea`).first();
}

// Takes transition `id` on the open case page (the button in the header), fills the dialog,
// confirms; waits for the server's 200 and the header to show `state`.
async function act(page, id, state, { comment, files, fill } = {}) {
  await header(page).getByTestId(`action-${id}`).click();
  const dialog = page.locator('.el-dialog').filter({ has: page.getByTestId('action-confirm') });
  await dialog.waitFor();
  if (fill) await fill(dialog);
  if (comment) await input(page, 'action-comment').fill(comment);
  if (files) await page.getByTestId('action-files').setInputFiles(files);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/transitions') && r.request().method() === 'POST'),
    dialog.getByTestId('action-confirm').click(),
  ]);
  assert.equal(res.status(), 200, `transition ${id}: HTTP ${res.status()} ${await res.text()}`);
  await dialog.waitFor({ state: 'hidden' });
  await header(page).getByTestId('case-state').filter({ hasText: state }).waitFor();
}

// The row of case `ref` in the case list's open tab: on its first page, else found by the search
// box (a school with many open cases pages them 20 at a time).
async function caseRow(page, ref) {
  const table = page.getByTestId('case-table');
  await table.getByTestId('case-ref').first().waitFor();
  const row = table.locator('tbody tr').filter({ has: page.getByTestId('case-ref').filter({ hasText: ref }) });
  if ((await row.count()) === 0) {
    const q = input(page, 'filter-q');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/cases?') && r.url().includes(encodeURIComponent(ref))),
      q.fill(ref).then(() => q.press('Enter')),
    ]);
  }
  await row.waitFor();
  return row;
}

// No i18n key shown raw (a missing message prints its key, e.g. "compliance.sweep.start").
async function noRawKeys(page) {
  const text = await page.locator('body').innerText();
  const m = text.match(/\b(compliance|cases|app|menu)\.[a-zA-Z_]+(\.[a-zA-Z_]+)*/);
  assert.equal(m, null, `a raw message key on the page: ${m && m[0]}`);
}

// Today in Beijing (the bureau's calendar), yyyy-mm-dd.
function beijingToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

// A teacher's homework row through the form API; answers the open finding of `rule` for the class.
async function recordHomework(api, cls, date, minutes, rule) {
  const r = await api.post('/datasets/homework/rows', { class_id: cls.id, date, written_minutes: minutes, phone_based: false });
  const ids = (r.recheck && r.recheck.open_finding_ids) || [];
  for (const id of ids) {
    const f = await api.get(`/findings/${id}`);
    if (f.rule === rule && f.entity.type === 'class' && f.entity.id === cls.id && f.period.start <= date && date <= f.period.end) return f;
  }
  assert.fail(`no ${rule} finding for ${cls.name} on ${date} among ${JSON.stringify(ids)}`);
}

// Set by the tests in order: the finding the sweep turns into a rectification, and that case.
let loop = null;

test('juzhang clicks 立即检查 and watches the sweep to its end; it opens the rectification of a new finding', async () => {
  const laoshi = await apiLogin(srv.url, 'laoshi');
  const classes = (await laoshi.get(`/orgs/${laoshi.user.org_id}/classes`)).items;
  const grade1 = classes.filter((c) => c.grade === 1);
  assert.ok(grade1.length >= 1, '江英学校 has a grade-1 class');
  // Written homework for grade 1 (the plan allows none): a finding at once, from the form's re-check.
  const finding = await recordHomework(laoshi, grade1[0], '2025-11-13', 25, GRADE_1_RULE);
  assert.equal(finding.status, 'open');
  const caseBefore = finding.case;

  await withPage('50-juzhang-sweep', async (page) => {
    await uiLogin(page, 'juzhang');
    await page.getByTestId('menu-compliance').filter({ hasText: '合规监测' }).click();
    await page.getByTestId('sweep-panel').waitFor();
    await page.getByTestId('sweep-last').filter({ hasText: /上次检查|尚未检查过/ }).waitFor();

    // What the page shows while the job runs, recorded in the page as it changes (a county
    // sweep takes well under a second or two, shorter than a test can look twice).
    await page.evaluate(() => {
      window.__sweepSeen = [];
      const note = () => {
        const stage = document.querySelector('[data-testid="sweep-stage"]');
        const bar = document.querySelector('[data-testid="sweep-progress"] [role="progressbar"], [data-testid="sweep-progress"]');
        if (stage) window.__sweepSeen.push({ stage: stage.textContent.trim(), percent: bar && bar.getAttribute('aria-valuenow') });
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    // Every poll of the job, and the findings list reloaded once the job has ended.
    const polls = [];
    let ended = false;
    let reloadedAfterEnd;
    const reloaded = new Promise((resolve) => (reloadedAfterEnd = resolve));
    page.on('response', async (r) => {
      const u = new URL(r.url());
      if (/^\/api\/v1\/compliance\/sweeps\/\d+$/.test(u.pathname) && r.request().method() === 'GET') {
        const body = await r.json().catch(() => null);
        if (body && body.job) {
          polls.push(body.job);
          if (body.job.state !== 'running') ended = true;
        }
      } else if (u.pathname === '/api/v1/findings' && ended) {
        reloadedAfterEnd(r.status());
      }
    });

    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/compliance/sweeps') && r.request().method() === 'POST'),
      page.getByTestId('sweep-start').click(),
    ]);
    assert.ok([200, 202].includes(res.status()), `立即检查: HTTP ${res.status()} ${await res.text()}`);
    const started = (await res.json()).job;
    assert.equal(started.trigger, 'manual');
    assert.ok(['queued', 'running'].includes(started.state), `the job answers before it ends: ${started.state}`);
    await screenshot(page, '50-juzhang-sweep-running');

    // To its end: 已完成 with the job's own outcome, the findings list read again.
    await page.locator(`[data-testid="sweep-last-state"][data-job="${started.id}"]`).filter({ hasText: '已完成' }).waitFor({ timeout: 120_000 });
    const result = page.locator(`[data-testid="sweep-result"][data-job="${started.id}"]`);
    await result.waitFor();
    assert.equal(await reloaded, 200, 'the findings list is read again once the sweep has ended');
    await page.getByTestId('findings-table').locator('tbody tr').first().waitFor();

    const seen = await page.evaluate(() => window.__sweepSeen);
    assert.ok(seen.some((s) => /^(正在|排队)/.test(s.stage)), `the stage was shown while running: ${JSON.stringify(seen.slice(0, 5))}`);
    assert.ok(polls.length >= 1, 'the page polled the job');
    const last = polls[polls.length - 1];
    assert.equal(last.id, started.id);
    assert.equal(last.state, 'succeeded', JSON.stringify(last.error));
    assert.equal(last.progress.percent, 100);
    assert.ok(polls.slice(0, -1).every((j) => ['queued', 'running'].includes(j.state)), 'no poll after the job ended');
    // The summary is the job's numbers.
    for (const [group, key, testid] of [['findings', 'opened', 'sweep-findings-opened'], ['findings', 'resolved', 'sweep-findings-resolved'], ['cases', 'opened', 'sweep-cases-opened'], ['cases', 'to_verify', 'sweep-cases-to_verify']]) {
      const text = await result.getByTestId(testid).innerText();
      assert.ok(text.includes(String(last.result[group][key])), `${testid}: "${text}" vs ${last.result[group][key]}`);
    }
    if (!caseBefore) assert.ok(last.result.cases.opened >= 1, `the sweep opened rectifications: ${JSON.stringify(last.result.cases)}`);
    await page.getByTestId('sweep-last').filter({ hasText: '手动' }).waitFor();
    await noRawKeys(page);
    await screenshot(page, '50-juzhang-sweep-done');
  });

  // The finding now names its rectification, open at the school.
  const school = await apiLogin(srv.url, 'jiangying');
  const f = await school.get(`/findings/${finding.id}`);
  assert.ok(f.case && f.case.id && f.case.ref, `the finding has its rectification: ${JSON.stringify(f.case)}`);
  if (caseBefore) assert.equal(f.case.id, caseBefore.id, 'no second rectification');
  assert.equal(f.case.state, 'open');
  loop = { finding: f, caseId: f.case.id, ref: f.case.ref };
});

test('jiangying finds its rectification in 待办 and answers with its measures and a photo', async () => {
  assert.ok(loop, 'the sweep test ran first');
  await withPage('51-jiangying-rectify', async (page) => {
    await uiLogin(page, 'jiangying');
    // A school reads when the county was last checked, but has no 立即检查.
    await page.getByTestId('menu-compliance').click();
    await page.getByTestId('sweep-last-state').filter({ hasText: '已完成' }).waitFor();
    assert.equal(await page.getByTestId('sweep-start').count(), 0, 'no 立即检查 for a school');

    await page.getByTestId('menu-cases').click();
    await page.getByTestId('case-list-page').waitFor();
    // 待办 is the tab the list opens on, with its count.
    await page.getByTestId('case-tabs').locator('.el-tabs__item.is-active').filter({ hasText: '待办' }).waitFor();
    await page.getByTestId('todo-count').waitFor();
    const row = await caseRow(page, loop.ref);
    assert.match(await row.innerText(), /待整改/);
    await screenshot(page, '51-jiangying-todo');

    await row.getByTestId('case-ref').click();
    await header(page).getByTestId('case-ref').filter({ hasText: loop.ref }).waitFor();
    await header(page).getByTestId('case-state').filter({ hasText: '待整改' }).waitFor();
    await screenshot(page, '51-jiangying-case');
    await act(page, 'submit', '待核验', {
      fill: async () => input(page, 'field-measures').fill('已约谈一年级任课教师，停止布置书面作业，班级作业公示改为每日核对。'),
      files: [{ name: 'homework-board.png', mimeType: 'image/png', buffer: tinyPng() }],
    });
    await page.getByTestId('attachment-link').filter({ hasText: 'homework-board.png' }).waitFor();
    await page.getByTestId('value-measures').filter({ hasText: '停止布置书面作业' }).waitFor();
    await screenshot(page, '51-jiangying-submitted');
  });
  // The same on a phone: the case reads without scrolling sideways.
  await withPage('51-jiangying-case-phone', async (page) => {
    await uiLogin(page, 'jiangying');
    await page.goto(`/cases/${loop.caseId}`);
    await header(page).getByTestId('case-state').filter({ hasText: '待核验' }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling at 390 px (page is ${width} px wide)`);
  }, { mobile: true });
});

test('dudao opens the rectification from its finding and verifies it: 已销号', async () => {
  assert.ok(loop, 'the sweep test ran first');
  await withPage('52-dudao-verify', async (page) => {
    await uiLogin(page, 'dudao');
    await page.goto(`/compliance/findings/${loop.finding.id}`);
    const rect = page.getByTestId('finding-rectification');
    await rect.getByTestId('finding-case-state').filter({ hasText: '待核验' }).waitFor();
    await screenshot(page, '52-dudao-finding');
    await rect.getByTestId('finding-case-link').filter({ hasText: loop.ref }).click();
    await header(page).getByTestId('case-ref').filter({ hasText: loop.ref }).waitFor();
    await page.getByTestId('attachment-link').filter({ hasText: 'homework-board.png' }).waitFor();
    await act(page, 'verify', '已销号', { comment: '已核查作业公示记录，一年级无书面作业，予以销号。' });
    await screenshot(page, '52-dudao-closed');

    // The finding page says so too.
    await page.goto(`/compliance/findings/${loop.finding.id}`);
    await page.getByTestId('finding-case-state').filter({ hasText: '已销号' }).waitFor();
  });
});

test('发起整改: the bureau leader opens a new rectification for a finding whose rectification was cancelled', async () => {
  assert.ok(loop, 'the sweep test ran first');
  // Every rule of the pack opens its rectification in the sweep, so a finding lacks one only when
  // its rectification ended while the finding stayed open: the leader cancels one of 江英学校's.
  const juzhang = await apiLogin(srv.url, 'juzhang');
  const school = await apiLogin(srv.url, 'jiangying');
  const todo = (await school.get('/cases?type=rectification&mine=1&open=1&limit=50')).items;
  let victim = null;
  for (const c of todo) {
    if (c.id === loop.caseId) continue;
    const full = await juzhang.get(`/cases/${c.id}`);
    if (Array.isArray(full.finding_ids) && full.finding_ids.length) {
      victim = full;
      break;
    }
  }
  assert.ok(victim, `江英学校 has another rectification opened from findings: ${todo.map((c) => c.ref).join(', ')}`);
  await juzhang.post(`/cases/${victim.id}/transitions`, { transition: 'cancel', version: victim.version, comment: '误开，撤销后重新发起。', fields: {}, attachments: [] });
  const findingId = victim.finding_ids[0];
  const finding = await juzhang.get(`/findings/${findingId}`);
  assert.equal(finding.status, 'open');
  assert.equal(finding.can_open_case, true, `the finding may be rectified again: ${JSON.stringify(finding.case)}`);
  let opened;

  await withPage('53-juzhang-open-case', async (page) => {
    await uiLogin(page, 'juzhang');
    await page.goto(`/compliance/findings/${finding.id}`);
    // The cancelled rectification is named, and the button offers a new one.
    await page.getByTestId('finding-case-state').filter({ hasText: '已撤销' }).waitFor();
    await page.getByTestId('finding-open-case').waitFor();
    await screenshot(page, '53-juzhang-finding-no-case');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/findings/${finding.id}/rectification`) && r.request().method() === 'POST'),
      page.getByTestId('finding-open-case').click(),
    ]);
    assert.equal(res.status(), 201, `发起整改: HTTP ${res.status()} ${await res.text()}`);
    opened = (await res.json()).case;
    assert.notEqual(opened.id, victim.id, 'a new rectification');
    await page.getByTestId('finding-case-link').filter({ hasText: opened.ref }).waitFor();
    await page.getByTestId('finding-case-state').filter({ hasText: '待整改' }).waitFor();
    assert.equal(await page.getByTestId('finding-open-case').count(), 0, 'the button is gone');
    await noRawKeys(page);
    await screenshot(page, '53-juzhang-finding-case-opened');

    // A second request is refused with the open case named.
    await assert.rejects(juzhang.post(`/findings/${finding.id}/rectification`), /HTTP 409.*"case"/);
    // The case page leads back to the finding.
    await page.getByTestId('finding-case-link').click();
    await page.getByTestId('case-findings').getByTestId('case-finding-link').filter({ hasText: `#${finding.id}` }).waitFor();
  });

  // The school sees the new rectification in its 待办, as a phone shows it.
  await withPage('53-jiangying-todo-phone', async (page) => {
    await uiLogin(page, 'jiangying');
    await page.goto('/cases');
    await caseRow(page, opened.ref);
    await page.getByTestId('todo-count').waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling at 390 px (page is ${width} px wide)`);
  }, { mobile: true });
});

// The semesters of the pack the test server runs (policy/anhua-2025.yaml),
// declared and provisional (暂定), as the engine sees them, as {from, to} ISO
// dates: `edugov policy semesters` lists them.
function packSemesters(through) {
  const out = execFileSync(edugovBin(), ['policy', 'semesters', '--through', through], { cwd: repoRoot, encoding: 'utf8' });
  return [...out.matchAll(/^\S+\s+(\d{4}-\d{2}-\d{2}) \.\. (\d{4}-\d{2}-\d{2})/gm)].map((m) => ({ from: m[1], to: m[2] }));
}

test('a week still running reads 进行中 with its projection and an at-risk mark, never 复核通过', async (t) => {
  const laoshi = await apiLogin(srv.url, 'laoshi');
  const classes = (await laoshi.get(`/orgs/${laoshi.user.org_id}/classes`)).items;
  // A class judged by a weekly average (grades 3–9), none of the daily grade-1/2 rule.
  const cls = classes.find((c) => c.grade >= 7) || classes.find((c) => c.grade >= 3);
  assert.ok(cls, '江英学校 has a class of grade 3 or above');
  // The server's "today" is the real day (serve has no fake clock). The
  // weekly averages judge school days, and a day outside every semester of
  // the pack is none: then the week is not judged at all — no 进行中, and no
  // 复核通过 either — which is all this test can check on such a day.
  const today = beijingToday();
  if (!packSemesters(today).some((s) => s.from <= today && today <= s.to)) {
    const r = await laoshi.post('/datasets/homework/rows', { class_id: cls.id, date: today, written_minutes: 600, phone_based: false });
    const groups = ((r.recheck && r.recheck.in_progress) || []).filter((g) => g.entity.type === 'class' && g.entity.id === cls.id);
    assert.deepEqual(groups, [], 'a day outside every semester opens no running week');
    t.skip(`${today} lies outside every semester of the pack: no school week is running`);
    return;
  }

  for (const mobile of [false, true]) {
    await withPage(mobile ? '54-laoshi-in-progress-phone' : '54-laoshi-in-progress', async (page) => {
      await uiLogin(page, 'laoshi');
      await page.goto('/homework');
      await page.getByTestId('homework-page').waitFor();
      await page.getByTestId('hw-class').click();
      await page.getByTestId(`hw-class-${cls.id}`).click();
      const date = page.getByTestId('hw-date').locator('input').first();
      await date.fill(today);
      await date.press('Enter');
      const minutes = page.getByTestId('hw-minutes').locator('input');
      await minutes.fill('600');
      await minutes.press('Tab');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/datasets/homework/rows')),
        page.getByTestId('hw-submit').click(),
      ]);
      assert.ok([200, 201].includes(res.status()), `homework row: HTTP ${res.status()} ${await res.text()}`);
      const body = await res.json();
      const groups = (body.recheck && body.recheck.in_progress) || [];
      const mine = groups.filter((g) => g.entity.type === 'class' && g.entity.id === cls.id && g.at_risk);
      assert.ok(mine.length >= 1, `the class's week is in progress and at risk: ${JSON.stringify(groups)}`);

      const box = page.getByTestId('hw-in-progress');
      await box.waitFor();
      const card = box.getByTestId(`hw-progress-${mine[0].rule}`).first();
      await card.getByTestId('hw-progress-tag').filter({ hasText: '进行中' }).waitFor();
      await card.getByTestId('hw-at-risk').waitFor();
      assert.equal(await card.getAttribute('data-at-risk'), 'true');
      const projection = await card.getByTestId('hw-projection').innerText();
      assert.match(projection, /^按当前进度，本(周|学期|周期)/, projection);
      assert.equal(await page.getByTestId('hw-no-finding').count(), 0, 'never 复核通过 while the week runs');
      assert.ok(!(await page.locator('body').innerText()).includes('复核通过'));
      await noRawKeys(page);
      if (mobile) {
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `no horizontal scrolling at 390 px (page is ${width} px wide)`);
      }
    }, { mobile });
  }
});

test('the loop pages at 1280 px and on a 390 px phone', async () => {
  assert.ok(loop, 'the sweep test ran first');
  for (const mobile of [false, true]) {
    const tag = mobile ? '390' : '1280';
    await withPage(`55-pages-${tag}`, async (page) => {
      if (!mobile) await page.setViewportSize({ width: 1280, height: 860 });
      await uiLogin(page, 'juzhang');
      await page.goto('/compliance');
      await page.getByTestId('sweep-last-state').filter({ hasText: '已完成' }).waitFor();
      await page.getByTestId('sweep-result').waitFor();
      await page.getByTestId('findings-table').locator('tbody tr').first().waitFor();
      await screenshot(page, `55-compliance-${tag}`);
      await page.goto(`/compliance/findings/${loop.finding.id}`);
      await page.getByTestId('finding-case-state').filter({ hasText: '已销号' }).waitFor();
      await screenshot(page, `55-finding-${tag}`);
      await page.goto(`/cases/${loop.caseId}`);
      await header(page).getByTestId('case-state').filter({ hasText: '已销号' }).waitFor();
      await page.getByTestId('case-findings').getByTestId('case-finding-link').first().waitFor();
      await screenshot(page, `55-case-${tag}`);
      if (mobile) {
        for (const path of ['/compliance', `/compliance/findings/${loop.finding.id}`, `/cases/${loop.caseId}`]) {
          await page.goto(path);
          await page.locator('[data-testid="sweep-panel"], [data-testid="finding-rectification"], [data-testid="case-header"]').first().waitFor();
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= 390, `${path}: no horizontal scrolling at 390 px (page is ${width} px wide)`);
        }
      }
      await noRawKeys(page);
      if (!mobile) {
        // The same in English: every new string has its translation.
        await page.getByTestId('lang-switch').click();
        await page.goto('/compliance');
        await page.getByTestId('sweep-start').filter({ hasText: 'Check now' }).waitFor();
        await page.getByTestId('sweep-last').filter({ hasText: 'Last check' }).waitFor();
        await page.getByTestId('sweep-result').filter({ hasText: 'Rectifications' }).waitFor();
        await noRawKeys(page);
        await screenshot(page, '55-compliance-1280-en');
        await page.goto(`/compliance/findings/${loop.finding.id}`);
        await page.getByTestId('finding-rectification').filter({ hasText: 'Rectification' }).waitFor();
        await noRawKeys(page);
      }
    }, { mobile });
  }
});
