/**
 * The docs/domain.md §7 reports through the HTTP API against real PostgreSQL: aging by counterparty, region and
 * salesperson on two dates, DSO by month, grade distribution, limit usage and collection results, as
 * JSON and CSV, with a salesperson seeing only their own share. Figures worked out by hand from the
 * book in test/support/report-seed.ts.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT_MINOR } from '../../domain/money.js';
import type { Pool } from '../../store/db.js';
import type { TestAuth } from '../support/auth.js';
import { DEALER_GRADES_IN_REPORT_ORDER, type ReportBook, seedReportBook } from '../support/report-seed.js';
import { systemPerFile } from '../support/system.js';

let api: FastifyInstance;
let pool: Pool;
let auth: TestAuth;
let book: ReportBook;

const system = systemPerFile({ poolSize: 3 }, async () => {
  ({ api, pool, auth } = system);
  const finance = await auth.headers('finance');
  book = await seedReportBook(pool, randomUUID().slice(0, 8), async (url, payload) => {
    const res = await api.inject({ method: 'POST', url, headers: finance, payload: payload as object });
    return res.statusCode;
  });
});

async function get(url: string, as: 'finance' | 'auditor' | 'sales' = 'finance', headers = {}) {
  const who = as === 'sales' ? await auth.headers('sales', book.s) : await auth.headers(as);
  return api.inject({ method: 'GET', url, headers: { ...who, ...headers } });
}

const zeroBuckets = {
  currentMinor: 0,
  overdue1to7Minor: 0,
  overdue8to15Minor: 0,
  overdue16to30Minor: 0,
  overdueOver30Minor: 0,
};
type Json = Record<string, unknown> & { rows: Record<string, unknown>[] };
const mine = (body: Json, keys: string[]) => body.rows.filter((r) => keys.includes(r.key as string));

describe('aging', () => {
  it('buckets by counterparty on 31 March 2025 (payments and write-offs by then count)', async () => {
    const res = await get('/v1/reports/aging?by=counterparty&asOf=2025-03-31');
    expect(res.statusCode).toBe(200);
    const body = res.json() as Json;
    expect(body.asOf).toBe('2025-03-31');
    expect(body.buckets).toEqual([
      { key: 'currentMinor', label: 'current' },
      { key: 'overdue1to7Minor', label: '1–7' },
      { key: 'overdue8to15Minor', label: '8–15' },
      { key: 'overdue16to30Minor', label: '16–30' },
      { key: 'overdueOver30Minor', label: '30+' },
    ]);
    expect(mine(body, [book.d1, book.d2, book.c1])).toEqual([
      // R5 in USD due 20 March: 11 days. R6 was paid in February.
      {
        key: book.c1,
        name: expect.stringContaining('Gamma'),
        currency: 'USD',
        ...zeroBuckets,
        overdue8to15Minor: 120_000,
        totalMinor: 120_000,
      },
      // R1 400,000 − 100,000 paid, due 10 April; R2 200,000 due 25 March: 6 days.
      {
        key: book.d1,
        name: expect.stringContaining('Alpha'),
        currency: 'CNY',
        ...zeroBuckets,
        currentMinor: 300_000,
        overdue1to7Minor: 200_000,
        totalMinor: 500_000,
      },
      // R3 150,000 − 50,000, due 10 March: 21 days; R4 due 1 Feb: 58 days; R7 written off on the 28th.
      {
        key: book.d2,
        name: expect.stringContaining('Beta'),
        currency: 'CNY',
        ...zeroBuckets,
        overdue16to30Minor: 100_000,
        overdueOver30Minor: 80_000,
        totalMinor: 180_000,
      },
    ]);
  });

  it('rebuilds what was outstanding on an earlier date', async () => {
    const body = (await get('/v1/reports/aging?by=counterparty&asOf=2025-03-15')).json() as Json;
    expect(mine(body, [book.d1, book.d2, book.c1])).toEqual([
      // R5 in USD not yet due.
      expect.objectContaining({ key: book.c1, currency: 'USD', currentMinor: 120_000, totalMinor: 120_000 }),
      // R1 300,000 (paid 5 March) and R2 200,000, both not yet due.
      expect.objectContaining({ key: book.d1, currentMinor: 500_000, totalMinor: 500_000 }),
      // R3 not yet part-paid: 150,000 at 5 days; R7 not yet written off: 60,000 at 24 days; R4 at 42 days.
      expect.objectContaining({
        key: book.d2,
        ...zeroBuckets,
        overdue1to7Minor: 150_000,
        overdue16to30Minor: 60_000,
        overdueOver30Minor: 80_000,
        totalMinor: 290_000,
      }),
    ]);
  });

  it('groups by region and by salesperson, with totals per currency', async () => {
    const byRegion = (await get('/v1/reports/aging?by=region&asOf=2025-03-31')).json() as Json;
    expect(mine(byRegion, [book.region1, book.region2])).toEqual([
      {
        key: book.region1,
        name: book.region1,
        currency: 'CNY',
        ...zeroBuckets,
        currentMinor: 300_000,
        overdue1to7Minor: 200_000,
        totalMinor: 500_000,
      },
      {
        key: book.region1,
        name: book.region1,
        currency: 'USD',
        ...zeroBuckets,
        overdue8to15Minor: 120_000,
        totalMinor: 120_000,
      },
      {
        key: book.region2,
        name: book.region2,
        currency: 'CNY',
        ...zeroBuckets,
        overdue16to30Minor: 100_000,
        overdueOver30Minor: 80_000,
        totalMinor: 180_000,
      },
    ]);
    const bySeller = (
      await get(`/v1/reports/aging?by=salesperson&asOf=2025-03-31&salespersonId=${book.s}`)
    ).json() as Json;
    const sRow = {
      key: book.s,
      name: expect.stringContaining('Wang'),
      currency: 'CNY',
      currentMinor: 300_000,
      overdue1to7Minor: 200_000,
      overdue8to15Minor: 0,
      overdue16to30Minor: 100_000,
      overdueOver30Minor: 80_000,
      totalMinor: 680_000,
    };
    expect(bySeller.rows).toEqual([sRow]);
    expect(bySeller.totals).toEqual([{ ...sRow, key: 'total', name: 'total' }]);
  });

  it('answers CSV for ?format=csv or Accept: text/csv, with a header row and a currency column', async () => {
    const url = `/v1/reports/aging?by=salesperson&asOf=2025-03-31&salespersonId=${book.s2}`;
    for (const res of [await get(`${url}&format=csv`), await get(url, 'finance', { accept: 'text/csv' })]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="aging-by-salesperson-2025-03-31.csv"',
      );
      const lines = res.body.trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'as_of,by,key,name,currency,current_minor,overdue_1_7_minor,overdue_8_15_minor,overdue_16_30_minor,overdue_over_30_minor,total_minor',
      );
      expect(parse(res.body, { columns: true })).toEqual([
        expect.objectContaining({
          key: book.s2,
          currency: 'USD',
          overdue_8_15_minor: '120000',
          total_minor: '120000',
        }),
        expect.objectContaining({
          key: 'total',
          currency: 'USD',
          overdue_8_15_minor: '120000',
          total_minor: '120000',
        }),
      ]);
    }
    // An explicit format wins over the Accept header.
    const json = await get(`${url}&format=json`, 'finance', { accept: 'text/csv' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });

  it('refuses bad input with 400 naming the field', async () => {
    for (const [url, field] of [
      ['/v1/reports/aging?by=country', 'query.by'],
      ['/v1/reports/aging?asOf=2025-02-30', 'query.asOf'],
      ['/v1/reports/dso?to=2999-01', 'query.to'],
      ['/v1/reports/dso?from=2025-03&to=2025-01', 'query.from'],
      ['/v1/reports/collections?from=2000-01&to=2025-01', 'query.from'],
      ['/v1/reports/grades?format=xml', 'query.format'],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.fields[0].path, url).toBe(field);
    }
  });
});

describe('DSO by month', () => {
  it('is month-end receivables ÷ the month’s credit sales × days in the month', async () => {
    const res = await get(`/v1/reports/dso?from=2025-01&to=2025-03&salespersonId=${book.s}`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as Json;
    expect(body.formula).toMatch(/receivables .* ÷ credit sales .* × days/);
    expect(body.rows).toEqual([
      // Jan: R2, R3, R4, R7 issued and unpaid: 490,000 ÷ 490,000 × 31.
      {
        month: '2025-01',
        currency: 'CNY',
        periodEnd: '2025-01-31',
        days: 31,
        receivablesMinor: 490_000,
        creditSalesMinor: 490_000,
        dsoDays: 31,
      },
      // Feb: + R1 400,000 and R6 100,000 (paid on the 15th): 890,000 ÷ 500,000 × 28 = 49.84.
      {
        month: '2025-02',
        currency: 'CNY',
        periodEnd: '2025-02-28',
        days: 28,
        receivablesMinor: 890_000,
        creditSalesMinor: 500_000,
        dsoDays: 49.8,
      },
      // Mar: R1 300,000 + R2 200,000 + R3 100,000 + R4 80,000 (R7 written off); nothing sold.
      {
        month: '2025-03',
        currency: 'CNY',
        periodEnd: '2025-03-31',
        days: 31,
        receivablesMinor: 680_000,
        creditSalesMinor: 0,
        dsoDays: null,
      },
    ]);
    const csv = await get(`/v1/reports/dso?from=2025-02&to=2025-02&salespersonId=${book.s}&format=csv`);
    expect(csv.body).toBe(
      'month,currency,period_end,days,receivables_minor,credit_sales_minor,dso_days\r\n' +
        '2025-02,CNY,2025-02-28,28,890000,500000,49.8\r\n',
    );
  });
});

describe('grades, limit usage and collections', () => {
  it('counts the counterparties of one salesperson by grade and class', async () => {
    const body = (await get(`/v1/reports/grades?salespersonId=${book.s}`)).json() as {
      dealers: { grade: string | null; count: number }[];
      customers: { grade: string | null; count: number }[];
    };
    expect(body.dealers.map((d) => d.grade)).toEqual([...DEALER_GRADES_IN_REPORT_ORDER, null]);
    expect(body.dealers.filter((d) => d.count > 0)).toEqual([
      { grade: 'AA', count: 1 },
      { grade: 'CC', count: 1 },
    ]);
    expect(body.customers).toEqual([
      { grade: 'A', count: 0 },
      { grade: 'B', count: 1 },
      { grade: 'C', count: 0 },
      { grade: 'D', count: 0 },
      { grade: null, count: 0 },
    ]);
  });

  it('shows limit, exposure, available and usage per counterparty and salesperson', async () => {
    const res = await get(`/v1/reports/limit-usage?salespersonId=${book.s}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ currency: 'CNY', warningBp: 8000 });
    expect(body.counterparties).toEqual([
      // R5 120,000 (the other salesperson's, still the customer's exposure): 120,000 of 300,000.
      {
        id: book.c1,
        name: expect.any(String),
        kind: 'customer',
        region: book.region1,
        limitMinor: 300_000,
        exposureMinor: 120_000,
        availableMinor: 180_000,
        usageBp: 4000,
      },
      // R1 300,000 + R2 200,000 + R9 50,000 open, R8 70,000 applied for: 620,000 of 2,000,000.
      {
        id: book.d1,
        name: expect.any(String),
        kind: 'dealer',
        region: book.region1,
        limitMinor: 2_000_000,
        exposureMinor: 620_000,
        availableMinor: 1_380_000,
        usageBp: 3100,
      },
      // R3 100,000 + R4 80,000 (R7 written off): 180,000 of 500,000.
      {
        id: book.d2,
        name: expect.any(String),
        kind: 'dealer',
        region: book.region2,
        limitMinor: 500_000,
        exposureMinor: 180_000,
        availableMinor: 320_000,
        usageBp: 3600,
      },
    ]);
    // 300,000 + 200,000 + 100,000 + 80,000 + 50,000 + 70,000 applied = 800,000 of 1,000,000: at the 80 % warning.
    expect(body.salespeople).toEqual([
      {
        id: book.s,
        name: expect.any(String),
        region: 'Shanghai',
        limitMinor: 1_000_000,
        outstandingMinor: 800_000,
        availableMinor: 200_000,
        usageBp: 8000,
        status: 'warning',
      },
    ]);
    const other = (await get(`/v1/reports/limit-usage?salespersonId=${book.s2}`)).json();
    expect(other.salespeople).toEqual([
      expect.objectContaining({
        id: book.s2,
        limitMinor: null,
        outstandingMinor: 120_000,
        usageBp: null,
        status: 'no-limit',
      }),
    ]);
    const csv = parse((await get(`/v1/reports/limit-usage?salespersonId=${book.s}&format=csv`)).body, {
      columns: true,
    });
    expect(csv).toContainEqual({
      subject: 'salesperson',
      id: book.s,
      name: expect.any(String),
      currency: 'CNY',
      limit_minor: '1000000',
      exposure_minor: '800000',
      available_minor: '200000',
      usage_bp: '8000',
      status: 'warning',
    });
  });

  it('reports what was collected, on time or late, discounted and written off each month', async () => {
    const body = (
      await get(`/v1/reports/collections?from=2025-01&to=2025-03&salespersonId=${book.s}`)
    ).json() as Json;
    const none = { dueCheck: 0, secondNotice: 0, warning: 0, legal: 0 };
    expect(body.rows).toEqual([
      {
        month: '2025-01',
        currency: 'CNY',
        collectedMinor: 0,
        onTimeMinor: 0,
        lateMinor: 0,
        discountMinor: 0,
        writtenOffMinor: 0,
        escalations: none,
      },
      // R6: 99,000 on 15 Feb (due 12 March) with 1,000 discount.
      {
        month: '2025-02',
        currency: 'CNY',
        collectedMinor: 99_000,
        onTimeMinor: 99_000,
        lateMinor: 0,
        discountMinor: 1_000,
        writtenOffMinor: 0,
        escalations: none,
      },
      // R1 100,000 on 5 March (due 10 April) on time; R3 50,000 on 20 March (due 10 March) late; R7 written off.
      {
        month: '2025-03',
        currency: 'CNY',
        collectedMinor: 150_000,
        onTimeMinor: 100_000,
        lateMinor: 50_000,
        discountMinor: 0,
        writtenOffMinor: 60_000,
        escalations: none,
      },
    ]);
  });

  it('counts receivables escalated to each step, once each, in the month the step was recorded', async () => {
    // The steps were recorded just now: the default range (the last 12 months) holds them.
    const body = (await get(`/v1/reports/collections?salespersonId=${book.s}`)).json() as Json;
    expect(body.rows).toHaveLength(12);
    const sum = (step: string) =>
      body.rows.reduce((n, r) => n + ((r.escalations as Record<string, number>)[step] ?? 0), 0);
    // dueCheck: R2, R3 (recorded twice), R4; secondNotice: R3, R4; warning and legal: R4. R5 is not theirs.
    expect({
      dueCheck: sum('dueCheck'),
      secondNotice: sum('secondNotice'),
      warning: sum('warning'),
      legal: sum('legal'),
    }).toEqual({ dueCheck: 3, secondNotice: 2, warning: 1, legal: 1 });
    const csv = (await get(`/v1/reports/collections?salespersonId=${book.s}&format=csv`)).body;
    expect(csv.split('\r\n')[0]).toBe(
      'month,currency,collected_minor,on_time_minor,late_minor,discount_minor,written_off_minor,escalated_due_check,escalated_second_notice,escalated_warning,escalated_legal',
    );
  });
});

describe('a salesperson sees only their own share', () => {
  it('gets their own rows without asking, and nothing of another salesperson’s', async () => {
    const aging = (await get('/v1/reports/aging?by=salesperson&asOf=2025-03-31', 'sales')).json() as Json;
    expect(aging.rows.map((r) => r.key)).toEqual([book.s]);
    const byCounterparty = (await get('/v1/reports/aging?asOf=2025-03-31', 'sales')).json() as Json;
    expect(byCounterparty.rows.map((r) => r.key)).toEqual([book.d1, book.d2]); // R6, C1's, is paid
    const usage = (await get('/v1/reports/limit-usage', 'sales')).json();
    expect(usage.salespeople.map((s: { id: string }) => s.id)).toEqual([book.s]);
    expect(usage.counterparties.map((c: { id: string }) => c.id)).toEqual([book.c1, book.d1, book.d2]);
    const own = (
      await get(`/v1/reports/dso?from=2025-01&to=2025-01&salespersonId=${book.s}`, 'sales')
    ).json();
    expect(own.rows[0]).toMatchObject({ receivablesMinor: 490_000, dsoDays: 31 });

    // Another salesperson's id selects nothing: the answer an unknown id gets, not a 403.
    const others = await get(`/v1/reports/collections?salespersonId=${book.s2}`, 'sales');
    const unknown = await get('/v1/reports/collections?salespersonId=S-nobody', 'sales');
    expect(others.statusCode).toBe(200);
    expect(others.json()).toEqual(unknown.json());
    expect(others.json()).not.toEqual(
      (await get(`/v1/reports/collections?salespersonId=${book.s2}`, 'finance')).json(),
    );
  });

  it('an auditor reads every report', async () => {
    for (const path of ['aging', 'dso', 'grades', 'limit-usage', 'collections'])
      expect((await get(`/v1/reports/${path}`, 'auditor')).statusCode, path).toBe(200);
  });
});

describe('amounts too large to add up as JSON numbers', () => {
  it('an application over 10^15 minor units is refused (400), so it cannot break the reports', async () => {
    const res = await api.inject({
      method: 'POST',
      url: '/v1/credit-applications',
      headers: await auth.headers('finance'),
      payload: { counterpartyId: book.d1, salespersonId: book.s, amountMinor: Number.MAX_SAFE_INTEGER },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual([
      { path: 'amountMinor', message: `must be at most ${MAX_AMOUNT_MINOR} minor units` },
    ]);
  });

  it("a dealer's quarterly sales over 10^15 minor units are refused (400) like any other amount", async () => {
    const res = await api.inject({
      method: 'PUT',
      url: `/v1/dealers/${book.d1}/sales/2026-Q3`,
      headers: await auth.headers('finance'),
      payload: { department: 'finance', salesMinor: Number.MAX_SAFE_INTEGER },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual([
      { path: 'salesMinor', message: `must be at most ${MAX_AMOUNT_MINOR} minor units` },
    ]);
  });

  it('sums beyond 2^53 − 1 are answered as 2^53 − 1, to every role, instead of a 500', async () => {
    const t = randomUUID().slice(0, 8);
    const [dealer, seller] = [`DX-${t}`, `SX-${t}`];
    const finance = await auth.headers('finance');
    const post = (url: string, payload: object) =>
      api.inject({ method: 'POST', url, headers: finance, payload });
    const party = {
      name: 'Max dealer',
      kind: 'dealer',
      email: `dx-${t}@example.test`,
      region: `Max-${t}`,
      creditGrade: 'AA',
      creditLimitMinor: 1,
      joinedOn: '2024-01-10',
    };
    expect((await post('/v1/counterparties', { id: dealer, ...party })).statusCode).toBe(201);
    const person = {
      id: seller,
      name: 'Max',
      email: `sx-${t}@acme.test`,
      region: 'Shanghai',
      creditLimitMinor: 1,
    };
    expect((await post('/v1/salespeople', person)).statusCode).toBe(201);
    // Twelve of the largest amounts, as the workflows record them: two pending, ten issued and overdue
    // with a payment each; written straight to PostgreSQL (this file runs no worker).
    for (let i = 0; i < 12; i++) {
      const id = `RX${i}-${t}`;
      const issued = i >= 2;
      await pool.query(
        `INSERT INTO receivables (id, workflow_id, counterparty_id, salesperson_id, currency, requested_minor,
           requested_term_days, approved_minor, approved_term_days, issue_date, due_date, stage, outstanding_minor,
           paid_minor, discount_minor, written_off_minor, policy_version)
         VALUES ($1, $2, $3, $4, 'CNY', $5, 30, $6, $7, $8, $9, $10, $11, 0, 0, 0, 'test')`,
        [
          id,
          `receivable:${id}`,
          dealer,
          seller,
          MAX_AMOUNT_MINOR,
          issued ? MAX_AMOUNT_MINOR : null,
          issued ? 30 : null,
          issued ? '2025-01-02' : null,
          issued ? '2025-02-01' : null,
          issued ? 'overdue' : 'awaiting-approval',
          issued ? MAX_AMOUNT_MINOR - 1 : 0,
        ],
      );
      if (issued)
        await pool.query(
          'INSERT INTO payments (id, receivable_id, amount_minor, discount_minor, paid_on) VALUES ($1, $2, 1, 0, $3)',
          [`PX${i}-${t}`, id, '2025-02-10'],
        );
    }
    const MAX = Number.MAX_SAFE_INTEGER;
    for (const as of ['finance', 'auditor', 'manager', 'admin'] as const) {
      const headers = await auth.headers(as);
      const usage = await api.inject({ method: 'GET', url: '/v1/reports/limit-usage', headers });
      expect(usage.statusCode, `${as}: ${usage.body.slice(0, 300)}`).toBe(200);
      const body = usage.json();
      expect(body.counterparties.find((c: { id: string }) => c.id === dealer)).toMatchObject({
        exposureMinor: MAX,
        availableMinor: 0,
        usageBp: MAX,
      });
      expect(body.salespeople.find((s: { id: string }) => s.id === seller)).toMatchObject({
        outstandingMinor: MAX,
        usageBp: MAX,
        status: 'blocked',
      });
    }
    const own = await api.inject({
      method: 'GET',
      url: '/v1/reports/limit-usage',
      headers: await auth.headers('sales', seller),
    });
    expect(own.statusCode).toBe(200);

    const aging = await get(`/v1/reports/aging?by=region&asOf=2025-03-31&salespersonId=${seller}`);
    expect(aging.statusCode, aging.body.slice(0, 300)).toBe(200);
    expect((aging.json() as Json).rows).toEqual([
      {
        key: `Max-${t}`,
        name: `Max-${t}`,
        currency: 'CNY',
        ...zeroBuckets,
        overdueOver30Minor: MAX,
        totalMinor: MAX,
      },
    ]);
    const dso = await get(`/v1/reports/dso?from=2025-01&to=2025-02&salespersonId=${seller}`);
    expect(dso.statusCode, dso.body.slice(0, 300)).toBe(200);
    const counterparty = await get(`/v1/counterparties/${dealer}`);
    expect(counterparty.json()).toMatchObject({ exposureMinor: MAX, availableMinor: 0 });
  });
});
