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
 */
import * as loadtest from 'loadtest';
import type { BenchEnv } from './env.js';
import { say } from './env.js';
import type { Figure, RunOptions } from './figure.js';
import { cpuPerUnit, describeCpu, sampleCpu, settleMachine } from './procs.js';

const PLACEHOLDER = 'RECEIVABLE_ID';

/** loadtest 8 as it runs (its bundled typings predate the promise API and the string indexParam). */
const runLoad = loadtest.loadTest as unknown as (
  options: Omit<loadtest.LoadTestOptions, 'indexParam' | 'statusCallback'> & {
    indexParam: string;
    statusCallback: (error: unknown, result?: { statusCode: number; requestElapsed: number }) => void;
  },
) => Promise<loadtest.LoadTestResult>;

/** Exact percentile of recorded latencies, in whole milliseconds (nearest rank). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, rank)] as number);
}

export async function measureP5(env: BenchEnv, opts: RunOptions, ids: string[]): Promise<Figure> {
  const seconds = opts.quick ? 10 : 20;
  const rate = 200;
  await settleMachine();
  say(
    `P5: GET /v1/receivables/:id at ${rate}/s, evenly paced, for ${seconds} s over ${ids.length} receivables…`,
  );
  const latencies: number[] = [];
  let failed = 0;
  const cpu0 = await sampleCpu(env.cpuGroups);
  const result = await runLoad({
    url: `${env.apiUrl}/v1/receivables/${PLACEHOLDER}`,
    requestsPerSecond: rate,
    maxSeconds: seconds,
    agentKeepAlive: true,
    headers: { authorization: `Bearer ${env.financeToken}` },
    indexParam: PLACEHOLDER,
    indexParamCallback: () => ids[Math.floor(Math.random() * ids.length)] as string,
    quiet: true,
    statusCallback: (error, r) => {
      if (error || !r || r.statusCode !== 200) failed++;
      else latencies.push(r.requestElapsed);
    },
  });
  const cpu1 = await sampleCpu(env.cpuGroups);
  latencies.sort((a, b) => a - b);
  const [p50, p90, p99, p999] = [50, 90, 99, 99.9].map((p) => percentile(latencies, p));
  const ok = latencies.length;
  return {
    id: 'P5',
    name: 'GET /v1/receivables/:id',
    value: `p50 ${p50} ms, p99 ${p99} ms`,
    target: 'p99 ≤ 50 ms',
    pass: failed === 0 && ok > 0 && (p99 as number) <= 50,
    how: `loadtest (npm), open-loop at ${rate}/s evenly paced (one request every ${1000 / rate} ms, keep-alive), ${seconds} s, a random one of ${ids.length} receivables per request (finance token; the API reads the state the workflow recorded in PostgreSQL), started once the machine was idle; each request's own latency`,
    notes: [
      `P5: ${ok} answered (${(ok / result.totalTimeSeconds).toFixed(0)}/s), ${failed} failed, p90 ${p90} ms, p99.9 ${p999} ms, max ${Math.round(latencies.at(-1) ?? 0)} ms; ${describeCpu(cpu0, cpu1)}; ${cpuPerUnit(cpu0, cpu1, ok, 'GET')}`,
    ],
  };
}
