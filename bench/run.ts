/**
 * `npm run bench` (bin/bench.ts): creditflow's performance figures on this machine, against the
 * real servers (Temporal dev server on SQLite, PostgreSQL, SMTP; worker and API as
 * their own processes), printed as one table with how each figure was measured.
 *
 *   npm run bench                      every figure at N = 10,000
 *   npm run bench -- --quick           a smoke run (N = 300, shorter phases)
 *   npm run bench -- --n 2000 --only P2,P4
 *   npm run bench -- --n 300 --only P2 --workers 2 --kill-worker-at 20
 *
 * Each figure is set beside a floor measured in the same run on the same servers: P1 the
 * no-op start, P2 P2F (N minimal workflows sending one e-mail each, bench/p2-floor.ts), P5
 * P5F (a route of the same API that does no I/O). `--workers 2` runs two worker processes;
 * `--kill-worker-at s` SIGKILLs the second s seconds into the storm (P2W).
 *
 * Settings under test come from the environment like production's (infra/config.ts:
 * WORKER_*, DATABASE_POOL_SIZE, SMTP_MAX_CONNECTIONS…) and BENCH_SQLITE_PRAGMAS for
 * the dev server (default: npm start's; e.g. `journal_mode=wal,synchronous=off`, or
 * `none` for the CLI's defaults), BENCH_DYNAMIC_CONFIG for its dynamic config (default:
 * npm start's; e.g. `system.enableActivityEagerExecution=false`, `none` for the CLI's).
 * BENCH_WORKER_NODE_ARGS passes flags to the worker's node (e.g.
 * `--cpu-prof --cpu-prof-dir=.data/prof`).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { addDays, localDate } from '../domain/calendar.js';
import { DEFAULT_POLICY } from '../domain/policy.js';
import { loadConfig } from '../infra/config.js';
import { DEV_DYNAMIC_CONFIG, DEV_SQLITE_PRAGMAS } from '../infra/local/temporal-dev.js';
import { type BenchEnv, say, startBenchEnv, WORKER_ALLOCATOR } from './env.js';
import type { Figure, RunOptions } from './figure.js';
import { measureP1 } from './p1-starts.js';
import type { FloorMemory } from './p2-floor.js';
import { measureP2 } from './p2-reminder-storm.js';
import { measureP3 } from './p3-rating.js';
import { measureP4, type WorkerMemory } from './p4-memory.js';
import { measureP5 } from './p5-latency.js';
import { measureP6 } from './p6-letters.js';
import { sampleCpu } from './procs.js';
import { importReceivables, salespeopleFor, waitParked } from './receivables.js';
import { seedDealers, seedSalespeople } from './seed.js';

const ALL = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'] as const;

function options(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      n: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '32' },
      'gather-minutes': { type: 'string', default: '0.5' },
      workers: { type: 'string', default: '1' },
      'kill-worker-at': { type: 'string' },
    },
  });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers: a positive whole number');
  const killWorkerAt = values['kill-worker-at'] === undefined ? undefined : Number(values['kill-worker-at']);
  if (killWorkerAt !== undefined && !(killWorkerAt >= 0 && workers >= 2))
    throw new Error('--kill-worker-at: seconds after the storm, 0 or more, with --workers 2 or more');
  const quick = values.quick ?? false;
  const n = values.n ? Number(values.n) : quick ? 300 : 10_000;
  if (!Number.isInteger(n) || n < 1) throw new Error('--n: a positive whole number');
  const only = (values.only ?? ALL.join(','))
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  for (const f of only)
    if (!(ALL as readonly string[]).includes(f)) throw new Error(`--only: unknown figure ${f}`);
  const gatherMinutes = Number(values['gather-minutes']);
  if (!(gatherMinutes >= 0)) throw new Error('--gather-minutes: a number of minutes, 0 or more');
  const run: RunOptions = {
    n,
    quick,
    concurrency: Number(values.concurrency),
    gatherMinutes,
    ...(killWorkerAt !== undefined ? { killWorkerAt } : {}),
  };
  if (killWorkerAt !== undefined && !only.includes('P2'))
    throw new Error('--kill-worker-at: needs P2 (the storm)');
  return { run, only: new Set(only), workers };
}

/** `k=v,k=v` from the environment variable `name`: undefined when unset, nothing for `none`. */
function keyValues(name: string): Record<string, string> | undefined {
  const v = process.env[name];
  if (v === undefined) return undefined;
  if (v === 'none') return {};
  return Object.fromEntries(v.split(',').map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
}

/** Dynamic config values are JSON (numbers, booleans); a bare word stays a string. */
function jsonValues(values: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => {
      try {
        return [k, JSON.parse(v)];
      } catch {
        return [k, v];
      }
    }),
  );
}

/** A dedicated set of open receivables (P4/P5 without P2): parked on a due−7 reminder 60 days out. */
async function openSet(env: BenchEnv, n: number): Promise<string[]> {
  const tz = DEFAULT_POLICY.timeZone;
  say(`opening ${n} receivables for P4/P5…`);
  const dealers = await seedDealers(env.pool, 'P4', Math.max(1, Math.ceil(n / 100)));
  const salespeople = await seedSalespeople(env.pool, 'P4', salespeopleFor(n));
  const ids = await importReceivables(env, {
    prefix: 'P4',
    n,
    dealers,
    salespeople,
    policy: DEFAULT_POLICY,
    dueDate: addDays(localDate(Date.now(), tz), 60),
    concurrency: 32,
  });
  if (!(await waitParked(env, 'P4', n, 1_800_000)))
    throw new Error('the open set did not park within 30 min');
  return ids;
}

function table(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.id,
    f.name,
    f.value,
    f.floor ?? '—',
    f.ratio ?? '—',
    f.target,
    f.informational
      ? f.pass === null
        ? 'not measured'
        : 'floor'
      : f.pass === null
        ? '—'
        : f.pass
          ? 'pass'
          : 'FAIL',
    f.how,
  ]);
  const head = ['', 'figure', 'value', 'floor', 'ratio', 'target', 'result', 'how measured'];
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map((c) => c.replaceAll('|', '/')).join(' | ')} |`),
  ].join('\n');
}

/** Measures the figures `argv` asks for and prints the table; resolves with the exit code (0: every figure passed). */
export async function runBench(argv: string[] = process.argv.slice(2)): Promise<number> {
  const { run, only, workers } = options(argv);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const workerEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        /^(WORKER_|DATABASE_POOL_SIZE$|SMTP_MAX_CONNECTIONS$)/.test(e[0]) && e[1] !== undefined,
    ),
  );
  const dynamic = keyValues('BENCH_DYNAMIC_CONFIG');
  const settings = {
    // npm start's unless the environment says otherwise.
    sqlitePragmas: keyValues('BENCH_SQLITE_PRAGMAS') ?? DEV_SQLITE_PRAGMAS,
    dynamicConfig: dynamic ? jsonValues(dynamic) : DEV_DYNAMIC_CONFIG,
    workerEnv,
    workers,
  };
  const config = loadConfig({ ...process.env, ...workerEnv });
  const startedAt = new Date();
  const load = loadavg()[0] ?? 0;
  const cpuAtStart = await sampleCpu({});
  const figures: Figure[] = [];
  // P6 (letters) needs no server: measured first, on a machine the servers do not load yet.
  if (only.has('P6')) {
    const f = await measureP6(run);
    figures.push(f);
    say(`${f.id}: ${f.value} (target ${f.target}) — ${f.notes.join(' — ')}`);
    if (only.size === 1) {
      console.log('');
      console.log(table(figures));
      console.log('');
      for (const note of f.notes) console.log(`- ${note}`);
      return f.pass ? 0 : 1;
    }
  }
  const env = await startBenchEnv(settings);
  try {
    // Each figure is told as soon as it is measured: a run cut short keeps what it had.
    const measured = (f: Figure) => {
      figures.push(f);
      say(
        `${f.id}: ${f.value}${f.floor ? `; floor ${f.floor}, ratio ${f.ratio}` : ''} (target ${f.target}) — ${f.notes.join(' — ')}`,
      );
    };
    if (only.has('P1')) measured(await measureP1(env, run));
    if (only.has('P3')) measured(await measureP3(env, run));
    let open: string[] | undefined;
    let floorMemory: FloorMemory | undefined;
    let memoryBefore: WorkerMemory | undefined;
    let memoryParked: WorkerMemory | undefined;
    if (only.has('P2')) {
      const storm = await measureP2(env, run);
      for (const f of storm.figures) measured(f);
      open = storm.ids;
      floorMemory = storm.floorMemory;
      memoryBefore = storm.memoryBefore;
      memoryParked = storm.memoryParked;
    }
    if ((only.has('P4') || only.has('P5')) && !open) open = await openSet(env, run.n);
    if (only.has('P4') && open) {
      if (floorMemory) measured(floorMemory.figure);
      measured(
        await measureP4(
          env,
          open.length,
          String(config.worker.maxCachedWorkflows ?? 'SDK default'),
          memoryBefore,
          floorMemory?.perCachedKiB,
          memoryParked,
        ),
      );
    }
    if (only.has('P5') && open) for (const f of await measureP5(env, run, open)) measured(f);
  } finally {
    const w = config.worker;
    const cpuAtEnd = await sampleCpu({});
    const wall = (cpuAtEnd.at - cpuAtStart.at) / 1000;
    console.log('');
    console.log(
      `creditflow bench — ${startedAt.toISOString()}, N=${run.n}${run.quick ? ' (quick)' : ''}; ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 1024 ** 3)} GiB, load average ${load.toFixed(1)} at start; CPU stolen by the hypervisor over the run ${(cpuAtEnd.stolen - cpuAtStart.stolen).toFixed(1)} s of ${cpus().length} cores × ${wall.toFixed(0)} s${workers > 1 ? `; ${workers} worker processes` : ''}`,
    );
    console.log(
      `settings: SQLite ${
        Object.entries(settings.sqlitePragmas)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || 'CLI defaults'
      }; dynamic config ${
        Object.entries(settings.dynamicConfig)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(' ') || 'CLI defaults'
      }; search attributes ${settings.dynamicConfig['system.forceSearchAttributesCacheRefreshOnRead'] === true ? 'read from SQLite at every use' : 'created with the namespace and cached'}; worker cache ${w.maxCachedWorkflows ?? 'SDK default'}, sticky queue timeout ${w.stickyQueueTimeoutSeconds} s, workflow tasks ${w.maxConcurrentWorkflowTasks ?? 'SDK default'}, activities ${w.maxConcurrentActivities ?? 'SDK default'}; pg pool ${config.postgres.poolSize}; SMTP connections ${config.mail.maxConnections}; worker allocator ${WORKER_ALLOCATOR}`,
    );
    console.log('');
    console.log(table(figures));
    console.log('');
    for (const f of figures) for (const note of f.notes) console.log(`- ${note}`);
    await env.stop();
  }
  return figures.every((f) => f.informational || f.pass) ? 0 : 1;
}
