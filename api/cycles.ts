/**
 * Starting a period's run by hand (a month's or quarter's rating, a month's salesperson
 * assessment): one workflow per period, named by it. A run still going is returned, not
 * started twice; a finished period may be run again (every write is keyed, so a re-run
 * changes nothing that did not change).
 */
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';

export async function startPeriodRun<Input>(
  client: Client,
  run: { workflowType: string; workflowId: string; taskQueue: string; input: Input },
): Promise<{ workflowId: string; runId: string }> {
  const handle = await client.workflow.start(run.workflowType, {
    workflowId: run.workflowId,
    taskQueue: run.taskQueue,
    args: [run.input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  return { workflowId: run.workflowId, runId: handle.firstExecutionRunId };
}
