/** The worker that runs the salesperson assessment workflow and its activities. */
import type { Worker } from '@temporalio/worker';
import {
  createSalespersonActivities,
  type SalespersonActivityDeps,
} from '../activities/salesperson/activities.js';
import { SALESPERSON_TASK_QUEUE } from '../workflows/salesperson/contract.js';
import { createWorker, placementOf, type WorkerPlacement } from './worker.js';

export interface SalespersonWorkerOptions extends SalespersonActivityDeps, WorkerPlacement {}

export function createSalespersonWorker(opts: SalespersonWorkerOptions): Promise<Worker> {
  const [placement, deps] = placementOf(opts);
  return createWorker(placement, SALESPERSON_TASK_QUEUE, createSalespersonActivities(deps));
}
