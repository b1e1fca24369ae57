/**
 * Many open receivables, fast: imported ERP invoices (`ReceivableInput.imported`) started
 * through the bulk import's own start (api/receivable-start.ts) — no approval round, each
 * joins the timeline where it stands and parks on its next step's timer.
 */
import { startReceivableWorkflow } from '../api/receivable-start.js';
import { addDays } from '../domain/calendar.js';
import type { Policy } from '../domain/policy.js';
import { createBulkSeeding } from '../store/bulk.js';
import type { ReceivableInput } from '../workflows/receivable/contract.js';
import type { BenchEnv } from './env.js';
import { inParallel, waitFor } from './figure.js';

export interface ImportPlan {
  prefix: string;
  n: number;
  dealers: string[];
  /** Round-robin: receivable i belongs to salesperson i mod their count (each has a day's task list). */
  salespeople: string[];
  policy: Policy;
  dueDate: string;
  concurrency: number;
}

/** A realistic book: one salesperson per 200 receivables (50 at N = 10,000), at least one. */
export const salespeopleFor = (n: number): number => Math.max(1, Math.ceil(n / 200));

export const receivableIds = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

/** Starts the plan's receivables; resolves when every start is accepted (not yet parked). */
export async function importReceivables(env: BenchEnv, plan: ImportPlan): Promise<string[]> {
  const ids = receivableIds(plan.prefix, plan.n);
  await inParallel(ids, plan.concurrency, async (receivableId, i) => {
    const counterpartyId = plan.dealers[i % plan.dealers.length] as string;
    const input: ReceivableInput = {
      application: {
        receivableId,
        counterpartyId,
        salespersonId: plan.salespeople[i % plan.salespeople.length] as string,
        amountMinor: 1_000_000 + (i % 100) * 1_000,
        currency: 'CNY',
        requestedTermDays: 30,
      },
      policy: plan.policy,
      imported: {
        issueDate: addDays(plan.dueDate, -30),
        dueDate: plan.dueDate,
        paidMinor: 0,
        source: `erp:bench-${plan.prefix}`,
      },
    };
    await startReceivableWorkflow(env.client, input);
  });
  return ids;
}

/** How many of the prefix's receivables stand at `stage` (their snapshot in PostgreSQL). */
export const countAtStage = (env: BenchEnv, prefix: string, stage: string): Promise<number> =>
  createBulkSeeding(env.pool).receivablesAtStage(`${prefix}-`, stage);

/** How many of the prefix's receivables have reached `issued`. */
export const issuedCount = (env: BenchEnv, prefix: string) => countAtStage(env, prefix, 'issued');

/** Waits until all `n` are issued — parked on their next step's timer. */
export async function waitParked(
  env: BenchEnv,
  prefix: string,
  n: number,
  timeoutMs: number,
): Promise<boolean> {
  return waitFor(async () => (await issuedCount(env, prefix)) >= n, timeoutMs, 1000);
}
