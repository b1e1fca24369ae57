/**
 * A database and a Temporal namespace of a test file's own, on the servers the global
 * setup started: for tests that assert on whole tables or on every workflow (snapshots,
 * aging totals), which other test files running at the same time would otherwise disturb,
 * and whose workflows no other file's workers must pick up.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { registerSearchAttributes } from '../../infra/temporal.js';
import { createDataLayer } from '../../operations/index.js';
import { createPool, dropDatabase, ensureDatabase, migrate, type Pool } from '../../store/db.js';
import {
  createRatingWorker,
  createReceivableWorker,
  createSalespersonWorker,
  type ReceivableWorkerOptions,
} from '../../workers/worker.js';
import { TEST_COMPANY, testMailer } from './acme.js';

export interface Isolated {
  tag: string;
  /** A migrated database of its own. */
  pool: Pool;
  /** A namespace of its own, with creditflow's search attributes. */
  namespace: string;
  connection: Connection;
  dispose(): Promise<void>;
}

export async function isolatedDatabaseAndNamespace(prefix: string): Promise<Isolated> {
  const tag = randomUUID().slice(0, 8);
  const database = `${prefix}_${tag}`;
  const namespace = `${prefix}-${tag}`;
  const url = new URL(inject('databaseUrl'));
  url.pathname = '/postgres';
  const adminUrl = url.toString();
  await ensureDatabase({ connectionString: adminUrl }, database);
  url.pathname = `/${database}`;
  const pool = createPool(url.toString(), 10);
  await migrate(pool);

  const connection = await Connection.connect({ address: inject('temporalAddress') });
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await connection.workflowService.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`namespace ${namespace} did not appear within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await registerSearchAttributes(connection, namespace);

  return {
    tag,
    pool,
    namespace,
    connection,
    async dispose() {
      await connection.close();
      await pool.end();
      await dropDatabase({ connectionString: adminUrl }, database);
    },
  };
}

export type WorkerKind = 'receivable' | 'salesperson' | 'rating';
export const ALL_WORKERS: readonly WorkerKind[] = ['receivable', 'salesperson', 'rating'];

export interface RunningWorkers {
  /** The workers asked for, in the order asked. */
  workers: Worker[];
  /** Shuts the workers down, waits for their runs, closes the mailer and the workers' connection. */
  stop(): Promise<void>;
}

/**
 * The workers creditflow runs (receivables, salespeople, ratings — all unless `kinds` says
 * which) on `target`'s namespace and database, running; `receivable` adds to (or overrides)
 * the receivable worker's options.
 */
export async function startWorkers(
  target: { namespace: string; pool: Pool },
  kinds: readonly WorkerKind[] = ALL_WORKERS,
  receivable: Partial<ReceivableWorkerOptions> = {},
): Promise<RunningWorkers> {
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const mailer = testMailer();
  const common = {
    connection,
    namespace: target.namespace,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    mailer,
    company: TEST_COMPANY,
    // One data layer for the workers, as a process builds it once.
    ...createDataLayer(target.pool),
  };
  const create = {
    receivable: () => createReceivableWorker({ ...common, ...receivable }),
    salesperson: () => createSalespersonWorker(common),
    rating: () => createRatingWorker(common),
  };
  const workers: Worker[] = [];
  for (const kind of kinds) workers.push(await create[kind]());
  const running = workers.map((w) => w.run());
  return {
    workers,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
      mailer.close();
      await connection.close();
    },
  };
}
