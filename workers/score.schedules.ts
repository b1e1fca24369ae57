/**
 * The monthly refresh of every customer's score (docs/scores.md §2: time-driven decay) as a
 * Temporal Schedule: the policy's day of the month (default the 1st), 05:00 company time, after
 * the salesperson assessment's 04:00. Idempotent: an existing schedule is updated to this spec.
 */
import type { Client } from '@temporalio/client';
import { systemActor } from '../domain/actor.js';
import { customerScorePolicy } from '../domain/customer-score.js';
import type { Policy } from '../domain/policy.js';
import {
  CUSTOMER_SCORES_REFRESH_WORKFLOW_TYPE,
  CUSTOMER_SCORES_SCHEDULE_ID,
  type CustomerScoresRefreshInput,
  SCORES_TASK_QUEUE,
} from '../workflows/scores/contract.js';
import { upsertSchedule } from './schedules.js';

export async function ensureScoreSchedules(
  client: Client,
  policy: Pick<Policy, 'timeZone' | 'customer'>,
  opts: { taskQueue?: string; scheduleId?: string } = {},
): Promise<void> {
  const scheduleId = opts.scheduleId ?? CUSTOMER_SCORES_SCHEDULE_ID;
  const input: CustomerScoresRefreshInput = { startedBy: systemActor(`schedule:${scheduleId}`) };
  const day = customerScorePolicy(policy.customer.score).scheduleDayOfMonth;
  const spec = {
    calendars: [{ dayOfMonth: day, hour: 5, minute: 0, comment: `day ${day}, 05:00 company time` }],
    timezone: policy.timeZone,
  };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: CUSTOMER_SCORES_REFRESH_WORKFLOW_TYPE,
    workflowId: 'customer-scores:scheduled',
    taskQueue: opts.taskQueue ?? SCORES_TASK_QUEUE,
    args: [input],
  };
  await upsertSchedule(client, scheduleId, { spec, action });
}
