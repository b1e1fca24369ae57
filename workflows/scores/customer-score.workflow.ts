/**
 * A customer's score refresh (docs/scores.md §2). Started (or signalled) by the receivable's
 * activities whenever the customer's behaviour changes; waits until the signals have been quiet for
 * the debounce time, then refreshes once for the whole burst; signals that arrive during the refresh
 * get one more. Ends when nothing is left: the next event starts a new run under the same id.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ScoreActivities } from '../../activities/scores/activities.js';
import { BATCH_ACTIVITY_OPTIONS } from '../shared/periodic-run.js';
import {
  behaviourChanged,
  CUSTOMER_SCORES_BATCH_SIZE,
  type CustomerScoreInput,
  type CustomerScoreResult,
  type CustomerScoresRefreshInput,
  type CustomerScoresRefreshResult,
} from './contract.js';

const acts = proxyActivities<ScoreActivities>(BATCH_ACTIVITY_OPTIONS);

export async function customerScoreWorkflow(input: CustomerScoreInput): Promise<CustomerScoreResult> {
  const pending: string[] = [];
  const all: string[] = [];
  let received = 0;
  setHandler(behaviourChanged, (s) => {
    pending.push(s.trigger);
    received++;
  });
  const quiet = Math.max(0, input.debounceSeconds) * 1000;
  let refreshes = 0;
  // Started without a signal (never by creditflow): nothing to do once the debounce passes.
  if (!(await condition(() => pending.length > 0, quiet))) return { refreshes, triggers: all };
  for (;;) {
    // Debounce: wait until no new signal came for `quiet`.
    for (;;) {
      const seen = received;
      if (!(await condition(() => received !== seen, quiet))) break;
    }
    const triggers = [...new Set(pending.splice(0))];
    all.push(...triggers);
    // The refresh's today is the workflow's clock (recorded in its history).
    await acts.refreshCustomerScore({ counterpartyId: input.counterpartyId, triggers, now: Date.now() });
    refreshes++;
    await condition(allHandlersFinished);
    if (pending.length === 0) return { refreshes, triggers: all };
  }
}

/** The scheduled refresh of every customer, a batch per activity (time-driven decay). */
export async function customerScoresRefreshWorkflow(
  input: CustomerScoresRefreshInput,
): Promise<CustomerScoresRefreshResult> {
  const ids = input.counterpartyIds ?? (await acts.listCustomers());
  const total = { customers: 0, changed: 0, warned: 0 };
  for (let i = 0; i < ids.length; i += CUSTOMER_SCORES_BATCH_SIZE) {
    const r = await acts.refreshCustomerScores({
      counterpartyIds: ids.slice(i, i + CUSTOMER_SCORES_BATCH_SIZE),
      trigger: 'schedule',
      now: Date.now(),
    });
    total.customers += r.customers;
    total.changed += r.changed;
    total.warned += r.warned;
  }
  return total;
}
