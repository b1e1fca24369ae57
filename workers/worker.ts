/** What every creditflow worker shares: where it connects, which workflows it bundles, how it is tuned. */
import { createRequire } from 'node:module';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

const require = createRequire(import.meta.url);
export const WORKFLOWS_PATH = require.resolve('../workflows/index.ts');

/** Where a worker runs and how; the rest of a worker's options are its activities' dependencies. */
export interface WorkerPlacement {
  connection: NativeConnection;
  namespace: string;
  /** A prebuilt bundle (tests build once); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Defaults to the task queue of the worker's workflows. */
  taskQueue?: string;
  tuning?: Partial<WorkerOptions>;
}

/** Splits a worker's options into its placement and its activities' dependencies. */
export function placementOf<T extends WorkerPlacement>(
  opts: T,
): [WorkerPlacement, Omit<T, keyof WorkerPlacement>] {
  const { connection, namespace, workflowBundle, taskQueue, tuning, ...deps } = opts;
  return [{ connection, namespace, workflowBundle, taskQueue, tuning }, deps];
}

/** A worker polling `defaultTaskQueue` (unless placed elsewhere) with these activities. */
export function createWorker(
  placement: WorkerPlacement,
  defaultTaskQueue: string,
  activities: object,
): Promise<Worker> {
  const { connection, namespace, workflowBundle, taskQueue, tuning } = placement;
  return Worker.create({
    connection,
    namespace,
    taskQueue: taskQueue ?? defaultTaskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities,
    ...tuning,
  });
}
