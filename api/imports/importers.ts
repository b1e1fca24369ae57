/**
 * What one valid record does, per kind. Counterparties are upserted by id;
 * receivables start their workflow `receivable:<id>` as an imported invoice (once,
 * ever); payments go to the receivable's workflow as the `recordPayment` Update,
 * which applies a payment id once. A business refusal is a `rejected` outcome with
 * its reason, and nothing of that row is stored; anything else (the workflow
 * service or the database unavailable) throws and stops the import.
 */
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Actor } from '../../domain/actor.js';
import { daysBetween, localDate, outsideDateWindow } from '../../domain/calendar.js';
import { dateWindow, type Policy } from '../../domain/policy.js';
import { counterpartyBatcher, type MasterData } from '../../operations/master-data.js';
import type { ImportQueries } from '../../store/imports.js';
import {
  getReceivable,
  type ReceivableInput,
  receivableWorkflowId,
  recordPayment,
} from '../../workflows/receivable/contract.js';
import { fieldFromMessage } from '../errors.js';
import { startReceivableWorkflow } from '../receivable-start.js';
import {
  type CounterpartyRecord,
  importedReceivableDifference,
  type PaymentRecord,
  type ReceivableRecord,
  type RowOutcome,
  rejected,
} from './rows.js';

export interface ImportContext {
  importId: string;
  /** Who runs the import (the credential's name). */
  startedBy: string;
  /** The importing credential: the actor of every payment and receivable the import records. */
  actor: Actor;
  /** One policy for the whole import, read when it starts. */
  policy: Policy;
}

export function createRowAppliers(
  deps: { client: Client; queries: ImportQueries; masterData: MasterData; workflowCallTimeoutMs: number },
  ctx: ImportContext,
) {
  const { client, queries } = deps;
  const upsertCounterparty = counterpartyBatcher(deps.masterData, {
    actor: ctx.actor,
    reason: `import ${ctx.importId}`,
  });
  const handle = (receivableId: string) => client.workflow.getHandle(receivableWorkflowId(receivableId));
  // Each row's calls into its workflow answer in time, or stop the import (504), never hang it.
  const inTime = <T>(fn: () => Promise<T>) =>
    client.withDeadline(Date.now() + deps.workflowCallTimeoutMs, fn);

  const appliers = {
    async counterparties(c: CounterpartyRecord): Promise<RowOutcome> {
      // A new row's credit facts are recorded with the importer as actor; a row that would
      // re-grade (or re-limit) an existing counterparty is refused: a file is not their process.
      const result = await upsertCounterparty(c);
      return typeof result === 'string' ? { outcome: result } : rejected(result.field, result.message);
    },

    async receivables(r: ReceivableRecord): Promise<RowOutcome> {
      const { policy } = ctx;
      const today = localDate(Date.now(), policy.timeZone);
      if (r.issueDate > today)
        return rejected('issueDate', `${r.issueDate} is in the future (today is ${today})`);
      // Within the policy's date window, like every date a person enters (docs/api.md, Limits).
      const { daysBack, daysAhead } = dateWindow(policy);
      const tooOld = outsideDateWindow(r.issueDate, today, { daysBack });
      if (tooOld) return rejected('issueDate', tooOld);
      const tooFar = outsideDateWindow(r.dueDate, today, { daysAhead });
      if (tooFar) return rejected('dueDate', tooFar);
      const parties = await queries.partiesExist(r.counterpartyId, r.salespersonId);
      if (!parties.counterparty)
        return rejected('counterpartyId', `unknown counterparty ${r.counterpartyId}`);
      if (!parties.salesperson) return rejected('salespersonId', `unknown salesperson ${r.salespersonId}`);
      const currency = r.currency ?? policy.currency;
      const input: ReceivableInput = {
        application: {
          receivableId: r.receivableId,
          counterpartyId: r.counterpartyId,
          salespersonId: r.salespersonId,
          amountMinor: r.amountMinor,
          currency,
          requestedTermDays: daysBetween(r.issueDate, r.dueDate),
          ...(r.note ? { note: r.note } : {}),
        },
        policy,
        imported: {
          issueDate: r.issueDate,
          dueDate: r.dueDate,
          paidMinor: r.paidMinor,
          source: `import:${ctx.importId}`,
        },
        actor: ctx.actor,
      };
      const started = await startReceivableWorkflow(client, input, {
        ...(parties.counterpartyName ? { counterpartyName: parties.counterpartyName } : {}),
      });
      // Importing the invoice again starts nothing.
      if (started) return { outcome: 'created' };
      const existing = await handle(r.receivableId).query(getReceivable);
      const difference = importedReceivableDifference(
        { ...existing.application, issueDate: existing.issueDate },
        r,
        currency,
      );
      if (difference) return rejected(difference.field, difference.message);
      return { outcome: 'unchanged', message: `already in creditflow (stage ${existing.stage})` };
    },

    async payments(p: PaymentRecord): Promise<RowOutcome> {
      // A payment the receivable already took (also one that closed it, whose
      // workflow takes no Updates any more) is answered from the stored payments.
      const known = await queries.getPayment(p.paymentId);
      if (known) {
        const mismatch: [string, unknown, unknown][] = [
          ['receivableId', known.receivableId, p.receivableId],
          ['amountMinor', known.amountMinor, p.amountMinor],
          ['paidOn', known.paidOn, p.paidOn],
        ];
        for (const [field, was, now] of mismatch)
          if (was !== now)
            return rejected(
              field,
              `payment ${p.paymentId} was applied with ${field} ${was} (this row says ${now}); an import does not change a payment`,
            );
        return { outcome: 'unchanged', message: 'already applied' };
      }
      const tooOld = outsideDateWindow(p.paidOn, localDate(Date.now(), ctx.policy.timeZone), {
        daysBack: dateWindow(ctx.policy).daysBack,
      });
      if (tooOld) return rejected('paidOn', tooOld);
      try {
        const result = await handle(p.receivableId).executeUpdate(recordPayment, {
          args: [
            {
              paymentId: p.paymentId,
              amountMinor: p.amountMinor,
              paidOn: p.paidOn,
              actor: ctx.actor,
            },
          ],
        });
        if (result.duplicate) return { outcome: 'unchanged', message: 'already applied' };
        return {
          outcome: 'created',
          message: `outstanding ${result.outstandingMinor}${result.settled ? ', settled' : ''}`,
        };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          const cause = err.cause;
          const message =
            cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : err.message;
          return rejected(fieldFromMessage(message)?.[0]?.path ?? null, message);
        }
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        const stage = await queries.receivableStage(p.receivableId);
        return rejected(
          'receivableId',
          stage
            ? `receivable ${p.receivableId} is ${stage}: it takes no more payments`
            : `unknown receivable ${p.receivableId}`,
        );
      }
    },
  };
  return {
    counterparties: appliers.counterparties,
    receivables: (r: ReceivableRecord) => inTime(() => appliers.receivables(r)),
    payments: (p: PaymentRecord) => inTime(() => appliers.payments(p)),
  };
}
