/**
 * What the periodic workflows (dealer rating, salesperson assessment and review) share: how their
 * activities are retried, and how a run finds its policy and month when a schedule started it.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { localDate } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import { previousMonth } from '../../domain/salesperson-review.js';

/** Batch activities: minutes of database work each, retried with backoff until they succeed. */
export const BATCH_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * The policy and month of a monthly run: a scheduled run carries neither, so it reads the version in
 * force now (recorded in its history) and covers the month before the one it started in.
 */
export async function monthlyRunPeriod(
  input: { policy?: Policy; month?: string },
  policyInForce: () => Promise<Policy>,
): Promise<{ policy: Policy; month: string }> {
  const startedAt = Date.now();
  const policy = input.policy ?? (await policyInForce());
  const month = input.month ?? previousMonth(localDate(startedAt, policy.timeZone));
  return { policy, month };
}
