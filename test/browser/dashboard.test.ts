/**
 * The reports dashboard in headless Chromium against the real API and PostgreSQL: the token is asked
 * for and remembered, every chart is drawn (pixels on its canvas) from the figures worked out by hand
 * for the book in test/support/report-seed.ts, and each chart's table shows them exactly.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { TestAuth } from '../support/auth.js';
import { launchChromium, pageErrors, screenshot } from '../support/browser.js';
import { DEALER_GRADES_IN_REPORT_ORDER, type ReportBook, seedReportBook } from '../support/report-seed.js';
import { systemPerFile } from '../support/system.js';

let base: string;
let auth: TestAuth;
let book: ReportBook;
let browser: Browser;
let context: BrowserContext;
let gradesBefore: { dealers: GradeCount[]; customers: GradeCount[] };
type GradeCount = { grade: string | null; count: number };

const WAIT = { timeout: 30_000 };
// The steps in the book are recorded now, so the range runs from the book's months to this one.
const thisMonth = localDate(Date.now(), DEFAULT_POLICY.timeZone).slice(0, 7);
const filters = `asOf=2025-03-31&by=counterparty&from=2025-01&to=${thisMonth}`;

// Its figures are whole-table sums: a database of its own, out of the other browser files' way.
const system = systemPerFile({ poolSize: 3, isolated: 'dashboard' }, (s) => {
  ({ base, auth } = s);
});

beforeAll(async () => {
  const finance = await auth.headers('finance');
  gradesBefore = (await (
    await fetch(`${base}/v1/reports/grades`, { headers: finance })
  ).json()) as typeof gradesBefore;
  book = await seedReportBook(system.pool, randomUUID().slice(0, 8), async (path, body) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...finance, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.status;
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

interface TableRow {
  key: string;
  currency: string | null;
  cells: Record<string, string>;
  texts: Record<string, string>;
}

/** A chart's table as data: each row's key and currency, each cell's data-value and visible text. */
function table(page: Page, id: string): Promise<TableRow[]> {
  return page.$$eval(`#${id} tbody tr`, (trs) =>
    trs.map((tr) => {
      const tds = [...tr.querySelectorAll('td')];
      return {
        key: tr.getAttribute('data-key') ?? '',
        currency: tr.getAttribute('data-currency'),
        cells: Object.fromEntries(
          tds.map((td) => [td.getAttribute('data-key'), td.getAttribute('data-value')]),
        ),
        texts: Object.fromEntries(tds.map((td) => [td.getAttribute('data-key'), td.textContent])),
      };
    }),
  );
}
const row = (rows: TableRow[], key: string, currency?: string) => {
  const found = rows.find((r) => r.key === key && (currency === undefined || r.currency === currency));
  if (!found) throw new Error(`no row ${key} ${currency ?? ''} in ${JSON.stringify(rows.map((r) => r.key))}`);
  return found;
};

interface ChartData {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  painted: number;
}

/** What Chart.js drew on a canvas: its labels and datasets, and how many pixels it painted. */
function chart(page: Page, id: string): Promise<ChartData> {
  return page.$eval(`#${id}`, (canvas) => {
    const c = canvas as unknown as {
      width: number;
      height: number;
      getContext(type: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    const drawn = (
      globalThis as unknown as {
        Chart: {
          getChart(c: unknown): {
            data: { labels: string[]; datasets: { label: string; data: (number | null)[] }[] };
          };
        };
      }
    ).Chart.getChart(canvas).data;
    const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) painted++;
    return {
      labels: [...drawn.labels],
      datasets: drawn.datasets.map((d) => ({ label: d.label, data: [...d.data] })),
      painted,
    };
  });
}
const series = (c: ChartData, label: string) => {
  const d = c.datasets.find((x) => x.label === label);
  if (!d) throw new Error(`no dataset ${label} in ${c.datasets.map((x) => x.label).join(', ')}`);
  return d.data;
};
/** The values of one dataset at the given labels. */
const at = (c: ChartData, label: string, labels: string[]) =>
  labels.map((l) => {
    const i = c.labels.indexOf(l);
    if (i < 0) throw new Error(`no label ${l} in ${c.labels.join(', ')}`);
    return series(c, label)[i];
  });

describe('the reports dashboard', () => {
  it('asks for a token, then draws every report with the exact figures', async () => {
    const page = await context.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/dashboard#${filters}`);
    await page.waitForSelector('body[data-state="needs-token"]', WAIT);
    expect(await page.textContent('#status')).toMatch(/API token/);

    await page.fill('#token', await auth.token('finance'));
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('body[data-state="ready"]', WAIT);
    for (const id of ['aging', 'dso', 'grades', 'limit-usage', 'collections', 'forecast'])
      expect(await page.getAttribute(`#${id}`, 'data-state'), id).toBe('ready');
    // The collections forecast (docs/scores.md): a chart of 13 weeks and the backtest's error in its note.
    expect(await page.getAttribute('#forecast-chart', 'data-rendered')).toBe('true');
    expect(await page.textContent('#forecast-note')).toMatch(/Backtest of the last 6 months/);

    // Aging on 31 March 2025, by counterparty.
    const aging = await table(page, 'aging-table');
    expect(row(aging, book.d1).cells).toMatchObject({
      currency: 'CNY',
      currentMinor: '300000',
      overdue1to7Minor: '200000',
      overdue8to15Minor: '0',
      overdue16to30Minor: '0',
      overdueOver30Minor: '0',
      totalMinor: '500000',
    });
    expect(row(aging, book.d1).texts.currentMinor).toBe('¥3,000.00');
    expect(row(aging, book.d2).cells).toMatchObject({
      overdue16to30Minor: '100000',
      overdueOver30Minor: '80000',
      totalMinor: '180000',
    });
    expect(row(aging, book.c1).cells).toMatchObject({ currency: 'USD', overdue8to15Minor: '120000' });
    expect(row(aging, book.c1).texts.overdue8to15Minor).toBe('$1,200.00');
    expect(row(aging, 'total', 'CNY').cells).toMatchObject({
      currentMinor: '300000',
      overdue1to7Minor: '200000',
      overdue8to15Minor: '0',
      overdue16to30Minor: '100000',
      overdueOver30Minor: '80000',
      totalMinor: '680000',
    });
    expect(row(aging, 'total', 'USD').cells.totalMinor).toBe('120000');
    const agingChart = await chart(page, 'aging-chart');
    expect(agingChart.painted).toBeGreaterThan(1000);
    // Largest first, in major units; two currencies, so each bar names its currency.
    expect(agingChart.labels).toEqual([
      expect.stringMatching(/^Alpha Trading .* \(CNY\)$/),
      expect.stringMatching(/^Beta Supply .* \(CNY\)$/),
      expect.stringMatching(/^Gamma Retail .* \(USD\)$/),
    ]);
    expect(agingChart.datasets.map((d) => [d.label, d.data])).toEqual([
      ['current', [3000, 0, 0]],
      ['1–7', [2000, 0, 0]],
      ['8–15', [0, 0, 1200]],
      ['16–30', [0, 1000, 0]],
      ['30+', [0, 800, 0]],
    ]);

    // DSO: Jan 490,000 ÷ 490,000 × 31; Feb 890,000 ÷ 500,000 × 28 = 49.84; Mar nothing sold in CNY,
    // 120,000 ÷ 120,000 × 31 in USD.
    const dso = await table(page, 'dso-table');
    expect(row(dso, '2025-01:CNY').cells).toMatchObject({
      receivablesMinor: '490000',
      creditSalesMinor: '490000',
      days: '31',
      dsoDays: '31',
    });
    expect(row(dso, '2025-02:CNY').cells).toMatchObject({
      receivablesMinor: '890000',
      creditSalesMinor: '500000',
      days: '28',
      dsoDays: '49.8',
    });
    expect(row(dso, '2025-03:CNY').cells).toMatchObject({ receivablesMinor: '680000', dsoDays: '' });
    expect(row(dso, '2025-03:USD').cells).toMatchObject({ receivablesMinor: '120000', dsoDays: '31' });
    const dsoChart = await chart(page, 'dso-chart');
    expect(dsoChart.painted).toBeGreaterThan(1000);
    expect(at(dsoChart, 'DSO (CNY), days', ['2025-01', '2025-02', '2025-03'])).toEqual([31, 49.8, null]);
    expect(at(dsoChart, 'DSO (USD), days', ['2025-01', '2025-02', '2025-03'])).toEqual([null, null, 31]);

    // Grades: what was there before, plus an AA and a CC dealer and a class-B customer.
    const plus = (before: GradeCount[], grade: string) =>
      before.map((g) => (g.grade === grade ? g.count + 1 : g.count));
    const dealersAfter = plus(gradesBefore.dealers, 'AA').map(
      (n, i) => n + (gradesBefore.dealers[i]?.grade === 'CC' ? 1 : 0),
    );
    const customersAfter = plus(gradesBefore.customers, 'B');
    const dealerTable = await table(page, 'grades-dealers-table');
    expect(dealerTable.map((r) => r.key)).toEqual([...DEALER_GRADES_IN_REPORT_ORDER, 'none']);
    expect(dealerTable.map((r) => Number(r.cells.count))).toEqual(dealersAfter);
    const customerTable = await table(page, 'grades-customers-table');
    expect(customerTable.map((r) => r.key)).toEqual(['A', 'B', 'C', 'D', 'none']);
    expect(customerTable.map((r) => Number(r.cells.count))).toEqual(customersAfter);
    const dealerChart = await chart(page, 'grades-dealers-chart');
    expect(dealerChart.labels).toEqual(['AA', 'AB', 'BA', 'BB', 'AC', 'CA', 'BC', 'CB', 'CC', 'not rated']);
    expect(series(dealerChart, 'dealers')).toEqual(dealersAfter);
    expect(dealerChart.painted).toBeGreaterThan(1000);
    const customerChart = await chart(page, 'grades-customers-chart');
    expect(series(customerChart, 'customers')).toEqual(customersAfter);
    expect(customerChart.painted).toBeGreaterThan(1000);

    // Limit usage now: D1 620,000 of 2,000,000; D2 180,000 of 500,000; C1 120,000 of 300,000;
    // salesperson S 800,000 of 1,000,000 (at the warning level); S2 has no limit.
    const cps = await table(page, 'limit-counterparties-table');
    expect(row(cps, book.d1).cells).toMatchObject({
      limitMinor: '2000000',
      exposureMinor: '620000',
      availableMinor: '1380000',
      usageBp: '3100',
    });
    expect(row(cps, book.d1).texts.usageBp).toBe('31.00 %');
    expect(row(cps, book.d2).cells).toMatchObject({ exposureMinor: '180000', usageBp: '3600' });
    expect(row(cps, book.c1).cells).toMatchObject({ exposureMinor: '120000', usageBp: '4000' });
    const sps = await table(page, 'limit-salespeople-table');
    expect(row(sps, book.s).cells).toMatchObject({
      limitMinor: '1000000',
      outstandingMinor: '800000',
      availableMinor: '200000',
      usageBp: '8000',
      status: 'warning',
    });
    expect(row(sps, book.s2).cells).toMatchObject({ limitMinor: '', usageBp: '', status: 'no-limit' });
    const cpChart = await chart(page, 'limit-counterparties-chart');
    const nameOf = (id: string) => row(cps, id).cells.name ?? '';
    expect(at(cpChart, 'counterparty usage %', [nameOf(book.d1), nameOf(book.d2), nameOf(book.c1)])).toEqual([
      31, 36, 40,
    ]);
    expect(cpChart.painted).toBeGreaterThan(1000);
    const spChart = await chart(page, 'limit-salespeople-chart');
    expect(at(spChart, 'salesperson usage %', [row(sps, book.s).cells.name ?? ''])).toEqual([80]);
    expect(spChart.labels).not.toContain(row(sps, book.s2).cells.name);

    // Collections: Feb R6 99,000 on time with 1,000 discount; Mar R1 100,000 on time, R3 50,000 late,
    // R7 60,000 written off. Escalations were recorded this month.
    const col = await table(page, 'collections-table');
    expect(row(col, '2025-01:CNY').cells).toMatchObject({ collectedMinor: '0', writtenOffMinor: '0' });
    expect(row(col, '2025-02:CNY').cells).toMatchObject({
      collectedMinor: '99000',
      onTimeMinor: '99000',
      lateMinor: '0',
      discountMinor: '1000',
    });
    expect(row(col, '2025-03:CNY').cells).toMatchObject({
      collectedMinor: '150000',
      onTimeMinor: '100000',
      lateMinor: '50000',
      discountMinor: '0',
      writtenOffMinor: '60000',
    });
    const escalated = (currency: string, step: string) =>
      col.filter((r) => r.currency === currency).reduce((n, r) => n + Number(r.cells[step]), 0);
    expect(['dueCheck', 'secondNotice', 'warning', 'legal'].map((s) => escalated('CNY', s))).toEqual([
      3, 2, 1, 1,
    ]);
    expect(['dueCheck', 'secondNotice', 'warning', 'legal'].map((s) => escalated('USD', s))).toEqual([
      1, 0, 0, 0,
    ]);
    const colChart = await chart(page, 'collections-chart');
    const spring = ['2025-01 CNY', '2025-02 CNY', '2025-03 CNY'];
    expect(at(colChart, 'collected on time', spring)).toEqual([0, 990, 1000]);
    expect(at(colChart, 'collected late', spring)).toEqual([0, 0, 500]);
    expect(at(colChart, 'discount taken', spring)).toEqual([0, 10, 0]);
    expect(at(colChart, 'written off', spring)).toEqual([0, 0, 600]);
    const total = (label: string) => series(colChart, label).reduce<number>((n, v) => n + (v ?? 0), 0);
    expect(total('escalated: due+1 check')).toBe(4);
    expect(total('escalated: +30 legal')).toBe(1);
    expect(colChart.painted).toBeGreaterThan(1000);

    const file = await screenshot(page, 'dashboard');
    expect(file).toMatch(/test-results\/dashboard\.png$/);

    // Regrouping the aging by region redraws it from the API.
    await page.selectOption('#by', 'region');
    await page.click('#filters button[type="submit"]');
    await page.waitForSelector(`#aging-table tr[data-key="${book.region2}"]`, WAIT);
    await page.waitForSelector('body[data-state="ready"]', WAIT);
    const byRegion = await table(page, 'aging-table');
    expect(row(byRegion, book.region1, 'CNY').cells.totalMinor).toBe('500000');
    expect(row(byRegion, book.region1, 'USD').cells.totalMinor).toBe('120000');
    expect(row(byRegion, book.region2, 'CNY').cells.totalMinor).toBe('180000');
    expect(new URL(page.url()).hash).toContain('by=region');

    // Our own scripts only: nothing broke the content security policy or threw.
    expect(errors).toEqual([]);
    await page.close();
  });

  it('takes #token= from the address, remembers it and removes it from the address', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${base}/dashboard#token=${await auth.token('auditor')}&${filters}`);
    await page.waitForSelector('body[data-state="ready"]', WAIT);
    expect(page.url()).not.toContain('token=');
    expect(page.url()).toContain('asOf=2025-03-31');
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', WAIT);
    expect((await table(page, 'aging-table')).map((r) => r.key)).toContain(book.d1);

    // A refused token says so instead of drawing.
    await page.goto(`${base}/dashboard#token=cf_not_a_token`);
    await page.reload();
    await page.waitForSelector('body[data-state="error"]', WAIT);
    expect(await page.textContent('#status')).toMatch(/valid credential/);
    await ctx.close();
  });

  it('is served with Chart.js from this API and a strict content security policy', async () => {
    const page = await fetch(`${base}/dashboard`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const chartJs = await fetch(`${base}/dashboard/chart.umd.js`);
    expect(chartJs.status).toBe(200);
    expect(await chartJs.text()).toMatch(/Chart\.js v4/);
    // The dashboard formats money with the very file the server's mails and reports use.
    const format = await fetch(`${base}/dashboard/format.js`);
    expect(format.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await format.text()).toBe(
      readFileSync(new URL('../../domain/format.js', import.meta.url), 'utf8'),
    );
    expect((await fetch(`${base}/dashboard/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard/secrets.json`)).status).toBe(404);
  });
});
