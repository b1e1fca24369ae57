/**
 * Workflow tests on Temporal's time-skipping test server (Java, through the launcher
 * infra/scripts/ensure.sh writes): the server with creditflow's search attributes,
 * workers running the real workflow bundle and the real activities against the
 * PostgreSQL and SMTP server global-setup started, and — for the cycles a person
 * triggers — the API on the test server's client.
 */
import path from 'node:path';
import type { ConnectionPlugin } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { createRatingActivities } from '../../activities/rating/activities.js';
import { createSalespersonActivities } from '../../activities/salesperson/activities.js';
import { createScoreActivities } from '../../activities/scores/activities.js';
import { createStatementActivities } from '../../activities/statements/activities.js';
import { buildApi } from '../../api/server.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { Mailer } from '../../infra/mail.js';
import { registerSearchAttributes } from '../../infra/temporal.js';
import { createDataLayer } from '../../operations/index.js';
import { createPool, type Pool } from '../../store/db.js';
import { RATING_TASK_QUEUE } from '../../workflows/rating/contract.js';
import { SALESPERSON_TASK_QUEUE } from '../../workflows/salesperson/contract.js';
import { SCORES_TASK_QUEUE } from '../../workflows/scores/contract.js';
import { STATEMENT_TASK_QUEUE } from '../../workflows/statements/contract.js';
import { TEST_COMPANY, testMailer } from './acme.js';
import { createTestAuth, type TestAuth } from './auth.js';
import { perFile } from './per-file.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The Java test server allows a client's keepalive ping once in 5 minutes (gRPC's default) and
 * closes the connection of a client that pings more often. The SDK's client pings after 30 s
 * without data, which a long time-skipping call reaches when the machine is busy (the whole
 * suite on 2 cores): the connection was closed under calls that then hung. So this client
 * pings less often than the server allows.
 */
const pingAsTheTestServerAllows: ConnectionPlugin = {
  name: 'creditflow-test-server-keepalive',
  configureConnection: (options) => ({
    ...options,
    channelArgs: { ...options.channelArgs, 'grpc.keepalive_time_ms': 10 * 60_000 },
  }),
};

/**
 * The time-skipping test server, with creditflow's search attributes registered. `executable`:
 * another launcher of it (test-server-at.ts: one whose clock starts at a given instant).
 */
export async function startTimeSkippingServer(executable?: string): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    plugins: [pingAsTheTestServerAllows],
    server: {
      executable: {
        type: 'existing-path',
        path:
          executable ??
          process.env.TEMPORAL_TEST_SERVER ??
          path.join(ROOT, '.tools', 'test-server', 'temporal-test-server'),
      },
    },
  });
  await registerSearchAttributes(env.connection, 'default');
  return env;
}

export type CycleWorkerKind = 'salesperson' | 'rating' | 'statements' | 'scores';

export interface TestWorkers {
  workers: Worker[];
  mailer: Mailer;
  /** Shuts the workers down, waits for their runs and closes their mailer. */
  stop(): Promise<void>;
}

/**
 * Workers for the salesperson and rating cycles on the test server, running. No workflow
 * cache, hence no sticky task queue: every activation replays the full history, which
 * also checks determinism on every step.
 */
export async function startCycleWorkers(
  env: TestWorkflowEnvironment,
  pool: Pool,
  kinds: readonly CycleWorkerKind[],
): Promise<TestWorkers> {
  const mailer = testMailer();
  const deps = { ...createDataLayer(pool), mailer, company: TEST_COMPANY };
  const plan = {
    salesperson: { taskQueue: SALESPERSON_TASK_QUEUE, activities: () => createSalespersonActivities(deps) },
    rating: { taskQueue: RATING_TASK_QUEUE, activities: () => createRatingActivities(deps) },
    statements: { taskQueue: STATEMENT_TASK_QUEUE, activities: () => createStatementActivities(deps) },
    scores: { taskQueue: SCORES_TASK_QUEUE, activities: () => createScoreActivities(deps) },
  };
  const workers: Worker[] = [];
  for (const kind of kinds)
    workers.push(
      await Worker.create({
        connection: env.nativeConnection,
        taskQueue: plan[kind].taskQueue,
        workflowBundle: { codePath: inject('workflowBundlePath') },
        maxCachedWorkflows: 0,
        activities: plan[kind].activities(),
      }),
    );
  const running = workers.map((w) => w.run());
  return {
    workers,
    mailer,
    async stop() {
      for (const w of workers) w.shutdown();
      await Promise.all(running);
      mailer.close();
    },
  };
}

export interface CycleSystem {
  env: TestWorkflowEnvironment;
  pool: Pool;
  auth: TestAuth;
  /** The API on the test server's client (called with `inject`). */
  api: FastifyInstance;
  stop(): Promise<void>;
}

/** The test server, the cycle workers `kinds`, and the API that triggers and reads the cycles. */
export async function startCycleSystem(kinds: readonly CycleWorkerKind[]): Promise<CycleSystem> {
  const env = await startTimeSkippingServer();
  const pool = createPool(inject('databaseUrl'), 5);
  const workers = await startCycleWorkers(env, pool, kinds);
  const api = await buildApi({ client: env.client, pool, policy: () => DEFAULT_POLICY });
  return {
    env,
    pool,
    auth: createTestAuth(pool),
    api,
    async stop() {
      await api.close();
      await workers.stop();
      await pool.end();
      await env.teardown();
    },
  };
}

/** The cycle system for the calling test file, started before its first test and stopped after its last (see per-file.ts). */
export const cycleSystemPerFile = (
  kinds: readonly CycleWorkerKind[],
  ready?: (system: CycleSystem) => unknown,
): CycleSystem =>
  perFile(
    () => startCycleSystem(kinds),
    (system) => system.stop(),
    ready,
  );
