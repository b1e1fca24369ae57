/**
 * The salesperson assessment workflow's contract: its id, task queue, query and the
 * types it carries. Imported by workflows/, workers/, api/ and tests; nothing here does I/O.
 */
import { defineQuery } from '@temporalio/workflow';
import type { Actor, SystemActor } from '../../domain/actor.js';
import type { Policy } from '../../domain/policy.js';

export const SALESPERSON_TASK_QUEUE = 'creditflow-salespeople';
export const SALESPERSON_ASSESSMENT_WORKFLOW_TYPE = 'salespersonAssessmentWorkflow';
/** One run per month: `salesperson-assessment:<YYYY-MM>`. */
export const salespersonAssessmentWorkflowId = (month: string) => `salesperson-assessment:${month}`;
/** The monthly schedule (its runs get Temporal's `<id>-<scheduled time>` workflow ids). */
export const SALESPERSON_ASSESSMENT_SCHEDULE_ID = 'salesperson-assessment-monthly';

export interface SalespersonAssessmentInput {
  /** 'YYYY-MM'; absent (a scheduled run): the month before the workflow's current time, in the company zone. */
  month?: string;
  /** Absent (a scheduled run): the version in force when the run starts (the `policyInForce` activity). */
  policy?: Policy;
  /** Assess only these salespeople (tests, a partial re-run); absent: every salesperson. */
  salespersonIds?: string[];
  /** Who started the run: the credential through the API, `system:schedule:…` on a schedule. Absent on older runs. */
  startedBy?: Actor | SystemActor;
}

export interface SalespersonAssessmentResult {
  month: string;
  salespeople: number;
  /** Rows that were new or changed; 0 on a re-run over unchanged data. */
  changed: number;
  totalRewardPenaltyMinor: number;
  /** The effect key of finance's e-mail (sent once per key). */
  mailKey: string;
}

export interface SalespersonAssessmentStatus {
  month: string | null;
  stage: 'computing' | 'mailing' | 'done';
  result: SalespersonAssessmentResult | null;
}

export const getSalespersonAssessmentStatus = defineQuery<SalespersonAssessmentStatus>(
  'getSalespersonAssessmentStatus',
);

export const SALESPERSON_REVIEW_WORKFLOW_TYPE = 'salespersonReviewWorkflow';
/** One run of a quarter at a time: `salesperson-review:<YYYY-Qn>`. */
export const salespersonReviewWorkflowId = (quarter: string) => `salesperson-review:${quarter}`;
/** Salespeople proposed per activity: each batch retries alone, and the history stays short. */
export const SALESPERSON_REVIEW_BATCH_SIZE = 50;

export interface SalespersonReviewInput {
  /** 'YYYY-Qn' */
  quarter: string;
  /** The version in force when the review was asked for: its time zone bounds the quarter's record. */
  policy: Policy;
  /** Review only these salespeople; absent: every salesperson. */
  salespersonIds?: string[];
  /** Who asked for the review (the credential through the API). */
  startedBy?: Actor | SystemActor;
}

export interface SalespersonReviewResult {
  quarter: string;
  /** Salespeople whose review was proposed (a decided review stays as decided). */
  salespeople: number;
}
