/** The worker that runs receivable workflows and their activities. */
import type { Worker } from '@temporalio/worker';
import {
  createReceivableActivities,
  type ReceivableActivityDeps,
} from '../activities/receivable/activities.js';
import { RECEIVABLE_TASK_QUEUE } from '../workflows/receivable/contract.js';
import { createWorker, placementOf, type WorkerPlacement } from './worker.js';

export { WORKFLOWS_PATH } from './worker.js';

export interface ReceivableWorkerOptions extends ReceivableActivityDeps, WorkerPlacement {}

export function createReceivableWorker(opts: ReceivableWorkerOptions): Promise<Worker> {
  const [placement, deps] = placementOf(opts);
  return createWorker(placement, RECEIVABLE_TASK_QUEUE, createReceivableActivities(deps));
}
