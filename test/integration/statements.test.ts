/**
 * GET /v1/counterparties/:id/statement against real PostgreSQL: the statement of account as JSON,
 * CSV and PDF (its text read back), who may read it (a salesperson only the counterparties they
 * sell to), and bad periods refused naming the field. Figures worked out by hand from the book in
 * test/support/report-seed.ts (D2 in March 2025).
 */
import { randomUUID } from 'node:crypto';
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { systemActor } from '../../domain/actor.js';
import type { Pool } from '../../store/db.js';
import { ensureStatementSchedule } from '../../workers/statements.schedules.js';
import { STATEMENT_WORKFLOW_TYPE } from '../../workflows/statements/contract.js';
import type { TestAuth } from '../support/auth.js';
import { compact, pdfText } from '../support/pdf.js';
import { type ReportBook, seedReportBook } from '../support/report-seed.js';
import { systemPerFile } from '../support/system.js';

let api: FastifyInstance;
let client: Client;
let pool: Pool;
let auth: TestAuth;
let book: ReportBook;

const system = systemPerFile({ poolSize: 3 }, async () => {
  ({ api, pool, auth, client } = system);
  const finance = await auth.headers('finance');
  book = await seedReportBook(pool, randomUUID().slice(0, 8), async (url, payload) => {
    const res = await api.inject({ method: 'POST', url, headers: finance, payload: payload as object });
    return res.statusCode;
  });
});

type Who = 'finance' | 'auditor' | 'credit-desk' | 'manager' | 'marketing' | 'admin' | 'sales' | 'sales2';
async function get(url: string, as: Who = 'finance', headers: Record<string, string> = {}) {
  const who =
    as === 'sales'
      ? await auth.headers('sales', book.s)
      : as === 'sales2'
        ? await auth.headers('sales', book.s2)
        : await auth.headers(as);
  return api.inject({ method: 'GET', url, headers: { ...who, ...headers } });
}
const march = () => `/v1/counterparties/${book.d2}/statement?from=2025-03-01&to=2025-03-31`;

describe('the statement of account', () => {
  it('answers JSON: opening, payments, write-offs, closing and the open items with their aging', async () => {
    const res = await get(march());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // R3 150,000 (50,000 paid 20 March), R4 80,000, R7 60,000 written off 28 March
    expect(body).toMatchObject({
      counterpartyId: book.d2,
      from: '2025-03-01',
      to: '2025-03-31',
      letterNumber: expect.stringMatching(/^CF-\d{4}-\d{6}$/),
      currencies: [
        {
          currency: 'CNY',
          openingMinor: 290_000,
          invoicedMinor: 0,
          paidMinor: 50_000,
          discountMinor: 0,
          writtenOffMinor: 60_000,
          closingMinor: 180_000,
        },
      ],
      movements: [
        { date: '2025-03-20', kind: 'payment', receivableId: book.r(3), creditMinor: 50_000 },
        { date: '2025-03-28', kind: 'write-off', receivableId: book.r(7), creditMinor: 60_000 },
      ],
      openItems: [
        { receivableId: book.r(4), outstandingMinor: 80_000, daysOverdue: 58, bucket: '30+' },
        { receivableId: book.r(3), outstandingMinor: 100_000, daysOverdue: 21, bucket: '16-30' },
      ],
    });
    expect(body.currencies[0].aging).toEqual([
      { bucket: 'current', outstandingMinor: 0, items: 0 },
      { bucket: '1-7', outstandingMinor: 0, items: 0 },
      { bucket: '8-15', outstandingMinor: 0, items: 0 },
      { bucket: '16-30', outstandingMinor: 100_000, items: 1 },
      { bucket: '30+', outstandingMinor: 80_000, items: 1 },
    ]);
    // Asked again: the same statement keeps its number.
    expect((await get(march())).json().letterNumber).toBe(body.letterNumber);
  });

  it('answers CSV for format=csv or Accept: text/csv', async () => {
    for (const res of [
      await get(`${march()}&format=csv`),
      await get(march(), 'finance', { accept: 'text/csv' }),
    ]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const rows = parse(res.body, { columns: true }) as Record<string, string>[];
      expect(
        rows.map((r) => [r.record, r.receivable_id, r.credit_minor, r.balance_minor, r.aging_bucket]),
      ).toEqual([
        ['opening', '', '', '290000', ''],
        ['payment', book.r(3), '50000', '', ''],
        ['write-off', book.r(7), '60000', '', ''],
        ['closing', '', '', '180000', ''],
        ['open-item', book.r(4), '', '80000', '30+'],
        ['open-item', book.r(3), '', '100000', '16-30'],
      ]);
    }
  });

  it('answers the PDF letter for format=pdf or Accept: application/pdf, in the counterparty’s language', async () => {
    for (const res of [
      await get(`${march()}&format=pdf`),
      await get(march(), 'finance', { accept: 'application/pdf' }),
    ]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      const text = compact(await pdfText(res.rawPayload));
      for (const s of [
        '对账单',
        '期初余额',
        '¥2,900.00',
        '¥500.00',
        '¥600.00',
        '¥1,800.00',
        '¥1,000.00',
        '¥800.00',
      ])
        expect(text).toContain(s);
      expect(text).toContain(book.r(4));
    }
  });

  it('defaults to this month so far', async () => {
    const res = await get(`/v1/counterparties/${book.d2}/statement`);
    expect(res.statusCode).toBe(200);
    const { from, to } = res.json();
    expect(from).toBe(`${to.slice(0, 7)}-01`);
  });

  it('is read by finance, the credit desk, managers, auditors and the counterparty’s salesperson', async () => {
    for (const who of ['finance', 'credit-desk', 'manager', 'auditor', 'sales'] as const)
      expect((await get(march(), who)).statusCode, who).toBe(200);
    for (const who of ['marketing', 'admin'] as const)
      expect((await get(march(), who)).statusCode, who).toBe(403);
    // s2 does not sell to D2: it answers as an unknown counterparty
    const other = await get(march(), 'sales2');
    expect(other.statusCode).toBe(404);
    expect((await get(`/v1/counterparties/NOPE-${randomUUID().slice(0, 6)}/statement`)).statusCode).toBe(404);
    expect(other.json().error.code).toBe(
      (await get('/v1/counterparties/NOPE-x/statement')).json().error.code,
    );
  });

  it('refuses a bad period naming the field', async () => {
    const cases: [string, string][] = [
      ['from=2025-02-30', 'query.from'],
      ['to=31-03-2025', 'query.to'],
      ['from=2025-04-01&to=2025-03-31', 'query.from'],
      ['from=2019-01-01&to=2025-03-31', 'query.from'],
      ['format=xml', 'query.format'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/v1/counterparties/${book.d2}/statement?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(
        res.json().error.fields.map((f: { path: string }) => f.path),
        query,
      ).toContain(field);
    }
  });
});

describe('the monthly statement schedule', () => {
  it('runs on the policy’s statement day at 06:00 company time; a new day or zone updates it in place', async () => {
    const scheduleId = `statements-test-${randomUUID().slice(0, 8)}`;
    const taskQueue = `statements-test-${randomUUID().slice(0, 8)}`;
    await ensureStatementSchedule(
      client,
      { timeZone: 'Asia/Tokyo', dayOfMonth: 1 },
      { scheduleId, taskQueue },
    );
    await ensureStatementSchedule(
      client,
      { timeZone: 'Asia/Shanghai', dayOfMonth: 5 },
      { scheduleId, taskQueue },
    );
    const handle = client.schedule.getHandle(scheduleId);
    try {
      const d = await handle.describe();
      expect(d.spec.timezone).toBe('Asia/Shanghai');
      expect(d.spec.calendars).toHaveLength(1);
      expect(d.spec.calendars?.[0]).toMatchObject({
        dayOfMonth: [{ start: 5, end: 5, step: 1 }],
        hour: [{ start: 6, end: 6, step: 1 }],
        minute: [{ start: 0, end: 0, step: 1 }],
      });
      expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(d.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: STATEMENT_WORKFLOW_TYPE,
        taskQueue,
      });
      // No month and no policy frozen in: each run covers the month before it starts.
      expect((d.action as { args: Record<string, unknown>[] }).args).toEqual([
        { startedBy: systemActor(`schedule:${scheduleId}`) },
      ]);
      // The next run is on the 5th at 06:00 Shanghai time (22:00 UTC the day before).
      const next = d.info.nextActionTimes[0] as Date;
      expect(next.getUTCHours()).toBe(22);
      expect(new Date(next.getTime() + 8 * 3_600_000).getUTCDate()).toBe(5);
    } finally {
      await handle.delete();
    }
  });
});
