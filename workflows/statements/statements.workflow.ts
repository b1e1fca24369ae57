/**
 * The monthly statements of account (docs/letters.md): on the policy's statement day a schedule
 * starts this run for the month before; it lists the counterparties with an item open at that
 * month's end a page at a time and sends each page's statements (PDF and CSV attached) a few at a
 * time, every statement once per counterparty and month (its effect key). A long run carries on
 * as a new run of the same id, so its history stays short.
 */
import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { StatementActivities } from '../../activities/statements/activities.js';
import { BATCH_ACTIVITY_OPTIONS, monthlyRunPeriod } from '../shared/periodic-run.js';
import {
  getMonthlyStatementsStatus,
  type MonthlyStatementsInput,
  type MonthlyStatementsResult,
  type MonthlyStatementsStatus,
  STATEMENT_CONCURRENCY,
  STATEMENT_CONTINUE_AS_NEW_EVENTS,
  STATEMENT_PAGE_SIZE,
} from './contract.js';

const acts = proxyActivities<StatementActivities>({
  ...BATCH_ACTIVITY_OPTIONS,
  startToCloseTimeout: '10 minutes',
});

export async function monthlyStatementsWorkflow(
  input: MonthlyStatementsInput,
): Promise<MonthlyStatementsResult> {
  const { policy, month } = await monthlyRunPeriod(
    { ...(input.month ? { month: input.month } : {}) },
    acts.policyInForce,
  );
  const date = await acts.statementDate({ timeZone: policy.timeZone });
  const status: MonthlyStatementsStatus = {
    month,
    after: input.after ?? '',
    sent: input.sent ?? 0,
    skipped: input.skipped ?? 0,
    done: false,
  };
  setHandler(getMonthlyStatementsStatus, () => status);
  for (;;) {
    const page = await acts.statementRecipients({
      month,
      after: status.after,
      limit: STATEMENT_PAGE_SIZE,
      ...(input.counterpartyIds ? { counterpartyIds: input.counterpartyIds } : {}),
    });
    if (!page.length) break;
    const done = await acts.sendStatements({
      month,
      date,
      counterpartyIds: page,
      concurrency: STATEMENT_CONCURRENCY,
    });
    status.sent += done.sent;
    status.skipped += done.skipped;
    status.after = page[page.length - 1] as string;
    if (page.length < STATEMENT_PAGE_SIZE) break;
    if (workflowInfo().historyLength > STATEMENT_CONTINUE_AS_NEW_EVENTS)
      await continueAsNew<typeof monthlyStatementsWorkflow>({
        ...input,
        month,
        after: status.after,
        sent: status.sent,
        skipped: status.skipped,
      });
  }
  status.done = true;
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return {
    month,
    from: `${month}-01`,
    to: `${month}-${String(last).padStart(2, '0')}`,
    sent: status.sent,
    skipped: status.skipped,
  };
}
