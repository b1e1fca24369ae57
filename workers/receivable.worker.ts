/** The worker that runs receivable workflows and their activities. */
import type { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import {
  createReceivableActivities,
  type ReceivableActivityDeps,
} from '../activities/receivable/activities.js';
import { createOperations } from '../operations/index.js';
import { createStore } from '../store/index.js';
import { RECEIVABLE_TASK_QUEUE } from '../workflows/receivable/contract.js';
import { createWorker, placementOf, type WorkerPlacement } from './worker.js';

export { WORKFLOWS_PATH } from './worker.js';

export interface ReceivableWorkerOptions
  extends Omit<ReceivableActivityDeps, 'store' | 'operations'>,
    Partial<Pick<ReceivableActivityDeps, 'store' | 'operations'>>,
    WorkerPlacement {
  /** The process's store and operations are built over it when not given. */
  pool: Pool;
}

export function createReceivableWorker(opts: ReceivableWorkerOptions): Promise<Worker> {
  const [placement, { pool, ...deps }] = placementOf(opts);
  const store = deps.store ?? createStore(pool);
  const operations = deps.operations ?? createOperations(store);
  return createWorker(
    placement,
    RECEIVABLE_TASK_QUEUE,
    createReceivableActivities({ ...deps, store, operations }),
  );
}
