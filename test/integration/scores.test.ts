/**
 * Issue #18 through the HTTP API against the real servers: facts entered with date and source,
 * the customer score computed from them and the record (behaviour refused in the body), a class
 * change as a credit fact that takes effect on class, limit and term, class D reaching the next
 * application's automatic checks, the salesperson score from the record, and the collections
 * forecast (JSON and CSV) with its backtest in the metadata.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addDays, localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { seedPayments, seedReceivables } from '../support/seed.js';
import { eventually, type System, systemPerFile } from '../support/system.js';

const system = systemPerFile({ poolSize: 4, worker: true });
const call: System['call'] = (...args) => system.call(...args);
const today = () => localDate(Date.now(), DEFAULT_POLICY.timeZone);
const fieldsOf = (res: { body: { error?: { fields?: { path: string }[] } } }) =>
  res.body.error?.fields?.map((f) => f.path);

async function customer(over: Record<string, unknown> = {}) {
  const suffix = randomUUID().slice(0, 8);
  const id = `C-${suffix}`;
  const res = await call('POST', '/v1/counterparties', {
    id,
    name: `Customer ${suffix}`,
    kind: 'customer',
    email: `${suffix}@customer.test`,
    region: 'Hangzhou',
    joinedOn: '2015-01-01',
    customerClass: 'B',
    creditLimitMinor: 1_000_000,
    creditTermDays: 45,
    ...over,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return id;
}

async function salesperson() {
  const id = `S-${randomUUID().slice(0, 8)}`;
  const res = await call('POST', '/v1/salespeople', {
    id,
    name: `Seller ${id}`,
    email: `${id.toLowerCase()}@acme.test`,
    region: 'Shanghai',
  });
  expect(res.status).toBe(201);
  return id;
}

async function fact(
  id: string,
  factor: string,
  value: number | string,
  asOf: string,
  document = 'a document',
) {
  const res = await call('POST', `/v1/customers/${id}/facts`, { factor, value, asOf, document }, 'finance');
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/*
 * Default weights and scorers (domain/customer-score.ts), no receivables (behaviour all missing: 50 each):
 *   current ratio 2.0 100×8=800, debt ratio 40 % 100×8=800, margin 10 % 75×7=525, cash flow missing 50×7=350,
 *   report 90 90×15=1350, feedback missing 50×5=250, contract fulfilment stale 50×5=250, trading since 2015 100×5=500,
 *   behaviour 50×37=1850, industry low 100×3=300 → Σ 6975 → 70 → B.
 * A newer report of 10: 10×15=150 instead of 1350 → 5775 → 58 → C; 70 → 58 is 12 ≥ 10 points and B → C.
 */
describe('the customer score from facts and the record', () => {
  it('takes no behaviour or facts from the body; facts with date and source; re-running changes nothing; a class change takes effect', async () => {
    const id = await customer();
    const recent = addDays(today(), -30);

    const behaviour = await call('POST', `/v1/customers/${id}/score`, { onTimeRateBp: 9000 });
    expect(behaviour.status).toBe(400);
    expect(fieldsOf(behaviour)).toEqual(['onTimeRateBp']);
    expect(behaviour.body.error?.message).toMatch(/record/);
    const asBody = await call('POST', `/v1/customers/${id}/score`, { currentRatioBp: 20000 });
    expect(asBody.status).toBe(400);
    expect(fieldsOf(asBody)).toEqual(['currentRatioBp']);
    const badFactor = await call(
      'POST',
      `/v1/customers/${id}/facts`,
      { factor: 'onTimeRateBp', value: 1, asOf: recent, document: 'x' },
      'finance',
    );
    expect(badFactor.status).toBe(400);
    expect(fieldsOf(badFactor)).toEqual(['factor']);

    const entered = await fact(id, 'currentRatioBp', 20000, recent, '2026 H1 statements');
    expect(entered).toMatchObject({
      factor: 'currentRatioBp',
      asOf: recent,
      actor: expect.objectContaining({ role: 'finance' }),
    });
    await fact(id, 'debtRatioBp', 4000, recent);
    await fact(id, 'profitMarginBp', 1000, recent);
    await fact(id, 'creditReportScore', 90, recent, 'agency report');
    await fact(id, 'industryRisk', 'low', recent);
    await fact(id, 'contractFulfilmentBp', 10000, '2020-01-01', 'old fulfilment review');

    const first = await call('POST', `/v1/customers/${id}/score`, {}, 'credit-desk');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ score: 70, customerClass: 'B', previousClass: 'B', changed: true });
    expect(first.body.missing).toEqual(
      expect.arrayContaining([
        { factor: 'contractFulfilment', why: 'stale' },
        { factor: 'operatingCashFlow', why: 'none' },
        { factor: 'onTimeRate', why: 'no-history' },
      ]),
    );
    const report = (first.body.contributions as { factor: string }[]).find(
      (c) => c.factor === 'creditReport',
    );
    expect(report).toMatchObject({
      points: 90,
      weight: 15,
      contribution: 13.5,
      source: { document: 'agency report' },
    });

    const again = await call('POST', `/v1/customers/${id}/score`, {}, 'credit-desk');
    expect(again.body).toMatchObject({ score: 70, changed: false });
    const rows = async () =>
      (
        await system.pool.query(
          'SELECT score, class FROM customer_scores WHERE counterparty_id = $1 ORDER BY id',
          [id],
        )
      ).rows;
    expect(await rows()).toEqual([{ score: 70, class: 'B' }]);

    await fact(id, 'creditReportScore', 10, addDays(today(), -1), 'agency report, revised');
    const worse = await call('POST', `/v1/customers/${id}/score`, { note: 'revised report' }, 'credit-desk');
    expect(worse.body).toMatchObject({
      score: 58,
      customerClass: 'C',
      previousClass: 'B',
      changed: true,
      earlyWarning: true,
      earlyWarningReasons: ['score-drop', 'class-fall'],
    });
    expect(await rows()).toEqual([
      { score: 70, class: 'B' },
      { score: 58, class: 'C' },
    ]);

    const profile = await call('GET', `/v1/counterparties/${id}`);
    // The class's policy: C gets 60 % of B's 100 % multiplier and at most 30 days.
    expect(profile.body).toMatchObject({ customerClass: 'C', creditLimitMinor: 600_000, creditTermDays: 30 });
    const events = (profile.body.history as { eventType: string; payload: Record<string, unknown> }[]).filter(
      (e) => e.eventType === 'class-set-by-score',
    );
    expect(events.at(-1)?.payload).toMatchObject({
      before: { customerClass: 'B', creditLimitMinor: 1_000_000, creditTermDays: 45 },
      after: { customerClass: 'C', creditLimitMinor: 600_000, creditTermDays: 30 },
      contributions: expect.arrayContaining([
        expect.objectContaining({ factor: 'creditReport', points: 10 }),
      ]),
      actor: expect.objectContaining({ role: 'credit-desk' }),
      reason: expect.stringContaining('revised report'),
    });
    expect((profile.body.history as { eventType: string }[]).map((e) => e.eventType)).toContain(
      'score-early-warning',
    );

    const latest = await call('GET', `/v1/customers/${id}/score`);
    expect(latest.body).toMatchObject({
      score: 58,
      customerClass: 'C',
      trigger: 'requested',
      warningOpen: true,
    });
  });

  it('no upgrade while a receivable is 15+ days overdue without a valid reason: the +15 downgrade holds', async () => {
    const id = await customer({ customerClass: 'C', creditLimitMinor: 600_000, creditTermDays: 30 });
    const seller = await salesperson();
    const recent = addDays(today(), -10);
    for (const [factor, value] of [
      ['currentRatioBp', 20000],
      ['debtRatioBp', 4000],
      ['profitMarginBp', 1000],
      ['creditReportScore', 90],
      ['industryRisk', 'low'],
    ] as const)
      await fact(id, factor, value, recent);
    await seedReceivables(system.pool, [
      {
        id: `RH-${randomUUID().slice(0, 8)}`,
        counterpartyId: id,
        salespersonId: seller,
        currency: 'CNY',
        requestedMinor: 100_000,
        requestedTermDays: 30,
        approvedMinor: 100_000,
        approvedTermDays: 30,
        issueDate: addDays(today(), -50),
        dueDate: addDays(today(), -20),
        stage: 'credit-desk',
        outstandingMinor: 100_000,
        paidMinor: 0,
        discountMinor: 0,
        writtenOffMinor: 0,
        policyVersion: DEFAULT_POLICY.version,
        settledOn: null,
      },
    ]);
    // Sound facts and one receivable 20 days late would make 71 (B); the class stays C.
    const scored = await call('POST', `/v1/customers/${id}/score`, {}, 'finance');
    expect(scored.body).toMatchObject({ score: 71, customerClass: 'C', previousClass: 'C' });
    const profile = await call('GET', `/v1/counterparties/${id}`);
    expect(profile.body).toMatchObject({ customerClass: 'C', creditLimitMinor: 600_000 });
    const event = (profile.body.history as { eventType: string; payload: { reason: string } }[]).find(
      (e) => e.eventType === 'class-set-by-score',
    );
    expect(event?.payload.reason).toMatch(/class B .*held at C while a receivable is 15\+ days overdue/);
  });

  it('a class change to D reaches the next application: its automatic checks refuse credit', async () => {
    const id = await customer({ customerClass: 'A', creditLimitMinor: 10_000_000, creditTermDays: 60 });
    const seller = await salesperson();
    const recent = addDays(today(), -10);
    for (const [factor, value] of [
      ['currentRatioBp', 0],
      ['debtRatioBp', 9500],
      ['profitMarginBp', -1000],
      ['operatingCashFlowRatioBp', -100],
      ['creditReportScore', 0],
      ['customerFeedbackScore', 0],
      ['contractFulfilmentBp', 0],
      ['industryRisk', 'high'],
    ] as const)
      await fact(id, factor, value, recent);
    const scored = await call('POST', `/v1/customers/${id}/score`, {}, 'finance');
    expect(scored.body).toMatchObject({ score: 24, customerClass: 'D', previousClass: 'A' });
    expect((await call('GET', `/v1/counterparties/${id}`)).body).toMatchObject({
      customerClass: 'D',
      creditLimitMinor: 0,
      creditTermDays: 0,
    });

    const receivableId = `R-${randomUUID().slice(0, 8)}`;
    const filed = await call('POST', '/v1/credit-applications', {
      receivableId,
      counterpartyId: id,
      salespersonId: seller,
      amountMinor: 100_000,
      requestedTermDays: 30,
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    await eventually(
      async () => (await call('GET', `/v1/receivables/${receivableId}`)).body,
      (s) => s.stage === 'rejected',
      'automatic checks',
    );
    // The stage shows at once; the record of why follows in the workflow's next activity.
    const rejected = await eventually(
      async () =>
        (
          await system.pool.query(
            "SELECT payload FROM credit_records WHERE subject_id = $1 AND event_type = 'application-rejected'",
            [receivableId],
          )
        ).rows,
      (rows) => rows.length === 1,
      'the rejection recorded',
    );
    expect(JSON.stringify(rejected[0]?.payload)).toMatch(/class D: cash or prepayment only/);
  });
});

describe('the salesperson score from the record', () => {
  it('refuses the record figures in the body, takes facts with date and source, and records once per inputs', async () => {
    const id = await salesperson();
    const refused = await call(
      'POST',
      `/v1/salespeople/${id}/credit-score`,
      { collectionRatioBp: 9000 },
      'manager',
    );
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused)).toEqual(['collectionRatioBp']);
    const f = await call(
      'POST',
      `/v1/salespeople/${id}/facts`,
      {
        factor: 'salesTargetAchievementBp',
        value: 9000,
        asOf: addDays(today(), -5),
        document: 'Q3 sales report',
      },
      'manager',
    );
    expect(f.status, JSON.stringify(f.body)).toBe(201);
    const scored = await call('POST', `/v1/salespeople/${id}/credit-score`, {}, 'manager');
    expect(scored.status).toBe(201);
    // sales 90 × 30 + feedback 50 × 20 + collection 50 × 35 + fulfilment 50 × 15 = 6200 → 62.
    expect(scored.body).toMatchObject({ score: 62, recorded: true, complaintCount: 0 });
    expect(scored.body.missing).toEqual(
      expect.arrayContaining([
        { factor: 'collectionRatioBp', why: 'no-history' },
        { factor: 'customerFeedbackScore', why: 'none' },
      ]),
    );
    const again = await call('POST', `/v1/salespeople/${id}/credit-score`, {}, 'manager');
    expect(again.body).toMatchObject({ score: 62, recorded: false });
  });
});

describe('the collections forecast', () => {
  it("predicts from the counterparty's own days late, by week, salesperson and counterparty; JSON and CSV", async () => {
    const c = await customer();
    const s = await salesperson();
    const t = today();
    const suffix = randomUUID().slice(0, 6);
    const base = {
      counterpartyId: c,
      salespersonId: s,
      currency: 'CNY',
      requestedTermDays: 30,
      approvedTermDays: 30,
      discountMinor: 0,
      writtenOffMinor: 0,
      policyVersion: DEFAULT_POLICY.version,
    };
    // Three paid exactly 10 days late; one open, due in 8 days: expected on day 18 (week 2).
    const paid = [90, 60, 40].map((ago, i) => {
      const dueDate = addDays(t, -ago);
      return {
        ...base,
        id: `RF${i}-${suffix}`,
        requestedMinor: 100_000,
        approvedMinor: 100_000,
        issueDate: addDays(dueDate, -30),
        dueDate,
        stage: 'paid',
        outstandingMinor: 0,
        paidMinor: 100_000,
        settledOn: addDays(dueDate, 10),
      };
    });
    const open = {
      ...base,
      id: `RF-open-${suffix}`,
      requestedMinor: 250_000,
      approvedMinor: 250_000,
      issueDate: addDays(t, -22),
      dueDate: addDays(t, 8),
      stage: 'issued',
      outstandingMinor: 250_000,
      paidMinor: 0,
      settledOn: null,
    };
    await seedReceivables(system.pool, [...paid, open]);
    await seedPayments(
      system.pool,
      paid.map((r) => ({
        id: `P-${r.id}`,
        receivableId: r.id,
        amountMinor: 100_000,
        discountMinor: 0,
        paidOn: r.settledOn,
      })),
    );

    const res = await call('GET', `/v1/reports/collections-forecast?salespersonId=${s}&backtestMonths=3`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const cny = (res.body.currencies as { currency: string; weeks: unknown[]; expectedMinor: number }[]).find(
      (x) => x.currency === 'CNY',
    );
    expect(cny?.weeks).toHaveLength(13);
    expect(cny?.weeks[2]).toMatchObject({ expectedMinor: 250_000, lowMinor: 250_000, highMinor: 250_000 });
    expect(cny?.expectedMinor).toBe(250_000);
    expect(res.body.receivables).toEqual([
      expect.objectContaining({ id: open.id, predictedDate: addDays(t, 18), basis: 'own-history' }),
    ]);
    expect(res.body.bySalesperson).toEqual([expect.objectContaining({ key: s, expectedMinor: 250_000 })]);
    expect(res.body.byCounterparty).toEqual([expect.objectContaining({ key: c, expectedMinor: 250_000 })]);
    expect((res.body.metadata as { backtest: unknown }).backtest).toMatchObject({
      months: 3,
      byCurrency: expect.any(Array),
    });
    expect(res.body.method).toMatch(/days late/);

    const csv = await fetch(`${system.base}/v1/reports/collections-forecast?salespersonId=${s}&format=csv`, {
      headers: await system.auth.headers('finance'),
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe('section,key,currency,week,from,to,expected_minor,low_minor,high_minor');
    expect(lines).toContain(`currency,CNY,CNY,2,${addDays(t, 14)},${addDays(t, 20)},250000,250000,250000`);
    expect(lines).toContain(`salesperson,${s},CNY,2,${addDays(t, 14)},${addDays(t, 20)},250000,,`);
  });
});
