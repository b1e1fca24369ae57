/**
 * The monthly statements as a Temporal Schedule: on the policy's statement day (default the 1st),
 * 06:00 company time, sending last month's statements (the workflow derives the month from its
 * start time). Idempotent: an existing schedule is updated to this spec, so a new policy's day or
 * time zone moves it.
 */
import type { Client } from '@temporalio/client';
import { systemActor } from '../domain/actor.js';
import {
  type MonthlyStatementsInput,
  STATEMENT_SCHEDULE_ID,
  STATEMENT_TASK_QUEUE,
  STATEMENT_WORKFLOW_TYPE,
} from '../workflows/statements/contract.js';
import { upsertSchedule } from './schedules.js';

export const STATEMENT_HOUR = 6;

export async function ensureStatementSchedule(
  client: Client,
  /** The company's time zone and the statement day (the policy in force's). */
  at: { timeZone: string; dayOfMonth: number },
  opts: { taskQueue?: string; scheduleId?: string } = {},
): Promise<void> {
  const scheduleId = opts.scheduleId ?? STATEMENT_SCHEDULE_ID;
  // A scheduled run is the schedule's act: no person started it.
  const input: MonthlyStatementsInput = { startedBy: systemActor(`schedule:${scheduleId}`) };
  const spec = {
    calendars: [
      {
        dayOfMonth: at.dayOfMonth,
        hour: STATEMENT_HOUR,
        minute: 0,
        comment: `day ${at.dayOfMonth}, 0${STATEMENT_HOUR}:00 company time`,
      },
    ],
    timezone: at.timeZone,
  };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: STATEMENT_WORKFLOW_TYPE,
    // Temporal appends the scheduled time to this id.
    workflowId: 'statements:scheduled',
    taskQueue: opts.taskQueue ?? STATEMENT_TASK_QUEUE,
    args: [input],
  };
  await upsertSchedule(client, scheduleId, { spec, action });
}
