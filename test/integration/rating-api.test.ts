/**
 * The dealer rating API through the real servers (HTTP API → Temporal dev server →
 * the rating worker → PostgreSQL and SMTP): departments submit their own indicators,
 * a manual quarterly trigger (a second trigger of a running cycle answers the running
 * one), progress, the manager's decision, and the schedules. Runs are scoped to this
 * file's dealers.
 */
import { randomUUID } from 'node:crypto';
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../api/roles.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { DEFAULT_CONDUCT_INDICATORS, DEFAULT_PERFORMANCE_INDICATORS } from '../../domain/rating.js';
import type { Pool } from '../../store/db.js';
import { ensureRatingSchedules } from '../../workers/rating.schedules.js';
import {
  MONTHLY_PERFORMANCE_WORKFLOW_TYPE,
  QUARTERLY_RATING_WORKFLOW_TYPE,
  type QuarterlyRatingResult,
  ratingQuarterWorkflowId,
} from '../../workflows/rating/contract.js';
import { dealerRequest } from '../support/applications.js';
import type { TestAuth } from '../support/auth.js';
import { eventually } from '../support/eventually.js';
import { systemPerFile } from '../support/system.js';

let pool: Pool;
let client: Client;
let api: FastifyInstance;
let testAuth: TestAuth;
const tag = randomUUID().slice(0, 8);

systemPerFile({ workers: ['rating'] }, (s) => {
  ({ pool, client, api, auth: testAuth } = s);
});

async function call(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, as?: Role) {
  const headers = as ? await testAuth.headers(as) : await testAuth.headersFor(method, url);
  const res = await api.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  return { status: res.statusCode, body: res.json() };
}

async function dealer(id: string, joinedOn = '2060-01-01') {
  const res = await call(
    'POST',
    '/v1/counterparties',
    dealerRequest(id, {
      language: 'en',
      creditGrade: 'BB',
      creditLimitMinor: 0,
      creditTermDays: 30,
      joinedOn,
    }),
  );
  expect(res.status).toBe(201);
}

const FINANCE_KEYS = DEFAULT_PERFORMANCE_INDICATORS.slice(0, 8).map((i) => i.key);
const MARKETING_KEYS = DEFAULT_PERFORMANCE_INDICATORS.slice(8).map((i) => i.key);

/** Every score of a quarter through the API: performance s (customers lost 0) each month, conduct (v, c), sales. */
async function submitQuarter(
  id: string,
  quarter: string,
  s: number,
  v: number,
  c: number,
  salesMinor: number,
) {
  const y = quarter.slice(0, 4);
  const first = (Number(quarter.slice(6)) - 1) * 3 + 1;
  for (let k = 0; k < 3; k++) {
    const month = `${y}-${String(first + k).padStart(2, '0')}`;
    const url = `/v1/dealers/${id}/performance/${month}`;
    const fin = await call('PUT', url, {
      department: 'finance',
      scores: Object.fromEntries(FINANCE_KEYS.map((key) => [key, s])),
    });
    expect(fin.status).toBe(200);
    const mkt = await call(
      'PUT',
      url,
      {
        department: 'marketing',
        scores: { market_coverage: s, sales_network: s, new_customers: s, customers_lost: 0 },
      },
      'marketing',
    );
    expect(mkt.status).toBe(200);
    expect(mkt.body.missing).toEqual([]);
  }
  const conduct = await call(
    'PUT',
    `/v1/dealers/${id}/conduct/${quarter}`,
    {
      department: 'marketing',
      scores: Object.fromEntries(
        DEFAULT_CONDUCT_INDICATORS.map((i) => [i.key, i.measure === 'violations' ? v : c]),
      ),
    },
    'marketing',
  );
  expect(conduct.status).toBe(200);
  const sales = await call('PUT', `/v1/dealers/${id}/sales/${quarter}`, {
    department: 'finance',
    salesMinor,
  });
  expect(sales.status).toBe(200);
}

describe('dealer rating API', () => {
  it('each department submits only its own indicators; a foreign or unknown key names the field', async () => {
    const id = `RA-${tag}`;
    await dealer(id);
    const url = `/v1/dealers/${id}/performance/2071-01`;
    const fin = await call('PUT', url, {
      department: 'finance',
      scores: Object.fromEntries(FINANCE_KEYS.map((k) => [k, 4])),
    });
    expect(fin).toEqual({
      status: 200,
      body: {
        dealerId: id,
        period: '2071-01',
        department: 'finance',
        submitted: Object.fromEntries(FINANCE_KEYS.map((k) => [k, 4])),
        missing: MARKETING_KEYS,
      },
    });
    // Who submitted is the finance credential, not a name in the body.
    const financeId = (await testAuth.token('finance')).split('_')[1];
    const stored = await pool.query(
      'SELECT DISTINCT submitted_by_actor AS actor FROM dealer_performance_scores WHERE dealer_id = $1',
      [id],
    );
    expect(stored.rows).toEqual([
      {
        actor: { credentialId: financeId, username: 'test finance:', name: 'test finance:', role: 'finance' },
      },
    ]);
    for (const [what, path, payload] of [
      ['performance', url, { department: 'finance', scores: { profitability: 1 } }],
      [
        'conduct',
        `/v1/dealers/${id}/conduct/2071-Q1`,
        { department: 'marketing', scores: { promotion_cooperation: 1 } },
      ],
      ['sales', `/v1/dealers/${id}/sales/2071-Q1`, { department: 'finance', salesMinor: 1 }],
    ] as const) {
      const named = await call('PUT', path, { ...payload, submittedBy: 'the-ceo' }, payload.department);
      expect(named.status, what).toBe(400);
      expect(named.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['submittedBy']);
    }
    const unchanged = await pool.query(
      "SELECT value FROM dealer_performance_scores WHERE dealer_id = $1 AND month = '2071-01' AND indicator = 'profitability'",
      [id],
    );
    expect(unchanged.rows).toEqual([{ value: 4 }]);
    const foreign = await call('PUT', url, {
      department: 'finance',
      scores: { customers_lost: 1 },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.fields).toEqual([
      { path: 'scores.customers_lost', message: 'scored by marketing, not finance' },
    ]);
    const unknown = await call('PUT', url, {
      department: 'finance',
      scores: { charm: 5 },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual([
      { path: 'scores.charm', message: 'not a performance indicator' },
    ]);
    const tooHigh = await call('PUT', url, {
      department: 'finance',
      scores: { profitability: 6 },
    });
    expect(tooHigh.status).toBe(400);
    // A finance credential cannot submit marketing's scores.
    const impostor = await call(
      'PUT',
      url,
      { department: 'marketing', scores: { sales_network: 5 } },
      'finance',
    );
    expect(impostor.status).toBe(403);

    const conductByFinance = await call(
      'PUT',
      `/v1/dealers/${id}/conduct/2071-Q1`,
      { department: 'finance', scores: { promotion_cooperation: 4 } },
      'marketing',
    );
    expect(conductByFinance.status).toBe(422);
    expect(conductByFinance.body.error.fields).toEqual([
      { path: 'department', message: 'conduct is entered by marketing' },
    ]);
    const salesByMarketing = await call(
      'PUT',
      `/v1/dealers/${id}/sales/2071-Q1`,
      { department: 'marketing', salesMinor: 1 },
      'finance',
    );
    expect(salesByMarketing.status).toBe(422);
    expect(
      (
        await call('PUT', `/v1/dealers/NOBODY-${tag}/sales/2071-Q1`, {
          department: 'finance',
          salesMinor: 1,
        })
      ).status,
    ).toBe(404);
  });

  it('runs a quarter by hand: a second trigger answers the running cycle; progress; the manager decides', async () => {
    const good = `RG-${tag}`;
    const bad = `RBAD-${tag}`;
    await dealer(good);
    await dealer(bad);
    const quarter = '2071-Q2';
    // good: 60 ×3 → A; conduct 2·5 + 6·5 = 40 → A: AA, 2,000,000 × 30 % = 600,000, 60 days.
    await submitQuarter(good, quarter, 5, 0, 5, 2_000_000);
    // bad: 11·3 + 5 = 38 ×3 → B; conduct 2·0 + 6·3 = 18 → C: BC after CB in 2071-Q1: a manager decides.
    await submitQuarter(bad, quarter, 3, 2, 3, 1_000_000);
    await pool.query(
      `INSERT INTO dealer_quarterly_ratings (quarter, dealer_id, monthly_totals, conduct_total, sales_minor, performance_grade,
         conduct_grade, grade, credit_limit_minor, credit_term_days, eligible, manager_decision_required, digest, policy_version)
       VALUES ('2071-Q1', $1, '[30,30,30]', 30, 1000000, 'C', 'B', 'CB', 4000, 10, true, false, 'seed', 'test')`,
      [bad],
    );
    expect((await call('GET', `/v1/rating-cycles/quarter/${quarter}`)).status).toBe(404);
    const body = { dealerIds: [good, bad] };
    const first = await call('POST', `/v1/rating-cycles/quarter/${quarter}`, body);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ quarter, workflowId: ratingQuarterWorkflowId(quarter) });
    const progress = await eventually(
      () => call('GET', `/v1/rating-cycles/quarter/${quarter}`),
      (r) => r.body.progress?.stage === 'awaiting-decisions',
    );
    expect(progress.body).toEqual({
      quarter,
      workflowId: ratingQuarterWorkflowId(quarter),
      status: 'RUNNING',
      progress: {
        quarter,
        stage: 'awaiting-decisions',
        total: 2,
        done: 2,
        changed: 2,
        skipped: 0,
        decisionsPending: 1,
      },
    });
    const second = await call('POST', `/v1/rating-cycles/quarter/${quarter}`, body);
    expect(second.body.runId).toBe(first.body.runId);

    const profile = await call('GET', `/v1/counterparties/${good}`);
    expect(profile.body).toMatchObject({ creditGrade: 'AA', creditLimitMinor: 600_000, creditTermDays: 60 });
    const badProfile = await call('GET', `/v1/counterparties/${bad}`);
    // 1,000,000 × 6 % = 60,000, 15 days.
    expect(badProfile.body).toMatchObject({
      creditGrade: 'BC',
      creditLimitMinor: 60_000,
      creditTermDays: 15,
    });
    // The rating is a process acting by itself: its actor says so, in the payload and the source.
    expect(badProfile.body.history.at(-1)).toMatchObject({
      eventType: 'grade-set-by-quarterly-rating',
      source: 'system:quarterly-rating',
      payload: {
        quarter,
        grade: 'BC',
        previous: { grade: 'BB', creditLimitMinor: 0, creditTermDays: 30 },
        reason: expect.stringContaining(`quarterly rating ${quarter}`),
        actor: { credentialId: null, username: 'system:quarterly-rating', role: 'system' },
      },
    });

    const notBad = await call('POST', `/v1/dealers/${good}/continuation-decision/${quarter}`, {
      decision: 'continue',
      reason: 'fine',
    });
    expect(notBad.status).toBe(422);
    // A name in the body is refused, naming the field; the decision stays open.
    const named = await call('POST', `/v1/dealers/${bad}/continuation-decision/${quarter}`, {
      decision: 'continue',
      decidedBy: 'the-board',
      reason: 'price violations again',
    });
    expect(named.status).toBe(400);
    expect(named.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['decidedBy']);
    const decided = await call('POST', `/v1/dealers/${bad}/continuation-decision/${quarter}`, {
      decision: 'end-contract',
      reason: 'price violations again',
      onBehalfOf: { name: '王总', note: 'signed on paper' },
    });
    expect(decided.status).toBe(200);
    const managerId = (await testAuth.token('manager')).split('_')[1];
    const manager = {
      credentialId: managerId,
      username: 'test manager:',
      name: 'test manager:',
      role: 'manager',
      onBehalfOf: { name: '王总', note: 'signed on paper', verified: false },
    };
    expect(decided.body).toMatchObject({
      dealerId: bad,
      grade: 'BC',
      previousGrade: 'CB',
      decision: 'end-contract',
      decidedBy: 'test manager: (manager) on behalf of 王总 (unverified)',
      decidedByActor: manager,
    });
    const row = await pool.query(
      'SELECT decided_by_actor AS actor FROM dealer_quarterly_ratings WHERE quarter = $1 AND dealer_id = $2',
      [quarter, bad],
    );
    expect(row.rows).toEqual([{ actor: manager }]);
    // The managers' task to decide is done, by that credential.
    const task = await pool.query('SELECT status, detail FROM tasks WHERE key = $1', [
      `rating:${quarter}:${bad}:continuation-decision`,
    ]);
    expect(task.rows).toEqual([
      { status: 'done', detail: expect.objectContaining({ dealerId: bad, doneBy: manager }) },
    ]);

    const result = (await client.workflow
      .getHandle(ratingQuarterWorkflowId(quarter))
      .result()) as QuarterlyRatingResult;
    expect(result).toMatchObject({ quarter, total: 2, rated: 2, changed: 2 });
    expect(result.decisions).toEqual([
      {
        dealerId: bad,
        decision: 'end-contract',
        decidedBy: 'test manager: (manager) on behalf of 王总 (unverified)',
        decidedByActor: manager,
        byDefault: false,
      },
    ]);
    const supply = await call('GET', `/v1/counterparties/${bad}`);
    expect(supply.body.supplyStopped).toBe(true);
    // The credit record names the manager's credential; the grade it set names who started the cycle.
    const history = supply.body.history as { eventType: string; payload: Record<string, unknown> }[];
    expect(history.find((e) => e.eventType === 'continuation-decided')?.payload).toMatchObject({
      decision: 'end-contract',
      actor: manager,
    });
    const records = await pool.query(
      `SELECT event_type AS "eventType", source FROM credit_records
       WHERE subject_id = $1 AND event_type IN ('continuation-decided', 'supply-stopped', 'grade-set-by-quarterly-rating')
       ORDER BY seq`,
      [bad],
    );
    const starterId = (await testAuth.token('finance')).split('_')[1];
    expect(history.find((e) => e.eventType === 'grade-set-by-quarterly-rating')?.payload).toMatchObject({
      startedBy: { credentialId: starterId, role: 'finance' },
    });
    expect(records.rows).toEqual([
      { eventType: 'grade-set-by-quarterly-rating', source: 'system:quarterly-rating' },
      { eventType: 'supply-stopped', source: `credential:${managerId}` },
      { eventType: 'continuation-decided', source: `credential:${managerId}` },
    ]);

    // A finished quarter may be re-run: a new run that changes nothing.
    const rerun = await call('POST', `/v1/rating-cycles/quarter/${quarter}`, body);
    expect(rerun.status).toBe(202);
    expect(rerun.body.runId).not.toBe(first.body.runId);
    const again = (await client.workflow
      .getHandle(ratingQuarterWorkflowId(quarter), rerun.body.runId)
      .result()) as QuarterlyRatingResult;
    expect(again).toMatchObject({ total: 2, rated: 2, changed: 0, decisions: [] });
    expect((await call('GET', `/v1/rating-cycles/quarter/${quarter}`)).body.progress).toMatchObject({
      stage: 'done',
      changed: 0,
    });
    const late = await call('POST', `/v1/dealers/${bad}/continuation-decision/${quarter}`, {
      decision: 'continue',
      reason: 'second thoughts',
    });
    expect(late.status).toBe(409);
  });

  it('creates the monthly and quarterly schedules; a second call updates them in place', async () => {
    const monthlyScheduleId = `rating-monthly-test-${tag}`;
    const quarterlyScheduleId = `rating-quarterly-test-${tag}`;
    const taskQueue = `rating-test-${tag}`;
    await ensureRatingSchedules(client, 'Asia/Tokyo', {
      monthlyScheduleId,
      quarterlyScheduleId,
      taskQueue,
    });
    await ensureRatingSchedules(client, DEFAULT_POLICY.timeZone, {
      monthlyScheduleId,
      quarterlyScheduleId,
      taskQueue,
    });
    const monthly = client.schedule.getHandle(monthlyScheduleId);
    const quarterly = client.schedule.getHandle(quarterlyScheduleId);
    try {
      const m = await monthly.describe();
      expect(m.spec.timezone).toBe('Asia/Shanghai');
      expect(m.spec.calendars?.[0]).toMatchObject({
        dayOfMonth: [{ start: 1, end: 1, step: 1 }],
        hour: [{ start: 2, end: 2, step: 1 }],
        minute: [{ start: 0, end: 0, step: 1 }],
      });
      expect(m.policies).toMatchObject({
        overlap: ScheduleOverlapPolicy.SKIP,
        catchupWindow: 7 * 86_400_000,
      });
      expect(m.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: MONTHLY_PERFORMANCE_WORKFLOW_TYPE,
        taskQueue,
      });
      // No policy frozen into the schedule: each run reads the version in force when it runs.
      expect((m.action as { args: Record<string, unknown>[] }).args[0]).not.toHaveProperty('policy');
      // 02:00 Shanghai on the 1st = 18:00 UTC the day before.
      const nextMonthly = m.info.nextActionTimes[0] as Date;
      expect(nextMonthly.getUTCHours()).toBe(18);
      expect(new Date(nextMonthly.getTime() + 8 * 3_600_000).getUTCDate()).toBe(1);

      const q = await quarterly.describe();
      expect(q.spec.calendars?.[0]).toMatchObject({
        month: [
          { start: 'JANUARY', end: 'JANUARY', step: 1 },
          { start: 'APRIL', end: 'APRIL', step: 1 },
          { start: 'JULY', end: 'JULY', step: 1 },
          { start: 'OCTOBER', end: 'OCTOBER', step: 1 },
        ],
        dayOfMonth: [{ start: 1, end: 1, step: 1 }],
        hour: [{ start: 3, end: 3, step: 1 }],
      });
      expect(q.policies).toMatchObject({
        overlap: ScheduleOverlapPolicy.SKIP,
        catchupWindow: 7 * 86_400_000,
      });
      expect(q.action).toMatchObject({ workflowType: QUARTERLY_RATING_WORKFLOW_TYPE, taskQueue });
      // A scheduled run is the schedule's act, recorded as such; no person started it.
      for (const [d, id] of [
        [m, monthlyScheduleId],
        [q, quarterlyScheduleId],
      ] as const)
        expect((d.action as { args: { startedBy: unknown }[] }).args[0]?.startedBy).toEqual({
          credentialId: null,
          username: `system:schedule:${id}`,
          name: `schedule:${id}`,
          role: 'system',
        });
      // The next runs: 03:00 Shanghai on the 1st of January, April, July or October.
      for (const t of q.info.nextActionTimes) {
        const local = new Date(t.getTime() + 8 * 3_600_000);
        expect(local.getUTCDate()).toBe(1);
        expect(local.getUTCHours()).toBe(3);
        expect([0, 3, 6, 9]).toContain(local.getUTCMonth());
      }
    } finally {
      await monthly.delete();
      await quarterly.delete();
    }
  });
});
