/** The worker that runs receivable workflows and their activities. */
import { createRequire } from 'node:module';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import {
  createReceivableActivities,
  type ReceivableActivityDeps,
} from '../activities/receivable/activities.js';
import { RECEIVABLE_TASK_QUEUE } from '../workflows/receivable/contract.js';

const require = createRequire(import.meta.url);
export const WORKFLOWS_PATH = require.resolve('../workflows/index.ts');

export interface ReceivableWorkerOptions extends ReceivableActivityDeps {
  connection: NativeConnection;
  namespace: string;
  /** A prebuilt bundle (tests build once); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
  tuning?: Partial<WorkerOptions>;
}

export function createReceivableWorker(opts: ReceivableWorkerOptions): Promise<Worker> {
  const { connection, namespace, workflowBundle, taskQueue, tuning, ...deps } = opts;
  return Worker.create({
    connection,
    namespace,
    taskQueue: taskQueue ?? RECEIVABLE_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createReceivableActivities(deps),
    ...tuning,
  });
}
