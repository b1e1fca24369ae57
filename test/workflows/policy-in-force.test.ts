/**
 * One policy: a scheduled cycle reads the version in force in PostgreSQL when it runs
 * (its schedule carries no policy), and a receivable's activities use the version the
 * workflow recorded — resolved from PostgreSQL — not the worker's own. Time-skipping
 * server, real workflows and activities, real PostgreSQL and SMTP server.
 */

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import { previousMonth } from '../../domain/salesperson-review.js';
import { createPolicyStore, type PolicyStore } from '../../infra/policy.js';
import {
  RATING_TASK_QUEUE,
  type RatingBatchInput,
  ratingBatchWorkflowId,
} from '../../workflows/rating/contract.js';
import { quarterlyRatingWorkflow } from '../../workflows/rating/rating.workflow.js';
import {
  RECEIVABLE_TASK_QUEUE,
  type ReceivableInput,
  receivableWorkflowId,
} from '../../workflows/receivable/contract.js';
import { receivableWorkflow } from '../../workflows/receivable/receivable.workflow.js';
import { SALESPERSON_TASK_QUEUE } from '../../workflows/salesperson/contract.js';
import { salespersonAssessmentWorkflow } from '../../workflows/salesperson/salesperson-assessment.workflow.js';
import { testActor } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { mailsWithKey } from '../support/inbox.js';
import { type ReceivableBench, startReceivableBench } from '../support/receivable-env.js';
import { startCycleWorkers, type TestWorkers } from '../support/workflow-env.js';

let bench: ReceivableBench;
let store: PolicyStore;
let workers: TestWorkers;
const tag = randomUUID().slice(0, 8);

beforeAll(async () => {
  bench = await startReceivableBench();
  // The store seeds the defaults when the table is empty; versions are put as an admin would.
  store = await createPolicyStore(bench.pool, DEFAULT_POLICY, { listen: false, checkIntervalMs: 0 });
  workers = await startCycleWorkers(bench.env, bench.pool, ['salesperson', 'rating']);
});
afterAll(async () => {
  await workers?.stop();
  await store?.close();
  await bench?.teardown();
});

describe('a scheduled cycle', () => {
  it('reads the version in force when it runs, not one frozen into its schedule', async () => {
    const salespersonId = await bench.seedSalesperson({ creditLimitMinor: 1_000_000 });
    // What the schedule starts: no month, no policy (workers/salesperson.schedules.ts), here scoped.
    const scheduledRun = async (n: number) => {
      const h = await bench.env.client.workflow.start(salespersonAssessmentWorkflow, {
        workflowId: `salesperson-assessment:scheduled-${tag}-${n}`,
        taskQueue: SALESPERSON_TASK_QUEUE,
        args: [{ salespersonIds: [salespersonId] }],
      });
      return { ...(await h.result()), startTime: (await h.describe()).startTime.getTime() };
    };
    const assessedUnder = async (month: string) =>
      (
        await bench.pool.query<{ policy_version: string }>(
          'SELECT policy_version FROM salesperson_assessments WHERE month = $1 AND salesperson_id = $2',
          [month, salespersonId],
        )
      ).rows[0]?.policy_version;

    // A version whose day starts 14 hours ahead of UTC: the run's "month before" is in its zone.
    const first = await store.replace(
      { version: `sched-1-${tag}`, timeZone: 'Pacific/Kiritimati' },
      testActor('admin'),
    );
    const r1 = await scheduledRun(1);
    expect(r1.month).toBe(previousMonth(localDate(r1.startTime, 'Pacific/Kiritimati')));
    expect(await assessedUnder(r1.month)).toBe(first.version);

    // A new version later: the next run of the same schedule uses it.
    const second = await store.replace({ version: `sched-2-${tag}` }, testActor('admin'));
    const r2 = await scheduledRun(2);
    expect(await assessedUnder(r2.month)).toBe(second.version);
  });

  it('the quarterly rating rates its batches under the version in force when it runs', async () => {
    const dealerId = await bench.seedDealer();
    const inForce = await store.replace({ version: `sched-q-${tag}` }, testActor('admin'));
    const workflowId = `rating-quarter:scheduled-${tag}`;
    // What the schedule starts: no quarter, no policy (workers/rating.schedules.ts), here scoped.
    await bench.env.client.workflow.execute(quarterlyRatingWorkflow, {
      workflowId,
      taskQueue: RATING_TASK_QUEUE,
      args: [{ dealerIds: [dealerId] }],
    });
    const batch = await bench.env.client.workflow
      .getHandle(ratingBatchWorkflowId(workflowId, 1))
      .fetchHistory();
    const payload = batch.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = JSON.parse(Buffer.from(payload?.data ?? new Uint8Array()).toString()) as RatingBatchInput;
    expect(input.policy.version).toBe(inForce.version);
  });
});

describe("a receivable's activities", () => {
  it('use the policy version the workflow recorded (from PostgreSQL), not the worker’s own', async () => {
    // Stored as an admin would: a lower limit warning (50 %) and 3/12 cash-discount terms.
    const policy: Policy = await store.replace(
      {
        version: `recorded-${tag}`,
        salesperson: { limitWarningBp: 5_000 },
        receivable: { cashDiscount: { rateBp: 300, days: 12 } },
      },
      testActor('admin'),
    );
    // A newer version in force afterwards: the workflow keeps the one it started under.
    await store.replace(
      { version: `later-${tag}`, salesperson: { limitWarningBp: 9_000 } },
      testActor('admin'),
    );

    const { counterpartyId, salespersonId } = await bench.seedParties({}, { creditLimitMinor: 1_000_000 });
    const receivableId = `R-${tag}`;
    const input: ReceivableInput = {
      application: {
        receivableId,
        counterpartyId,
        salespersonId,
        amountMinor: 600_000,
        currency: 'CNY',
        requestedTermDays: 30,
      },
      policy,
    };
    // Started as the API starts it (not through the bench, which holds its policies itself).
    const h = await bench.env.client.workflow.start(receivableWorkflow, {
      workflowId: receivableWorkflowId(receivableId),
      taskQueue: RECEIVABLE_TASK_QUEUE,
      args: [input],
    });
    const issued = await bench.approve(h, 600_000, 30);
    expect(issued.stage).toBe('issued');

    // 60 % of the limit: at or above the recorded 50 % (the worker's default is 80 %).
    expect(issued.checks?.findings).toContain(
      `salesperson Seller ${salespersonId} would use 60 % of the receivables limit`,
    );
    const warning = await mailsWithKey(`salesperson:${salespersonId}:limit-warning:${receivableId}`);
    expect(warning).toHaveLength(1);
    expect(warning[0]?.text).toContain('The warning level is 50 %');

    // The debtor's credit terms state the recorded discount: 3 % within 12 days, net 30.
    const [terms] = await eventually(
      async () =>
        (await bench.mailsFor(receivableId)).filter((m) => m.effectKey === `${receivableId}:credit-terms`),
      (found) => found.length === 1,
      'the credit-terms e-mail',
    );
    expect(terms?.text).toContain('3/12, n/30');
    await h.terminate('policy test done');
  });
});
