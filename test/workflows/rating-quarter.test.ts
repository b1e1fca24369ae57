/**
 * The dealer rating cycles on the time-skipping test server: the real workflows
 * and activities over scores seeded in PostgreSQL. Every run is scoped to this
 * file's dealers (unique ids, `dealerIds`), so other files' dealers are never rated.
 *
 * Score sets are built so totals are easy to check by hand:
 *   perf(s, lost)   = 11 indicators at s + customers_lost → 11·s + {0:5, 1:3, 2–4:2, 5+:0}
 *   conduct(v, s)   = 2 violation indicators at v + 6 at s → 2·{0:5, 1:3, 2:0, 3+:−5} + 6·s
 * Thresholds (defaults): performance A ≥ 48, B ≥ 36 (on the average of the months: sum ≥ 48·months);
 * conduct A ≥ 32, B ≥ 24.
 */
import { randomUUID } from 'node:crypto';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { type Actor, systemActor } from '../../domain/actor.js';
import { localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { previousQuarter, quarterOf } from '../../domain/rating-cycle.js';
import { previousMonth } from '../../domain/salesperson-review.js';
import { createCreditRecordQueries } from '../../store/credit-record.js';
import type { Pool } from '../../store/db.js';
import {
  type DealerDecisionState,
  dealerDecisionWorkflowId,
  decideDealerContinuation,
  getDealerDecision,
  getRatingProgress,
  RATING_TASK_QUEUE,
  type RatingProgress,
  RatingSearch,
  ratingBatchWorkflowId,
  ratingQuarterWorkflowId,
} from '../../workflows/rating/contract.js';
import {
  monthlyPerformanceWorkflow,
  quarterlyRatingWorkflow,
} from '../../workflows/rating/rating.workflow.js';
import type { TestAuth } from '../support/auth.js';
import { eventually } from '../support/eventually.js';
import { mails as mailsFor } from '../support/inbox.js';
import { seedCounterparty } from '../support/seed.js';
import { cycleSystemPerFile } from '../support/workflow-env.js';

const tag = randomUUID().slice(0, 8);
const N1 = `RN1-${tag}`; // new dealer, joined 2061-02-10
const N2 = `RN2-${tag}`; // new dealer, joined 2061-01-05
const B1 = `RB1-${tag}`; // long-standing, bad two quarters running → manager decides
const B2 = `RB2-${tag}`; // long-standing, bad two quarters running → deadline lapses
const DEALERS = [N1, N2, B1, B2];
const Q1 = '2061-Q1';
const Q2 = '2061-Q2';

let env: TestWorkflowEnvironment;
let pool: Pool;
let api: FastifyInstance;
let testAuth: TestAuth;

const PERF_KEYS = [
  'sales_target_achievement',
  'sales_growth',
  'payment_punctuality',
  'collection_ratio',
  'inventory_turnover',
  'capital_strength',
  'profitability',
  'credit_limit_discipline',
  'market_coverage',
  'sales_network',
  'new_customers',
];
const perf = (s: number, lost: number) => ({
  ...Object.fromEntries(PERF_KEYS.map((k) => [k, s])),
  customers_lost: lost,
});
const CONDUCT_SCORE_KEYS = [
  'promotion_cooperation',
  'customer_complaints',
  'contract_performance',
  'market_information',
  'brand_protection',
  'business_reputation',
];
const conduct = (v: number, s: number) => ({
  distribution_conduct: v,
  price_compliance: v,
  ...Object.fromEntries(CONDUCT_SCORE_KEYS.map((k) => [k, s])),
});

async function seedDealer(
  id: string,
  joinedOn: string,
  grade: string | null,
  language: 'en' | 'zh-CN' = 'en',
) {
  await seedCounterparty(pool, { id, language, creditGrade: grade, joinedOn });
}
async function seedPerformance(id: string, month: string, values: Record<string, number>) {
  for (const [k, v] of Object.entries(values))
    await pool.query(
      `INSERT INTO dealer_performance_scores (dealer_id, month, indicator, value, department, submitted_by)
       VALUES ($1, $2, $3, $4, $5, 'test')`,
      [
        id,
        month,
        k,
        v,
        k === 'market_coverage' || k === 'sales_network' || k === 'new_customers' || k === 'customers_lost'
          ? 'marketing'
          : 'finance',
      ],
    );
}
async function seedQuarter(id: string, quarter: string, c: Record<string, number>, salesMinor: number) {
  for (const [k, v] of Object.entries(c))
    await pool.query(
      `INSERT INTO dealer_conduct_scores (dealer_id, quarter, indicator, value, department, submitted_by)
       VALUES ($1, $2, $3, $4, 'marketing', 'test')`,
      [id, quarter, k, v],
    );
  await pool.query(
    `INSERT INTO dealer_quarterly_sales (dealer_id, quarter, sales_minor, department, submitted_by)
     VALUES ($1, $2, $3, 'finance', 'test')`,
    [id, quarter, salesMinor],
  );
}

async function seed() {
  await seedDealer(N1, '2061-02-10', null, 'zh-CN');
  await seedDealer(N2, '2061-01-05', null);
  await seedDealer(B1, '2059-06-01', 'BB');
  await seedDealer(B2, '2059-06-01', 'AB');
  // Q1. N1 joined in February: only February and March count.
  await seedPerformance(N1, '2061-02', perf(4, 0)); // 44 + 5 = 49
  await seedPerformance(N1, '2061-03', perf(4, 1)); // 44 + 3 = 47 → sum 96 ≥ 2·48: A
  await seedQuarter(N1, Q1, conduct(1, 4), 12_345_678); // 2·3 + 24 = 30: B → AB
  for (const m of ['2061-01', '2061-02', '2061-03']) {
    await seedPerformance(N2, m, perf(4, 1)); // 47 ×3 = 141 < 144, ≥ 108: B
    await seedPerformance(B1, m, perf(3, 2)); // 33 + 2 = 35 ×3 = 105 < 108: C
    await seedPerformance(B2, m, perf(4, 1)); // B
  }
  await seedQuarter(N2, Q1, conduct(2, 3), 9_000_000); // 0 + 18: C → BC
  await seedQuarter(B1, Q1, conduct(0, 5), 5_000_000); // 10 + 30 = 40: A → CA
  await seedQuarter(B2, Q1, conduct(2, 3), 3_000_000); // C → BC
  // Q2
  for (const m of ['2061-04', '2061-05', '2061-06']) {
    await seedPerformance(N1, m, perf(5, 0)); // 60: A
    await seedPerformance(N2, m, perf(4, 1)); // B
    await seedPerformance(B1, m, perf(3, 2)); // C
    await seedPerformance(B2, m, perf(4, 1)); // B
  }
  await seedQuarter(N1, Q2, conduct(0, 5), 10_000_000); // A → AA
  await seedQuarter(N2, Q2, conduct(1, 4), 8_000_000); // B → BB
  await seedQuarter(B1, Q2, conduct(2, 3), 5_000_000); // C → CC
  await seedQuarter(B2, Q2, conduct(2, 3), 3_000_000); // C → BC
}

async function profile(id: string) {
  const { rows } = await pool.query(
    `SELECT credit_grade AS "grade", credit_limit_minor AS "limit", credit_term_days AS "term" FROM counterparties WHERE id = $1`,
    [id],
  );
  return rows[0];
}
async function ratingRow(quarter: string, id: string) {
  const { rows } = await pool.query(
    'SELECT * FROM dealer_quarterly_ratings WHERE quarter = $1 AND dealer_id = $2',
    [quarter, id],
  );
  return rows[0];
}
async function recordCount(): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM credit_records WHERE subject_id = ANY($1)',
    [DEALERS],
  );
  return Number(rows[0]?.n);
}

function runQuarter(quarter: string, batchSize = 2) {
  return env.client.workflow.start(quarterlyRatingWorkflow, {
    workflowId: ratingQuarterWorkflowId(quarter),
    taskQueue: RATING_TASK_QUEUE,
    args: [{ quarter, policy: DEFAULT_POLICY, dealerIds: DEALERS, batchSize }],
  });
}

cycleSystemPerFile(['rating'], async (s) => {
  ({ env, pool, api, auth: testAuth } = s);
  await seed();
});

describe('quarterly dealer rating', () => {
  it("rates a quarter in batches: grade, limit = sales × ratio, term; new dealers' second quarter only AA–BB", async () => {
    const h = await runQuarter(Q1);
    const result = await h.result();
    expect(result).toEqual({
      quarter: Q1,
      total: 4,
      rated: 4,
      changed: 4,
      skippedCount: 0,
      skipped: [],
      decisions: [],
    });

    // N1: AB, its second quarter comes next: allowed. 12,345,678 × 25 % = 3,086,419.5 → 3,086,419 (down).
    expect(await profile(N1)).toEqual({ grade: 'AB', limit: 3_086_419, term: 45 });
    // N2: BC in its second quarter: no credit.
    expect(await profile(N2)).toEqual({ grade: 'BC', limit: 0, term: 0 });
    expect(await ratingRow(Q1, N2)).toMatchObject({
      performance_grade: 'B',
      conduct_grade: 'C',
      monthly_totals: [47, 47, 47],
      conduct_total: 18,
      eligible: false,
      eligibility_reason: 'new dealer: in the second quarter only AA, AB, BA and BB get credit (grade BC)',
    });
    expect(await ratingRow(Q1, N1)).toMatchObject({
      monthly_totals: [49, 47],
      conduct_total: 30,
      eligible: true,
    });
    // B1: CA, 5,000,000 × 8 % = 400,000, 20 days; B2: BC, 3,000,000 × 6 % = 180,000, 15 days.
    expect(await profile(B1)).toEqual({ grade: 'CA', limit: 400_000, term: 20 });
    expect(await profile(B2)).toEqual({ grade: 'BC', limit: 180_000, term: 15 });

    // Two batch children of two dealers each, ids from the quarter.
    for (const n of [1, 2]) {
      const d = await env.client.workflow
        .getHandle(ratingBatchWorkflowId(ratingQuarterWorkflowId(Q1), n))
        .describe();
      expect(d.status.name).toBe('COMPLETED');
    }
    const progress = await h.query(getRatingProgress);
    expect(progress).toEqual({
      quarter: Q1,
      stage: 'done',
      total: 4,
      done: 4,
      changed: 4,
      skipped: 0,
      decisionsPending: 0,
    } satisfies RatingProgress);
    expect((await h.describe()).typedSearchAttributes.get(RatingSearch.RatingProgressPercent)).toBe(100);

    // Every dealer's grade changed: each told once, in its language.
    const mails = await mailsFor(`rating:${Q1}:`);
    expect(mails.map((m) => m.effectKey).sort()).toEqual(
      DEALERS.map((d) => `rating:${Q1}:${d}:grade-mail`).sort(),
    );
    const zh = mails.find((m) => m.effectKey === `rating:${Q1}:${N1}:grade-mail`);
    expect(zh?.subject).toBe('Acme：2061-Q1 信用等级调整为 AB');
    expect(zh?.text).toContain('新的信用额度为 ¥30,864.19，信用期限为 45 天。');
    const en = mails.find((m) => m.effectKey === `rating:${Q1}:${N2}:grade-mail`);
    expect(en?.subject).toBe('Acme: your credit grade for 2061-Q1 is BC');
    expect(en?.text).toContain('No credit is granted this quarter.');

    // Each dealer's new grade is on its credit record, by the rating process, beside the values it replaced;
    // the batch's records extend the chain as one writer would.
    const { rows: graded } = await pool.query<{ subject_id: string; payload: Record<string, unknown> }>(
      `SELECT subject_id, payload FROM credit_records
       WHERE event_type = 'grade-set-by-quarterly-rating' AND subject_id = ANY($1) AND payload->>'quarter' = $2`,
      [DEALERS, Q1],
    );
    expect(graded.map((r) => r.subject_id).sort()).toEqual([...DEALERS].sort());
    expect(graded.find((r) => r.subject_id === N1)?.payload).toMatchObject({
      grade: 'AB',
      creditLimitMinor: 3_086_419,
      creditTermDays: 45,
      previous: { grade: null },
      actor: { username: 'system:quarterly-rating', role: 'system' },
    });
    expect(await createCreditRecordQueries(pool).verify()).toMatchObject({ ok: true });
  });

  it('two bad quarters running: a manager decides by Update; where the deadline lapses, supply stops', async () => {
    // Between the ratings a receivable 15 days overdue lowered B2 one step (BC → CB).
    await pool.query(`UPDATE counterparties SET credit_grade = 'CB' WHERE id = $1`, [B2]);
    const h = await runQuarter(Q2);
    const progress = await eventually(
      () => h.query(getRatingProgress),
      (p) => p.stage === 'awaiting-decisions',
    );
    expect(progress).toMatchObject({ total: 4, done: 4, changed: 4, decisionsPending: 2 });

    // Q2 for the new dealers: N1's third quarter, AA: 10,000,000 × 30 % = 3,000,000, 60 days;
    // N2 now BB: 8,000,000 × 15 % = 1,200,000, 30 days.
    expect(await profile(N1)).toEqual({ grade: 'AA', limit: 3_000_000, term: 60 });
    expect(await profile(N2)).toEqual({ grade: 'BB', limit: 1_200_000, term: 30 });
    // B1 CA → CC: 5,000,000 × 2 % = 100,000, 7 days. B2 stays BC: the quarterly result replaces the +15 CB.
    expect(await profile(B1)).toEqual({ grade: 'CC', limit: 100_000, term: 7 });
    expect(await profile(B2)).toEqual({ grade: 'BC', limit: 180_000, term: 15 });
    const b2Records = await pool.query(
      `SELECT payload FROM credit_records WHERE subject_id = $1 AND event_type = 'grade-set-by-quarterly-rating' ORDER BY seq`,
      [B2],
    );
    expect(b2Records.rows.map((r) => r.payload.previous.grade)).toEqual(['AB', 'CB']);
    expect(b2Records.rows[1].payload).toMatchObject({ quarter: Q2, grade: 'BC', creditLimitMinor: 180_000 });

    // The manager decides on B1 through the API (an Update on rating-decision:<quarter>:<dealer>).
    const b1 = env.client.workflow.getHandle(dealerDecisionWorkflowId(Q2, B1));
    await eventually(() => b1.query(getDealerDecision));
    const url = `/v1/dealers/${B1}/continuation-decision/${Q2}`;
    const headers = await testAuth.headers('manager');
    const postDecision = async (payload: { decision: string; reason: string }) =>
      api.inject({ method: 'POST', url, headers, payload });
    const managerId = (await testAuth.token('manager')).split('_')[1] as string;
    const manager = {
      credentialId: managerId,
      username: 'test manager:',
      name: 'test manager:',
      role: 'manager',
    };
    // The workflow itself takes no name alone: an Update carries the credential the API authenticated.
    const nameOnly = await b1
      .executeUpdate(decideDealerContinuation, {
        args: [{ decision: 'continue', decidedBy: 'manager.li', reason: 'new owner' }],
      })
      .catch((e: unknown) => e);
    expect(nameOnly).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((nameOnly as WorkflowUpdateFailedError).cause?.message).toBe(
      'actor: the authenticated credential is required',
    );
    const refused = await b1
      .executeUpdate(decideDealerContinuation, {
        args: [{ decision: 'continue', actor: manager as Actor, reason: ' ' }],
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toBe('reason: required');
    const decided = await postDecision({ decision: 'continue', reason: 'new owner, payment plan agreed' });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({
      dealerId: B1,
      grade: 'CC',
      previousGrade: 'CA',
      decision: 'continue',
      decidedBy: 'test manager: (manager)',
      decidedByActor: manager,
      byDefault: false,
    });
    const again = await postDecision({ decision: 'stop-supply', reason: 'changed my mind' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('already decided: continue by test manager: (manager)');

    // Nobody decides on B2: waiting for the run skips the clock to the 7-day deadline.
    const result = await h.result();
    expect(result).toMatchObject({
      quarter: Q2,
      total: 4,
      rated: 4,
      changed: 4,
      skippedCount: 0,
      skipped: [],
    });
    expect(result.decisions.sort((a, b) => a.dealerId.localeCompare(b.dealerId))).toEqual([
      {
        dealerId: B1,
        decision: 'continue',
        decidedBy: 'test manager: (manager)',
        decidedByActor: manager,
        byDefault: false,
      },
      // Nobody decided: the deadline did, as the system.
      {
        dealerId: B2,
        decision: 'stop-supply',
        decidedBy: 'policy',
        decidedByActor: systemActor('rating-decision-deadline'),
        byDefault: true,
      },
    ]);
    const b2 = env.client.workflow.getHandle<() => Promise<DealerDecisionState>>(
      dealerDecisionWorkflowId(Q2, B2),
    );
    const b2State = await b2.result();
    const started = (await b2.describe()).startTime.getTime();
    expect(Date.parse(b2State.deadline) - started).toBe(7 * 86_400_000);
    // The default applied when the deadline timer fired (the same workflow task, give or take its latency).
    const lateBy = Date.parse(b2State.decidedAt ?? '') - Date.parse(b2State.deadline);
    expect(lateBy).toBeGreaterThanOrEqual(0);
    expect(lateBy).toBeLessThan(60_000);

    const blocks = await pool.query(
      'SELECT counterparty_id, source FROM supply_blocks WHERE counterparty_id = ANY($1)',
      [DEALERS],
    );
    expect(blocks.rows).toEqual([{ counterparty_id: B2, source: `rating:${Q2}` }]);
    expect(await ratingRow(Q2, B1)).toMatchObject({
      manager_decision_required: true,
      decision: 'continue',
      decided_by: 'test manager: (manager)',
      decided_by_actor: manager,
      decided_by_default: false,
    });
    expect(await ratingRow(Q2, B2)).toMatchObject({
      decision: 'stop-supply',
      decided_by: 'policy',
      decided_by_default: true,
    });
    expect(await ratingRow(Q2, N2)).toMatchObject({ manager_decision_required: false });
    // Each decision task is done: by the manager's credential, or by the deadline.
    const tasks = await pool.query(
      `SELECT key, status, detail->'doneBy' AS "doneBy" FROM tasks WHERE key = ANY($1) ORDER BY key`,
      [[B1, B2].map((d) => `rating:${Q2}:${d}:continuation-decision`)],
    );
    expect(tasks.rows).toEqual([
      { key: `rating:${Q2}:${B1}:continuation-decision`, status: 'done', doneBy: manager },
      {
        key: `rating:${Q2}:${B2}:continuation-decision`,
        status: 'done',
        doneBy: systemActor('rating-decision-deadline'),
      },
    ]);
    // The managers were asked once per dealer; every dealer's grade changed again and each was told once.
    expect((await mailsFor(`rating:${Q2}:`)).map((m) => m.effectKey).sort()).toEqual(
      [
        ...DEALERS.map((d) => `rating:${Q2}:${d}:grade-mail`),
        `rating:${Q2}:${B1}:decision-request`,
        `rating:${Q2}:${B2}:decision-request`,
      ].sort(),
    );
  });

  it('a re-run of the quarter changes nothing: 0 changed, no e-mail, no record, no new decision', async () => {
    const mailsBefore = (await mailsFor(`rating:${Q2}:`)).length;
    const recordsBefore = await recordCount();
    const profilesBefore = await Promise.all(DEALERS.map(profile));
    const h = await runQuarter(Q2, 3);
    const result = await h.result();
    expect(result).toEqual({
      quarter: Q2,
      total: 4,
      rated: 4,
      changed: 0,
      skippedCount: 0,
      skipped: [],
      decisions: [],
    });
    expect(await h.query(getRatingProgress)).toMatchObject({ changed: 0, done: 4, decisionsPending: 0 });
    expect(await Promise.all(DEALERS.map(profile))).toEqual(profilesBefore);
    expect((await mailsFor(`rating:${Q2}:`)).length).toBe(mailsBefore);
    expect(await recordCount()).toBe(recordsBefore);
    const blocks = await pool.query(
      'SELECT count(*)::int AS n FROM supply_blocks WHERE counterparty_id = ANY($1)',
      [DEALERS],
    );
    expect(blocks.rows[0].n).toBe(1);
  });

  it('skips a dealer whose figures are incomplete, naming what is missing', async () => {
    const X = `RX-${tag}`;
    await seedDealer(X, '2059-01-01', 'BB');
    await seedPerformance(X, '2061-07', perf(5, 0));
    await seedPerformance(X, '2061-08', perf(5, 0));
    await seedPerformance(X, '2061-09', { sales_growth: 4 });
    const result = await env.client.workflow.execute(quarterlyRatingWorkflow, {
      workflowId: ratingQuarterWorkflowId(`2061-Q3-${tag}`),
      taskQueue: RATING_TASK_QUEUE,
      args: [{ quarter: '2061-Q3', policy: DEFAULT_POLICY, dealerIds: [X] }],
    });
    expect(result).toMatchObject({ total: 1, rated: 0, skippedCount: 1 });
    expect(result.skipped).toEqual([
      {
        dealerId: X,
        reason: `performance scores for 2061-09 incomplete: missing ${PERF_KEYS.filter((k) => k !== 'sales_growth').join(', ')}, customers_lost`,
      },
    ]);
    expect(await profile(X)).toEqual({ grade: 'BB', limit: 0, term: null });
  });

  it('without a quarter or month, a run covers the period before its start (as a schedule starts it)', async () => {
    // A plain client: waiting for these results must not skip the test server's clock.
    const plain = new Client({ connection: env.connection });
    const q = await plain.workflow.start(quarterlyRatingWorkflow, {
      workflowId: `rating-quarter:derived-${tag}`,
      taskQueue: RATING_TASK_QUEUE,
      args: [{ policy: DEFAULT_POLICY, dealerIds: [`NOBODY-${tag}`] }],
    });
    const qStart = localDate((await q.describe()).startTime.getTime(), DEFAULT_POLICY.timeZone);
    expect(await q.result()).toEqual({
      quarter: previousQuarter(quarterOf(qStart)),
      total: 0,
      rated: 0,
      changed: 0,
      skippedCount: 0,
      skipped: [],
      decisions: [],
    });
    const m = await plain.workflow.start(monthlyPerformanceWorkflow, {
      workflowId: `rating-month:derived-${tag}`,
      taskQueue: RATING_TASK_QUEUE,
      args: [{ policy: DEFAULT_POLICY, dealerIds: [`NOBODY-${tag}`] }],
    });
    const mStart = localDate((await m.describe()).startTime.getTime(), DEFAULT_POLICY.timeZone);
    expect(await m.result()).toEqual({ month: previousMonth(mStart), scored: 0, changed: 0, incomplete: [] });
  });
});

describe('monthly performance', () => {
  it("stores each dealer's month (total, A/B/C); a re-run changes nothing; an incomplete month is named", async () => {
    const run = (month: string) =>
      env.client.workflow.execute(monthlyPerformanceWorkflow, {
        workflowId: `rating-month:${month}-${tag}`,
        taskQueue: RATING_TASK_QUEUE,
        args: [{ month, policy: DEFAULT_POLICY, dealerIds: [N1, N2, B1] }],
      });
    expect(await run('2061-02')).toEqual({ month: '2061-02', scored: 3, changed: 3, incomplete: [] });
    const { rows } = await pool.query(
      `SELECT dealer_id AS id, total, grade FROM dealer_monthly_performance WHERE month = '2061-02' AND dealer_id = ANY($1) ORDER BY dealer_id`,
      [[N1, N2, B1]],
    );
    expect(rows).toEqual(
      [
        { id: N1, total: 49, grade: 'A' },
        { id: N2, total: 47, grade: 'B' },
        { id: B1, total: 35, grade: 'C' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(await run('2061-02')).toEqual({ month: '2061-02', scored: 3, changed: 0, incomplete: [] });

    await seedPerformance(N1, '2061-10', Object.fromEntries(PERF_KEYS.slice(0, 8).map((k) => [k, 4])));
    expect(await run('2061-10')).toEqual({
      month: '2061-10',
      scored: 0,
      changed: 0,
      incomplete: [
        { dealerId: N1, missing: ['market_coverage', 'sales_network', 'new_customers', 'customers_lost'] },
      ],
    });
  });
});
