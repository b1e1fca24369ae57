/**
 * The dealer rating cycles as Temporal Schedules, in the company's time zone:
 * - monthly performance on day 1 at 02:00, for the month before;
 * - the quarterly rating on the first day of each quarter at 03:00, for the quarter before.
 * A schedule action cannot compute "the previous period": the workflows derive it from
 * their start time when no month/quarter is given. A missed run (server down) is caught
 * up within 7 days; overlapping runs are skipped. Idempotent: an existing schedule is
 * updated to this spec. The runs carry no policy: each reads the version in force
 * when it runs (the `policyInForce` activity).
 */
import type { Client } from '@temporalio/client';
import { systemActor } from '../domain/actor.js';
import {
  MONTHLY_PERFORMANCE_WORKFLOW_TYPE,
  type MonthlyPerformanceInput,
  QUARTERLY_RATING_WORKFLOW_TYPE,
  type QuarterlyRatingInput,
  RATING_MONTHLY_SCHEDULE_ID,
  RATING_QUARTERLY_SCHEDULE_ID,
  RATING_TASK_QUEUE,
} from '../workflows/rating/contract.js';
import { upsertSchedule } from './schedules.js';

export async function ensureRatingSchedules(
  client: Client,
  /** The company's time zone (the policy in force's). */
  timeZone: string,
  opts: { taskQueue?: string; monthlyScheduleId?: string; quarterlyScheduleId?: string } = {},
): Promise<void> {
  const taskQueue = opts.taskQueue ?? RATING_TASK_QUEUE;
  const monthlyId = opts.monthlyScheduleId ?? RATING_MONTHLY_SCHEDULE_ID;
  const quarterlyId = opts.quarterlyScheduleId ?? RATING_QUARTERLY_SCHEDULE_ID;
  // A scheduled run is the schedule's act: no person started it.
  const monthlyInput: MonthlyPerformanceInput = { startedBy: systemActor(`schedule:${monthlyId}`) };
  const quarterlyInput: QuarterlyRatingInput = { startedBy: systemActor(`schedule:${quarterlyId}`) };
  await upsertSchedule(client, monthlyId, {
    spec: {
      calendars: [
        { dayOfMonth: 1, hour: 2, minute: 0, comment: 'day 1, 02:00 company time: the month before' },
      ],
      timezone: timeZone,
    },
    action: {
      type: 'startWorkflow' as const,
      workflowType: MONTHLY_PERFORMANCE_WORKFLOW_TYPE,
      // Temporal appends the scheduled time to this id.
      workflowId: 'rating-month:scheduled',
      taskQueue,
      args: [monthlyInput],
    },
  });
  await upsertSchedule(client, quarterlyId, {
    spec: {
      calendars: [
        {
          month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
          dayOfMonth: 1,
          hour: 3,
          minute: 0,
          comment: 'first day of each quarter, 03:00 company time: the quarter before',
        },
      ],
      timezone: timeZone,
    },
    action: {
      type: 'startWorkflow' as const,
      workflowType: QUARTERLY_RATING_WORKFLOW_TYPE,
      workflowId: 'rating-quarter:scheduled',
      taskQueue,
      args: [quarterlyInput],
    },
  });
}
