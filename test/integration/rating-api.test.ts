/**
 * The dealer rating API through the real servers (HTTP API → Temporal dev server →
 * the rating worker → PostgreSQL and SMTP): departments submit their own indicators,
 * a manual quarterly trigger (a second trigger of a running cycle answers the running
 * one), progress, the manager's decision, and the schedules. Runs are scoped to this
 * file's dealers.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Role } from '../../api/roles.js';
import { buildApi } from '../../api/server.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { DEFAULT_CONDUCT_INDICATORS, DEFAULT_PERFORMANCE_INDICATORS } from '../../domain/rating.js';
import { createPool, type Pool } from '../../infra/db.js';
import type { Mailer } from '../../infra/mail.js';
import { registerSearchAttributes } from '../../infra/temporal.js';
import { ensureRatingSchedules } from '../../workers/rating.schedules.js';
import { createRatingWorker } from '../../workers/rating.worker.js';
import {
  MONTHLY_PERFORMANCE_WORKFLOW_TYPE,
  QUARTERLY_RATING_WORKFLOW_TYPE,
  type QuarterlyRatingResult,
  ratingQuarterWorkflowId,
} from '../../workflows/rating/contract.js';
import { testMailer } from '../support/acme.js';
import { createTestAuth, type TestAuth } from '../support/auth.js';

let api: FastifyInstance;
let pool: Pool;
let testAuth: TestAuth;
let mailer: Mailer;
let worker: Worker;
let running: Promise<void>;
let connection: Connection;
let workerConnection: NativeConnection;
let client: Client;
const tag = randomUUID().slice(0, 8);

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'), 5);
  testAuth = createTestAuth(pool);
  connection = await Connection.connect({ address: inject('temporalAddress') });
  await registerSearchAttributes(connection, 'default');
  client = new Client({ connection });
  workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  mailer = testMailer();
  worker = await createRatingWorker({
    connection: workerConnection,
    namespace: 'default',
    workflowBundle: { codePath: inject('workflowBundlePath') },
    pool,
    mailer,
    company: { name: 'Acme', managers: ['manager@acme.test'] },
  });
  running = worker.run();
  api = await buildApi({ client, pool, policy: () => DEFAULT_POLICY });
});

afterAll(async () => {
  await api?.close();
  worker?.shutdown();
  await running;
  mailer?.close();
  await workerConnection?.close();
  await connection?.close();
  await pool?.end();
});

async function call(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, as?: Role) {
  const headers = as ? await testAuth.headers(as) : await testAuth.headersFor(method, url);
  const res = await api.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  return { status: res.statusCode, body: res.json() };
}

async function dealer(id: string, joinedOn = '2060-01-01') {
  const res = await call('POST', '/v1/counterparties', {
    id,
    name: `Dealer ${id}`,
    kind: 'dealer',
    email: `${id.toLowerCase()}@dealer.test`,
    language: 'en',
    region: 'Hangzhou',
    creditGrade: 'BB',
    creditLimitMinor: 0,
    creditTermDays: 30,
    joinedOn,
  });
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
      submittedBy: 'li.finance',
      scores: Object.fromEntries(FINANCE_KEYS.map((key) => [key, s])),
    });
    expect(fin.status).toBe(200);
    const mkt = await call(
      'PUT',
      url,
      {
        department: 'marketing',
        submittedBy: 'zhao.marketing',
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
      submittedBy: 'zhao.marketing',
      scores: Object.fromEntries(
        DEFAULT_CONDUCT_INDICATORS.map((i) => [i.key, i.measure === 'violations' ? v : c]),
      ),
    },
    'marketing',
  );
  expect(conduct.status).toBe(200);
  const sales = await call('PUT', `/v1/dealers/${id}/sales/${quarter}`, {
    department: 'finance',
    submittedBy: 'li.finance',
    salesMinor,
  });
  expect(sales.status).toBe(200);
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const until = Date.now() + 30_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out: last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('dealer rating API', () => {
  it('each department submits only its own indicators; a foreign or unknown key names the field', async () => {
    const id = `RA-${tag}`;
    await dealer(id);
    const url = `/v1/dealers/${id}/performance/2071-01`;
    const fin = await call('PUT', url, {
      department: 'finance',
      submittedBy: 'li.finance',
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
    const foreign = await call('PUT', url, {
      department: 'finance',
      submittedBy: 'li',
      scores: { customers_lost: 1 },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.fields).toEqual([
      { path: 'scores.customers_lost', message: 'scored by marketing, not finance' },
    ]);
    const unknown = await call('PUT', url, {
      department: 'finance',
      submittedBy: 'li',
      scores: { charm: 5 },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual([
      { path: 'scores.charm', message: 'not a performance indicator' },
    ]);
    const tooHigh = await call('PUT', url, {
      department: 'finance',
      submittedBy: 'li',
      scores: { profitability: 6 },
    });
    expect(tooHigh.status).toBe(400);
    // A finance credential cannot submit marketing's scores.
    const impostor = await call(
      'PUT',
      url,
      { department: 'marketing', submittedBy: 'li', scores: { sales_network: 5 } },
      'finance',
    );
    expect(impostor.status).toBe(403);

    const conductByFinance = await call(
      'PUT',
      `/v1/dealers/${id}/conduct/2071-Q1`,
      { department: 'finance', submittedBy: 'li', scores: { promotion_cooperation: 4 } },
      'marketing',
    );
    expect(conductByFinance.status).toBe(422);
    expect(conductByFinance.body.error.fields).toEqual([
      { path: 'department', message: 'conduct is entered by marketing' },
    ]);
    const salesByMarketing = await call(
      'PUT',
      `/v1/dealers/${id}/sales/2071-Q1`,
      { department: 'marketing', submittedBy: 'zhao', salesMinor: 1 },
      'finance',
    );
    expect(salesByMarketing.status).toBe(422);
    expect(
      (
        await call('PUT', `/v1/dealers/NOBODY-${tag}/sales/2071-Q1`, {
          department: 'finance',
          submittedBy: 'li',
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
      decidedBy: 'wu',
      reason: 'fine',
    });
    expect(notBad.status).toBe(422);
    const decided = await call('POST', `/v1/dealers/${bad}/continuation-decision/${quarter}`, {
      decision: 'end-contract',
      decidedBy: 'manager.wu',
      reason: 'price violations again',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      dealerId: bad,
      grade: 'BC',
      previousGrade: 'CB',
      decision: 'end-contract',
    });

    const result = (await client.workflow
      .getHandle(ratingQuarterWorkflowId(quarter))
      .result()) as QuarterlyRatingResult;
    expect(result).toMatchObject({ quarter, total: 2, rated: 2, changed: 2 });
    expect(result.decisions).toEqual([
      { dealerId: bad, decision: 'end-contract', decidedBy: 'manager.wu', byDefault: false },
    ]);
    const supply = await call('GET', `/v1/counterparties/${bad}`);
    expect(supply.body.supplyStopped).toBe(true);

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
      decidedBy: 'manager.li',
      reason: 'second thoughts',
    });
    expect(late.status).toBe(409);
  });

  it('creates the monthly and quarterly schedules; a second call updates them in place', async () => {
    const monthlyScheduleId = `rating-monthly-test-${tag}`;
    const quarterlyScheduleId = `rating-quarterly-test-${tag}`;
    const taskQueue = `rating-test-${tag}`;
    await ensureRatingSchedules(client, DEFAULT_POLICY, {
      monthlyScheduleId,
      quarterlyScheduleId,
      taskQueue,
    });
    await ensureRatingSchedules(
      client,
      { ...DEFAULT_POLICY, version: 'acme-2' },
      {
        monthlyScheduleId,
        quarterlyScheduleId,
        taskQueue,
      },
    );
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
      expect((m.action as { args: { policy: { version: string } }[] }).args[0]?.policy.version).toBe(
        'acme-2',
      );
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
