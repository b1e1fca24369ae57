/**
 * The fault tests' own servers, one set per test file, so stopping, killing and
 * restarting them never disturbs another file or project: PostgreSQL (embedded,
 * persistent data directory), the loopback SMTP server (persistent store), the
 * Temporal CLI's dev server (persistent SQLite file) and the real worker entry
 * point (`node --import tsx bin/worker.ts`) as a child process. Each can be
 * stopped and started again on the same port with the same data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  type LocalMailServer,
  type StoredMessage,
  startLocalMailServer,
} from '../../../infra/local/mail-server.js';
import { type LocalPostgres, startLocalPostgres } from '../../../infra/local/postgres.js';
import {
  DEV_DYNAMIC_CONFIG,
  DEV_SQLITE_PRAGMAS,
  type LocalTemporal,
  startLocalTemporal,
  stopChild,
} from '../../../infra/local/temporal-dev.js';
import { registerSearchAttributes } from '../../../infra/temporal.js';
import { createPool, migrate, type Pool } from '../../../store/db.js';
import { RECEIVABLE_TASK_QUEUE } from '../../../workflows/receivable/contract.js';
import { eventually } from '../../support/eventually.js';
import { freePort } from '../../support/global-setup.js';
import { itemsOf } from '../../support/inbox.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface RestartableServer {
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface FaultPostgres extends RestartableServer {
  url: string;
}

export interface FaultMail extends RestartableServer {
  smtpUrl: string;
  /** What the mailbox kept (it keeps one message per Message-ID). */
  messages(): StoredMessage[];
  /** The kept messages whose effect key starts with `prefix` (e.g. `R-1:`). */
  mailsFor(prefix: string): StoredMessage[];
}

export interface FaultTemporal extends RestartableServer {
  address: string;
  /** Ends the dev server at once (SIGKILL): a crash, not a shutdown. */
  kill(): Promise<void>;
}

export interface WorkerProcess {
  pid: number;
  /** True while the process has not exited. */
  readonly alive: boolean;
  /** SIGKILL: no shutdown, activities in flight are abandoned mid-way. */
  kill(): Promise<void>;
  /** SIGTERM (the worker's orderly shutdown), SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export interface FaultServers {
  dir: string;
  postgres: FaultPostgres;
  mail: FaultMail;
  temporal: FaultTemporal;
  /** A pool for the test's own reads and seeds (survives a PostgreSQL restart). */
  pool: Pool;
  client: Client;
  /**
   * Starts the real worker entry point against these servers and waits until it
   * polls `readyOn` (default: the receivable task queue). `smtpUrl` replaces the mail
   * server's (a gate); `env` adds to its environment.
   */
  startWorker(opts?: {
    smtpUrl?: string;
    env?: Record<string, string>;
    readyOn?: string;
  }): Promise<WorkerProcess>;
  /** Whether worker process `pid` polls `taskQueue` (its activities: it can take them). */
  polls(pid: number, taskQueue: string): Promise<boolean>;
  /** The worker's output so far (for a failing test's message). */
  workerLog(): Promise<string>;
  teardown(): Promise<void>;
}

export async function startFaultServers(name: string): Promise<FaultServers> {
  const dir = path.join(ROOT, '.data', 'test', `faults-${name}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const [pgPort, smtpPort, temporalPort] = await Promise.all([freePort(), freePort(), freePort()]);

  // PostgreSQL
  let pgServer: LocalPostgres | undefined;
  const pgOpts = { dataDir: path.join(dir, 'postgres'), port: pgPort };
  const startPg = async () => {
    pgServer = await startLocalPostgres(pgOpts);
  };
  // The Temporal dev server, persistent so a restart keeps every workflow.
  let temporalServer: LocalTemporal | undefined;
  const cli = process.env.TEMPORAL_CLI ?? path.join(ROOT, '.tools', 'bin', 'temporal');
  const startTemporal = async () => {
    temporalServer = await startLocalTemporal({
      cli,
      dbFile: path.join(dir, 'temporal.db'),
      port: temporalPort,
      // As `npm start` runs it: eager activities, the newer matcher (task queue priority).
      sqlitePragmas: DEV_SQLITE_PRAGMAS,
      dynamicConfig: DEV_DYNAMIC_CONFIG,
    });
  };
  // The mail server: its store survives a restart, like a real mailbox.
  let mailServer: LocalMailServer | undefined;
  const startMail = async () => {
    mailServer = await startLocalMailServer({ storeDir: path.join(dir, 'mail'), smtpPort, inboxPort: 0 });
  };
  await Promise.all([startPg(), startTemporal(), startMail()]);

  const url = (pgServer as LocalPostgres).url;
  const pool = createPool(url, 4);
  await migrate(pool);
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  await registerSearchAttributes(connection, 'default');
  const client = new Client({ connection });

  let lastMessages: StoredMessage[] = [];
  const mail: FaultMail = {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    get running() {
      return mailServer !== undefined;
    },
    async stop() {
      lastMessages = mailServer?.messages() ?? lastMessages;
      await mailServer?.stop();
      mailServer = undefined;
    },
    start: startMail,
    messages: () => mailServer?.messages() ?? lastMessages,
    mailsFor: (prefix) => [
      ...mail.messages().filter((m) => m.effectKey?.startsWith(prefix)),
      ...itemsOf(mail.messages(), prefix),
    ],
  };

  const workers: ChildProcess[] = [];
  const logFile = path.join(dir, 'worker.log');
  const log = createWriteStream(logFile, { flags: 'a' });

  const servers: FaultServers = {
    dir,
    pool,
    client,
    mail,
    postgres: {
      url,
      get running() {
        return pgServer !== undefined;
      },
      async stop() {
        await pgServer?.stop();
        pgServer = undefined;
      },
      start: startPg,
    },
    temporal: {
      address: `127.0.0.1:${temporalPort}`,
      get running() {
        return temporalServer !== undefined;
      },
      async stop() {
        await temporalServer?.stop();
        temporalServer = undefined;
      },
      async kill() {
        await temporalServer?.kill();
        temporalServer = undefined;
      },
      start: startTemporal,
    },
    async startWorker(opts = {}) {
      // Its own metrics ports: fault files run side by side, maybe beside `npm start`.
      const [metricsPort, temporalMetricsPort] = await Promise.all([freePort(), freePort()]);
      // Started as `npm run worker` starts it: stack traces as WORKER_WORKFLOW_STACK_TRACES says.
      const child = spawn(
        process.execPath,
        ['--require', './infra/workflow-stack-traces.cjs', '--import', 'tsx', 'bin/worker.ts'],
        {
          cwd: ROOT,
          env: workerEnv({
            TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
            DATABASE_URL: url,
            SMTP_URL: opts.smtpUrl ?? mail.smtpUrl,
            // One SMTP connection per message: the gate holds e-mails mid-transfer, and held
            // messages would otherwise tie up the mailer's few pooled connections.
            SMTP_MAX_CONNECTIONS: '0',
            METRICS_PORT: String(metricsPort),
            TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
            ...opts.env,
          }),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      workers.push(child);
      const pid = child.pid as number;
      log.write(`--- worker ${pid} started ${new Date().toISOString()}\n`);
      child.stdout?.on('data', (b: Buffer) => log.write(b));
      child.stderr?.on('data', (b: Buffer) => log.write(b));
      child.once('exit', (code, signal) =>
        log.write(`--- worker ${pid} exited (${signal ?? code}) ${new Date().toISOString()}\n`),
      );
      const alive = () => child.exitCode === null && child.signalCode === null;
      // Ready when this process (its default identity is `pid@host`) polls its queue.
      const readyOn = opts.readyOn ?? RECEIVABLE_TASK_QUEUE;
      const ready = await eventually(
        async () => (alive() ? polls(client, pid, readyOn) : 'exited'),
        (state) => state !== false,
        `worker ${pid} polling ${readyOn}`,
        90_000,
      );
      if (ready === 'exited') throw new Error(`the worker exited on start:\n${await servers.workerLog()}`);
      return {
        pid,
        get alive() {
          return alive();
        },
        kill: () => stopChild(child, 0, 'SIGKILL'),
        stop: () => stopChild(child, 15_000),
      };
    },
    polls: (pid, taskQueue) => polls(client, pid, taskQueue),
    workerLog: () => readFile(logFile, 'utf8').catch(() => ''),
    async teardown() {
      await Promise.all(workers.map((w) => stopChild(w, 5_000)));
      log.end();
      await connection.close();
      await pool.end();
      await Promise.all([servers.temporal.stop(), servers.postgres.stop(), mail.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return servers;
}

/** The worker's environment: ours plus what Node needs, without the test runner's own settings. */
function workerEnv(own: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'NODE_ENV' && !own[k]) env[k] = v;
  return { ...env, ...own };
}

async function polls(client: Client, pid: number, taskQueue: string): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY: registered once the worker can take activities
  });
  return (res.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`));
}

/**
 * A test or hook body that, when it fails, adds the worker's last log lines to the
 * error, to see why. `servers` is read on failure (a hook may be what starts them).
 */
export function explained(
  servers: () => FaultServers | undefined,
  fn: () => Promise<void>,
): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (err) {
      const log = (await servers()?.workerLog()) ?? '';
      const tail = log.trimEnd().split('\n').slice(-40).join('\n');
      if (err instanceof Error && tail) err.message += `\n--- worker log, last lines ---\n${tail}`;
      throw err;
    }
  };
}
