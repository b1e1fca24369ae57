/**
 * P1 — receivable starts per second through the HTTP API, beside no-op workflow
 * starts per second on the same Temporal server in the same run, at the same
 * concurrency. The ratio says what the API's work (authentication, two look-ups,
 * validation, the receivable's input and search attributes) costs against a bare start.
 */
import { createRequire } from 'node:module';
import { NativeConnection, Worker } from '@temporalio/worker';
import autocannon from 'autocannon';
import type { BenchEnv } from './env.js';
import { say } from './env.js';
import { type Figure, fmt, type RunOptions, sleep } from './figure.js';
import { cpuPerUnit, describeCpu, sampleCpu, settle } from './procs.js';
import { seedDealers, seedSalespeople } from './seed.js';

const require = createRequire(import.meta.url);
const NOOP_QUEUE = 'bench-noop';

/** Starts no-op workflows from `lanes` concurrent loops for `seconds`; returns how many started. */
async function noopStarts(env: BenchEnv, lanes: number, seconds: number, tag: string): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let started = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = 0; Date.now() < until; i++) {
        await env.client.workflow.start('benchNoop', {
          taskQueue: NOOP_QUEUE,
          workflowId: `noop:${tag}:${lane}:${i}`,
        });
        started++;
      }
    }),
  );
  return started;
}

/** Files credit applications through the API from `connections` keep-alive connections for `seconds`. */
async function apiStarts(
  env: BenchEnv,
  connections: number,
  seconds: number,
  parties: { dealers: string[]; salesperson: string },
  tag: string,
) {
  let i = 0;
  const result = await autocannon({
    url: env.apiUrl,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/credit-applications',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${env.financeToken}` },
        setupRequest: (req) => {
          i++;
          return {
            ...req,
            body: JSON.stringify({
              receivableId: `P1-${tag}-${i}`,
              counterpartyId: parties.dealers[i % parties.dealers.length],
              salespersonId: parties.salesperson,
              amountMinor: 1_000_000,
              requestedTermDays: 30,
            }),
          };
        },
      },
    ],
  });
  return { created: result['2xx'], failed: result.non2xx + result.errors, p99: result.latency.p99 };
}

export async function measureP1(env: BenchEnv, opts: RunOptions): Promise<Figure> {
  const seconds = opts.quick ? 5 : 15;
  const c = opts.concurrency;
  const dealers = await seedDealers(env.pool, 'P1', 20);
  const [salesperson] = await seedSalespeople(env.pool, 'P1', 1);
  say('P1: starting the no-op worker (bundling its one workflow)…');
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue: NOOP_QUEUE,
    workflowsPath: require.resolve('./noop.workflow.ts'),
  });
  const running = worker.run();
  try {
    const parties = { dealers, salesperson: salesperson as string };
    say('P1: warming up both paths…');
    await noopStarts(env, c, 2, 'warm');
    await apiStarts(env, c, 2, parties, 'warm');
    await settle(env.workerPid());

    say(`P1: no-op starts, ${c} concurrent, ${seconds} s…`);
    const a = await sampleCpu(env.cpuGroups);
    const t0 = Date.now();
    const noop = await noopStarts(env, c, seconds, 'run');
    const noopRate = noop / ((Date.now() - t0) / 1000);
    const b = await sampleCpu(env.cpuGroups);
    await settle(env.workerPid());
    await sleep(1000);

    say(`P1: credit applications through the API, ${c} connections, ${seconds} s…`);
    const c0 = await sampleCpu(env.cpuGroups);
    const t1 = Date.now();
    const api = await apiStarts(env, c, seconds, parties, 'run');
    const apiRate = api.created / ((Date.now() - t1) / 1000);
    const c1 = await sampleCpu(env.cpuGroups);
    await settle(env.workerPid());

    const ratio = apiRate / noopRate;
    return {
      id: 'P1',
      name: 'receivable starts through the API',
      value: `${fmt(apiRate, 0)} starts/s`,
      floor: `${fmt(noopRate, 0)}/s (no-op starts)`,
      ratio: fmt(ratio, 2),
      target: '≥ 0.80 × floor',
      pass: api.failed === 0 ? ratio >= 0.8 : false,
      how: `${seconds} s each at ${c} concurrent: POST /v1/credit-applications (finance bearer token, autocannon, 201s counted) vs Temporal client start of a no-op workflow (bench worker, own task queue)`,
      notes: [
        `P1 no-op phase: ${noop} started; ${describeCpu(a, b)}; ${cpuPerUnit(a, b, noop, 'start')}`,
        `P1 API phase: ${api.created} created, ${api.failed} failed, p99 ${api.p99} ms; ${describeCpu(c0, c1)}; ${cpuPerUnit(c0, c1, api.created, 'start')} (the receivables' first steps run meanwhile)`,
      ],
    };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}
