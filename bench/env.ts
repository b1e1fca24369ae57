/**
 * The servers a bench run measures, on this machine, in their own data directory
 * (.data/bench, wiped at the start of each run) and on free ports: the Temporal CLI's
 * dev server (SQLite), embedded PostgreSQL, the loopback SMTP server (in this
 * process, so its store can be read directly), and creditflow's workers and HTTP API
 * each as its own child process, split by role as docker-compose.yml runs them (the
 * receivable worker, and the periodic worker beside it) — exactly the entry points
 * production runs, compiled as the image runs them (`dist/bin/worker.js`, `dist/bin/api.js`;
 * `npm run bench` builds them first), configured by the same environment variables.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { freePort } from '../infra/local/free-port.js';
import { type LocalMailServer, startLocalMailServer } from '../infra/local/mail-server.js';
import { startLocalPostgres } from '../infra/local/postgres.js';
import { startLocalTemporal, stopChild } from '../infra/local/temporal-dev.js';
import { connectClient, registerSearchAttributes, SEARCH_ATTRIBUTES } from '../infra/temporal.js';
import { createCredentialQueries } from '../store/credentials.js';
import { createPool, migrate, type Pool } from '../store/db.js';
import { RATING_TASK_QUEUE } from '../workflows/rating/contract.js';
import { RECEIVABLE_TASK_QUEUE } from '../workflows/receivable/contract.js';
import { type ProcessGroups, residentBytes, withDescendants } from './procs.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const NAMESPACE = 'default';
/**
 * The worker processes' allocator, as the Dockerfile and `npm run worker` set it: jemalloc
 * when `npm run bench` (infra/scripts/bench.sh) found it, glibc with two arenas otherwise.
 * Only the worker children get it; the bench, the API and the servers keep their own.
 */
const jemalloc = process.env.BENCH_WORKER_JEMALLOC || undefined;
export const WORKER_ALLOCATOR_ENV: Record<string, string> = {
  MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
  ...(jemalloc
    ? {
        LD_PRELOAD: jemalloc,
        MALLOC_CONF: process.env.MALLOC_CONF ?? process.env.BENCH_WORKER_MALLOC_CONF ?? '',
      }
    : {}),
};
export const WORKER_ALLOCATOR = jemalloc
  ? `jemalloc (${WORKER_ALLOCATOR_ENV.MALLOC_CONF})`
  : `glibc, MALLOC_ARENA_MAX ${WORKER_ALLOCATOR_ENV.MALLOC_ARENA_MAX}`;

export interface ServerSettings {
  /** SQLite pragmas for the Temporal dev server; empty: the CLI's defaults. */
  sqlitePragmas: Record<string, string>;
  /** Dynamic config values for the Temporal dev server. */
  dynamicConfig?: Record<string, unknown>;
  /** Extra environment for the worker child (tuning settings of infra/config.ts). */
  workerEnv: Record<string, string>;
  /**
   * How many receivable worker processes (dist/bin/worker.js, WORKER_ROLE=receivables) run
   * against the one Temporal server; default 1. One periodic worker runs beside them.
   */
  workers?: number;
}

/** A bench process started like the worker (node flags, allocator, WORKER_* settings). */
export interface BenchChild {
  pid: number;
  /** Its Temporal SDK core's Prometheus page (TEMPORAL_METRICS_PORT). */
  temporalMetricsUrl: string;
  /** Its own metrics page (METRICS_PORT), when it serves one (the worker). */
  metricsUrl: string;
  stop(): Promise<void>;
}

export interface BenchEnv {
  dir: string;
  temporalAddress: string;
  /** The Temporal dev server's own Prometheus page: its persistence and task counters. */
  temporalServerMetricsUrl: string;
  databaseUrl: string;
  smtpUrl: string;
  apiUrl: string;
  mail: LocalMailServer;
  pool: Pool;
  connection: Connection;
  client: Client;
  /** A finance credential for the HTTP API. */
  financeToken: string;
  /** The first receivable worker's process id. */
  workerPid(): number;
  /** Every receivable worker process's id, in start order (`--workers 2`: two). */
  workerPids(): number[];
  /** The periodic worker's process id (ratings, salespeople, statements, scores). */
  periodicWorkerPid(): number;
  /** Each worker's resident memory once it was up, before any figure (its baseline for P4). */
  workerRssAtStart: number[];
  /** Each worker's Temporal SDK core Prometheus page, in start order (how many workflows it caches). */
  workerTemporalMetricsUrls(): string[];
  /** Each worker's own metrics page, in start order (Node's heap, prom-client's default metrics). */
  workerMetricsUrls(): string[];
  /** SIGKILLs worker `index` (0-based) — no grace, no shutdown — and resolves when it has exited. */
  killWorker(index: number): Promise<NodeJS.Signals | null>;
  /**
   * Starts `script` as a worker-like child (bench/floor-worker.ts), its CPU counted as the
   * group `name` until it is stopped.
   */
  spawnWorkerLike(script: string, name: string): Promise<BenchChild>;
  /**
   * CPU accounting groups: the Temporal server, PostgreSQL, the receivable worker, the periodic
   * worker, the API, this process (SMTP, load).
   */
  cpuGroups: ProcessGroups;
  settings: ServerSettings;
  stop(): Promise<void>;
}

const say = (s: string) => console.error(`\x1b[2m[bench] ${s}\x1b[0m`);

export { say };

const children = new Set<ChildProcess>();
const orphans = new Set<number>();
// A crashed or interrupted bench must not leave a worker, API or Temporal server behind.
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already stopped
    }
  }
});

function spawnNode(
  script: string,
  env: Record<string, string>,
  logFile: string,
  nodeArgs: string[] = [],
): ChildProcess {
  // The compiled JavaScript of dist/ as production runs it; TypeScript (the floor worker) through tsx.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('close', () => log.end());
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, child?: ChildProcess) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what}: the process exited (${child.exitCode})`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not ready within ${timeoutMs / 1000} s`);
}

/** True when a worker polls `taskQueue` (its workflows are bundled and it runs). */
export async function hasPollers(connection: Connection, taskQueue: string): Promise<boolean> {
  return (await pollerCount(connection, taskQueue)) > 0;
}

/** How many distinct workers (identities) poll `taskQueue` for workflow tasks. */
export async function pollerCount(connection: Connection, taskQueue: string): Promise<number> {
  const r = await connection.workflowService.describeTaskQueue({
    namespace: NAMESPACE,
    taskQueue: { name: taskQueue, kind: 1 },
    taskQueueType: 1,
  });
  return new Set((r.pollers ?? []).map((p) => p.identity)).size;
}

export async function startBenchEnv(settings: ServerSettings): Promise<BenchEnv> {
  const dir = path.join(ROOT, '.data', 'bench');
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  const cli = process.env.TEMPORAL_CLI ?? path.join(ROOT, '.tools', 'bin', 'temporal');
  const [temporalPort, temporalMetricsPort, pgPort, smtpPort, inboxPort, apiPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const stops: (() => Promise<unknown>)[] = [];

  say('starting the Temporal dev server, PostgreSQL and SMTP…');
  const temporalLog = createWriteStream(path.join(dir, 'logs', 'temporal.log'));
  const [temporal, pg, mail] = await Promise.all([
    startLocalTemporal({
      cli,
      dbFile: path.join(dir, 'temporal', 'temporal.db'),
      port: temporalPort,
      namespace: NAMESPACE,
      sqlitePragmas: settings.sqlitePragmas,
      ...(settings.dynamicConfig ? { dynamicConfig: settings.dynamicConfig } : {}),
      metricsPort: temporalMetricsPort,
      searchAttributes: SEARCH_ATTRIBUTES,
      log: (l) => temporalLog.write(`${l}\n`),
    }),
    startLocalPostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort }),
    startLocalMailServer({ storeDir: path.join(dir, 'mail'), smtpPort, inboxPort }),
  ]);
  stops.push(temporal.stop, pg.stop, mail.stop);
  if (temporal.pid) orphans.add(temporal.pid);
  const pool = createPool(pg.url, 8);
  stops.unshift(() => pool.end());
  await migrate(pool);
  const { connection, client } = await connectClient(temporal.address, NAMESPACE);
  stops.unshift(() => connection.close());
  await registerSearchAttributes(connection, NAMESPACE);
  const financeToken = (
    await createCredentialQueries(pool).create({ name: 'bench finance', role: 'finance' })
  ).token;

  const common = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    DATABASE_URL: pg.url,
    SMTP_URL: mail.smtpUrl,
    DATA_DIR: dir,
  };
  const workerCount = settings.workers ?? 1;
  say(
    `starting ${workerCount === 1 ? 'the receivable worker' : `${workerCount} receivable workers`}, the periodic worker and the API (child processes, compiled; a worker loads its prebuilt workflow bundles)…`,
  );
  // Each worker its own /metrics ports (two on one machine must not collide); the rest as production.
  const spawnWorkerLike = async (script: string, logName: string, env: Record<string, string> = {}) => {
    const temporalMetricsPort = await freePort();
    const metricsPort = await freePort();
    const child = spawnNode(
      script,
      {
        ...common,
        METRICS_PORT: String(metricsPort),
        TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
        ...WORKER_ALLOCATOR_ENV,
        ...settings.workerEnv,
        ...env,
      },
      path.join(dir, 'logs', `${logName}.log`),
      // As `npm run worker` starts it (the SDK's per-promise stack traces as
      // WORKER_WORKFLOW_STACK_TRACES says), and for a look inside, e.g.
      // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=.data/prof".
      [
        '--require',
        './infra/workflow-stack-traces.cjs',
        ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ],
    );
    return {
      child,
      temporalMetricsUrl: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    };
  };
  const workers: ChildProcess[] = [];
  const workerTemporalMetricsUrls: string[] = [];
  const workerMetricsUrls: string[] = [];
  for (let i = 0; i < workerCount; i++) {
    const {
      child: worker,
      temporalMetricsUrl,
      metricsUrl,
    } = await spawnWorkerLike('dist/bin/worker.js', i === 0 ? 'worker' : `worker-${i + 1}`, {
      WORKER_ROLE: 'receivables',
    });
    workers.push(worker);
    workerTemporalMetricsUrls.push(temporalMetricsUrl);
    workerMetricsUrls.push(metricsUrl);
    stops.unshift(() => stopChild(worker, 30_000));
  }
  const worker = workers[0] as ChildProcess;
  const { child: periodicWorker } = await spawnWorkerLike('dist/bin/worker.js', 'periodic-worker', {
    WORKER_ROLE: 'periodic',
  });
  stops.unshift(() => stopChild(periodicWorker, 30_000));
  const api = spawnNode(
    'dist/bin/api.js',
    { ...common, API_HOST: '127.0.0.1', API_PORT: String(apiPort) },
    path.join(dir, 'logs', 'api.log'),
    // For a look inside, as the worker's: BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=.data/prof".
    (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  stops.unshift(() => stopChild(api));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await Promise.all([
    ...workers.map((w, i) =>
      until(
        `worker ${i + 1}`,
        180_000,
        async () => (await pollerCount(connection, RECEIVABLE_TASK_QUEUE)) >= i + 1,
        w,
      ),
    ),
    until(
      'periodic worker',
      180_000,
      async () => (await pollerCount(connection, RATING_TASK_QUEUE)) >= 1,
      periodicWorker,
    ),
    until('API', 120_000, async () => (await fetch(`${apiUrl}/health`)).ok, api),
  ]);
  const workerRssAtStart = await Promise.all(workers.map((w) => residentBytes(w.pid ?? 0).catch(() => 0)));
  const cpuGroups: ProcessGroups = {
    temporal: async () => (temporal.pid ? [temporal.pid] : []),
    postgres: async () => {
      const postmaster = Number(
        (await readFile(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
      );
      return withDescendants(postmaster);
    },
    ...Object.fromEntries(
      workers.map((w, i) => [i === 0 ? 'worker' : `worker ${i + 1}`, async () => (w.pid ? [w.pid] : [])]),
    ),
    'periodic worker': async () => (periodicWorker.pid ? [periodicWorker.pid] : []),
    api: async () => (api.pid ? [api.pid] : []),
    'bench+smtp': async () => [process.pid],
  };
  say(
    `up: Temporal ${temporal.address}, ${pg.url.replace(/:[^:@/]+@/, ':***@')}, ${mail.smtpUrl}, API ${apiUrl}`,
  );

  return {
    dir,
    temporalAddress: temporal.address,
    temporalServerMetricsUrl: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
    databaseUrl: pg.url,
    smtpUrl: mail.smtpUrl,
    apiUrl,
    mail,
    pool,
    connection,
    client,
    financeToken,
    workerPid: () => worker.pid ?? 0,
    workerPids: () => workers.map((w) => w.pid ?? 0),
    periodicWorkerPid: () => periodicWorker.pid ?? 0,
    workerRssAtStart,
    workerTemporalMetricsUrls: () => workerTemporalMetricsUrls,
    workerMetricsUrls: () => workerMetricsUrls,
    async killWorker(index) {
      const w = workers[index];
      if (!w) throw new Error(`no worker ${index + 1}`);
      await stopChild(w, 0, 'SIGKILL');
      return w.signalCode;
    },
    async spawnWorkerLike(script, name) {
      const { child, temporalMetricsUrl, metricsUrl } = await spawnWorkerLike(
        script,
        name.replaceAll(' ', '-'),
      );
      const pid = child.pid ?? 0;
      cpuGroups[name] = async () => [pid];
      return {
        pid,
        temporalMetricsUrl,
        metricsUrl,
        async stop() {
          await stopChild(child, 30_000);
          delete cpuGroups[name];
        },
      };
    },
    cpuGroups,
    settings,
    async stop() {
      for (const s of stops) await s().catch((err) => say(`while stopping: ${(err as Error).message}`));
    },
  };
}

/** A gauge's value on a Prometheus page, summed over its labels; NaN when the page is unreadable. */
export async function gaugeSum(url: string, name: string): Promise<number> {
  try {
    const page = await (await fetch(url)).text();
    let sum = 0;
    for (const m of page.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)$`, 'gm')))
      sum += Number(m[1]);
    return sum;
  } catch {
    return Number.NaN;
  }
}

/**
 * How many workflows a worker process holds in its caches now: the SDK core's
 * `sticky_cache_size` gauge, summed over its workers (task queues). NaN when the page is unreadable.
 */
export async function cachedWorkflows(temporalMetricsUrl: string): Promise<number> {
  // No gauge yet: the worker has cached nothing since it started.
  return gaugeSum(temporalMetricsUrl, 'temporal_sticky_cache_size');
}
