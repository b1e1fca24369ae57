/**
 * On the Temporal dev server: the monthly refresh of every customer's score (docs/scores.md §2) —
 * the policy's day at 05:00 company time, catch-up window, overlap SKIP; a second call (a new
 * policy version) updates it in place.
 */
import { randomUUID } from 'node:crypto';
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { systemActor } from '../../domain/actor.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { ensureScoreSchedules } from '../../workers/score.schedules.js';
import { CUSTOMER_SCORES_REFRESH_WORKFLOW_TYPE } from '../../workflows/scores/contract.js';
import { systemPerFile } from '../support/system.js';

let client: Client;
systemPerFile({ poolSize: 1 }, (s) => {
  ({ client } = s);
});

describe('the customer score refresh schedule', () => {
  it("runs on the policy's day of the month at 05:00 company time; a new policy moves it", async () => {
    const scheduleId = `customer-scores-test-${randomUUID().slice(0, 8)}`;
    const taskQueue = `scores-test-${randomUUID().slice(0, 8)}`;
    await ensureScoreSchedules(client, DEFAULT_POLICY, { scheduleId, taskQueue });
    const moved = {
      ...DEFAULT_POLICY,
      customer: { ...DEFAULT_POLICY.customer, score: { scheduleDayOfMonth: 3 } },
    };
    await ensureScoreSchedules(client, moved, { scheduleId, taskQueue });
    const handle = client.schedule.getHandle(scheduleId);
    try {
      const d = await handle.describe();
      expect(d.spec.timezone).toBe('Asia/Shanghai');
      expect(d.spec.calendars).toHaveLength(1);
      expect(d.spec.calendars?.[0]).toMatchObject({
        dayOfMonth: [{ start: 3, end: 3, step: 1 }],
        hour: [{ start: 5, end: 5, step: 1 }],
        minute: [{ start: 0, end: 0, step: 1 }],
      });
      expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(d.policies.catchupWindow).toBe(7 * 86_400_000);
      expect(d.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: CUSTOMER_SCORES_REFRESH_WORKFLOW_TYPE,
        taskQueue,
      });
      expect((d.action as { args: Record<string, unknown>[] }).args).toEqual([
        { startedBy: systemActor(`schedule:${scheduleId}`) },
      ]);
    } finally {
      await handle.delete();
    }
  });
});
