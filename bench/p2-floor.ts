/**
 * P2F — the floor of the reminder storm, measured in the same run on the same servers with
 * the same N and worker settings: N minimal workflows (bench/floor.workflow.ts) that each
 * sleep until one shared instant and then run one activity sending one e-mail through the
 * same SMTP server, on a worker process of their own started like the real one
 * (bench/floor-worker.ts). Measured: seconds from the instant until the SMTP server has
 * accepted all N e-mails, and until every floor workflow has completed (its close time in
 * Temporal's visibility); CPU per workflow by process.
 */
import type { BenchChild, BenchEnv } from './env.js';
import { cachedWorkflows, hasPollers, say } from './env.js';
import { type Figure, fmt, inParallel, type RunOptions, sleep, waitFor } from './figure.js';
import { FLOOR_TASK_QUEUE, FLOOR_WORKFLOW } from './floor.activities.js';
import { perCachedKiB } from './p4-memory.js';
import { cpuPerUnit, describeCpu, sampleCpu, settle, settleMachine, steadyResident } from './procs.js';

const MiB = 1024 ** 2;

export interface FloorResult {
  figure: Figure;
  /** P4F: the floor worker's memory per cached floor workflow, parked on its timer. */
  memory: FloorMemory;
  /** Seconds from the instant to the SMTP server's receipt of the last e-mail; NaN: not measured. */
  lastMail: number;
  /** Seconds from the instant to the last floor workflow's close; NaN: not measured. */
  completed: number;
}

export interface FloorMemory {
  figure: Figure;
  /** KiB resident per workflow the floor worker's cache gained since its warm-up; NaN: not measured. */
  perCachedKiB: number;
}

/**
 * The floor worker once idle and its resident memory steady (read as P4 reads the real
 * worker), or once `timeoutMs` has passed: that memory and the workflows its cache holds.
 */
async function readFloorWorker(
  worker: BenchChild,
  timeoutMs = 240_000,
): Promise<{ rss: number; cached: number; steadyAfterMs: number; steady: boolean }> {
  const steady = await steadyResident([worker.pid], timeoutMs);
  return {
    rss: steady.rss,
    steadyAfterMs: steady.waitedMs,
    steady: steady.steady,
    cached: await cachedWorkflows(worker.temporalMetricsUrl),
  };
}

/**
 * P4F — what a cached workflow costs this worker at least: the growth of the floor worker's
 * resident memory from after its warm-up to the N floor workflows parked on their timers,
 * divided by the workflows its cache gained (the core's sticky_cache_size).
 */
async function floorMemory(
  worker: BenchChild,
  before: { rss: number; cached: number },
  n: number,
  timeoutMs?: number,
): Promise<FloorMemory> {
  const { rss, cached, steadyAfterMs, steady } = await readFloorWorker(worker, timeoutMs);
  const perCached = perCachedKiB(before, { rss, cached });
  const measured = Number.isFinite(perCached);
  return {
    perCachedKiB: perCached,
    figure: {
      id: 'P4F',
      name: `memory floor (${n} floor workflows parked)`,
      value: measured
        ? `${fmt(perCached, 0)} KiB per cached workflow (${cached} cached: ${fmt(rss / MiB, 0)} MiB; ${before.cached} cached: ${fmt(before.rss / MiB, 0)} MiB)`
        : 'not measured',
      target: 'a floor',
      pass: measured ? true : null,
      informational: true,
      how: `VmRSS of P2F's worker process (/proc/<pid>/status) with the ${n} floor workflows parked on their timers, the process idle and its resident memory no longer falling (read as P4's), minus its VmRSS after the warm-up's workflows completed, divided by the workflows its cache gained between the two (the SDK core's sticky_cache_size on its Prometheus page); the same node flags, allocator and WORKER_* cache setting as the real worker, one workflow type`,
      notes: [
        `P4F: the floor worker's resident memory ${steady ? 'steady' : 'still falling when read,'} ${fmt(steadyAfterMs / 1000, 0)} s after it went idle`,
      ],
    },
  };
}

/** The distinct effect keys under `prefix` the SMTP server has accepted, with the last receipt. */
function accepted(env: BenchEnv, prefix: string): { keys: Set<string>; last: number } {
  const keys = new Set<string>();
  let last = 0;
  for (const m of env.mail.messages()) {
    if (!m.effectKey?.startsWith(prefix)) continue;
    keys.add(m.effectKey);
    last = Math.max(last, Date.parse(m.receivedAt));
  }
  return { keys, last };
}

async function startFloor(env: BenchEnv, tag: string, n: number, instant: number, concurrency: number) {
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  await inParallel(ids, concurrency, async (i) => {
    await env.client.workflow.start(FLOOR_WORKFLOW, {
      taskQueue: FLOOR_TASK_QUEUE,
      workflowId: `bench-floor:${tag}:${i}`,
      args: [instant, `floor:${tag}:${i}`],
    });
  });
}

/** The latest close time of the floor workflows, once `n` (the warm-up's and the run's) have completed. */
async function lastClose(env: BenchEnv, n: number, timeoutMs: number): Promise<number> {
  const query = `WorkflowType = '${FLOOR_WORKFLOW}' AND ExecutionStatus = 'Completed'`;
  const done = await waitFor(async () => (await env.client.workflow.count(query)).count >= n, timeoutMs);
  if (!done) return Number.NaN;
  let last = 0;
  for await (const w of env.client.workflow.list({ query }))
    last = Math.max(last, w.closeTime?.getTime() ?? 0);
  return last;
}

export async function measureP2F(env: BenchEnv, opts: RunOptions): Promise<FloorResult> {
  const n = opts.n;
  const concurrency = 32;
  await settleMachine();
  say('P2F: starting the floor worker (its own process and task queue)…');
  const worker = await env.spawnWorkerLike('bench/floor-worker.ts', 'floor worker');
  try {
    if (!(await waitFor(() => hasPollers(env.connection, FLOOR_TASK_QUEUE), 180_000)))
      throw new Error('P2F: the floor worker did not poll within 3 min');
    // A warm-up batch, due at once: it opens the SMTP connections and tells how fast floor
    // workflows start and finish here, so the instant can be set before the N start.
    const c = Math.min(200, Math.max(20, Math.round(n / 20)));
    say(`P2F: warming up with ${c} floor workflows…`);
    const w0 = Date.now();
    await startFloor(env, 'warm', c, 0, concurrency);
    const rate = c / ((Date.now() - w0) / 1000);
    await waitFor(async () => accepted(env, 'floor:warm:').keys.size >= c, 300_000);
    // The worker having run, its warm-up workflows complete (out of its cache): P4F's baseline.
    const warmedUp = await readFloorWorker(worker);

    // Four times the warm-up's start time for N, and room for the server's tail after N starts
    // (their timers, SQLite's checkpoints): the bench waits below for the whole machine to go
    // idle before the instant, as the storm's instant comes long after its imports. A floor
    // measured on a server still busy with its own starts was slow (2.3× in two runs whose
    // instant came under 60 s after the starts), which flattered P2's ratio.
    // Two minutes more, for P4F's reading to wait until the worker's memory stops falling.
    const instant = Math.ceil((Date.now() + (n / rate) * 4 * 1000 + 150_000) / 1000) * 1000;
    say(
      `P2F: starting ${n} floor workflows (warm-up ${fmt(rate, 0)}/s), each to e-mail at ${new Date(instant).toISOString()}…`,
    );
    const s0 = Date.now();
    await startFloor(env, 'run', n, instant, concurrency);
    const startSeconds = (Date.now() - s0) / 1000;
    const lead = (instant - Date.now()) / 1000;
    const how = `${n} workflows (bench/floor.workflow.ts) on a worker process of their own started like the worker (same node flags, allocator, WORKER_* tuning, SMTP settings; own task queue), each sleeping to one shared instant then one activity sending one e-mail (effect key in X-Creditflow-Effect) to the same SMTP server; run before P2's imports on a settled machine; from the instant to the SMTP server's receipt of the last; completion = the last workflow's close time`;
    if (lead < 2) {
      return {
        memory: await floorMemory(worker, warmedUp, n),
        lastMail: Number.NaN,
        completed: Number.NaN,
        figure: {
          id: 'P2F',
          name: `reminder floor (N=${n})`,
          value: 'not measured',
          target: 'a floor',
          pass: null,
          informational: true,
          how: `the ${n} starts took ${fmt(startSeconds, 0)} s, past the instant; ${how}`,
          notes: [],
        },
      };
    }
    // Their first workflow tasks (the timers) done, and the machine idle, before the instant.
    await settle(worker.pid, Math.max(0, instant - Date.now() - 1000));
    const idle = await settleMachine(Math.max(0, instant - Date.now() - 1000));
    const memory = await floorMemory(worker, warmedUp, n, Math.max(0, instant - Date.now() - 3000));
    const idleLead = (instant - Date.now()) / 1000;
    await sleep(Math.max(0, instant - Date.now()));
    say(`P2F: ${n} floor e-mails due now…`);
    const cpu0 = await sampleCpu(env.cpuGroups);
    const timeoutMs = 600_000 + n * 60;
    const allMail = await waitFor(async () => accepted(env, 'floor:run:').keys.size >= n, timeoutMs, 250);
    const mail = accepted(env, 'floor:run:');
    const lastMail = allMail ? (mail.last - instant) / 1000 : Number.NaN;
    const closed = await lastClose(env, c + n, timeoutMs);
    const cpu1 = await sampleCpu(env.cpuGroups);
    const completed = (closed - instant) / 1000;
    return {
      memory,
      lastMail,
      completed,
      figure: {
        id: 'P2F',
        name: `reminder floor (N=${n}, one e-mail each)`,
        value: allMail
          ? `${fmt(lastMail, 1)} s (${fmt(n / lastMail, 0)} e-mails/s); all complete +${fmt(completed, 1)} s`
          : `${mail.keys.size} of ${n} e-mails after ${fmt(timeoutMs / 1000, 0)} s`,
        target: 'the floor',
        pass: allMail ? true : null,
        informational: true,
        how,
        notes: [
          `P2F: ${n} started in ${fmt(startSeconds, 0)} s, instant ${fmt(lead, 0)} s later (${idle ? `the machine idle ${fmt(idleLead, 0)} s before it` : 'the machine still busy at it'}); last e-mail +${fmt(lastMail, 1)} s, every floor workflow complete +${fmt(completed, 1)} s; ${describeCpu(cpu0, cpu1)}; ${cpuPerUnit(cpu0, cpu1, n, 'floor workflow')}`,
        ],
      },
    };
  } finally {
    await worker.stop();
  }
}
