/**
 * On the Temporal dev server: the monthly assessment schedule (day 1, 04:00
 * company time, catch-up window, overlap SKIP; creating it twice is harmless),
 * and the manual trigger answering a running month's run instead of a second one.
 */
import { randomUUID } from 'node:crypto';
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { systemActor } from '../../domain/actor.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { ensureSalespersonSchedules } from '../../workers/salesperson.schedules.js';
import {
  SALESPERSON_ASSESSMENT_WORKFLOW_TYPE,
  SALESPERSON_TASK_QUEUE,
  salespersonAssessmentWorkflowId,
} from '../../workflows/salesperson/contract.js';
import type { TestAuth } from '../support/auth.js';
import { systemPerFile } from '../support/system.js';

let client: Client;
let testAuth: TestAuth;
let api: FastifyInstance;

systemPerFile({ poolSize: 2 }, (s) => {
  ({ client, auth: testAuth, api } = s);
});

describe('salesperson assessment schedule and manual trigger', () => {
  it('creates the monthly schedule once; a second call updates it in place', async () => {
    const scheduleId = `salesperson-assessment-test-${randomUUID().slice(0, 8)}`;
    const taskQueue = `salesperson-test-${randomUUID().slice(0, 8)}`;
    await ensureSalespersonSchedules(client, 'Asia/Tokyo', { scheduleId, taskQueue });
    await ensureSalespersonSchedules(client, DEFAULT_POLICY.timeZone, { scheduleId, taskQueue });
    const handle = client.schedule.getHandle(scheduleId);
    try {
      const d = await handle.describe();
      expect(d.spec.timezone).toBe('Asia/Shanghai');
      expect(d.spec.calendars).toHaveLength(1);
      expect(d.spec.calendars?.[0]).toMatchObject({
        dayOfMonth: [{ start: 1, end: 1, step: 1 }],
        hour: [{ start: 4, end: 4, step: 1 }],
        minute: [{ start: 0, end: 0, step: 1 }],
      });
      expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(d.policies.catchupWindow).toBe(7 * 86_400_000);
      expect(d.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: SALESPERSON_ASSESSMENT_WORKFLOW_TYPE,
        taskQueue,
      });
      // The second call's time zone replaced the first: the schedule was updated, not duplicated.
      // No policy is frozen into it: each run reads the version in force when it runs.
      // A scheduled run is the schedule's act, recorded as such.
      expect((d.action as { args: Record<string, unknown>[] }).args).toEqual([
        { startedBy: systemActor(`schedule:${scheduleId}`) },
      ]);
      // The next run is on the 1st at 04:00 Shanghai time (20:00 UTC the day before).
      const next = d.info.nextActionTimes[0] as Date;
      expect(next.getUTCHours()).toBe(20);
      expect(new Date(next.getTime() + 8 * 3_600_000).getUTCDate()).toBe(1);
    } finally {
      await handle.delete();
    }
  });

  it("a second trigger of a running month answers that month's run (USE_EXISTING)", async () => {
    // No worker polls the salesperson queue in this project: the run stays running.
    const month = '1990-01';
    const first = await api.inject({
      method: 'POST',
      url: `/v1/salesperson-assessments/${month}`,
      headers: await testAuth.headersFor('POST', `/v1/salesperson-assessments/${month}`),
    });
    const second = await api.inject({
      method: 'POST',
      url: `/v1/salesperson-assessments/${month}`,
      headers: await testAuth.headersFor('POST', `/v1/salesperson-assessments/${month}`),
    });
    expect(first.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    const handle = client.workflow.getHandle(salespersonAssessmentWorkflowId(month));
    try {
      const d = await handle.describe();
      expect(d.status.name).toBe('RUNNING');
      expect(d.taskQueue).toBe(SALESPERSON_TASK_QUEUE);
      expect(d.runId).toBe((first.json() as { runId: string }).runId);
    } finally {
      await handle.terminate('test over');
    }
  });

  it('refuses a malformed month and unknown salespeople', async () => {
    expect(
      (
        await api.inject({
          method: 'POST',
          url: '/v1/salesperson-assessments/2031-13',
          headers: await testAuth.headersFor('POST', '/v1/salesperson-assessments/2031-13'),
        })
      ).statusCode,
    ).toBe(400);
    const res = await api.inject({
      method: 'POST',
      url: '/v1/salesperson-assessments/2031-01',
      payload: { salespersonIds: ['NOBODY-1'] },
      headers: await testAuth.headersFor('POST', '/v1/salesperson-assessments/2031-01'),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { fields: [{ path: 'salespersonIds' }] } });
  });
});
