/**
 * P5 — latency of GET /v1/receivables/:id (the state its workflow last recorded, read
 * from PostgreSQL by the API) at a fixed 200 requests per second, over many different
 * receivables, once the machine is quiet after the previous phase.
 */
import autocannon from 'autocannon';
import type { BenchEnv } from './env.js';
import { say } from './env.js';
import type { Figure, RunOptions } from './figure.js';
import { cpuPerUnit, describeCpu, sampleCpu, settleMachine } from './procs.js';

export async function measureP5(env: BenchEnv, opts: RunOptions, ids: string[]): Promise<Figure> {
  const seconds = opts.quick ? 10 : 20;
  const rate = 200;
  await settleMachine();
  say(`P5: GET /v1/receivables/:id at ${rate}/s for ${seconds} s over ${ids.length} receivables…`);
  const cpu0 = await sampleCpu(env.cpuGroups);
  const result = await autocannon({
    url: env.apiUrl,
    connections: 20,
    overallRate: rate,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        headers: { authorization: `Bearer ${env.financeToken}` },
        setupRequest: (req) => ({
          ...req,
          path: `/v1/receivables/${ids[Math.floor(Math.random() * ids.length)]}`,
        }),
      },
    ],
  });
  const cpu1 = await sampleCpu(env.cpuGroups);
  const l = result.latency;
  const ok = result['2xx'];
  const failed = result.non2xx + result.errors;
  const achieved = ok / result.duration;
  return {
    id: 'P5',
    name: 'GET /v1/receivables/:id',
    value: `p50 ${l.p50} ms, p99 ${l.p99} ms`,
    target: 'p99 ≤ 50 ms',
    pass: failed === 0 && l.p99 <= 50,
    how: `autocannon, overallRate ${rate}/s, 20 connections, ${seconds} s, a random one of ${ids.length} receivables per request (finance token; the API reads the state the workflow recorded in PostgreSQL), started once the machine was idle; latency corrected for coordinated omission`,
    notes: [
      `P5: ${ok} answered (${achieved.toFixed(0)}/s), ${failed} failed, p90 ${l.p90} ms, p99.9 ${l.p99_9} ms, max ${l.max} ms; ${describeCpu(cpu0, cpu1)}; ${cpuPerUnit(cpu0, cpu1, ok, 'GET')}`,
    ],
  };
}
