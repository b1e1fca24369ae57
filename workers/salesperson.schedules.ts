/**
 * The monthly salesperson assessment as a Temporal Schedule: day 1, 04:00 company
 * time, assessing the month before (the workflow derives it from its start time).
 * Idempotent: an existing schedule is updated to this spec. The runs carry no
 * policy: each reads the version in force when it runs (the `policyInForce` activity).
 */
import type { Client } from '@temporalio/client';
import { systemActor } from '../domain/actor.js';
import {
  SALESPERSON_ASSESSMENT_SCHEDULE_ID,
  SALESPERSON_ASSESSMENT_WORKFLOW_TYPE,
  SALESPERSON_TASK_QUEUE,
  type SalespersonAssessmentInput,
} from '../workflows/salesperson/contract.js';
import { upsertSchedule } from './schedules.js';

export async function ensureSalespersonSchedules(
  client: Client,
  /** The company's time zone (the policy in force's). */
  timeZone: string,
  opts: { taskQueue?: string; scheduleId?: string } = {},
): Promise<void> {
  const scheduleId = opts.scheduleId ?? SALESPERSON_ASSESSMENT_SCHEDULE_ID;
  // A scheduled run is the schedule's act: no person started it.
  const input: SalespersonAssessmentInput = { startedBy: systemActor(`schedule:${scheduleId}`) };
  const spec = {
    calendars: [{ dayOfMonth: 1, hour: 4, minute: 0, comment: 'day 1, 04:00 company time' }],
    timezone: timeZone,
  };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: SALESPERSON_ASSESSMENT_WORKFLOW_TYPE,
    // Temporal appends the scheduled time to this id.
    workflowId: 'salesperson-assessment:scheduled',
    taskQueue: opts.taskQueue ?? SALESPERSON_TASK_QUEUE,
    args: [input],
  };
  await upsertSchedule(client, scheduleId, { spec, action });
}
