/**
 * The monthly statements workflow's contract: its task queue, ids, schedule and the types it
 * carries. Imported by workflows/, workers/, activities/ and tests; nothing here does I/O.
 */
import { defineQuery } from '@temporalio/workflow';
import type { SystemActor } from '../../domain/actor.js';

export const STATEMENT_TASK_QUEUE = 'creditflow-statements';
export const STATEMENT_WORKFLOW_TYPE = 'monthlyStatementsWorkflow';
/** One run per month: `statements:<YYYY-MM>` (the month the statements cover). */
export const statementsWorkflowId = (month: string) => `statements:${month}`;
/** The monthly schedule (its runs get Temporal's `<id>-<scheduled time>` workflow ids). */
export const STATEMENT_SCHEDULE_ID = 'statements-monthly';
/** The effect key of a counterparty's statement e-mail: one per counterparty and month. */
export const statementMailKey = (counterpartyId: string, month: string) =>
  `statement:${month}:${counterpartyId}`;

/** Counterparties listed per page, and statements sent at once within a page. */
export const STATEMENT_PAGE_SIZE = 100;
export const STATEMENT_CONCURRENCY = 4;
/** A run carries on as a new run (same id) past this many history events. */
export const STATEMENT_CONTINUE_AS_NEW_EVENTS = 8_000;

export interface MonthlyStatementsInput {
  /** 'YYYY-MM'; absent (a scheduled run): the month before the run's start, in the company zone. */
  month?: string;
  /** Send only to these counterparties (tests, a partial re-run); absent: every one with open items. */
  counterpartyIds?: string[];
  /** Where a continued run picks up: the last counterparty id done. */
  after?: string;
  /** Counted over continued runs. */
  sent?: number;
  skipped?: number;
  startedBy?: SystemActor;
}

export interface MonthlyStatementsResult {
  month: string;
  from: string;
  to: string;
  /** Statements e-mailed by this run (a re-run of a month: 0, each was sent once already). */
  sent: number;
  /** Counterparties listed whose statement showed no open item at the month's end. */
  skipped: number;
}

export interface MonthlyStatementsStatus {
  month: string | null;
  after: string;
  sent: number;
  skipped: number;
  done: boolean;
}

export const getMonthlyStatementsStatus = defineQuery<MonthlyStatementsStatus>('getMonthlyStatementsStatus');
