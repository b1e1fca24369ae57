/** The worker that runs receivable workflows and their activities. */
import { createRequire } from 'node:module';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import {
  createReceivableActivities,
  type ReceivableActivityDeps,
} from '../activities/receivable/activities.js';
import { createOperations } from '../operations/index.js';
import { createStore } from '../store/index.js';
import { RECEIVABLE_TASK_QUEUE } from '../workflows/receivable/contract.js';

const require = createRequire(import.meta.url);
export const WORKFLOWS_PATH = require.resolve('../workflows/index.ts');

export interface ReceivableWorkerOptions
  extends Omit<ReceivableActivityDeps, 'store' | 'operations'>,
    Partial<Pick<ReceivableActivityDeps, 'store' | 'operations'>> {
  /** The process's store and operations are built over it when not given. */
  pool: Pool;
  connection: NativeConnection;
  namespace: string;
  /** A prebuilt bundle (tests build once); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
  tuning?: Partial<WorkerOptions>;
}

export function createReceivableWorker(opts: ReceivableWorkerOptions): Promise<Worker> {
  const { connection, namespace, workflowBundle, taskQueue, tuning, pool, ...deps } = opts;
  const store = deps.store ?? createStore(pool);
  const operations = deps.operations ?? createOperations(store);
  return Worker.create({
    connection,
    namespace,
    taskQueue: taskQueue ?? RECEIVABLE_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createReceivableActivities({ ...deps, store, operations }),
    ...tuning,
  });
}
