/**
 * The score workflows' contract (docs/scores.md): a customer's score refresh, debounced per
 * counterparty (`customer-score:<counterpartyId>`, signalled with start by the receivable's
 * activities whenever its behaviour changes), and the scheduled refresh of every customer.
 * Imported by workflows/, activities/, workers/ and tests; nothing here does I/O.
 */
import { defineSignal } from '@temporalio/workflow';
import type { SystemActor } from '../../domain/actor.js';

export const SCORES_TASK_QUEUE = 'creditflow-scores';
export const CUSTOMER_SCORE_WORKFLOW_TYPE = 'customerScoreWorkflow';
export const CUSTOMER_SCORES_REFRESH_WORKFLOW_TYPE = 'customerScoresRefreshWorkflow';
/** One refresher per customer at a time: a burst of events refreshes once. */
export const customerScoreWorkflowId = (counterpartyId: string) => `customer-score:${counterpartyId}`;
/** The monthly refresh of every customer (time-driven decay). */
export const CUSTOMER_SCORES_SCHEDULE_ID = 'customer-scores-monthly';
/** Customers refreshed per activity of the scheduled run. */
export const CUSTOMER_SCORES_BATCH_SIZE = 50;

/** What changed the customer's behaviour: a payment, a step reached, a broken promise, a dispute, a write-off. */
export const SCORE_TRIGGERS: Record<string, string> = {
  'payment-received': 'payment',
  'step-dueCheck': 'step-due-check',
  'step-secondNotice': 'step-second-notice',
  'step-warning': 'step-warning',
  'promise-to-pay-broken': 'promise-broken',
  'dispute-recorded': 'dispute',
  'written-off-as-bad-debt': 'write-off',
};

export interface BehaviourChanged {
  /** e.g. payment, step-warning, dispute (SCORE_TRIGGERS). */
  trigger: string;
  receivableId?: string;
}
export const behaviourChanged = defineSignal<[BehaviourChanged]>('behaviourChanged');

export interface CustomerScoreInput {
  counterpartyId: string;
  /** The refresh waits for this much quiet after the last signal (policy.customer.score.debounceSeconds). */
  debounceSeconds: number;
}

export interface CustomerScoreResult {
  refreshes: number;
  triggers: string[];
}

export interface CustomerScoresRefreshInput {
  startedBy?: SystemActor;
  /** Only these customers (tests); absent: every customer. */
  counterpartyIds?: string[];
}

export interface CustomerScoresRefreshResult {
  customers: number;
  changed: number;
  warned: number;
}
