/**
 * The staff workspace and the debtor portal in headless Chromium against the real API, Temporal
 * and PostgreSQL, as people use them, by keyboard: a finance and a marketing person sign in and
 * approve an application and see it issued; a salesperson records a late reason and cannot open
 * another salesperson's receivable; a debtor opens the portal link its e-mail carries,
 * promises to pay, and the receivable shows the promise in the workspace and in its workflow
 * history; a debtor's link cannot read another's. axe-core finds no serious or critical
 * violation on any page. Screenshots of the main pages go to .data/test/screenshots/ (to
 * docs/images/ with `npm run screenshots`).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReceivableWorkflow } from '../../api/receivable-start.js';
import { addDays, localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { createStore } from '../../store/index.js';
import { fileFor, issue, seedParties } from '../support/applications.js';
import { createPerson } from '../support/auth.js';
import { launchChromium, pageErrors } from '../support/browser.js';
import { mailsWithKey } from '../support/inbox.js';
import { eventually, systemPerFile } from '../support/system.js';

const system = systemPerFile({ worker: true, poolSize: 4 });
const AXE = readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');
// The pictures in docs/ are taken again by `npm run screenshots`; a test run keeps its own under .data/.
const IMAGES = path.resolve(process.env.UPDATE_SCREENSHOTS ? 'docs/images' : '.data/test/screenshots');
const PASSWORD = 'correct horse battery';
const suffix = randomUUID().slice(0, 8);
const WAIT = { timeout: 30_000 };
let browser: Browser;
const figures: Record<string, number> = {};

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  console.log('workspace browser figures (ms):', JSON.stringify(figures));
});

async function person(
  role: 'finance' | 'marketing' | 'manager' | 'sales',
  login: string,
  name: string,
  sp?: string,
) {
  await createPerson(system.pool, role, login, name, sp);
  await createStore(system.pool).sessions.setPassword(login, PASSWORD);
}

/** axe-core on the page: no serious or critical violation. */
async function accessible(page: Page, what: string) {
  await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected at run time
    const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: { id: string; impact: string; nodes: unknown[] }) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.length,
    }));
  })) as { id: string; impact: string }[];
  expect(
    violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
    what,
  ).toEqual([]);
}

/** A screenshot into docs/images/, once the page's fonts (the CJK fallback) have loaded. */
async function shot(page: Page, name: string) {
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  await page.screenshot({
    path: path.join(IMAGES, name.endsWith('.png') ? name : `${name}.png`),
    fullPage: true,
  });
}

/** Signs in by keyboard only: type, Tab, type, Enter. */
async function signInByKeyboard(page: Page, login: string) {
  const started = Date.now();
  await page.goto(`${system.base}/app`);
  await page.waitForSelector('#sign-in', WAIT);
  await accessible(page, 'sign-in page');
  await page.focus('#username');
  await page.keyboard.type(login);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#my-work', WAIT);
  figures[`sign-in ${login.split('-')[0]}`] = Date.now() - started;
}

/** Presses a button by keyboard: focus, Enter. */
async function pressByKeyboard(page: Page, selector: string) {
  await page.focus(selector);
  await page.keyboard.press('Enter');
}

it('finance and marketing approve an application in the workspace and see it issued', async () => {
  const parties = await seedParties(
    system.call,
    { dealer: (s) => `华东经销商 ${s}`, seller: (s) => `张伟 ${s}` },
    `wa-${suffix}`,
  );
  expect((await fileFor(system.call, parties, { amountMinor: 800_000, requestedTermDays: 30 })).status).toBe(
    201,
  );
  await eventually(async () => {
    const r = await system.call('GET', `/v1/receivables/${parties.receivableId}`, undefined, 'finance');
    expect(r.body.stage).toBe('awaiting-approval');
  });
  await person('finance', `fin-${suffix}`, '李丽');
  await person('marketing', `mkt-${suffix}`, '王芳');
  for (const [login, image] of [
    [`fin-${suffix}`, 'workspace-my-work-finance'],
    [`mkt-${suffix}`, null],
  ] as const) {
    const context = await browser.newContext({
      bypassCSP: true,
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    const errors = pageErrors(page);
    await signInByKeyboard(page, login);
    const item = `li.work-item[data-kind="vote"][data-id="${parties.receivableId}"]`;
    await page.waitForSelector(item, WAIT);
    expect(await page.textContent(`section[data-section="vote"] h2`)).toMatch(/\(\d+\)/);
    await accessible(page, `my work (${login})`);
    if (image) await shot(page, `${image}.png`);
    const started = Date.now();
    await pressByKeyboard(page, `${item} button[data-do="approve"]`);
    await page.waitForSelector(`${item} output[data-ok="true"]`, WAIT);
    figures[`approve ${login.split('-')[0]}`] = Date.now() - started;
    expect(errors).toEqual([]);
    await context.close();
  }
  const r = await system.call('GET', `/v1/receivables/${parties.receivableId}`, undefined, 'finance');
  expect(r.body.stage).toBe('issued');
  // The finance person sees it issued on its receivable page.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInByKeyboard(page, `fin-${suffix}`);
  await page.goto(`${system.base}/app#/receivable/${parties.receivableId}`);
  await page.waitForSelector('#receivable dd[data-stage="issued"]', WAIT);
  await accessible(page, 'receivable page');
  await context.close();
});

it('a manager confirms a legal escalation from My work, seeing its deadline and what happens otherwise', async () => {
  const parties = await seedParties(
    system.call,
    { dealer: (s) => `Overdue dealer ${s}`, seller: (s) => `Seller ${s}` },
    `wl-${suffix}`,
  );
  // An invoice brought in from the ERP 40 days past due joins the timeline at the legal step.
  const today = localDate(Date.now(), DEFAULT_POLICY.timeZone);
  await startReceivableWorkflow(system.client, {
    application: {
      receivableId: parties.receivableId,
      counterpartyId: parties.dealer.id,
      salespersonId: parties.seller.id,
      amountMinor: 2_000_000,
      currency: 'CNY',
      requestedTermDays: 30,
    },
    policy: DEFAULT_POLICY,
    imported: {
      issueDate: addDays(today, -70),
      dueDate: addDays(today, -40),
      paidMinor: 0,
      source: 'erp:test',
    },
  });
  await eventually(async () => {
    const r = await system.call('GET', `/v1/receivables/${parties.receivableId}`, undefined, 'manager');
    expect(r.body.stage).toBe('legal-review');
  });
  await person('manager', `mgr-${suffix}`, '陈刚');
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInByKeyboard(page, `mgr-${suffix}`);
  const item = `li.work-item[data-kind="legal"][data-id="${parties.receivableId}"]`;
  await page.waitForSelector(item, WAIT);
  expect(await page.textContent(item)).toMatch(/升级将自动执行|proceeds on its own/);
  await accessible(page, 'my work (manager)');
  await shot(page, 'workspace-my-work-manager.png');
  await page.focus(`${item} textarea`);
  await page.keyboard.type('Confirmed after a call with the dealer');
  await pressByKeyboard(page, `${item} button[data-do="confirm"]`);
  await page.waitForSelector(`${item} output[data-ok="true"]`, WAIT);
  await context.close();
  await eventually(async () => {
    const r = await system.call('GET', `/v1/receivables/${parties.receivableId}`, undefined, 'manager');
    expect(r.body.stage).toBe('legal');
    expect((r.body.legal as { actor: { username: string } }).actor.username).toBe(`mgr-${suffix}`);
  });
});

it("a salesperson records a late reason and cannot open another salesperson's receivable", async () => {
  const mine = await seedParties(
    system.call,
    { dealer: (s) => `Dealer ${s}`, seller: (s) => `Seller ${s}` },
    `ws-${suffix}`,
  );
  const theirs = await seedParties(
    system.call,
    { dealer: (s) => `Dealer ${s}`, seller: (s) => `Other ${s}` },
    `wt-${suffix}`,
  );
  for (const p of [mine, theirs]) {
    expect((await fileFor(system.call, p, { amountMinor: 300_000, requestedTermDays: 30 })).status).toBe(201);
    await eventually(async () => {
      const r = await system.call('GET', `/v1/receivables/${p.receivableId}`, undefined, 'finance');
      expect(r.body.stage).toBe('awaiting-approval');
    });
    expect((await issue(system.call, p.receivableId, 300_000, 30)).body.stage).toBe('issued');
  }
  // The task the +7 step opens, as the workflow's activity opens it (the step itself is days away).
  await createStore(system.pool).tasks.open({
    key: `${mine.receivableId}:late-reason`,
    kind: 'record-late-reason',
    assignee: mine.seller.email,
    receivableId: mine.receivableId,
    dueOn: null,
    detail: { outstandingMinor: 300_000 },
  });
  await person('sales', `sp-${suffix}`, '张伟', mine.seller.id);
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInByKeyboard(page, `sp-${suffix}`);
  await page.selectOption('#language-select', 'en');
  const item = `li.work-item[data-kind="late-reason"][data-id="${mine.receivableId}"]`;
  await page.waitForSelector(item, WAIT);
  expect(await page.$$eval('li.work-item[data-kind="late-reason"]', (els) => els.length)).toBe(1);
  await page.focus(`${item} textarea`);
  await page.keyboard.type('The customer waits for its own customer to pay');
  await pressByKeyboard(page, `${item} button[data-do="record"]`);
  await page.waitForSelector(`${item} output[data-ok="true"]`, WAIT);
  await accessible(page, 'my work (sales)');
  const r = await system.call('GET', `/v1/receivables/${mine.receivableId}`, undefined, 'finance');
  expect((r.body.lateReasons as { reason: string }[])[0]?.reason).toBe(
    'The customer waits for its own customer to pay',
  );
  // Another salesperson's receivable: the API answers 404, the page says so and shows nothing of it.
  await page.goto(`${system.base}/app#/receivable/${theirs.receivableId}`);
  await page.waitForSelector('main .error', WAIT);
  expect(await page.textContent('main')).not.toContain('300');
  await context.close();
});

it('a debtor promises to pay in its portal; the workspace and the workflow history show the promise; its link reads no other debtor', async () => {
  const a = await seedParties(
    system.call,
    { dealer: (s) => `Debtor A ${s}`, seller: (s) => `Seller ${s}` },
    `wd-${suffix}`,
  );
  const b = await seedParties(
    system.call,
    { dealer: (s) => `Debtor B ${s}`, seller: (s) => `Seller ${s}` },
    `wb-${suffix}`,
  );
  for (const p of [a, b]) {
    expect((await fileFor(system.call, p, { amountMinor: 450_000, requestedTermDays: 30 })).status).toBe(201);
    await eventually(async () => {
      const r = await system.call('GET', `/v1/receivables/${p.receivableId}`, undefined, 'finance');
      expect(r.body.stage).toBe('awaiting-approval');
    });
    expect((await issue(system.call, p.receivableId, 450_000, 30)).body.stage).toBe('issued');
  }
  // The link comes in the debtor's own e-mail: the credit terms sent when the receivable was issued.
  const [terms] = await eventually(
    () => mailsWithKey(`${a.receivableId}:credit-terms`),
    (m) => m.length === 1,
    "the debtor's credit-terms e-mail",
  );
  const sent = /https?:\/\/\S+?\/portal\/[A-Za-z0-9._~-]+/.exec(terms?.text ?? '')?.[0];
  expect(sent, 'a portal link in the e-mail').toBeDefined();
  const link = (sent as string).replace(/^https?:\/\/[^/]+/, system.base);
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors = pageErrors(page);
  const started = Date.now();
  await page.goto(link);
  const section = `section.item[data-id="${a.receivableId}"]`;
  await page.waitForSelector(section, WAIT);
  figures['portal open'] = Date.now() - started;
  expect(await page.textContent('main')).not.toContain(b.receivableId);
  await accessible(page, 'portal');
  await shot(page, 'portal.png');
  const form = `${section} form[data-action="promise"]`;
  const promisedBy = await page.inputValue(`${form} input[name="promisedBy"]`);
  await pressByKeyboard(page, `${form} button[type="submit"]`);
  await page.waitForSelector(`${form} output[data-ok="true"]`, WAIT);
  // "We have paid", by keyboard: the amount is prefilled with what is outstanding.
  const claim = `${section} form[data-action="payment-claims"]`;
  await page.focus(`${claim} input[name="reference"]`);
  await page.keyboard.type('BANK-2026-0042');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`${claim} output[data-ok="true"]`, WAIT);
  expect(errors).toEqual([]);
  // Another debtor's receivable through this link: unknown.
  const token = link.split('/portal/')[1];
  const other = await page.evaluate(
    async ([t, id]) =>
      (
        await fetch(`/portal/${t}/receivables/${id}/promise`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ promisedBy: '2099-01-01' }),
        })
      ).status,
    [token, b.receivableId],
  );
  expect(other).toBe(404);
  await context.close();

  // The workspace: the receivable page shows the promise (reasons and timeline pause).
  await person('finance', `fin2-${suffix}`, '李丽');
  const staff = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 1000 } });
  const p2 = await staff.newPage();
  await signInByKeyboard(p2, `fin2-${suffix}`);
  await p2.goto(`${system.base}/app#/receivable/${a.receivableId}`);
  await p2.waitForSelector('#receivable .pause[data-pause="promise"]', WAIT);
  expect(await p2.textContent('#reasons')).toContain(promisedBy);
  expect(await p2.getAttribute('#temporal-link', 'href')).toContain(
    encodeURIComponent(`receivable:${a.receivableId}`),
  );
  await accessible(p2, 'receivable page with a promise');
  await shot(p2, 'workspace-receivable.png');
  await p2.goto(`${system.base}/app#/counterparty/${a.dealer.id}`);
  await p2.waitForSelector(`#counterparty .timeline[data-receivable="${a.receivableId}"]`, WAIT);
  await accessible(p2, 'counterparty page');
  await shot(p2, 'workspace-counterparty.png');
  // Finance finds the claim in My work, checks the bank, and records the payment on the spot.
  await p2.goto(`${system.base}/app#/`);
  const claimItem = `li.work-item[data-kind="debtor-payment"]:has-text("BANK-2026-0042")`;
  await p2.waitForSelector(claimItem, WAIT);
  await pressByKeyboard(p2, `${claimItem} button[data-do="recordPayment"]`);
  await p2.waitForSelector(`${claimItem} output[data-ok="true"]`, WAIT);
  await staff.close();
  await eventually(async () => {
    const r = await system.call('GET', `/v1/receivables/${a.receivableId}`, undefined, 'finance');
    expect(r.body.stage).toBe('paid');
  });

  // The workflow history holds the Update, with the debtor as actor.
  const history = await system.client.workflow.getHandle(`receivable:${a.receivableId}`).fetchHistory();
  const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  const names = updates.map(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name,
  );
  expect(names).toContain('recordValidReason');
});
