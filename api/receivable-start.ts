/** Starting a receivable's workflow, from a credit application or an imported invoice. */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { formatMoney } from '../domain/format.js';
import {
  RECEIVABLE_TASK_QUEUE,
  RECEIVABLE_WORKFLOW_TYPE,
  type ReceivableInput,
  ReceivableSearch,
  receivableRunPolicy,
  receivableWorkflowId,
} from '../workflows/receivable/contract.js';

/** What a receivable's start sends: its id (a second start refused), queue, search attributes, static summary and narrowed input. */
export function receivableStartOptions(input: ReceivableInput, opts: { counterpartyName?: string } = {}) {
  const app = input.application;
  // What the receivable owes as it starts: nothing before its issue; an imported invoice, what is unpaid.
  const outstandingMinor = input.imported ? app.amountMinor - input.imported.paidMinor : 0;
  const debtor = opts.counterpartyName
    ? `${opts.counterpartyName} (${app.counterpartyId})`
    : app.counterpartyId;
  return {
    workflowId: receivableWorkflowId(app.receivableId),
    taskQueue: RECEIVABLE_TASK_QUEUE,
    // Callers hand in the whole policy in force; the start event keeps only what the run reads.
    args: [{ ...input, policy: receivableRunPolicy(input.policy) }] as [ReceivableInput],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: ReceivableSearch.CounterpartyId, value: app.counterpartyId },
      { key: ReceivableSearch.SalespersonId, value: app.salespersonId },
      { key: ReceivableSearch.Stage, value: 'applied' },
      { key: ReceivableSearch.OutstandingMinor, value: outstandingMinor },
    ],
    // What a manager reads first in the Web UI's list and header: which receivable, whose, how much.
    staticSummary: `Receivable ${app.receivableId} · ${debtor} · ${formatMoney(app.amountMinor, app.currency)}${input.imported ? ' · imported' : ''}`,
  };
}

/**
 * Starts the receivable's workflow, with the search attributes managers filter by in the
 * Temporal Web UI. False when its id was started before: one receivable, one workflow, ever —
 * the server refuses a second start with the id, running or closed (the caller answers with
 * the existing receivable).
 */
export async function startReceivableWorkflow(
  client: Client,
  input: ReceivableInput,
  opts: { counterpartyName?: string } = {},
): Promise<boolean> {
  try {
    await client.workflow.start(RECEIVABLE_WORKFLOW_TYPE, receivableStartOptions(input, opts));
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
