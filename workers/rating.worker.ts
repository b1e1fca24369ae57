/** The worker that runs the dealer rating workflows (monthly, quarterly, batches, decisions) and their activities. */
import type { Worker } from '@temporalio/worker';
import { createRatingActivities, type RatingActivityDeps } from '../activities/rating/activities.js';
import { RATING_TASK_QUEUE } from '../workflows/rating/contract.js';
import { createWorker, placementOf, type WorkerPlacement } from './worker.js';

export interface RatingWorkerOptions extends RatingActivityDeps, WorkerPlacement {}

export function createRatingWorker(opts: RatingWorkerOptions): Promise<Worker> {
  const [placement, deps] = placementOf(opts);
  return createWorker(placement, RATING_TASK_QUEUE, createRatingActivities(deps));
}
