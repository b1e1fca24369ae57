/**
 * A small book of receivables for the report tests, written as the receivable workflow leaves them in
 * PostgreSQL (snapshots, payments, credit records): three counterparties, two salespeople, nine
 * receivables in early 2025. Ids carry a suffix so several tests share one database. The expected
 * figures are worked out by hand in the tests that use it.
 */
import type { Pool } from 'pg';
import { inTransaction } from '../../store/db.js';
import { createStore } from '../../store/index.js';
import { seedPayments, seedReceivables } from './seed.js';

/** The dealer grades in the order the grade report lists them (best first, by the worse of the two letters). */
export const DEALER_GRADES_IN_REPORT_ORDER = ['AA', 'AB', 'BA', 'BB', 'AC', 'CA', 'BC', 'CB', 'CC'];

export interface ReportBook {
  s: string;
  s2: string;
  d1: string;
  d2: string;
  c1: string;
  region1: string;
  region2: string;
  r: (n: number) => string;
}

interface Row {
  n: number;
  counterparty: string;
  salesperson: string;
  currency?: string;
  amount: number;
  issued?: string;
  due?: string;
  stage: string;
  outstanding: number;
  paid?: number;
  discount?: number;
  writtenOff?: number;
  settled?: string;
}

/**
 * Call with `post` (an authenticated JSON POST to the API) to create the master data through the API;
 * receivables and payments are written through the data layer as their workflows would leave them.
 */
export async function seedReportBook(
  pool: Pool,
  suffix: string,
  post: (path: string, body: unknown) => Promise<number>,
): Promise<ReportBook> {
  const book: ReportBook = {
    s: `S-${suffix}`,
    s2: `S2-${suffix}`,
    d1: `D1-${suffix}`,
    d2: `D2-${suffix}`,
    c1: `C1-${suffix}`,
    region1: `East-${suffix}`,
    region2: `West-${suffix}`,
    r: (n) => `R${n}-${suffix}`,
  };
  const parties = [
    {
      id: book.d1,
      name: `Alpha Trading ${suffix}`,
      kind: 'dealer',
      region: book.region1,
      creditGrade: 'AA',
      creditLimitMinor: 2_000_000,
    },
    {
      id: book.d2,
      name: `Beta Supply ${suffix}`,
      kind: 'dealer',
      region: book.region2,
      creditGrade: 'CC',
      creditLimitMinor: 500_000,
    },
    {
      id: book.c1,
      name: `Gamma Retail ${suffix}`,
      kind: 'customer',
      region: book.region1,
      customerClass: 'B',
      creditLimitMinor: 300_000,
    },
  ];
  for (const p of parties) {
    const status = await post('/v1/counterparties', {
      ...p,
      email: `${p.id.toLowerCase()}@example.test`,
      creditTermDays: 60,
      joinedOn: '2024-01-10',
    });
    if (status !== 201) throw new Error(`creating ${p.id}: HTTP ${status}`);
  }
  for (const sp of [
    { id: book.s, name: `Wang ${suffix}`, creditLimitMinor: 1_000_000 },
    { id: book.s2, name: `Li ${suffix}`, creditLimitMinor: null },
  ]) {
    const status = await post('/v1/salespeople', {
      ...sp,
      email: `${sp.id.toLowerCase()}@acme.test`,
      region: 'Shanghai',
    });
    if (status !== 201) throw new Error(`creating ${sp.id}: HTTP ${status}`);
  }

  const { s, s2, d1, d2, c1 } = book;
  const rows: Row[] = [
    // D1: due after the as-of date, part paid on time.
    {
      n: 1,
      counterparty: d1,
      salesperson: s,
      amount: 400_000,
      issued: '2025-02-01',
      due: '2025-04-10',
      stage: 'issued',
      outstanding: 300_000,
      paid: 100_000,
    },
    {
      n: 2,
      counterparty: d1,
      salesperson: s,
      amount: 200_000,
      issued: '2025-01-15',
      due: '2025-03-25',
      stage: 'overdue',
      outstanding: 200_000,
    },
    // D2: part paid late, one at legal, one written off on 28 March.
    {
      n: 3,
      counterparty: d2,
      salesperson: s,
      amount: 150_000,
      issued: '2025-01-05',
      due: '2025-03-10',
      stage: 'second-notice',
      outstanding: 100_000,
      paid: 50_000,
    },
    {
      n: 4,
      counterparty: d2,
      salesperson: s,
      amount: 80_000,
      issued: '2025-01-02',
      due: '2025-02-01',
      stage: 'legal',
      outstanding: 80_000,
    },
    // C1: a USD receivable of the other salesperson; one paid early with the cash discount.
    {
      n: 5,
      counterparty: c1,
      salesperson: s2,
      currency: 'USD',
      amount: 120_000,
      issued: '2025-03-01',
      due: '2025-03-20',
      stage: 'overdue',
      outstanding: 120_000,
    },
    {
      n: 6,
      counterparty: c1,
      salesperson: s,
      amount: 100_000,
      issued: '2025-02-10',
      due: '2025-03-12',
      stage: 'paid',
      outstanding: 0,
      paid: 99_000,
      discount: 1_000,
      settled: '2025-02-15',
    },
    {
      n: 7,
      counterparty: d2,
      salesperson: s,
      amount: 60_000,
      issued: '2025-01-20',
      due: '2025-02-19',
      stage: 'written-off',
      outstanding: 0,
      writtenOff: 60_000,
      settled: '2025-03-28',
    },
    // Still waiting for approval: exposure, not a receivable yet.
    { n: 8, counterparty: d1, salesperson: s, amount: 70_000, stage: 'awaiting-approval', outstanding: 0 },
    // Issued after the end of March.
    {
      n: 9,
      counterparty: d1,
      salesperson: s,
      amount: 50_000,
      issued: '2025-04-02',
      due: '2025-05-02',
      stage: 'issued',
      outstanding: 50_000,
    },
  ];
  await seedReceivables(
    pool,
    rows.map((r) => ({
      id: book.r(r.n),
      counterpartyId: r.counterparty,
      salespersonId: r.salesperson,
      currency: r.currency ?? 'CNY',
      requestedMinor: r.amount,
      requestedTermDays: 30,
      approvedMinor: r.issued ? r.amount : null,
      approvedTermDays: r.issued ? 30 : null,
      issueDate: r.issued ?? null,
      dueDate: r.due ?? null,
      stage: r.stage,
      outstandingMinor: r.outstanding,
      paidMinor: r.paid ?? 0,
      discountMinor: r.discount ?? 0,
      writtenOffMinor: r.writtenOff ?? 0,
      settledOn: r.settled ?? null,
      policyVersion: 'test',
    })),
  );
  const payments = [
    { n: 1, amount: 100_000, discount: 0, on: '2025-03-05' },
    { n: 3, amount: 50_000, discount: 0, on: '2025-03-20' },
    { n: 6, amount: 99_000, discount: 1_000, on: '2025-02-15' },
  ];
  await seedPayments(
    pool,
    payments.map((p) => ({
      id: `P${p.n}-${suffix}`,
      receivableId: book.r(p.n),
      amountMinor: p.amount,
      discountMinor: p.discount,
      paidOn: p.on,
    })),
  );

  // The timeline steps as the workflow records them (recorded now, so they count in this month).
  const steps: [number, string][] = [
    [1, 'reminder'],
    [2, 'dueCheck'],
    [3, 'dueCheck'],
    [3, 'dueCheck'], // recorded twice (a retried run): still one receivable
    [3, 'secondNotice'],
    [4, 'dueCheck'],
    [4, 'secondNotice'],
    [4, 'warning'],
    [4, 'legal'],
    [5, 'dueCheck'],
  ];
  await inTransaction(pool, async (client) => {
    for (const [i, [n, step]] of steps.entries())
      await createStore(pool).creditRecord.append(client, {
        subjectType: 'receivable',
        subjectId: book.r(n),
        eventType: `step-${step}`,
        payload: { daysOverdue: 1 },
        source: 'workflow',
        idempotencyKey: `${book.r(n)}:step-${step}:${i}`,
      });
  });
  return book;
}
