/**
 * P1 — receivable starts per second through the HTTP API, beside no-op workflow
 * starts per second on the same Temporal server in the same run, at the same
 * concurrency. The ratio says what filing a receivable costs against a bare start: the
 * API's work (authentication, one look-up, validation, the start call) and the
 * receivable's first steps, which run meanwhile on the same cores.
 *
 * Two phases between them say where the difference goes (notes only, not the ratio):
 * no-op starts carrying a receivable's start (its search attributes, static summary and
 * input), and receivables started by the bench's own client, their first steps run by the
 * worker, with no API in the way.
 */
import { createRequire } from 'node:module';
import { WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import autocannon from 'autocannon';
import { receivableStartOptions, startReceivableWorkflow } from '../api/receivable-start.js';
import { DEFAULT_POLICY } from '../domain/policy.js';
import {
  decideApplication,
  type ReceivableInput,
  receivableWorkflowId,
} from '../workflows/receivable/contract.js';
import type { BenchEnv } from './env.js';
import { say } from './env.js';
import { type Figure, fmt, inParallel, type RunOptions } from './figure.js';
import { cpuPerUnit, describeCpu, sampleCpu, settle, settleMachine } from './procs.js';
import { seedDealers, seedSalespeople } from './seed.js';
import { describeServerWork, readServerCounters } from './server-work.js';

const require = createRequire(import.meta.url);
const NOOP_QUEUE = 'bench-noop';

interface Parties {
  dealers: string[];
  salesperson: string;
}

/** Runs `start(lane, i)` from `lanes` concurrent loops for `seconds`; returns how many ran. */
async function startsFor(
  lanes: number,
  seconds: number,
  start: (lane: number, i: number) => Promise<unknown>,
): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let started = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = 0; Date.now() < until; i++) {
        await start(lane, i);
        started++;
      }
    }),
  );
  return started;
}

/** The actor of the bench's own starts and rejections (the API's are the finance token's). */
const BENCH_FINANCE = {
  credentialId: 'bench-p1',
  username: 'bench-p1',
  name: 'Bench P1',
  role: 'finance',
} as const;

/** A credit application as the API files it: the bench's finance user the actor, the default policy. */
function applicationInput(parties: Parties, receivableId: string, i: number): ReceivableInput {
  return {
    application: {
      receivableId,
      counterpartyId: parties.dealers[i % parties.dealers.length] as string,
      salespersonId: parties.salesperson,
      amountMinor: 1_000_000,
      currency: DEFAULT_POLICY.currency,
      requestedTermDays: 30,
    },
    policy: DEFAULT_POLICY,
    actor: BENCH_FINANCE,
  };
}

/** Starts no-op workflows; with `parties`, each carries a receivable's start options. */
function noopStarts(env: BenchEnv, lanes: number, seconds: number, tag: string, parties?: Parties) {
  return startsFor(lanes, seconds, (lane, i) => {
    const workflowId = `noop:${tag}:${lane}:${i}`;
    if (!parties) return env.client.workflow.start('benchNoop', { taskQueue: NOOP_QUEUE, workflowId });
    const options = receivableStartOptions(applicationInput(parties, workflowId, i));
    return env.client.workflow.start('benchNoop', { ...options, taskQueue: NOOP_QUEUE, workflowId });
  });
}

/** Starts receivables from the bench's own client, as the API would after its checks; adds their ids to `started`. */
function directStarts(
  env: BenchEnv,
  lanes: number,
  seconds: number,
  tag: string,
  parties: Parties,
  started: string[],
) {
  return startsFor(lanes, seconds, async (lane, i) => {
    const receivableId = `P1-${tag}-${lane}-${i}`;
    if (await startReceivableWorkflow(env.client, applicationInput(parties, receivableId, i)))
      started.push(receivableId);
  });
}

/**
 * Finance rejects the receivables P1 filed, through their process, so their workflows close:
 * the figures after P1 then find only their own receivables open, and P4 reads the worker
 * with the N it opened (the calibration batch's beside them), not with as many more as P1
 * happened to file that run.
 */
async function rejectFiled(env: BenchEnv, ids: string[], lanes: number) {
  let refused = 0;
  let unfiled = 0;
  await inParallel(ids, lanes, async (id) => {
    try {
      await env.client.workflow.getHandle(receivableWorkflowId(id)).executeUpdate(decideApplication, {
        args: [{ department: 'finance', approve: false, actor: BENCH_FINANCE, reason: 'bench: P1 measured' }],
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) unfiled++;
      else refused++;
    }
  });
  return { rejected: ids.length - refused - unfiled, refused, unfiled };
}

/**
 * Files credit applications through the API from `connections` keep-alive connections for
 * `seconds`; adds the id of every application sent to `sent`, those still in flight when
 * autocannon stops among them (the API may file them after it counted).
 */
async function apiStarts(
  env: BenchEnv,
  connections: number,
  seconds: number,
  parties: Parties,
  tag: string,
  sent: string[],
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
          const receivableId = `P1-${tag}-${i}`;
          sent.push(receivableId);
          return {
            ...req,
            body: JSON.stringify({
              receivableId,
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
  /** One phase: its count, rate and CPU, the worker settled after it. */
  const phase = async <T>(what: string, run: () => Promise<T>, count: (r: T) => number) => {
    say(`P1: ${what}, ${c} concurrent, ${seconds} s…`);
    const a = await sampleCpu(env.cpuGroups);
    const serverA = await readServerCounters(env.temporalServerMetricsUrl);
    const t0 = Date.now();
    const result = await run();
    const rate = count(result) / ((Date.now() - t0) / 1000);
    const b = await sampleCpu(env.cpuGroups);
    // The phase's tail: the work its starts set off that was still queued when it ended.
    const tailFrom = Date.now();
    const idle = await settleMachine();
    const tailSeconds = (Date.now() - tailFrom) / 1000;
    const c2 = await sampleCpu(env.cpuGroups);
    // Read once the machine settled: the first steps the phase's starts set off are counted too.
    const serverB = await readServerCounters(env.temporalServerMetricsUrl);
    const cpu = `${describeCpu(a, b)}; ${cpuPerUnit(a, b, count(result), 'start')}; its tail until the machine was idle ${fmt(tailSeconds, 0)} s${idle ? '' : ' (not idle then)'}, ${cpuPerUnit(b, c2, count(result), 'start')}; ${describeServerWork(serverA, serverB, count(result), 'start')}`;
    return { result, rate, cpu };
  };
  try {
    const parties = { dealers, salesperson: salesperson as string };
    say('P1: warming up every path…');
    await noopStarts(env, c, 2, 'warm');
    await noopStarts(env, c, 2, 'warm-options', parties);
    const direct: string[] = [];
    const sent: string[] = [];
    await directStarts(env, c, 2, 'warm', parties, direct);
    await apiStarts(env, c, 2, parties, 'warm', sent);
    await settleMachine();

    const noop = await phase(
      'no-op starts',
      () => noopStarts(env, c, seconds, 'run'),
      (n) => n,
    );
    const carrying = await phase(
      "no-op starts carrying a receivable's start options",
      () => noopStarts(env, c, seconds, 'options', parties),
      (n) => n,
    );
    const directPhase = await phase(
      "receivables started by the bench's client (no API)",
      () => directStarts(env, c, seconds, 'direct', parties, direct),
      (n) => n,
    );
    const api = await phase(
      'credit applications through the API',
      () => apiStarts(env, c, seconds, parties, 'run', sent),
      (r) => r.created,
    );

    say('P1: finance rejects the receivables P1 filed…');
    const rejections = await rejectFiled(env, [...direct, ...sent], c);
    await settle(env.workerPid());

    const ratio = api.rate / noop.rate;
    const share = (r: number) => `${fmt(r, 0)}/s (${fmt(r / noop.rate, 2)} of no-op starts)`;
    return {
      id: 'P1',
      name: 'receivable starts through the API',
      value: `${fmt(api.rate, 0)} starts/s`,
      floor: `${fmt(noop.rate, 0)}/s (no-op starts)`,
      ratio: fmt(ratio, 2),
      target: '≥ 0.80 × floor',
      pass: api.result.failed === 0 ? ratio >= 0.8 : false,
      how: `${seconds} s each at ${c} concurrent: POST /v1/credit-applications (finance bearer token, autocannon, 201s counted) vs Temporal client start of a no-op workflow (bench worker, own task queue); between them, the same no-op start carrying a receivable's start options, and receivables started by the bench's client without the API`,
      notes: [
        `P1 no-op phase: ${noop.result} started; ${noop.cpu}`,
        `P1 no-op starts carrying a receivable's start options (search attributes, static summary, input): ${share(carrying.rate)}; ${carrying.cpu}`,
        `P1 receivables started by the bench's client, no API: ${share(directPhase.rate)}; ${directPhase.cpu} (their first steps run meanwhile)`,
        `P1 API phase: ${api.result.created} created, ${api.result.failed} failed, p99 ${api.result.p99} ms; ${api.cpu} (the receivables' first steps run meanwhile)`,
        `P1 afterwards: finance rejected the ${rejections.rejected} receivables P1 filed (${direct.length} started by the bench's client, the rest of the ${sent.length} applications sent to the API; warm-ups included) so that they close${rejections.unfiled ? `; ${rejections.unfiled} sent were never filed` : ''}${rejections.refused ? `; ${rejections.refused} refused` : ''}`,
      ],
    };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}
