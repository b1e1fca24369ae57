/**
 * P2F's workflow, the floor of a reminder step: wait until the shared instant, then one
 * activity that sends one e-mail. Nothing else (no state, no search attributes, no record),
 * so it costs only what Temporal and the SMTP round trip cost. The activity options are the
 * receivable workflow's own (workflows/receivable/receivable.workflow.ts).
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { FloorActivities } from './floor.activities.js';

const { sendFloorMail } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function benchFloor(instant: number, effectKey: string): Promise<void> {
  await sleep(Math.max(0, instant - Date.now()));
  await sendFloorMail(effectKey);
}
