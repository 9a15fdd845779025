// Browser tests for the closed loops, in real Chromium against the real server:
//   1. the full complaint loop — a parent files a named complaint about 江英学校 with a photo on the
//      public page (no login, a phone-sized viewport) and keeps the tracking code → the petitions
//      office (xinfang) sees it with the complainant's name and dispatches it to the school →
//      the school (jiangying) sees it in 待办 without the complainant's name anywhere on the page and
//      answers with evidence → the township (dongping) verifies → the petitions office closes it
//      (policy/cases/complaint.yaml: rating is open once the case is closed) → the parent tracks it,
//      reads the answer and rates it 5 → the case page shows the rating;
//   2. the complaint report page draws its charts for the bureau leader (juzhang).
// One server for the file; a fresh browser context per person.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
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

// The complainant, as the parent types them; neither may ever reach the school or the township.
const PARENT_NAME = '龚秀兰';
const PARENT_PHONE = '13907371234';
const SCHOOL = '江英学校';
const COMPLAINT_TEXT = '孩子所在班级的班主任要求每位学生交200元班费，说是用于购买班级用品，没有收据。';
// The complaint type's transitions (policy/cases/complaint.yaml).
const DISPATCH = 'dispatch';
const ANSWER = 'answer';
const VERIFY = 'verify';
const CLOSE = 'close';
const ANSWER_TEXT = '经学校核查，班主任确有收取班费行为，已全额退还并对其批评教育，整改照片附后。';

// ---- a small real PNG (RGB gradient), made here so the upload is a true image by content ----
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function makePng(width, height, seed) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 255) / width;
      row[2 + x * 3] = (y * 255) / height;
      row[3 + x * 3] = seed;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- page helpers ----
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

// Picks `label` in an Element Plus select (the dropdown is teleported to <body>).
async function choose(page, testid, label) {
  await page.getByTestId(testid).click();
  const option = page.locator('.el-select-dropdown__item:visible').filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) });
  await option.first().click();
}

// Opens the case `ref` from the 待办 tab of the case list and returns nothing once its page shows.
async function openFromTodo(page, ref) {
  await page.getByTestId('menu-cases').click();
  await page.getByTestId('case-list-page').waitFor();
  const link = page.getByTestId('case-ref').filter({ hasText: ref });
  await link.waitFor();
  return link;
}

// The case page's header (the list page has refs and states too).
function header(page) {
  return page.getByTestId('case-page').getByTestId('case-header');
}

// Clicks a case link and waits for that case's page.
async function openCase(page, link, ref) {
  await link.click();
  await header(page).getByTestId('case-ref').filter({ hasText: ref }).waitFor();
}

// Takes transition `id` on the open case page: comment, optional evidence, confirm; waits for the
// server's answer and the page to show the new state.
async function act(page, id, { comment, files, fill } = {}) {
  const before = await header(page).getByTestId('case-state').innerText();
  await page.getByTestId(`action-${id}`).click();
  const dialog = page.locator('.el-dialog').filter({ has: page.getByTestId('action-confirm') });
  await dialog.waitFor();
  if (fill) await fill(dialog);
  if (comment) await input(page, 'action-comment').fill(comment);
  if (files) await page.getByTestId('action-files').setInputFiles(files);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/transitions') && r.request().method() === 'POST'),
    page.getByTestId('action-confirm').click(),
  ]);
  assert.equal(res.status(), 200, `transition ${id}: HTTP ${res.status()} ${await res.text()}`);
  await dialog.waitFor({ state: 'hidden' });
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid="case-header"] [data-testid="case-state"]');
      return el && el.innerText.trim() !== prev.trim();
    },
    before,
  );
  return res.json();
}

// The text box of an Element Plus input: the test id lands on the native <input>/<textarea>.
function input(page, testid) {
  const id = `[data-testid="${testid}"]`;
  return page.locator(`input${id}, textarea${id}, ${id} input, ${id} textarea`).first();
}

async function bodyText(page) {
  return page.locator('body').innerText();
}

test('the complaint loop: parent files → petitions dispatches → school answers → township verifies → parent rates', async () => {
  // What the public form offers: the category for class fees and 江英学校's township.
  const form = await (await fetch(`${srv.url}/api/v1/public/complaint-form`)).json();
  const category = form.categories.find((c) => /class_fee|fees|charge/.test(c.key)) || form.categories[0];
  const township = form.townships.find((tw) => tw.schools.some((s) => s.name === SCHOOL));
  assert.ok(category && township, 'the public form lists categories and 江英学校 under its township');

  let code;
  let ref;

  // 1. The parent, on a phone, without logging in.
  await withPage('40-public-complaint', async (page) => {
    await page.goto('/login');
    await page.getByTestId('login-public-complaint').click();
    await page.getByTestId('public-complaint-page').waitFor();
    assert.equal(new URL(page.url()).pathname, '/public/complaint');

    await choose(page, 'pc-category', category.label.zh);
    await choose(page, 'pc-township', township.name);
    await choose(page, 'pc-school', SCHOOL);
    await input(page, 'pc-text').fill(COMPLAINT_TEXT);
    assert.equal(await input(page, 'pc-anonymous').isChecked(), false, 'named by default');
    await input(page, 'pc-name').fill(PARENT_NAME);
    await input(page, 'pc-phone').fill(PARENT_PHONE);
    await page.getByTestId('pc-files').setInputFiles({ name: 'receipt-photo.png', mimeType: 'image/png', buffer: makePng(48, 32, 90) });
    await page.getByTestId('pc-file').filter({ hasText: 'receipt-photo.png' }).waitFor();
    // Nothing wider than the phone.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling at 390 px (page is ${width} px wide)`);
    await screenshot(page, '40-public-complaint-form');

    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/public/complaints') && r.request().method() === 'POST'),
      page.getByTestId('pc-submit').click(),
    ]);
    assert.equal(res.status(), 201, `intake: HTTP ${res.status()} ${await res.text()}`);
    const body = await res.json();
    ref = body.ref;
    code = (await page.getByTestId('tracking-code').innerText()).trim();
    assert.equal(code, body.tracking_code, 'the page shows the tracking code the server issued');
    assert.ok(code.length >= 8, `a tracking code worth keeping: ${code}`);
    await page.getByTestId('keep-code-warning').filter({ hasText: '请务必保存好查询码' }).waitFor();
    await page.getByTestId('copy-code').click();
    await page.getByTestId('copy-code').filter({ hasText: '已复制' }).waitFor();
  }, { mobile: true });

  // 2. The petitions office sees the case with the complainant and dispatches it to the school.
  await withPage('41-xinfang-dispatch', async (page) => {
    await uiLogin(page, 'xinfang');
    const link = await openFromTodo(page, ref);
    await screenshot(page, '41-xinfang-list');
    await openCase(page, link, ref);
    const conf = page.getByTestId('confidential-block');
    await conf.waitFor();
    const confText = await conf.innerText();
    assert.ok(confText.includes(PARENT_NAME), 'petitions reads the complainant name');
    assert.ok(confText.includes(PARENT_PHONE), 'and phone');
    await page.getByTestId('attachment-link').filter({ hasText: 'receipt-photo.png' }).waitFor();
    await screenshot(page, '41-xinfang-case');

    // The lead unit starts as the school complained about.
    await act(page, DISPATCH, {
      comment: '请江英学校核查并在期限内答复。',
      fill: async (dialog) => {
        await dialog.getByTestId('field-lead_org_id-org-preset').filter({ hasText: SCHOOL }).waitFor();
      },
    });
    await header(page).getByTestId('case-state').filter({ hasText: '已交办' }).waitFor();
    await screenshot(page, '41-xinfang-dispatched');
  });

  // 3. The school: the case in 待办, never the complainant's identity; answers with evidence.
  await withPage('42-jiangying-answer', async (page) => {
    await uiLogin(page, 'jiangying');
    // The dispatch left a message in the school's inbox (still without the complainant).
    await page.getByTestId('menu-inbox').click();
    const note = page.getByTestId('inbox-item').filter({ hasText: ref });
    await note.first().waitFor();
    await page.getByTestId('inbox-unread').waitFor();
    assert.ok(!(await bodyText(page)).includes(PARENT_NAME), 'the inbox does not name the complainant');
    await note.first().getByTestId('inbox-mark-read').click();
    await note.first().getByTestId('inbox-mark-read').waitFor({ state: 'detached' });
    await screenshot(page, '42-jiangying-inbox');

    const link = await openFromTodo(page, ref);
    let text = await bodyText(page);
    assert.ok(!text.includes(PARENT_NAME) && !text.includes(PARENT_PHONE), 'the list does not name the complainant');
    await screenshot(page, '42-jiangying-todo');
    await openCase(page, link, ref);
    await page.getByTestId('case-timeline').waitFor();
    assert.equal(await page.getByTestId('confidential-block').count(), 0, 'no confidential block for the school');
    text = await bodyText(page);
    assert.ok(text.includes(COMPLAINT_TEXT.slice(0, 12)), 'the school reads the complaint itself');
    assert.ok(!text.includes(PARENT_NAME), `the complainant's name is nowhere on the school's page`);
    assert.ok(!text.includes(PARENT_PHONE), `nor the phone`);
    assert.ok(!text.includes('receipt-photo.png'), "nor the complainant's own photo (sealed with the identity)");

    await act(page, ANSWER, {
      comment: ANSWER_TEXT,
      fill: async () => choose(page, 'field-finding', '属实'),
      files: [{ name: 'refund-evidence.png', mimeType: 'image/png', buffer: makePng(40, 40, 200) }],
    });
    await page.getByTestId('attachment-link').filter({ hasText: 'refund-evidence.png' }).waitFor();
    text = await bodyText(page);
    assert.ok(!text.includes(PARENT_NAME), 'still no name after answering');
    await screenshot(page, '42-jiangying-answered');
  });

  // 4. The township verifies the answer.
  await withPage('43-dongping-verify', async (page) => {
    await uiLogin(page, 'dongping');
    const link = await openFromTodo(page, ref);
    await openCase(page, link, ref);
    assert.equal(await page.getByTestId('confidential-block').count(), 0, 'no confidential block for the township');
    const text = await bodyText(page);
    assert.ok(!text.includes(PARENT_NAME) && !text.includes(PARENT_PHONE), 'the township never sees the complainant');
    await act(page, VERIFY, { comment: '已现场核实，班费已退还。' });
    await header(page).getByTestId('case-state').filter({ hasText: '已核实' }).waitFor();
    await screenshot(page, '43-dongping-verified');
  });

  // 4b. The petitions office closes it.
  await withPage('43-xinfang-close', async (page) => {
    await uiLogin(page, 'xinfang');
    const link = await openFromTodo(page, ref);
    await openCase(page, link, ref);
    await act(page, CLOSE, { comment: '经核实已整改，予以办结。' });
    await header(page).getByTestId('case-state').filter({ hasText: '已办结' }).waitFor();
  });

  // 5. The parent tracks the complaint, reads the answer and rates it 5.
  await withPage('44-public-track', async (page) => {
    await page.goto('/public/track');
    await input(page, 'track-code').fill(code);
    await page.getByTestId('track-submit').click();
    await page.getByTestId('track-ref').filter({ hasText: ref }).waitFor();
    await page.getByTestId('track-answer').filter({ hasText: ANSWER_TEXT }).waitFor();
    assert.equal((await page.getByTestId('track-school').innerText()).trim(), SCHOOL);
    await page.getByTestId('track-rate').waitFor();
    await screenshot(page, '44-public-track-answer');
    await page.getByTestId('track-stars').locator('.el-rate__item').nth(4).click();
    await input(page, 'track-rate-comment').fill('处理及时，谢谢。');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/rating') && r.request().method() === 'POST'),
      page.getByTestId('track-rate-submit').click(),
    ]);
    assert.equal(res.status(), 200, `rating: HTTP ${res.status()} ${await res.text()}`);
    await page.getByTestId('track-rated').waitFor();
    await page.getByTestId('track-notice').waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling at 390 px (page is ${width} px wide)`);
  }, { mobile: true });

  // 6. The case shows the rating to the petitions office.
  await withPage('45-xinfang-rated', async (page) => {
    await uiLogin(page, 'xinfang');
    await page.getByTestId('menu-cases').click();
    await page.getByTestId('case-tabs').getByText('全部').click();
    await input(page, 'filter-q').fill(ref);
    await input(page, 'filter-q').press('Enter');
    await openCase(page, page.getByTestId('case-ref').filter({ hasText: ref }), ref);
    await page.getByTestId('case-satisfaction').filter({ hasText: '5/5' }).waitFor();
    const timeline = await page.getByTestId('case-timeline').innerText();
    assert.ok(timeline.includes(ANSWER_TEXT), 'the answer is on the timeline');
  });
});

test('the bureau leader sees overdue cases marked red and the complaint report drawn as charts', async () => {
  await withPage('46-juzhang-report', async (page) => {
    await uiLogin(page, 'juzhang');
    // The server counts the working days late (overdue_working_days); the page only shows them.
    // 已逾期: the demo year left cases past their deadline; each row is red and says by how much.
    await page.getByTestId('menu-cases').click();
    await page.getByTestId('case-tabs').getByText('已逾期').click();
    const late = page.locator('[data-testid="case-table"] tr.overdue-row');
    await late.first().waitFor();
    const rows = await late.count();
    assert.ok(rows > 0, 'overdue rows listed');
    assert.equal(await page.locator('[data-testid="case-table"] tbody tr').count(), rows, 'every row of 已逾期 is marked');
    assert.match(await late.first().getByTestId('case-overdue').innerText(), /^已逾期 \d+ 个工作日$/);
    await screenshot(page, '46-juzhang-overdue');

    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/reports/complaints') && r.url().includes('format=json'));
    await page.getByTestId('menu-complaint-report').filter({ hasText: '投诉分析' }).click();
    await page.getByTestId('report-page').waitFor();
    const res = await answered;
    assert.equal(res.status(), 200, `report: HTTP ${res.status()}`);
    await page.locator('[data-testid^="report-chart-"] canvas').first().waitFor();
    const charts = await page.locator('[data-testid^="report-chart-"]').count();
    assert.ok(charts >= 2, `at least two charts (${charts})`);
    // The downloads point at the same report in the other formats.
    for (const f of ['pdf', 'xlsx', 'html']) {
      const href = await page.getByTestId(`report-${f}`).getAttribute('href');
      assert.match(href, new RegExp(`/api/v1/reports/complaints\\?.*format=${f}`));
    }
    // The regional view redraws.
    const regional = page.waitForResponse((r) => r.url().includes('kind=regional'));
    await page.getByTestId('report-kind-regional').click();
    assert.equal((await regional).status(), 200);
    // Element Plus may briefly hold two masks (one fading out, one in): wait
    // until none is visible rather than on one locator (strict mode).
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="report-page"] .el-loading-mask')]
      .every((m) => m.offsetParent === null || getComputedStyle(m).display === 'none'));
    await page.getByTestId('report-chart-townships').locator('canvas').waitFor();
  });
});

test('a stale case page explains the 409 and reloads; nothing is taken twice', async () => {
  // A fresh complaint about another school, straight through the public API.
  const form = await (await fetch(`${srv.url}/api/v1/public/complaint-form`)).json();
  const school = form.townships.flatMap((tw) => tw.schools).find((s) => s.name === '梅城镇中学');
  const filed = await fetch(`${srv.url}/api/v1/public/complaints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      category: 'paid_tutoring',
      school_id: school.id,
      anonymous: true,
      text: '梅城镇中学有老师寒假在家中开办收费补习班，每人每期一千二百元。',
    }),
  });
  const filedText = await filed.text();
  assert.equal(filed.status, 201, filedText);
  const { ref } = JSON.parse(filedText);

  await withPage('47-xinfang-conflict', async (page) => {
    await uiLogin(page, 'xinfang');
    const link = await openFromTodo(page, ref);
    await openCase(page, link, ref);
    const caseUrl = page.url();

    // The same case in a second tab, which dispatches first.
    const other = await page.context().newPage();
    await other.goto(caseUrl);
    await header(other).getByTestId('case-ref').filter({ hasText: ref }).waitFor();
    await act(other, DISPATCH, { comment: '交梅城镇中学核查。' });
    await other.close();

    // The first tab still shows 已受理 and its old version: the server refuses with 409.
    await page.getByTestId(`action-${DISPATCH}`).click();
    await input(page, 'action-comment').fill('重复交办');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/transitions')),
      page.getByTestId('action-confirm').click(),
    ]);
    assert.equal(res.status(), 409);
    const alert = page.getByTestId('action-error');
    await alert.filter({ hasText: '事项已被他人办理或状态已变化' }).waitFor();
    await screenshot(page, '47-xinfang-conflict-409');
    await page.getByTestId('action-reload').click();
    await header(page).getByTestId('case-state').filter({ hasText: '已交办' }).waitFor();
    const dispatches = await page.getByTestId('timeline-item').filter({ hasText: '交办' }).count();
    assert.equal(dispatches, 1, 'dispatched once');
  });
});

test('a school opens a study-tour approval from the case-type form', async () => {
  await withPage('48-jiangying-study-tour', async (page) => {
    await uiLogin(page, 'jiangying');
    await page.getByTestId('menu-case-new').click();
    await page.getByTestId('case-new-page').waitFor();
    await page.getByTestId('new-type-approval').click();
    await choose(page, 'field-kind', '研学旅行');
    await input(page, 'new-title').fill('八年级韶山红色研学');
    await input(page, 'field-description').fill('八年级学生赴韶山开展一日红色研学，家长自愿报名。');
    await input(page, 'field-students').fill('120');
    await input(page, 'field-consent_count').fill('118');
    await input(page, 'field-place').fill('韶山毛泽东同志纪念馆');
    await input(page, 'field-funding').fill('9600');
    await input(page, 'field-start_date').fill('2026-12-18');
    await input(page, 'field-start_date').press('Enter');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST'),
      page.getByTestId('new-submit').click(),
    ]);
    assert.equal(res.status(), 201, `open: HTTP ${res.status()} ${await res.text()}`);
    const opened = await res.json();
    await header(page).getByTestId('case-ref').filter({ hasText: opened.ref }).waitFor();
    await header(page).getByTestId('case-state').filter({ hasText: '待审批' }).waitFor();
    assert.match(opened.ref, /^SP/);
    assert.equal((await page.getByTestId('value-kind').innerText()).trim(), '研学旅行');
    assert.equal((await page.getByTestId('value-students').innerText()).trim(), '120');
    assert.equal((await page.getByTestId('value-start_date').innerText()).trim(), '2026-12-18');
    assert.equal((await page.getByTestId('case-org').innerText()).trim(), '江英学校');
  });
});

// docs/calendar.md: the browser keeps no calendar of its own (a bundled copy went stale each
// November and showed 日历未覆盖 from 2027 on). With the browser's clock in 2027, an overdue row
// still shows the server's count; a deadline counted on a year without the State Council's
// notice is tagged 暂定, with the reason in a tooltip, in the list and on the case page.
test('the server counts working days late and marks provisional deadlines 暂定', async () => {
  // A rectification of 300 working days: whenever the suite runs, its count reaches a year
  // with no notice imported, so its deadline is provisional.
  const bureau = await apiLogin(srv.url, 'juzhang');
  const opened = await bureau.post('/cases', {
    type: 'rectification', title: '长期整改：校舍维修（暂定期限）',
    fields: { category: 'layout', description: '校舍维修工程跨年度实施。', due_working_days: 300 },
  });
  assert.equal(opened.deadline_provisional, true, 'counted on a provisional year');
  const ref = opened.ref;

  await withPage('47-juzhang-provisional', async (page) => {
    await uiLogin(page, 'juzhang');
    await page.clock.setFixedTime(new Date('2027-03-01T10:00:00+08:00'));
    await page.getByTestId('menu-cases').click();
    await page.getByTestId('case-tabs').getByText('已逾期').click();
    const late = page.locator('[data-testid="case-table"] tr.overdue-row');
    await late.first().waitFor();
    assert.match(await late.first().getByTestId('case-overdue').innerText(), /^已逾期 \d+ 个工作日$/);
    assert.equal(await page.locator('[data-testid="case-overdue"]', { hasText: '日历未覆盖' }).count(), 0,
      'the count comes from the server, whatever year the browser thinks it is');

    await page.getByTestId('case-tabs').getByText('全部').click();
    await input(page, 'filter-q').fill(ref);
    await input(page, 'filter-q').press('Enter');
    const row = page.locator('[data-testid="case-table"] tbody tr').filter({ hasText: ref });
    await row.getByTestId('case-deadline-provisional').filter({ hasText: '暂定' }).waitFor();
    await row.getByTestId('case-deadline-provisional').hover();
    await page.locator('.el-popper:visible').filter({ hasText: '按法定节假日推算，国务院通知发布后重新计算' }).waitFor();
    await screenshot(page, '47-juzhang-provisional-list');
    await openCase(page, row.getByTestId('case-ref'), ref);
    await header(page).getByTestId('case-deadline-provisional').filter({ hasText: '暂定' }).waitFor();
  });
  await withPage('47-juzhang-provisional-mobile', async (page) => {
    await uiLogin(page, 'juzhang');
    await page.goto(`/cases/${opened.id}`);
    await header(page).getByTestId('case-deadline-provisional').filter({ hasText: '暂定' }).waitFor();
  }, { mobile: true });
});
