/**
 * creditflow's workers on one connection, on the two workflow bundles (the receivable
 * task queue's, and every workflow for the others), and the schedules they serve: every
 * one, or those of one role (`WORKER_ROLE`, infra/config.ts). Used by `npm start` and by
 * the standalone worker.
 */
import { existsSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import {
  bundleWorkflowCode,
  type NativeConnection,
  Runtime,
  type Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import type { ReceivableActivityDeps } from '../activities/receivable/activities.js';
import { statementDay } from '../domain/policy.js';
import type { Config } from '../infra/config.js';
import type { Mailer } from '../infra/mail.js';
import type { CreditflowMetrics } from '../infra/metrics.js';
import type { PolicySource } from '../infra/policy.js';
import type { Operations } from '../operations/index.js';
import type { Store } from '../store/index.js';
import { ensureRatingSchedules } from './rating.schedules.js';
import { ensureSalespersonSchedules } from './salesperson.schedules.js';
import { ensureScoreSchedules } from './score.schedules.js';
import { ensureStatementSchedule } from './statements.schedules.js';
import { startWebhookDispatcher, type WebhookDispatcherOptions } from './webhook.dispatcher.js';
import {
  createRatingWorker,
  createReceivableWorker,
  createSalespersonWorker,
  createScoreWorker,
  createStatementWorker,
  prebuiltBundlePath,
  WORKFLOW_BUNDLES,
  type WorkerPlacement,
  type WorkflowBundleName,
} from './worker.js';

/** The Worker.create options of the configured tuning (the bench's floor worker takes the same). */
export function workerTuning(t: Config['worker'] | undefined): Partial<WorkerOptions> {
  return {
    ...(t?.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: t.maxCachedWorkflows } : {}),
    ...(t?.maxConcurrentWorkflowTasks !== undefined
      ? { maxConcurrentWorkflowTaskExecutions: t.maxConcurrentWorkflowTasks }
      : {}),
    ...(t?.maxConcurrentActivities !== undefined
      ? { maxConcurrentActivityTaskExecutions: t.maxConcurrentActivities }
      : {}),
    ...(t ? { stickyQueueScheduleToStartTimeout: `${t.stickyQueueTimeoutSeconds}s` as const } : {}),
  };
}

/**
 * A workflow bundle: the one `npm run build` made beside the compiled code, or, from the
 * TypeScript sources or a build without it, bundled now.
 */
async function loadWorkflowBundle(
  name: WorkflowBundleName,
): Promise<NonNullable<WorkerOptions['workflowBundle']>> {
  const prebuilt = prebuiltBundlePath(name);
  if (prebuilt && existsSync(prebuilt)) return { codePath: prebuilt };
  const logger = Runtime.instance().logger;
  if (prebuilt)
    logger.warn(`no prebuilt workflow bundle at ${prebuilt} (npm run build makes it): bundling now`);
  return { code: (await bundleWorkflowCode({ ...WORKFLOW_BUNDLES[name], logger })).code };
}

export interface CreditflowWorkers {
  /** Resolves when every worker has stopped. */
  running: Promise<void>;
  shutdown(): Promise<void>;
}

export interface CreditflowWorkersOptions {
  connection: NativeConnection;
  client: Client;
  namespace: string;
  /** The process's data layer and the operations over it, built once by the entry point. */
  store: Store;
  operations: Operations;
  mailer: Mailer;
  company: ReceivableActivityDeps['company'];
  /**
   * The policy versions (infra/policy.ts PolicyStore): activities resolve the version each
   * workflow recorded; the schedules follow the time zone of the version in force.
   */
  policies: PolicySource;
  /** Counts what the activities do for /metrics (infra/metrics.ts); the mailer counts e-mails. */
  metrics?: CreditflowMetrics;
  /**
   * Which workers run (`role`, infra/config.ts WORKER_ROLES; default every one), and each
   * worker's cache and concurrency (undefined values: the SDK's defaults).
   */
  worker?: Config['worker'];
  /** When given, the webhook dispatcher runs alongside the receivable worker. */
  webhooks?: Omit<WebhookDispatcherOptions, 'store'>;
}

export async function startCreditflowWorkers(opts: CreditflowWorkersOptions): Promise<CreditflowWorkers> {
  const role = opts.worker?.role ?? 'all';
  const { store, operations } = opts;
  const tuning = workerTuning(opts.worker);
  const common = { connection: opts.connection, namespace: opts.namespace, mailer: opts.mailer, tuning };
  const workers: Worker[] = [];
  if (role !== 'periodic')
    workers.push(
      await createReceivableWorker({
        ...common,
        workflowBundle: await loadWorkflowBundle('receivable'),
        company: opts.company,
        store,
        operations,
        policies: opts.policies,
        ...(opts.metrics ? { metrics: opts.metrics } : {}),
      }),
    );
  const periodic = role !== 'receivables' ? await startPeriodicWorkers(opts, common) : undefined;
  if (periodic) workers.push(...periodic.workers);
  const dispatcher =
    opts.webhooks && role !== 'periodic' ? startWebhookDispatcher({ ...opts.webhooks, store }) : undefined;
  const running = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    running,
    async shutdown() {
      periodic?.unsubscribe();
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.all([running, dispatcher?.stop()]);
    },
  };
}

/**
 * The rating, salesperson, statement and score workers, on the bundle of every workflow, and
 * the schedules that start their runs: kept in step with the policy in force (its time zone,
 * its statement and score days).
 */
async function startPeriodicWorkers(
  opts: CreditflowWorkersOptions,
  placement: Pick<WorkerPlacement, 'connection' | 'namespace' | 'tuning'> & { mailer: Mailer },
): Promise<{ workers: Worker[]; unsubscribe: () => void }> {
  const { store, operations, company } = opts;
  const common = { ...placement, workflowBundle: await loadWorkflowBundle('all') };
  const workers = [
    await createSalespersonWorker({ ...common, store, operations, company }),
    await createRatingWorker({ ...common, store, operations, company }),
    await createStatementWorker({ ...common, store, operations, company }),
    await createScoreWorker({ ...common, store, operations, company }),
  ];
  // A scheduled run reads the version in force when it runs; the schedules only need the
  // company's time zone, and follow a new version that changes it.
  let timeZone = opts.policies.current().timeZone;
  await ensureSalespersonSchedules(opts.client, timeZone);
  await ensureRatingSchedules(opts.client, timeZone);
  // The statements and the customer scores follow their day of the month as well.
  let dayOfMonth = statementDay(opts.policies.current());
  await ensureStatementSchedule(opts.client, { timeZone, dayOfMonth });
  let scoreDay = opts.policies.current().customer.score?.scheduleDayOfMonth;
  await ensureScoreSchedules(opts.client, opts.policies.current());
  let rescheduling = Promise.resolve();
  const unsubscribe = opts.policies.onChange((p) => {
    const zoneMoved = p.timeZone !== timeZone;
    const statementsMoved = zoneMoved || statementDay(p) !== dayOfMonth;
    const scoresMoved = zoneMoved || p.customer.score?.scheduleDayOfMonth !== scoreDay;
    if (!statementsMoved && !scoresMoved) return;
    timeZone = p.timeZone;
    dayOfMonth = statementDay(p);
    scoreDay = p.customer.score?.scheduleDayOfMonth;
    rescheduling = rescheduling
      .then(async () => {
        if (zoneMoved) {
          await ensureSalespersonSchedules(opts.client, p.timeZone);
          await ensureRatingSchedules(opts.client, p.timeZone);
        }
        if (statementsMoved)
          await ensureStatementSchedule(opts.client, { timeZone: p.timeZone, dayOfMonth: statementDay(p) });
        if (scoresMoved) await ensureScoreSchedules(opts.client, p);
      })
      .catch((err: Error) => console.error(`could not move the schedules to ${p.timeZone}: ${err.message}`));
  });
  return { workers, unsubscribe };
}
