/**
 * The system as `npm start` runs it, for integration and browser tests: a pool on the
 * test database, test credentials, a Temporal client on the dev server, optionally a
 * receivable worker running the real workflow bundle, and the HTTP API listening on
 * loopback. One place for the set-up and the mirror-image teardown.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApi } from '../../api/server.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { StoredMessage } from '../../infra/local/mail-server.js';
import { registerSearchAttributes } from '../../infra/temporal.js';
import { createPool, type Pool } from '../../store/db.js';
import { createReceivableWorker } from '../../workers/receivable.worker.js';
import { TEST_COMPANY, testMailer } from './acme.js';
import { apiCaller, createTestAuth, type TestAuth } from './auth.js';

export { eventually } from './eventually.js';

type ApiDeps = Parameters<typeof buildApi>[0];
type WorkerOptions = Parameters<typeof createReceivableWorker>[0];

export interface SystemOptions {
  /** Connections in the pool (each test file its own pool on the shared database). */
  poolSize?: number;
  /** Start a receivable worker; an object adds to (or overrides) its options. */
  worker?: boolean | Partial<WorkerOptions>;
  /** API dependencies beyond client and pool (e.g. policy and policyStore). */
  api?: (pool: Pool) => Promise<Partial<ApiDeps>> | Partial<ApiDeps>;
}

export interface System {
  base: string;
  api: FastifyInstance;
  pool: Pool;
  client: Client;
  auth: TestAuth;
  call: ReturnType<typeof apiCaller>;
  /** Everything started, closed in reverse order. */
  stop(): Promise<void>;
}

export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const pool = createPool(inject('databaseUrl'), options.poolSize ?? 5);
  const auth = createTestAuth(pool);
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  await registerSearchAttributes(connection, 'default');
  const client = new Client({ connection });
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let workerConnection: NativeConnection | undefined;
  if (options.worker) {
    workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    worker = await createReceivableWorker({
      connection: workerConnection,
      namespace: 'default',
      workflowBundle: { codePath: inject('workflowBundlePath') },
      pool,
      mailer: testMailer(),
      company: TEST_COMPANY,
      ...(options.worker === true ? {} : options.worker),
    });
    running = worker.run();
  }
  const api = await buildApi({
    client,
    pool,
    policy: () => DEFAULT_POLICY,
    ...(options.api ? await options.api(pool) : {}),
  });
  const base = await api.listen({ host: '127.0.0.1', port: 0 });
  return {
    base,
    api,
    pool,
    client,
    auth,
    call: apiCaller(
      () => base,
      () => auth,
    ),
    async stop() {
      await api.close();
      worker?.shutdown();
      await running;
      await workerConnection?.close();
      await connection.close();
      await pool.end();
    },
  };
}

/** The messages the loopback SMTP server holds whose effect key starts with `prefix`. */
export async function mails(prefix: string): Promise<StoredMessage[]> {
  const all = (await (await fetch(`${inject('inboxUrl')}/api/messages`)).json()) as StoredMessage[];
  return all.filter((m) => m.effectKey?.startsWith(prefix));
}
