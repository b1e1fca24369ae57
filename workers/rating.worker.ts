/** The worker that runs the dealer rating workflows (monthly, quarterly, batches, decisions) and their activities. */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createRatingActivities, type RatingActivityDeps } from '../activities/rating/activities.js';
import { RATING_TASK_QUEUE } from '../workflows/rating/contract.js';
import { WORKFLOWS_PATH } from './receivable.worker.js';

export interface RatingWorkerOptions extends RatingActivityDeps {
  connection: NativeConnection;
  namespace: string;
  /** A prebuilt bundle (tests build once); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
  tuning?: Partial<WorkerOptions>;
}

export function createRatingWorker(opts: RatingWorkerOptions): Promise<Worker> {
  const { connection, namespace, workflowBundle, taskQueue, tuning, ...deps } = opts;
  return Worker.create({
    connection,
    namespace,
    taskQueue: taskQueue ?? RATING_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createRatingActivities(deps),
    ...tuning,
  });
}
