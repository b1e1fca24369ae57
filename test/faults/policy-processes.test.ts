/**
 * One policy in every process, in the production shape: two API processes
 * (`bin/api.ts`) and a separate worker process (`bin/worker.ts`) on one
 * PostgreSQL and one Temporal server. A `PUT /v1/policy` on API #1 is in force on
 * API #2 within seconds, in the next receivable workflow started through API #2,
 * and in the worker (its activities and its schedules). And when announcements
 * are missed or the listening connection drops, a store still catches up.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { stopChild } from '../../infra/local/temporal-dev.js';
import { createPolicyStore, POLICY_CHANNEL, type PolicyStore } from '../../infra/policy.js';
import { RATING_MONTHLY_SCHEDULE_ID } from '../../workflows/rating/contract.js';
import {
  getReceivable,
  type ReceivableInput,
  receivableWorkflowId,
} from '../../workflows/receivable/contract.js';
import { SALESPERSON_ASSESSMENT_SCHEDULE_ID } from '../../workflows/salesperson/contract.js';
import { seedDealerAndSalesperson } from '../support/acme.js';
import { testActor } from '../support/actors.js';
import { apiCaller, createTestAuth, type TestAuth } from '../support/auth.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/global-setup.js';
import { explained, type FaultServers, startFaultServers, type WorkerProcess } from './support/servers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tag = String(process.pid);
let servers: FaultServers;
let worker: WorkerProcess;
let auth: TestAuth;
const apis: ChildProcess[] = [];
const stores: PolicyStore[] = [];

/** Starts the real API entry point against the fault servers; resolves with its base URL once it answers. */
async function startApi(n: number): Promise<string> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'NODE_ENV') env[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/api.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      TEMPORAL_ADDRESS: servers.temporal.address,
      DATABASE_URL: servers.postgres.url,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  apis.push(child);
  const log = createWriteStream(path.join(servers.dir, `api-${n}.log`), { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const base = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`API #${n} exited (${child.exitCode})`);
      return (await fetch(`${base}/health`)).status;
    },
    (status) => status === 200,
    `API #${n} answering /health`,
    90_000,
  );
  return base;
}

let api1: ReturnType<typeof apiCaller>;
let api2: ReturnType<typeof apiCaller>;

beforeAll(
  explained(
    () => servers,
    async () => {
      servers = await startFaultServers('policy');
      worker = await servers.startWorker();
      auth = createTestAuth(servers.pool);
      const [base1, base2] = await Promise.all([startApi(1), startApi(2)]);
      api1 = apiCaller(
        () => base1 as string,
        () => auth,
      );
      api2 = apiCaller(
        () => base2 as string,
        () => auth,
      );
    },
  ),
);
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(apis.map((a) => stopChild(a, 10_000)));
  await worker?.stop();
  await servers?.teardown();
});

describe('one policy in every process', () => {
  it(
    'a PUT on API #1 is in force on API #2, in the next workflow started through it, and in the worker',
    explained(
      () => servers,
      async () => {
        // POLICY_FILE is unset: the first process seeded the defaults as the first version.
        expect((await api2('GET', '/v1/policy')).body.version).toBe(DEFAULT_POLICY.version);

        const version = `acme-${tag}`;
        const put = await api1('PUT', '/v1/policy', {
          document: { version, timeZone: 'Asia/Tokyo', salesperson: { limitWarningBp: 5_000 } },
        });
        expect(put.status).toBe(201);

        // API #2 answers with it within seconds (announced on the channel; a periodic check besides).
        const started = Date.now();
        await eventually(
          async () => (await api2('GET', '/v1/policy')).body.version,
          (v) => v === version,
          'the new version on API #2',
          { timeoutMs: 10_000, intervalMs: 100 },
        );
        expect(Date.now() - started).toBeLessThan(10_000);

        // The next receivable started through API #2 records it.
        const { counterpartyId, salespersonId } = await seedDealerAndSalesperson(
          servers.pool,
          'P',
          'Hangzhou',
          {
            name: 'Policy seller',
            creditLimitMinor: 1_000_000,
          },
        );
        const receivableId = `PR-${tag}`;
        const filed = await api2('POST', '/v1/credit-applications', {
          receivableId,
          counterpartyId,
          salespersonId,
          amountMinor: 600_000,
          requestedTermDays: 30,
        });
        expect(filed.status).toBe(201);
        const handle = servers.client.workflow.getHandle(receivableWorkflowId(receivableId));
        const history = await handle.fetchHistory();
        const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
        const input = JSON.parse(
          Buffer.from(payload?.data ?? new Uint8Array()).toString(),
        ) as ReceivableInput;
        expect(input.policy.version).toBe(version);

        // The worker process's activities use it: 60 % of the salesperson's limit is at or above
        // the new 50 % warning level (the worker started under the defaults' 80 %).
        const state = await eventually(
          () => handle.query(getReceivable),
          (s) => s.checks !== null,
          'the automatic checks',
        );
        expect(state.checks?.findings).toContain(
          `salesperson Policy seller would use 60 % of the receivables limit`,
        );
        const warning = await eventually(
          async () => servers.mail.mailsFor(`salesperson:${salespersonId}:limit-warning:${receivableId}`),
          (m) => m.length === 1,
          'the limit warning e-mail',
        );
        expect(warning[0]?.text).toContain('The warning level is 50 %');

        // And the worker process itself sees the version in force: it moves the schedules to its time zone.
        for (const id of [SALESPERSON_ASSESSMENT_SCHEDULE_ID, RATING_MONTHLY_SCHEDULE_ID])
          await eventually(
            async () => (await servers.client.schedule.getHandle(id).describe()).spec.timezone,
            (tz) => tz === 'Asia/Tokyo',
            `schedule ${id} in the new version's time zone`,
            { timeoutMs: 10_000, intervalMs: 100 },
          );
        await handle.terminate('policy test done');
      },
    ),
  );

  it(
    'a store catches up when it misses the announcement, and listens again after its connection drops',
    explained(
      () => servers,
      async () => {
        const writer = await createPolicyStore(servers.pool, DEFAULT_POLICY, {
          listen: false,
          checkIntervalMs: 0,
        });
        // Not listening at all: the periodic check alone brings the new version.
        const checking = await createPolicyStore(servers.pool, DEFAULT_POLICY, {
          listen: false,
          checkIntervalMs: 200,
        });
        // Listening only (no periodic check): its connection is cut before the next version.
        const listening = await createPolicyStore(servers.pool, DEFAULT_POLICY, { checkIntervalMs: 0 });
        stores.push(writer, checking, listening);
        const versionInForce = (store: PolicyStore, version: string, what: string, timeoutMs: number) =>
          eventually(
            async () => store.current().version,
            (v) => v === version,
            what,
            { timeoutMs, intervalMs: 50 },
          );

        const first = `missed-${tag}`;
        await writer.replace({ version: first }, testActor('admin'));
        await versionInForce(checking, first, 'the periodic check', 5_000);
        await versionInForce(listening, first, 'the announcement', 5_000);

        // Every LISTEN connection is cut (the API and worker processes' too): they reconnect.
        const cut = await servers.pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`,
          [`LISTEN ${POLICY_CHANNEL}`],
        );
        expect(cut.rowCount).toBeGreaterThanOrEqual(1);
        const second = `after-drop-${tag}`;
        await writer.replace({ version: second }, testActor('admin'));
        await versionInForce(listening, second, 'the version after the connection dropped', 10_000);
        await eventually(
          async () => (await api1('GET', '/v1/policy')).body.version,
          (v) => v === second,
          'the version on API #1 after its connection dropped',
          { timeoutMs: 10_000, intervalMs: 100 },
        );
      },
    ),
  );
});
