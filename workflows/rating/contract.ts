/**
 * The dealer rating cycles' contract (docs/domain.md §2): workflow ids, task queue, the
 * progress query, the manager's continuation decision (an Update) and the types
 * they carry. Imported by workflows/, workers/, api/ and tests; nothing here does I/O.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, SystemActor } from '../../domain/actor.js';
import type { Policy } from '../../domain/policy.js';
import type { CreditGrade } from '../../domain/rating.js';

export const RATING_TASK_QUEUE = 'creditflow-rating';
export const MONTHLY_PERFORMANCE_WORKFLOW_TYPE = 'monthlyPerformanceWorkflow';
export const QUARTERLY_RATING_WORKFLOW_TYPE = 'quarterlyRatingWorkflow';
export const RATING_BATCH_WORKFLOW_TYPE = 'ratingBatchWorkflow';
export const DEALER_DECISION_WORKFLOW_TYPE = 'dealerDecisionWorkflow';

/** One run per month: `rating-month:<YYYY-MM>`. */
export const ratingMonthWorkflowId = (month: string) => `rating-month:${month}`;
/** One run per quarter: `rating-quarter:<YYYY-Qn>`. */
export const ratingQuarterWorkflowId = (quarter: string) => `rating-quarter:${quarter}`;
/** A batch child of a quarterly run: derived from the parent's id, so a re-run reuses the same ids. */
export const ratingBatchWorkflowId = (parentWorkflowId: string, batch: number) =>
  `${parentWorkflowId}:batch-${batch}`;
/** The manager's decision on a dealer with two bad quarters in a row; the Update goes here. */
export const dealerDecisionWorkflowId = (quarter: string, dealerId: string) =>
  `rating-decision:${quarter}:${dealerId}`;

/** The schedules (their runs get Temporal's `<id>-<scheduled time>` workflow ids). */
export const RATING_MONTHLY_SCHEDULE_ID = 'rating-monthly-performance';
export const RATING_QUARTERLY_SCHEDULE_ID = 'rating-quarterly';

/** Dealers per batch child workflow. */
export const RATING_BATCH_SIZE = 200;

/** A quarterly run's progress in the Temporal Web UI: `RatingProgressPercent < 100`. */
export const RatingSearch = {
  RatingProgressPercent: defineSearchAttributeKey('RatingProgressPercent', SearchAttributeType.INT),
} as const;

export interface MonthlyPerformanceInput {
  /** 'YYYY-MM'; absent (a scheduled run): the month before the workflow's start, in the company zone. */
  month?: string;
  /** Absent (a scheduled run): the version in force when the run starts (the `policyInForce` activity). */
  policy?: Policy;
  /** Only these dealers (tests, a partial re-run); absent: every dealer. */
  dealerIds?: string[];
  /** Who started the run: the credential through the API, `system:schedule:…` on a schedule. Absent on older runs. */
  startedBy?: Actor | SystemActor;
}

export interface MonthlyPerformanceResult {
  month: string;
  /** Dealers with a complete set of the month's 12 scores. */
  scored: number;
  /** Rows new or changed; 0 on a re-run over unchanged scores. */
  changed: number;
  /** Dealers whose month is incomplete, with the missing keys. */
  incomplete: { dealerId: string; missing: string[] }[];
}

export interface QuarterlyRatingInput {
  /** 'YYYY-Qn'; absent (a scheduled run): the quarter before the workflow's start, in the company zone. */
  quarter?: string;
  /** Absent (a scheduled run): the version in force when the run starts (the `policyInForce` activity). */
  policy?: Policy;
  /** Only these dealers (tests, a partial re-run); absent: every dealer. */
  dealerIds?: string[];
  /** Dealers per batch child (default RATING_BATCH_SIZE). */
  batchSize?: number;
  /** Who started the run: the credential through the API, `system:schedule:…` on a schedule. Absent on older runs. */
  startedBy?: Actor | SystemActor;
}

export interface RatingBatchInput {
  quarter: string;
  policy: Policy;
  dealerIds: string[];
  /** The quarterly run's `startedBy`, recorded with each grade it sets. */
  startedBy?: Actor | SystemActor;
}

/** One dealer's outcome as applied. */
export interface AppliedRating {
  dealerId: string;
  grade: CreditGrade;
  previousGrade: CreditGrade | null;
  /** The counterparty's grade before this quarter's result was first applied. */
  gradeBefore: string | null;
  creditLimitMinor: number;
  creditTermDays: number;
  eligible: boolean;
  /** This run changed the counterparty's grade, limit or term (false on a re-run). */
  changed: boolean;
  /** The result changed the dealer's grade when it was first applied (the dealer is told, once). */
  gradeChanged: boolean;
  /** Two bad quarters in a row and no decision recorded yet. */
  decisionOpen: boolean;
}

/** What a batch reports to its parent: counts, and only the dealers that need more (kept small in history). */
export interface RatingBatchResult {
  rated: number;
  changed: number;
  mailed: number;
  skipped: { dealerId: string; reason: string }[];
  /** Two bad quarters in a row, no decision recorded yet. */
  decisionsOpen: { dealerId: string; grade: CreditGrade; previousGrade: CreditGrade | null }[];
}

/** At most this many skipped dealers are listed in a quarterly result (all are counted). */
export const SKIPPED_LISTED = 100;

export interface RatingProgress {
  quarter: string | null;
  stage: 'listing' | 'rating' | 'awaiting-decisions' | 'done';
  total: number;
  done: number;
  changed: number;
  skipped: number;
  decisionsPending: number;
}

export type ContinuationDecision = 'continue' | 'stop-supply' | 'end-contract';

export interface ContinuationDecisionInput {
  decision: ContinuationDecision;
  reason: string;
  /** The manager's credential, put there by the API (never a name from the request body). */
  actor: Actor;
}

/** An Update accepted before actors were recorded carried only a name; replay still meets it. */
export type LegacyContinuationDecisionInput = Omit<ContinuationDecisionInput, 'actor'> & {
  actor?: undefined;
  decidedBy: string;
};

export interface DealerDecisionInput {
  quarter: string;
  dealerId: string;
  grade: CreditGrade;
  previousGrade: CreditGrade | null;
  policy: Policy;
}

export interface DealerDecisionState {
  quarter: string;
  dealerId: string;
  grade: CreditGrade;
  previousGrade: CreditGrade | null;
  /** ISO instant after which the policy's default applies. */
  deadline: string;
  decision: ContinuationDecision | null;
  /** A readable line: `李丽 (li, manager)`, or `policy` when the deadline applied the default. */
  decidedBy: string | null;
  /** Who decided: the manager's credential, or the system actor of the deadline. */
  decidedByActor: Actor | SystemActor | null;
  reason: string | null;
  /** ISO instant (workflow time). */
  decidedAt: string | null;
  /** True when the deadline lapsed and policy.rating.onTwoBadQuartersDeadline applied. */
  byDefault: boolean;
  /** Whether the decision's effects (supply block, record) are written. */
  applied: boolean;
}

export interface DealerDecisionOutcome {
  dealerId: string;
  decision: ContinuationDecision;
  decidedBy: string;
  decidedByActor: Actor | SystemActor | null;
  byDefault: boolean;
}

export interface QuarterlyRatingResult {
  quarter: string;
  total: number;
  rated: number;
  changed: number;
  skippedCount: number;
  /** The first SKIPPED_LISTED skipped dealers, with the reason. */
  skipped: { dealerId: string; reason: string }[];
  decisions: DealerDecisionOutcome[];
}

export const getRatingProgress = defineQuery<RatingProgress>('getRatingProgress');
export const getDealerDecision = defineQuery<DealerDecisionState>('getDealerDecision');
export const decideDealerContinuation = defineUpdate<
  DealerDecisionState,
  [ContinuationDecisionInput | LegacyContinuationDecisionInput]
>('decideDealerContinuation');
