/**
 * The hook the receivable's activities call after recording an event (docs/scores.md §2): when
 * the event changes the customer's payment behaviour (SCORE_TRIGGERS), signal-with-start the
 * customer's debounced score workflow. Outside an activity (a test calling an activity directly),
 * or for a dealer, nothing happens. A failure to signal is logged, never fails the receivable's
 * act: the monthly scheduled refresh catches up.
 */
import { Context } from '@temporalio/activity';
import { customerScorePolicy } from '../../domain/customer-score.js';
import type { Policy } from '../../domain/policy.js';
import type { Store } from '../../store/index.js';
import {
  behaviourChanged,
  CUSTOMER_SCORE_WORKFLOW_TYPE,
  type CustomerScoreInput,
  customerScoreWorkflowId,
  SCORE_TRIGGERS,
  SCORES_TASK_QUEUE,
} from '../../workflows/scores/contract.js';

export async function refreshScoreOnBehaviour(
  store: Store,
  e: { counterpartyId: string; receivableId: string; event: string; policy: () => Promise<Policy> },
): Promise<void> {
  const trigger = SCORE_TRIGGERS[e.event];
  if (!trigger) return;
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return;
  }
  try {
    const c = await store.counterparties.get(e.counterpartyId);
    if (c?.kind !== 'customer') return;
    const input: CustomerScoreInput = {
      counterpartyId: e.counterpartyId,
      debounceSeconds: customerScorePolicy((await e.policy()).customer.score).debounceSeconds,
    };
    await ctx.client.workflow.signalWithStart(CUSTOMER_SCORE_WORKFLOW_TYPE, {
      workflowId: customerScoreWorkflowId(e.counterpartyId),
      taskQueue: SCORES_TASK_QUEUE,
      args: [input],
      signal: behaviourChanged,
      signalArgs: [{ trigger, receivableId: e.receivableId }],
    });
  } catch (err) {
    ctx.log.warn('could not signal the customer score refresh', {
      counterpartyId: e.counterpartyId,
      event: e.event,
      error: (err as Error).message,
    });
  }
}
