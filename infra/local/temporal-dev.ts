/** The Temporal CLI's dev server (frontend + Web UI) with a persistent SQLite file. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/**
 * The dev server's SQLite store in write-ahead-log mode: the CLI's default (a rollback
 * journal, fsync on every commit) costs about twice the server CPU per workflow step
 * (measured by `npm run bench`). `synchronous=normal` keeps the file consistent after a
 * crash; the last commits before a power cut may be lost, which a dev server can afford.
 */
export const DEV_SQLITE_PRAGMAS: Record<string, string> = { journal_mode: 'wal', synchronous: 'normal' };

/**
 * Dynamic config for the local dev server beyond the CLI's own. Eager activities: a
 * workflow task's completion hands its new activities straight back to the worker
 * that completed it, skipping the task queue (and, under load, its backlog in SQLite).
 * Measured by `npm run bench` in the reminder storm: 16 instead of 30 ms of server
 * CPU per reminder step (three activities), 13 instead of 20 ms in the worker.
 */
export const DEV_DYNAMIC_CONFIG: Record<string, unknown> = {
  'system.enableActivityEagerExecution': true,
  // Task queue priority (Temporal's newer matcher): a reader's day of correspondence goes before
  // the receivables' tasks on their shared queue (workflows/correspondence/contract.ts).
  'matching.useNewMatcher': true,
};

export interface LocalTemporal {
  address: string;
  uiUrl: string | undefined;
  pid: number | undefined;
  stop(): Promise<void>;
  /** Ends the server at once (SIGKILL), as a crash would; used by the fault tests. */
  kill(): Promise<void>;
}

export interface LocalTemporalOptions {
  cli: string;
  dbFile?: string;
  port: number;
  uiPort?: number;
  namespace?: string;
  /** SQLite pragmas for the dev server's store, e.g. `{ journal_mode: 'wal' }`. */
  sqlitePragmas?: Record<string, string>;
  /** Server dynamic config values (JSON values), e.g. `{ 'history.timerTaskBatchSize': 500 }`. */
  dynamicConfig?: Record<string, unknown>;
  /** Serves the server's own Prometheus page (`/metrics`) on this port; none by default. */
  metricsPort?: number;
  /**
   * Custom search attributes created with the namespace, before the server serves (`name`, and
   * its type as the SDK spells it, e.g. `KEYWORD_LIST`). Given them, the server keeps its
   * search-attribute cache (`devServerArgs`).
   */
  searchAttributes?: readonly { name: string; type: string }[];
  log?: (line: string) => void;
}

/** The CLI's arguments for a dev server with `opts`. */
export function devServerArgs(opts: LocalTemporalOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
  ];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const [k, v] of Object.entries(opts.sqlitePragmas ?? {})) args.push('--sqlite-pragma', `${k}=${v}`);
  for (const a of opts.searchAttributes ?? [])
    args.push('--search-attribute', `${a.name}=${a.type.replace('_', '')}`);
  const dynamicConfig = {
    // The CLI has the server read the search attributes, and the namespace that maps them,
    // from SQLite on every use, so that one added a moment ago is seen at once: about 20 store
    // reads for a new receivable's first steps (`npm run bench`, P1's notes). Created before
    // the server serves, the attributes need no such read: the server caches them, as a
    // production server does by default (docs/performance.md).
    ...(opts.searchAttributes?.length ? { 'system.forceSearchAttributesCacheRefreshOnRead': false } : {}),
    ...opts.dynamicConfig,
  };
  for (const [k, v] of Object.entries(dynamicConfig))
    args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  if (opts.metricsPort) args.push('--metrics-port', String(opts.metricsPort));
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  return args;
}

export async function startLocalTemporal(opts: LocalTemporalOptions): Promise<LocalTemporal> {
  if (opts.dbFile) await mkdir(path.dirname(opts.dbFile), { recursive: true });
  const args = devServerArgs(opts);
  const child = spawn(opts.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (b: Buffer) => {
    for (const line of b.toString().split('\n')) if (line.trim()) opts.log?.(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  await waitForPort(opts.port, child, 60_000);
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    pid: child.pid,
    stop: () => stopChild(child),
    kill: () => stopChild(child, 0, 'SIGKILL'),
  };
}

export async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`process exited with code ${child.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

/** Sends `signal` (SIGTERM by default), then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopChild(
  child: ChildProcess,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
