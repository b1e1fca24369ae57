/**
 * A month's salesperson assessment on the time-skipping test server: the real
 * workflow and activities over receivables and payments seeded in PostgreSQL
 * (unique ids; the run is scoped to this file's salespeople), started through
 * the HTTP API; hand-computed amounts, a re-run that changes nothing, the CSV.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { assessmentMailKey } from '../../activities/salesperson/activities.js';
import { localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { previousMonth } from '../../domain/salesperson-review.js';
import type { Pool } from '../../store/db.js';
import {
  getSalespersonAssessmentStatus,
  SALESPERSON_REVIEW_WORKFLOW_TYPE,
  SALESPERSON_TASK_QUEUE,
  type SalespersonAssessmentResult,
  salespersonAssessmentWorkflowId,
  salespersonReviewWorkflowId,
} from '../../workflows/salesperson/contract.js';
import { salespersonAssessmentWorkflow } from '../../workflows/salesperson/salesperson-assessment.workflow.js';
import type { TestAuth } from '../support/auth.js';
import { MARCH_ASSESSMENT_FIGURES } from '../support/credit-examples.js';
import { mailsWithKey } from '../support/inbox.js';
import { seedCounterparty, seedPayments, seedReceivables, seedSalesperson } from '../support/seed.js';
import { cycleSystemPerFile } from '../support/workflow-env.js';

const MONTH = '2031-03';
let env: TestWorkflowEnvironment;
let pool: Pool;
let testAuth: TestAuth;
let api: FastifyInstance;
const tag = randomUUID().slice(0, 8);
const A = `SPA-${tag}`;
const B = `SPB-${tag}`;
const CP = `CPA-${tag}`;

async function seed() {
  await seedCounterparty(pool, {
    id: CP,
    name: 'Dealer',
    email: 'd@dealer.test',
    creditGrade: 'AB',
    creditLimitMinor: 100_000_000,
    creditTermDays: 60,
  });
  for (const [id, name] of [
    [A, 'Wang Wei'],
    [B, 'Li Na'],
  ] as const)
    await seedSalesperson(pool, { id, name, creditLimitMinor: 5_000_000 });
  // id, approved, term, issued, due, stage, outstanding now, paid, discount, written off, settled
  const rows: [
    string,
    number,
    number,
    string,
    string,
    string,
    number,
    number,
    number,
    number,
    string | null,
  ][] = [
    // issued in March, unpaid: 10,000.00 outstanding at month end, a credit sale of March
    ['R1', 1_000_000, 60, '2031-03-05', '2031-05-04', 'issued', 1_000_000, 0, 0, 0, null],
    // due in March (contract amount), 3,000.00 paid on 03-10; 2,000.00 left at month end
    ['R2', 500_000, 30, '2031-02-01', '2031-03-03', 'issued', 200_000, 300_000, 0, 0, null],
    // issued 03-01 (30 days > the 10-day discount: offered), paid 03-08 with the 1 % discount
    ['R3', 200_000, 30, '2031-03-01', '2031-03-31', 'paid', 0, 198_000, 2_000, 0, '2031-03-08'],
    // written off on 03-20: a bad debt of March, nothing outstanding at month end
    ['R4', 100_000, 30, '2031-01-10', '2031-02-09', 'written-off', 0, 0, 0, 100_000, '2031-03-20'],
    // issued in April: not in March's figures at all
    ['R5', 700_000, 30, '2031-04-02', '2031-05-02', 'issued', 700_000, 0, 0, 0, null],
  ];
  await seedReceivables(
    pool,
    rows.map(
      ([id, approved, term, issued, due, stage, outstanding, paid, discount, writtenOff, settled]) => ({
        id: `${id}-${tag}`,
        counterpartyId: CP,
        salespersonId: A,
        currency: 'CNY',
        requestedMinor: approved,
        requestedTermDays: term,
        approvedMinor: approved,
        approvedTermDays: term,
        issueDate: issued,
        dueDate: due,
        stage,
        outstandingMinor: outstanding,
        paidMinor: paid,
        discountMinor: discount,
        writtenOffMinor: writtenOff,
        settledOn: settled,
        policyVersion: 'test',
      }),
    ),
  );
  await seedPayments(pool, [
    {
      id: `P2-${tag}`,
      receivableId: `R2-${tag}`,
      amountMinor: 300_000,
      discountMinor: 0,
      paidOn: '2031-03-10',
    },
    {
      id: `P3-${tag}`,
      receivableId: `R3-${tag}`,
      amountMinor: 198_000,
      discountMinor: 2_000,
      paidOn: '2031-03-08',
    },
    {
      id: `P5-${tag}`,
      receivableId: `R5-${tag}`,
      amountMinor: 100_000,
      discountMinor: 0,
      paidOn: '2031-04-03',
    },
  ]);
}

cycleSystemPerFile(['salesperson'], async (s) => {
  ({ env, pool, api, auth: testAuth } = s);
  await seed();
});

async function runMonth(month: string): Promise<SalespersonAssessmentResult> {
  const res = await api.inject({
    method: 'POST',
    url: `/v1/salesperson-assessments/${month}`,
    payload: { salespersonIds: [A, B] },
    headers: await testAuth.headersFor('POST', `/v1/salesperson-assessments/${month}`),
  });
  expect(res.statusCode).toBe(202);
  expect(res.json()).toMatchObject({ month, workflowId: salespersonAssessmentWorkflowId(month) });
  return env.client.workflow.getHandle(salespersonAssessmentWorkflowId(month)).result();
}

describe('monthly salesperson assessment', () => {
  it("computes the month's table from receivables and payments (hand-computed), stores it and mails finance once", async () => {
    const result = await runMonth(MONTH);
    expect(result).toMatchObject({
      month: MONTH,
      salespeople: 2,
      changed: 2,
      totalRewardPenaltyMinor: -13_200,
    });

    const res = await api.inject({
      method: 'GET',
      url: `/v1/salesperson-assessments/${MONTH}`,
      headers: await testAuth.headersFor('GET', `/v1/salesperson-assessments/${MONTH}`),
    });
    expect(res.statusCode).toBe(200);
    const rows = (res.json() as { rows: Record<string, unknown>[] }).rows.filter(
      (r) => r.salespersonId === A || r.salespersonId === B,
    );
    const a = rows.find((r) => r.salespersonId === A) as Record<string, unknown> & {
      companyReceivablesMinor: number;
      metrics: Record<string, number | null>;
    };
    // receivables at 03-31: R1 10,000.00 + R2 2,000.00; credit sales R1 + R3; collected 3,000.00 + 1,980.00;
    // contract amount (due in March) R2 + R3; bad debts R4; discount offered and taken on R3.
    expect(a).toMatchObject({ salespersonName: 'Wang Wei', ...MARCH_ASSESSMENT_FIGURES });
    // DSO 1,200,000 ÷ 1,200,000 × 31 = 31.0 days → +20; collection 498,000 ÷ 700,000 = 7114 bp → −20;
    // bad debts 100,000 ÷ 1,200,000 = 833 bp of receivables → −80 and of sales → −50; take-up 100 % → +20.
    expect(a.metrics).toMatchObject({
      averageCollectionPeriodDays: 31,
      collectionRatioBp: 7114,
      badDebtToReceivablesBp: 833,
      badDebtToSalesBp: 833,
      discountTakeUpBp: 10000,
    });
    // The company's receivables are everyone's (other tests share the database): the share is this person's part of them.
    expect(a.companyReceivablesMinor).toBeGreaterThanOrEqual(1_200_000);
    expect(a.metrics.receivablesShareBp).toBe(Math.round((1_200_000 * 10000) / a.companyReceivablesMinor));
    expect(a.rates).toEqual({
      averageCollectionPeriodDays: 20,
      collectionRatioBp: -20,
      receivablesShareBp: 0,
      badDebtToReceivablesBp: -80,
      badDebtToSalesBp: -50,
      discountTakeUpBp: 20,
    });
    // −110 bp × 1,200,000 = −13,200 minor units (¥132.00 deducted from commission)
    expect(a).toMatchObject({ totalRateBp: -110, rewardPenaltyMinor: -13_200 });
    // Nothing to assess for B: no metric, no rate, no amount.
    expect(rows.find((r) => r.salespersonId === B)).toMatchObject({
      receivablesMinor: 0,
      totalRateBp: 0,
      rewardPenaltyMinor: 0,
      metrics: { averageCollectionPeriodDays: null, collectionRatioBp: null, discountTakeUpBp: null },
    });

    const key = assessmentMailKey(MONTH, [A, B]);
    const sent = await mailsWithKey(key);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toEqual(['finance@acme.test']);
    // The table's row of A in the text part (html-to-text of the template's table): every figure.
    const rowOfA = sent[0]?.text.split('\n').find((l) => l.startsWith(A)) ?? '';
    expect(rowOfA.split(/\s{2,}/)).toEqual([A, 'Wang Wei', '¥12,000.00', '-110', '-¥132.00']);
    // …and the CSV after it (the mail's line endings are the transport's).
    expect(sent[0]?.text.split(/\r?\n/)).toContainEqual(
      expect.stringMatching(`^${MONTH},${A},Wang Wei,1200000,`),
    );

    const record = await pool.query(
      `SELECT payload, source FROM credit_records WHERE subject_type = 'salesperson' AND subject_id = $1 AND event_type = 'monthly-assessment'`,
      [A],
    );
    expect(record.rows.map((r) => r.payload.rewardPenaltyMinor)).toEqual([-13_200]);
    // Started through the API by finance: the record names that credential.
    const financeId = (await testAuth.token('finance')).split('_')[1];
    expect(record.rows[0]).toMatchObject({
      source: `credential:${financeId}`,
      payload: { actor: { credentialId: financeId, role: 'finance' } },
    });
    // The credit score follows the assessment (docs/scores.md): the collection record from it (7114 bp → 71),
    // no facts entered yet (sales, feedback, fulfilment missing: 50 each):
    // 30 × 50 + 20 × 50 + 35 × 71 + 15 × 50 = 5735 → 57.
    const scored = await pool.query(
      `SELECT payload, source FROM credit_records WHERE subject_type = 'salesperson' AND subject_id = $1 AND event_type = 'credit-scored'`,
      [A],
    );
    expect(scored.rows).toHaveLength(1);
    expect(scored.rows[0]).toMatchObject({
      source: `system:salesperson-assessment:${MONTH}`,
      payload: { score: 57, collectionRatioBp: 7114, sources: { assessmentMonth: MONTH } },
    });
  });

  it('a re-run of the month changes nothing: same rows, no second e-mail, no second record', async () => {
    const before = await pool.query(
      'SELECT * FROM salesperson_assessments WHERE month = $1 AND salesperson_id = ANY($2) ORDER BY salesperson_id',
      [MONTH, [A, B]],
    );
    const result = await runMonth(MONTH); // the finished run is started again (ALLOW_DUPLICATE)
    expect(result).toMatchObject({ salespeople: 2, changed: 0, totalRewardPenaltyMinor: -13_200 });
    const after = await pool.query(
      'SELECT * FROM salesperson_assessments WHERE month = $1 AND salesperson_id = ANY($2) ORDER BY salesperson_id',
      [MONTH, [A, B]],
    );
    expect(after.rows).toEqual(before.rows);
    expect(await mailsWithKey(assessmentMailKey(MONTH, [A, B]))).toHaveLength(1);
    const record = await pool.query(
      `SELECT 1 FROM credit_records WHERE subject_type = 'salesperson' AND subject_id = ANY($1) AND event_type = 'monthly-assessment'`,
      [[A, B]],
    );
    expect(record.rowCount).toBe(2);
    const scored = await pool.query(
      `SELECT 1 FROM credit_records WHERE subject_type = 'salesperson' AND subject_id = ANY($1) AND event_type = 'credit-scored'`,
      [[A, B]],
    );
    expect(scored.rowCount).toBe(2);
  });

  it('downloads the table as CSV: a header row, one row per salesperson, minor units and bp', async () => {
    for (const url of [
      `/v1/salesperson-assessments/${MONTH}.csv`,
      `/v1/salesperson-assessments/${MONTH}?format=csv`,
    ]) {
      const res = await api.inject({ method: 'GET', url, headers: await testAuth.headersFor('GET', url) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.body.trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^month,salesperson_id,salesperson_name,receivables_minor,/);
      const header = (lines[0] as string).split(',');
      const rowA = (lines.find((l) => l.startsWith(`${MONTH},${A},`)) as string).split(',');
      const col = (name: string) => rowA[header.indexOf(name)];
      expect(col('receivables_minor')).toBe('1200000');
      expect(col('collection_ratio_bp')).toBe('7114');
      expect(col('average_collection_period_days')).toBe('31');
      expect(col('total_rate_bp')).toBe('-110');
      expect(col('reward_penalty_minor')).toBe('-13200');
      expect(lines.filter((l) => l.startsWith(`${MONTH},${B},`))).toHaveLength(1);
    }
  });

  it('answers 404 for a month never assessed', async () => {
    const res = await api.inject({
      method: 'GET',
      url: '/v1/salesperson-assessments/1999-01',
      headers: await testAuth.headersFor('GET', '/v1/salesperson-assessments/1999-01'),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('without a month (a scheduled run) assesses the month before the workflow clock, in the company zone', async () => {
    const expected = previousMonth(localDate(await env.currentTimeMs(), DEFAULT_POLICY.timeZone));
    const result = await env.client.workflow.execute(salespersonAssessmentWorkflow, {
      workflowId: `salesperson-assessment:scheduled-${tag}`,
      taskQueue: SALESPERSON_TASK_QUEUE,
      args: [{ policy: DEFAULT_POLICY, salespersonIds: [B] }],
    });
    expect(result).toMatchObject({ month: expected, salespeople: 1 });
    const status = await env.client.workflow
      .getHandle(`salesperson-assessment:scheduled-${tag}`)
      .query(getSalespersonAssessmentStatus);
    expect(status).toEqual({ month: expected, stage: 'done', result });
    const stored = await pool.query(
      'SELECT 1 FROM salesperson_assessments WHERE month = $1 AND salesperson_id = $2',
      [expected, B],
    );
    expect(stored.rowCount).toBe(1);
  });
});

describe('salesperson credit: record, score, limit, quarterly review (HTTP API)', () => {
  const post = async (url: string, payload: unknown) => {
    const res = await api.inject({
      method: 'POST',
      url,
      payload: payload as Record<string, unknown>,
      headers: await testAuth.headersFor('POST', url),
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const get = async (url: string) => {
    const res = await api.inject({ method: 'GET', url, headers: await testAuth.headersFor('GET', url) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  it('a limit goes proposal → manager approval; only the approval changes it, once', async () => {
    const proposed = await post(`/v1/salespeople/${B}/limit-proposals`, {
      proposedLimitMinor: 2_000_000,
      evaluation: 'new region, modest sales history',
    });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ status: 'pending', previousLimitMinor: 5_000_000 });
    expect((await get(`/v1/salespeople/${B}`)).body.creditLimitMinor).toBe(5_000_000);

    const url = `/v1/salespeople/${B}/limit-proposals/${proposed.body.id}/decision`;
    const approved = await post(url, { approve: true, reason: 'agreed' });
    expect(approved).toMatchObject({
      status: 200,
      body: { status: 'approved', decidedBy: 'test manager: (manager)', decidedByActor: { role: 'manager' } },
    });
    const again = await post(url, { approve: false, reason: 'changed my mind' });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });

    const b = (await get(`/v1/salespeople/${B}`)).body as {
      creditLimitMinor: number;
      record: { eventType: string }[];
    };
    expect(b.creditLimitMinor).toBe(2_000_000);
    expect(b.record.map((r) => r.eventType)).toEqual(
      expect.arrayContaining(['limit-proposed', 'limit-approved']),
    );
    expect(b.record.filter((r) => r.eventType.startsWith('limit-'))).toHaveLength(2);
  });

  it('records events, scores with the policy weights, and the quarterly review proposes and a manager changes it', async () => {
    // The facts a person enters, with date and source; the collection record is March's assessment (7114 bp → 71):
    // 30 × 100 + 20 × 90 + 35 × 71 + 15 × 100 = 8785 → 88 (half up)
    const asOf = localDate(Date.now() - 7 * 86_400_000, DEFAULT_POLICY.timeZone);
    for (const [factor, value] of [
      ['salesTargetAchievementBp', 12_000],
      ['customerFeedbackScore', 90],
      ['contractFulfilmentBp', 10_000],
    ] as const)
      expect(
        (await post(`/v1/salespeople/${A}/facts`, { factor, value, asOf, document: 'HR review' })).status,
      ).toBe(201);
    expect((await post(`/v1/salespeople/${A}/credit-score`, { collectionRatioBp: 9000 })).status).toBe(400);
    const scored = await post(`/v1/salespeople/${A}/credit-score`, {});
    expect(scored).toMatchObject({ status: 201, body: { score: 88, complaintCount: 0, recorded: true } });

    for (const kind of ['complaint', 'violation'] as const) {
      const r = await post(`/v1/salespeople/${A}/record-events`, {
        kind,
        detail: `${kind} on order 42`,
      });
      expect(r).toMatchObject({ status: 201, body: { eventType: kind } });
    }
    expect((await post(`/v1/salespeople/${A}/record-events`, { kind: 'gossip', detail: 'x' })).status).toBe(
      400,
    );

    // Outstanding now: R1 10,000.00 + R2 2,000.00 + R5 7,000.00 of a 50,000.00 limit = 38 %.
    const a = (await get(`/v1/salespeople/${A}`)).body;
    expect(a).toMatchObject({
      creditLimitMinor: 5_000_000,
      outstandingMinor: 1_900_000,
      usageBp: 3800,
      usagePercent: 38,
      limitState: 'ok',
      score: 88,
    });

    const today = localDate(Date.now(), DEFAULT_POLICY.timeZone);
    const quarter = `${today.slice(0, 4)}-Q${Math.ceil(Number(today.slice(5, 7)) / 3)}`;
    const review = await post(`/v1/salesperson-reviews/${quarter}`, { salespersonIds: [A] });
    expect(review.status).toBe(201);
    // One violation outweighs a score of 88: a warning and the limit cut by 20 %.
    expect((review.body.reviews as unknown[])[0]).toMatchObject({
      salespersonId: A,
      status: 'proposed',
      proposedActions: ['warning'],
      proposedLimitMinor: 4_000_000,
      inputs: { score: 88, complaints: 1, violations: 1 },
    });

    const decisionUrl = `/v1/salesperson-reviews/${quarter}/${A}/decision`;
    const decided = await post(decisionUrl, {
      accept: false,
      actions: ['warning'],
      limitMinor: 4_500_000,
      note: 'first violation in three years: a smaller cut',
    });
    expect(decided).toMatchObject({
      status: 200,
      body: {
        status: 'decided',
        decidedActions: ['warning'],
        decidedLimitMinor: 4_500_000,
        decidedBy: 'test manager: (manager)',
        decidedByActor: { role: 'manager' },
      },
    });
    expect((await post(decisionUrl, { accept: true, note: 'y' })).status).toBe(409);
    // A second proposal run leaves the decided review as decided.
    await post(`/v1/salesperson-reviews/${quarter}`, { salespersonIds: [A] });
    const after = (await get(`/v1/salespeople/${A}`)).body as {
      creditLimitMinor: number;
      record: { eventType: string }[];
    };
    expect(after.creditLimitMinor).toBe(4_500_000);
    expect(after.record.map((r) => r.eventType)).toEqual(
      expect.arrayContaining(['credit-scored', 'complaint', 'violation', 'quarterly-review-decided']),
    );
    expect((await post(`/v1/salesperson-reviews/${quarter}`, { salespersonIds: ['NOPE-1'] })).status).toBe(
      422,
    );
  });

  it('refuses a second review of a quarter while the first runs (409), and starts nothing for it', async () => {
    const quarter = '2099-Q1';
    // A run of the quarter that stays running: no worker serves its task queue.
    const first = await env.client.workflow.start(SALESPERSON_REVIEW_WORKFLOW_TYPE, {
      workflowId: salespersonReviewWorkflowId(quarter),
      taskQueue: 'nobody-serves-this',
      args: [{ quarter, policy: DEFAULT_POLICY, salespersonIds: [A] }],
    });
    try {
      const again = await post(`/v1/salesperson-reviews/${quarter}`, { salespersonIds: [A] });
      expect(again.status).toBe(409);
      expect((await first.describe()).runId).toBe(first.firstExecutionRunId);
      const stored = await pool.query('SELECT 1 FROM salesperson_reviews WHERE quarter = $1', [quarter]);
      expect(stored.rowCount).toBe(0);
    } finally {
      await first.terminate('test done');
    }
  });
});
