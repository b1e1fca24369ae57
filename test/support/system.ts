/**
 * The system as `npm start` runs it, for integration and browser tests: a pool on the
 * test database, test credentials, a Temporal client on the dev server, optionally
 * workers running the real workflow bundle, and the HTTP API listening on loopback.
 * A file that asserts on whole tables or on every workflow gets a database and a
 * namespace of its own (`isolated`). One place for the set-up and the mirror-image
 * teardown.
 */
import { Client, type ClientOptions, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApi } from '../../api/server.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { createPolicyStore, type PolicyStore } from '../../infra/policy.js';
import { registerSearchAttributes } from '../../infra/temporal.js';
import { createPool, type Pool } from '../../store/db.js';
import type { ReceivableWorkerOptions } from '../../workers/worker.js';
import { apiCaller, createTestAuth, type TestAuth } from './auth.js';
import {
  ALL_WORKERS,
  isolatedDatabaseAndNamespace,
  type RunningWorkers,
  startWorkers,
  type WorkerKind,
} from './isolated.js';
import { perFile } from './per-file.js';

export { eventually } from './eventually.js';
export { mails } from './inbox.js';

type ApiDeps = Parameters<typeof buildApi>[0];

export interface SystemOptions {
  /** Connections in the pool (each test file its own pool on the shared database). */
  poolSize?: number;
  /** A database and namespace of the file's own, named after this prefix (see isolated.ts). */
  isolated?: string;
  /** Start a receivable worker; an object adds to (or overrides) its options. */
  worker?: boolean | Partial<ReceivableWorkerOptions>;
  /** Which workers run ('all': receivables, salespeople, ratings); a receivable worker alone when `worker` is set. */
  workers?: 'all' | readonly WorkerKind[];
  /** Client options beyond connection and namespace (e.g. interceptors). */
  client?: Omit<ClientOptions, 'connection' | 'namespace'>;
  /** The policy in force read from (and written to) PostgreSQL, seeded with the default, as the API runs. */
  policyStore?: boolean;
  /** API dependencies beyond client and pool (e.g. request limits). */
  api?: (pool: Pool) => Promise<Partial<ApiDeps>> | Partial<ApiDeps>;
}

export interface System {
  base: string;
  api: FastifyInstance;
  pool: Pool;
  connection: Connection;
  namespace: string;
  client: Client;
  /** The running workers, in the order asked (none unless asked). */
  workers: Worker[];
  /** The API's policy store, when `policyStore` asked for one. */
  policyStore?: PolicyStore;
  auth: TestAuth;
  call: ReturnType<typeof apiCaller>;
  /** Everything started, closed in reverse order. */
  stop(): Promise<void>;
}

export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const iso = options.isolated ? await isolatedDatabaseAndNamespace(options.isolated) : undefined;
  const pool = iso?.pool ?? createPool(inject('databaseUrl'), options.poolSize ?? 5);
  const namespace = iso?.namespace ?? 'default';
  const auth = createTestAuth(pool);
  const connection = iso?.connection ?? (await Connection.connect({ address: inject('temporalAddress') }));
  if (!iso) await registerSearchAttributes(connection, namespace);
  const client = new Client({ ...options.client, connection, namespace });
  const kinds =
    options.workers === 'all'
      ? ALL_WORKERS
      : (options.workers ?? (options.worker ? ['receivable' as const] : []));
  let running: RunningWorkers | undefined;
  if (kinds.length > 0)
    running = await startWorkers(
      { namespace, pool },
      kinds,
      typeof options.worker === 'object' ? options.worker : {},
    );
  const policyStore = options.policyStore ? await createPolicyStore(pool, DEFAULT_POLICY) : undefined;
  const api = await buildApi({
    client,
    pool,
    policy: () => DEFAULT_POLICY,
    ...(policyStore ? { policy: () => policyStore.current(), policyStore } : {}),
    ...(options.api ? await options.api(pool) : {}),
  });
  const base = await api.listen({ host: '127.0.0.1', port: 0 });
  return {
    base,
    api,
    pool,
    connection,
    namespace,
    client,
    workers: running?.workers ?? [],
    ...(policyStore ? { policyStore } : {}),
    auth,
    call: apiCaller(
      () => base,
      () => auth,
    ),
    async stop() {
      await api.close();
      await policyStore?.close();
      await running?.stop();
      if (iso) await iso.dispose();
      else {
        await connection.close();
        await pool.end();
      }
    },
  };
}

/** The system for the calling test file, started before its first test and stopped after its last (see per-file.ts). */
export const systemPerFile = (options: SystemOptions = {}, ready?: (system: System) => unknown): System =>
  perFile(
    () => startSystem(options),
    (system) => system.stop(),
    ready,
  );
