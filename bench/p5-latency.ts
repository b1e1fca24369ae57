/**
 * P5 — latency of GET /v1/receivables/:id (the state its workflow last recorded, read
 * from PostgreSQL by the API) at a fixed 200 requests per second, over many different
 * receivables, once the machine is quiet after the previous phase.
 *
 * The load is open-loop and evenly paced: loadtest sends one request every 5 ms on
 * its own schedule, opening another connection whenever all are busy, so a slow
 * answer delays no later request and each latency is the request's own. (autocannon's
 * rate limit sends each connection's share at the top of every second, a burst of
 * 200, and its coordinated-omission correction assumes a 1 ms interval at that rate.)
 *
 * P5F, its floor, is measured right before it the same way: `GET /app/session` without a
 * session cookie, the API's one route that does no I/O at all (public, so no credential
 * look-up; it answers `{ signedIn: false }` through the same plugins and serializer).
 * /health queries PostgreSQL and the dashboard's files are kilobytes, so neither is a floor.
 */
import * as loadtest from 'loadtest';
import { createBulkSeeding } from '../store/bulk.js';
import type { BenchEnv } from './env.js';
import { say } from './env.js';
import type { Figure, RunOptions } from './figure.js';
import { type CpuSample, cpuPerUnit, describeCpu, sampleCpu, settleMachine } from './procs.js';

const PLACEHOLDER = 'RECEIVABLE_ID';

/** loadtest 8 as it runs (its bundled typings predate the promise API and the string indexParam). */
const runLoad = loadtest.loadTest as unknown as (
  options: Omit<loadtest.LoadTestOptions, 'indexParam' | 'statusCallback'> & {
    indexParam: string;
    statusCallback: (error: unknown, result?: { statusCode: number; requestElapsed: number }) => void;
  },
) => Promise<loadtest.LoadTestResult>;

/** Checkpoints PostgreSQL has completed so far. */
const checkpoints = (env: BenchEnv): Promise<number> => createBulkSeeding(env.pool).checkpoints();

/** What PostgreSQL's autovacuum is doing now ("VACUUM public.effects"), if anything. */
const autovacuum = (env: BenchEnv): Promise<string[]> => createBulkSeeding(env.pool).autovacuum();

/**
 * Once a second during the load: CPU by process and what autovacuum runs, so the
 * slowest second can say what else the machine was doing then.
 */
function traceSeconds(env: BenchEnv) {
  const seconds: { cpu: CpuSample; vacuum: string[] }[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const [cpu, vacuum] = await Promise.all([sampleCpu(env.cpuGroups), autovacuum(env)]);
      seconds.push({ cpu, vacuum });
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return seconds;
    },
  };
}

/** The second (by answer time) with the most answers over 50 ms, and what ran in it. */
function slowestSecond(
  answers: { end: number; ms: number }[],
  trace: { cpu: CpuSample; vacuum: string[] }[],
  t0: number,
): string {
  const slowBySecond = new Map<number, { n: number; max: number }>();
  for (const a of answers) {
    if (a.ms <= 50) continue;
    const s = Math.floor((a.end - t0) / 1000);
    const cur = slowBySecond.get(s) ?? { n: 0, max: 0 };
    slowBySecond.set(s, { n: cur.n + 1, max: Math.max(cur.max, a.ms) });
  }
  const worst = [...slowBySecond].sort((a, b) => b[1].n - a[1].n)[0];
  if (!worst) return 'no answer over 50 ms';
  const [s, { n, max }] = worst;
  const spread = `answers over 50 ms in ${slowBySecond.size} of the run's seconds`;
  // The trace sample at or after that second's end, and the one a second before it.
  const i = trace.findIndex((x) => x.cpu.at >= t0 + (s + 1) * 1000);
  const [a, b] = [trace[i - 1], trace[i]];
  const cpu = a && b ? `; that second ${describeCpu(a.cpu, b.cpu)}` : '';
  const vacuum = [...new Set([...(a?.vacuum ?? []), ...(b?.vacuum ?? [])])];
  return `${spread}; the worst, +${s} s: ${n} over 50 ms (max ${Math.round(max)} ms)${cpu}; autovacuum then: ${vacuum.length ? vacuum.join(', ') : 'none'}`;
}

/** Exact percentile of recorded latencies, in whole milliseconds (nearest rank). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, rank)] as number);
}

/** P5F's route: static, public, no I/O. */
export const FLOOR_PATH = '/app/session';

/**
 * GETs at `rate` per second for `seconds`, open-loop: each answer's latency and when it came.
 * With `ids`, a random receivable per request (finance token); without, P5F's route.
 */
async function load(env: BenchEnv, ids: string[] | undefined, rate: number, seconds: number) {
  const latencies: number[] = [];
  const answers: { end: number; ms: number }[] = [];
  let failed = 0;
  const result = await runLoad({
    url: ids ? `${env.apiUrl}/v1/receivables/${PLACEHOLDER}` : `${env.apiUrl}${FLOOR_PATH}`,
    requestsPerSecond: rate,
    maxSeconds: seconds,
    agentKeepAlive: true,
    headers: ids ? { authorization: `Bearer ${env.financeToken}` } : {},
    indexParam: PLACEHOLDER,
    indexParamCallback: () => (ids ? (ids[Math.floor(Math.random() * ids.length)] as string) : ''),
    quiet: true,
    statusCallback: (error, r) => {
      if (error || !r || r.statusCode !== 200) failed++;
      else {
        latencies.push(r.requestElapsed);
        answers.push({ end: Date.now(), ms: r.requestElapsed });
      }
    },
  });
  latencies.sort((a, b) => a - b);
  return { latencies, answers, failed, totalTimeSeconds: result.totalTimeSeconds };
}

/** P5F and P5: the floor route, then the receivable read, each warmed up, at the same rate and length. */
export async function measureP5(env: BenchEnv, opts: RunOptions, ids: string[]): Promise<Figure[]> {
  const seconds = opts.quick ? 10 : 20;
  const warmUpSeconds = opts.quick ? 3 : 5;
  const rate = 200;
  await settleMachine();
  say(`P5F: GET ${FLOOR_PATH} (no I/O) at ${rate}/s: ${warmUpSeconds} s warm-up, then ${seconds} s…`);
  const floorWarm = await load(env, undefined, rate, warmUpSeconds);
  const f0 = await sampleCpu(env.cpuGroups);
  const floorRun = await load(env, undefined, rate, seconds);
  const f1 = await sampleCpu(env.cpuGroups);
  const [f50, f99, f999] = [50, 99, 99.9].map((p) => percentile(floorRun.latencies, p)) as [
    number,
    number,
    number,
  ];
  const floorFigure: Figure = {
    id: 'P5F',
    name: `GET ${FLOOR_PATH} (floor)`,
    value: `p50 ${f50} ms, p99 ${f99} ms`,
    target: 'the floor',
    pass: floorRun.failed === 0 && floorRun.latencies.length > 0 ? true : null,
    informational: true,
    how: `the API's route that does no I/O (public, no session cookie: { signedIn: false }), loadtest open-loop at ${rate}/s evenly paced, ${seconds} s after a ${warmUpSeconds} s warm-up, right before P5`,
    notes: [
      `P5F: warm-up p99 ${percentile(floorWarm.latencies, 99)} ms; ${floorRun.latencies.length} answered, ${floorRun.failed} failed, p99.9 ${f999} ms, max ${Math.round(floorRun.latencies.at(-1) ?? 0)} ms; ${describeCpu(f0, f1)}; ${cpuPerUnit(f0, f1, floorRun.latencies.length, 'GET')}`,
    ],
  };
  await settleMachine();
  // The API may not have served a GET yet, and its pg pool may hold no connection
  // (none opened yet, or closed after 30 s idle): the first seconds compile the read
  // path and open connections. They run at the same rate and are reported, not
  // counted: P5 is the steady state.
  say(`P5: warming up the API at ${rate}/s for ${warmUpSeconds} s…`);
  const warm = await load(env, ids, rate, warmUpSeconds);
  say(
    `P5: GET /v1/receivables/:id at ${rate}/s, evenly paced, for ${seconds} s over ${ids.length} receivables…`,
  );
  const checkpoints0 = await checkpoints(env);
  const cpu0 = await sampleCpu(env.cpuGroups);
  const trace = traceSeconds(env);
  const { latencies, answers, failed, totalTimeSeconds } = await load(env, ids, rate, seconds);
  const cpu1 = await sampleCpu(env.cpuGroups);
  const traced = await trace.stop();
  const checkpointsDuring = (await checkpoints(env)) - checkpoints0;
  const [p50, p90, p99, p999] = [50, 90, 99, 99.9].map((p) => percentile(latencies, p));
  const ok = latencies.length;
  const p5: Figure = {
    id: 'P5',
    name: 'GET /v1/receivables/:id',
    value: `p50 ${p50} ms, p99 ${p99} ms`,
    floor: `p99 ${f99} ms (P5F)`,
    ratio: f99 > 0 ? ((p99 as number) / f99).toFixed(2) : '—',
    target: 'p99 ≤ 20 ms',
    pass: failed === 0 && ok > 0 && (p99 as number) <= 20,
    how: `loadtest (npm), open-loop at ${rate}/s evenly paced (one request every ${1000 / rate} ms, keep-alive), ${seconds} s after a ${warmUpSeconds} s warm-up at the same rate, a random one of ${ids.length} receivables per request (finance token; the API reads the state the workflow recorded in PostgreSQL), started once the machine was idle; each request's own latency`,
    notes: [
      `P5 warm-up (not counted): ${warm.latencies.length} answered, ${warm.failed} failed, p50 ${percentile(warm.latencies, 50)} ms, p99 ${percentile(warm.latencies, 99)} ms, max ${Math.round(warm.latencies.at(-1) ?? 0)} ms`,
      `P5: ${ok} answered (${(ok / totalTimeSeconds).toFixed(0)}/s), ${failed} failed, p90 ${p90} ms, p99.9 ${p999} ms, max ${Math.round(latencies.at(-1) ?? 0)} ms; ${describeCpu(cpu0, cpu1)}; ${cpuPerUnit(cpu0, cpu1, ok, 'GET')}`,
      `P5: ${slowestSecond(answers, traced, cpu0.at)}; PostgreSQL checkpoints during the load: ${Number.isNaN(checkpointsDuring) ? '?' : checkpointsDuring}`,
    ],
  };
  return [floorFigure, p5];
}
