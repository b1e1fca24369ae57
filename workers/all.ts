/**
 * Every creditflow worker on one connection, sharing one workflow bundle, and
 * the schedules they serve. Used by `npm start` and by the standalone worker.
 */
import type { Client } from '@temporalio/client';
import {
  bundleWorkflowCode,
  type NativeConnection,
  Runtime,
  type Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import type { Pool } from 'pg';
import type { ReceivableActivityDeps } from '../activities/receivable/activities.js';
import type { Policy } from '../domain/policy.js';
import type { Mailer } from '../infra/mail.js';
import type { CreditflowMetrics } from '../infra/metrics.js';
import { ensureRatingSchedules } from './rating.schedules.js';
import { createRatingWorker } from './rating.worker.js';
import { createReceivableWorker, WORKFLOWS_PATH } from './receivable.worker.js';
import { ensureSalespersonSchedules } from './salesperson.schedules.js';
import { createSalespersonWorker } from './salesperson.worker.js';
import { startWebhookDispatcher, type WebhookDispatcherOptions } from './webhook.dispatcher.js';

/** The worker options config.worker sets (unset: the SDK's defaults). */
export function workerTuning(w: {
  maxConcurrentActivities: number | undefined;
  maxCachedWorkflows: number | undefined;
}): Partial<WorkerOptions> {
  return {
    ...(w.maxConcurrentActivities !== undefined
      ? { maxConcurrentActivityTaskExecutions: w.maxConcurrentActivities }
      : {}),
    ...(w.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: w.maxCachedWorkflows } : {}),
  };
}

export interface CreditflowWorkers {
  /** Resolves when every worker has stopped. */
  running: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startCreditflowWorkers(opts: {
  connection: NativeConnection;
  client: Client;
  namespace: string;
  pool: Pool;
  mailer: Mailer;
  company: ReceivableActivityDeps['company'];
  policy: Policy;
  /** Counts what the activities do for /metrics (infra/metrics.ts); the mailer counts e-mails. */
  metrics?: CreditflowMetrics;
  /** Applied to every worker: concurrency and cache (config.worker). */
  tuning?: Partial<WorkerOptions>;
  /** When given, the webhook dispatcher runs alongside the workers. */
  webhooks?: Omit<WebhookDispatcherOptions, 'pool'>;
}): Promise<CreditflowWorkers> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: Runtime.instance().logger,
  });
  const workflowBundle = { code };
  const common = {
    connection: opts.connection,
    namespace: opts.namespace,
    workflowBundle,
    pool: opts.pool,
    mailer: opts.mailer,
    ...(opts.tuning ? { tuning: opts.tuning } : {}),
  };
  const workers: Worker[] = [
    await createReceivableWorker({
      ...common,
      company: opts.company,
      policy: opts.policy,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
    }),
    await createSalespersonWorker({ ...common, company: opts.company }),
    await createRatingWorker({ ...common, company: opts.company }),
  ];
  await ensureSalespersonSchedules(opts.client, opts.policy);
  await ensureRatingSchedules(opts.client, opts.policy);
  const dispatcher = opts.webhooks
    ? startWebhookDispatcher({ ...opts.webhooks, pool: opts.pool })
    : undefined;
  const running = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    running,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.all([running, dispatcher?.stop()]);
    },
  };
}
