/** The worker that runs the salesperson assessment workflow and its activities. */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import {
  createSalespersonActivities,
  type SalespersonActivityDeps,
} from '../activities/salesperson/activities.js';
import { SALESPERSON_TASK_QUEUE } from '../workflows/salesperson/contract.js';
import { WORKFLOWS_PATH } from './receivable.worker.js';

export interface SalespersonWorkerOptions extends SalespersonActivityDeps {
  connection: NativeConnection;
  namespace: string;
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
  tuning?: Partial<WorkerOptions>;
}

export function createSalespersonWorker(opts: SalespersonWorkerOptions): Promise<Worker> {
  const { connection, namespace, workflowBundle, taskQueue, tuning, ...deps } = opts;
  return Worker.create({
    connection,
    namespace,
    taskQueue: taskQueue ?? SALESPERSON_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createSalespersonActivities(deps),
    ...tuning,
  });
}
