/**
 * P2 — the reminder storm: N receivables spread over N/20 debtors whose due−7 reminder
 * falls on the same instant. They are imported with a due date 7 days ahead and a bench
 * policy whose business time (hour and minute, company zone) is a minute or two after all
 * N are parked, so every reminder timer fires at once. Reminders are grouped per debtor and
 * day (docs/correspondence.md), gathered for the policy's window (`--gather-minutes`,
 * default 0.5). Measured: seconds from that instant until the SMTP server has accepted
 * every debtor's message, and that each receivable's reminder (an item key listed in a
 * message's `X-Creditflow-Items`) is in exactly one message; and until every step is recorded.
 * Each is judged against P2F, the floor measured first in the same run (bench/p2-floor.ts).
 *
 * With `--workers 2` the storm runs on two worker processes; P2W says how they shared it
 * (CPU, and which worker ran the workflow and activity tasks in a sample of the storm's
 * histories) and, with `--kill-worker-at s`, that SIGKILLing one of them s seconds into the
 * storm lost nothing.
 */
import { addDays, localDate } from '../domain/calendar.js';
import { DEFAULT_POLICY, type Policy } from '../domain/policy.js';
import {
  correspondenceWorkflowId,
  salespersonTasksWorkflowId,
} from '../workflows/correspondence/contract.js';
import { receivableWorkflowId } from '../workflows/receivable/contract.js';
import type { BenchEnv } from './env.js';
import { say } from './env.js';
import { type Figure, fmt, type RunOptions, sleep, waitFor } from './figure.js';
import { type FloorMemory, measureP2F } from './p2-floor.js';
import { type WorkerMemory, workerMemory } from './p4-memory.js';
import { type CpuSample, cpuPerUnit, describeCpu, sampleCpu, settleMachine } from './procs.js';
import { countAtStage, importReceivables, issuedCount, salespeopleFor, waitParked } from './receivables.js';
import { seedDealers, seedSalespeople } from './seed.js';

const MINUTE = 60_000;

/** Hour and minute of `instant` in `timeZone`. */
function clockAt(instant: number, timeZone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { hour: get('hour'), minute: get('minute') };
}

export interface StormResult {
  /** P2F, P2, P2S (every step recorded), and P2W with two workers. */
  figures: Figure[];
  /** The storm's receivables, open (their next step is due+1, 8 days away). */
  ids: string[];
  /** P4F, measured with P2F's workflows parked: told beside P4. */
  floorMemory: FloorMemory;
  /** The workers right before the storm's imports: P4's first reading. */
  memoryBefore: WorkerMemory;
  /** The workers with the storm's receivables parked, before it fires (when there was time). */
  memoryParked?: WorkerMemory;
}

export async function measureP2(env: BenchEnv, opts: RunOptions): Promise<StormResult> {
  const n = opts.n;
  const tz = DEFAULT_POLICY.timeZone;
  const dealers = await seedDealers(env.pool, 'P2', Math.max(1, Math.ceil(n / 20)));
  const gatherMinutes = opts.gatherMinutes ?? 0.5;
  // Spread over salespeople as a real book is: each has one day's task list to gather.
  const salespeople = await seedSalespeople(env.pool, 'P2', salespeopleFor(n));
  const parties = { dealers, salespeople };
  const concurrency = 32;

  // The floor first, on a settled machine before the storm's N receivables exist: if the
  // order favours either, it favours the floor, so the ratio errs against creditflow.
  const floor = await measureP2F(env, opts);
  say(`${floor.figure.id}: ${floor.figure.value} — ${floor.figure.notes.join(' — ')}`);
  await settleMachine();

  // How fast do imports start and park here, now? A small batch tells, so the storm's
  // instant can be set before the N start (it is in their policy).
  const c = Math.min(200, Math.max(20, Math.round(n / 20)));
  say(`P2: calibrating the import rate with ${c} receivables…`);
  const t0 = Date.now();
  await importReceivables(env, {
    prefix: 'P2C',
    n: c,
    ...parties,
    policy: { ...DEFAULT_POLICY, version: 'bench-calibration' },
    dueDate: addDays(localDate(Date.now(), tz), 60),
    concurrency,
  });
  await waitParked(env, 'P2C', c, 300_000);
  const ratePerSecond = c / ((Date.now() - t0) / 1000);
  // P4's first reading, as P4F's: the workers idle, the import path warmed by the batch, the
  // storm's N not yet imported.
  const memoryBefore = await workerMemory(env);

  const leadMs = (n / ratePerSecond) * 1.5 * 1000 + 45_000;
  const stormAt = Math.ceil((Date.now() + leadMs) / MINUTE) * MINUTE;
  const { hour, minute } = clockAt(stormAt, tz);
  const policy: Policy = {
    ...DEFAULT_POLICY,
    version: `bench-storm-${hour}${String(minute).padStart(2, '0')}`,
    receivable: { ...DEFAULT_POLICY.receivable, businessHour: hour, businessMinute: minute },
    // The storm is the instant itself, whichever day the bench runs on (a weekend, a holiday).
    calendar: { registry: 'CN', nonWorkingDay: 'as-is', entries: [] },
    correspondence: { gatherMinutes },
  };
  const dueDate = addDays(localDate(stormAt, tz), 7);
  say(
    `P2: importing ${n} receivables due ${dueDate} (calibrated ${fmt(ratePerSecond, 0)}/s); reminders at ${new Date(stormAt).toISOString()}…`,
  );
  const i0 = Date.now();
  const import0 = await sampleCpu(env.cpuGroups);
  const ids = await importReceivables(env, { prefix: 'P2', n, ...parties, policy, dueDate, concurrency });
  const startSeconds = (Date.now() - i0) / 1000;
  const parked = await waitParked(env, 'P2', n, Math.max(0, stormAt - Date.now() - 5_000));
  const parkSeconds = (Date.now() - i0) / 1000;
  const import1 = await sampleCpu(env.cpuGroups);
  // P4's middle reading: what the parked receivables cost before their step ran, so the note
  // can tell the storm's leftovers apart. It waits for the worker to idle, but not into the storm.
  const readBy = stormAt - Date.now() - 10_000;
  const memoryParked = parked && readBy > 3_000 ? await workerMemory(env, readBy - 2_000) : undefined;
  const importNote = `P2 setup: ${n} imports started in ${fmt(startSeconds, 0)} s, all parked after ${fmt(parkSeconds, 0)} s (${fmt(n / parkSeconds, 0)}/s), storm ${fmt((stormAt - Date.now()) / 1000, 0)} s later; ${cpuPerUnit(import0, import1, n, 'import')}`;
  if (!parked) {
    const issued = await issuedCount(env, 'P2');
    return {
      ids,
      floorMemory: floor.memory,
      memoryBefore,
      figures: [
        floor.figure,
        {
          id: 'P2',
          name: `reminder storm (N=${n})`,
          value: 'not measured',
          target: TARGET,
          pass: null,
          how: `only ${issued} of ${n} parked before the storm instant; the calibration underestimated`,
          notes: [importNote],
        },
      ],
    };
  }

  await sleep(Math.max(0, stormAt - Date.now()));
  say(`P2: the storm: ${n} reminders due now…`);
  const cpu0 = await sampleCpu(env.cpuGroups);
  const kill = opts.killWorkerAt !== undefined ? killLater(env, stormAt, opts.killWorkerAt) : undefined;
  const timeoutMs = 600_000 + n * 60;
  // The step goes on after the reminder (the phone task, the step's record): watched from the
  // instant on, beside the mail, so its time is when the last step was recorded.
  const steps = (async () => {
    const ok = await waitFor(async () => (await countAtStage(env, 'P2', 'reminded')) >= n, timeoutMs);
    return { ok, at: Date.now(), cpu: await sampleCpu(env.cpuGroups) };
  })();
  const wanted = new Set(ids.map((id) => `${id}:reminder`));
  /** The debtors' messages listing a storm reminder, and those items. */
  const messages = () =>
    env.mail
      .messages()
      .filter((m) => m.effectKey?.startsWith('correspondence:'))
      .map((m) => ({ m, items: (m.items ?? []).filter((k) => wanted.has(k)) }))
      .filter((x) => x.items.length > 0);
  const itemCount = () => messages().reduce((a, x) => a + x.items.length, 0);
  let lastLog = Date.now();
  while (Date.now() - stormAt < timeoutMs) {
    const got = itemCount();
    if (got >= n) break;
    if (Date.now() - lastLog > 15_000) {
      say(
        `P2: ${got} of ${n} reminders in debtors' messages after ${fmt((Date.now() - stormAt) / 1000, 0)} s`,
      );
      lastLog = Date.now();
    }
    await sleep(500);
  }
  const cpu1 = await sampleCpu(env.cpuGroups);
  await sleep(5_000); // a late duplicate would show here
  const got = messages();
  const perKey = new Map<string, number>();
  for (const x of got) for (const k of x.items) perKey.set(k, (perKey.get(k) ?? 0) + 1);
  const missing = [...wanted].filter((k) => !perKey.has(k)).length;
  const duplicated = [...perKey.values()].filter((v) => v > 1).length;
  const debtors = new Set(got.map((x) => x.m.effectKey?.split(':')[1])).size;
  const times = got.map((x) => Date.parse(x.m.receivedAt)).sort((a, b) => a - b);
  const first = ((times[0] ?? Number.NaN) - stormAt) / 1000;
  const last = ((times[times.length - 1] ?? Number.NaN) - stormAt) / 1000;
  const exactlyOnce = missing === 0 && duplicated === 0;
  const half = ((times[Math.floor(times.length / 2)] ?? Number.NaN) - stormAt) / 1000;
  const { ok: stepped, at: steppedAt, cpu: cpu2 } = await steps;
  const steppedAfter = (steppedAt - stormAt) / 1000;
  const killed = kill ? await kill.done : undefined;
  const grouped = `${got.length} messages to ${debtors} of ${dealers.length} debtors`;
  const stormFigure: Figure = {
    id: 'P2',
    name: `reminder storm (N=${n}), grouped per debtor`,
    value: missing
      ? `${missing} of ${n} missing after ${fmt(timeoutMs / 1000, 0)} s`
      : `${fmt(last, 1)} s (${fmt(gatherMinutes * 60, 0)} s of it gathering), ${exactlyOnce ? 'each once' : `${duplicated} sent twice`}`,
    floor: ratioFloor(floor.lastMail, 'P2F'),
    ratio: ratio(last, floor.lastMail),
    target: TARGET,
    pass: exactlyOnce && last <= 90 && last < floor.lastMail,
    how: `${n} imported receivables over ${dealers.length} debtors and ${salespeople.length} salespeople (round-robin), due in 7 days, policy business time = one shared minute, grouped per debtor and day (gathering ${gatherMinutes} min); from that instant to the SMTP server's receipt of the last debtor's message; each reminder counted per item key (X-Creditflow-Items) across the debtors' messages in the mail store (5 s grace for duplicates); floor: P2F's last e-mail (one per receivable; the per-receivable target would be ≤ 1.2 × it)`,
    notes: [
      importNote,
      `P2 storm: ${grouped}; first message +${fmt(first, 1)} s, half +${fmt(half, 1)} s, last +${fmt(last, 1)} s (${fmt(n / last, 0)} reminders/s, the first ${gatherMinutes * 60} s of it gathering); ${describeCpu(cpu0, cpu1)}; ${cpuPerUnit(cpu0, cpu1, n, 'reminder')} (with the phone task and the credit record of each step)`,
    ],
  };
  const stepsFigure: Figure = {
    id: 'P2S',
    name: 'every storm step recorded',
    value: stepped ? `+${fmt(steppedAfter, 1)} s` : `not all after ${fmt(timeoutMs / 1000, 0)} s`,
    floor: ratioFloor(floor.completed, 'every P2F workflow complete'),
    ratio: stepped ? ratio(steppedAfter, floor.completed) : '—',
    target: '≤ 1.3 × floor',
    pass: stepped && steppedAfter <= 1.3 * floor.completed,
    how: `from the storm's instant until all ${n} receivables' snapshots in PostgreSQL stand at 'reminded' (polled every 0.5 s) against the last P2F workflow's close time`,
    notes: [
      `P2S: from the instant to every step recorded (the debtors' messages go out from the plan, so most steps are recorded after their message): ${describeCpu(cpu0, cpu2)}; ${cpuPerUnit(cpu0, cpu2, n, 'step')}`,
    ],
  };
  const figures = [floor.figure, stormFigure, stepsFigure];
  if (env.workerPids().length > 1) {
    const share = await workerShare(env, {
      stormAt,
      day: localDate(stormAt, tz),
      ids,
      dealers,
      salespeople,
      cpu0,
      // The storm's end: the last message or the last step, whichever came later.
      end: cpu1.at > cpu2.at ? cpu1 : cpu2,
      killed,
    });
    const lost = missing > 0 || duplicated > 0 || !stepped;
    // A kill once the last message was sent and every step recorded proves nothing: said, and judged a failure.
    const midStorm = killed ? killed.atSeconds < Math.max(last, steppedAfter) : true;
    figures.push({
      id: 'P2W',
      name: `two workers${killed ? `, one SIGKILLed at +${fmt(killed.atSeconds, 0)} s` : ''}`,
      value: `${share.summary}; ${lost ? 'LOST WORK' : 'nothing lost'}${midStorm ? '' : ' (the kill came after the storm was over)'}`,
      target: killed ? 'nothing lost, each once' : 'shared',
      pass: !lost && (killed ? killed.signal === 'SIGKILL' && midStorm : share.bothRan),
      how: `${env.workerPids().length} processes of dist/bin/worker.js against the one Temporal server; CPU of each from /proc over the storm; task counts from the WorkflowTaskStarted/ActivityTaskStarted identities (pid@host) in the histories of ${share.sampled} of the storm's workflows (receivables, debtors' and salespeople's day workflows) after the instant${killed ? `; the kill: SIGKILL of worker 2 (no shutdown), then P2's exactly-once check over item keys and every step recorded` : ''}`,
      notes: share.notes,
    });
  }

  return { ids, figures, floorMemory: floor.memory, memoryBefore, memoryParked };
}

const TARGET = '≤ 90 s and < 1.0 × floor, each once';

const ratio = (value: number, floor: number) =>
  Number.isFinite(floor) && floor > 0 ? fmt(value / floor, 2) : '—';
const ratioFloor = (seconds: number, what: string) =>
  Number.isFinite(seconds) ? `${fmt(seconds, 1)} s (${what})` : `— (${what} not measured)`;

interface Kill {
  atSeconds: number;
  signal: NodeJS.Signals | null;
  /** CPU just before the kill: the killed worker's share ends there. */
  before: CpuSample;
  pid: number;
}

/** SIGKILLs the second worker `seconds` after the storm's instant. */
function killLater(env: BenchEnv, stormAt: number, seconds: number): { done: Promise<Kill> } {
  return {
    done: (async () => {
      await sleep(Math.max(0, stormAt + seconds * 1000 - Date.now()));
      const before = await sampleCpu(env.cpuGroups);
      const pid = env.workerPids()[1] ?? 0;
      const t = Date.now();
      const signal = await env.killWorker(1);
      say(`P2W: worker 2 (pid ${pid}) SIGKILLed; it exited by ${signal}`);
      return { atSeconds: (t - stormAt) / 1000, signal, before, pid };
    })(),
  };
}

/** How the storm was shared by the workers: CPU seconds, and task counts from a sample of histories. */
async function workerShare(
  env: BenchEnv,
  s: {
    stormAt: number;
    day: string;
    ids: string[];
    dealers: string[];
    salespeople: string[];
    cpu0: CpuSample;
    end: CpuSample;
    killed: Kill | undefined;
  },
): Promise<{ summary: string; bothRan: boolean; sampled: number; notes: string[] }> {
  const pids = env.workerPids();
  const name = (i: number) => (i === 0 ? 'worker' : `worker ${i + 1}`);
  const cpu = pids.map((_, i) => {
    const end = i === 1 && s.killed ? s.killed.before : s.end;
    return (end.byName[name(i)] ?? 0) - (s.cpu0.byName[name(i)] ?? 0);
  });
  const workflowIds = [
    ...s.ids.slice(0, 100).map(receivableWorkflowId),
    ...s.dealers.slice(0, 50).map((d) => correspondenceWorkflowId(d, s.day)),
    ...s.salespeople.slice(0, 20).map((p) => salespersonTasksWorkflowId(p, s.day)),
  ];
  const byPid = new Map<string, { workflowTasks: number; activities: number }>();
  /** Tasks each worker started after the kill: the survivor's take-over, and none by the dead. */
  const afterKill = new Map<string, number>();
  const killedAt = s.killed ? s.stormAt + s.killed.atSeconds * 1000 : Number.POSITIVE_INFINITY;
  let firstAfterKill = Number.POSITIVE_INFINITY;
  let takenOver = 0;
  let takeOverMs = 0;
  let sampled = 0;
  for (const id of workflowIds) {
    let history: Awaited<ReturnType<ReturnType<typeof env.client.workflow.getHandle>['fetchHistory']>>;
    try {
      history = await env.client.workflow.getHandle(id).fetchHistory();
    } catch {
      continue; // a debtor or salesperson with no workflow that day
    }
    sampled++;
    let lastBeforeKill: string | undefined;
    let firstTaskAfterKill: number | undefined;
    for (const e of history.events ?? []) {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      if (at < s.stormAt) continue;
      const identity =
        e.workflowTaskStartedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
      if (!identity) continue;
      const pid = identity.split('@')[0] ?? identity;
      if (at >= killedAt) {
        afterKill.set(pid, (afterKill.get(pid) ?? 0) + 1);
        firstAfterKill = Math.min(firstAfterKill, at);
        if (e.workflowTaskStartedEventAttributes) firstTaskAfterKill ??= at;
      } else if (e.workflowTaskStartedEventAttributes) lastBeforeKill = pid;
      const cur = byPid.get(pid) ?? { workflowTasks: 0, activities: 0 };
      if (e.workflowTaskStartedEventAttributes) cur.workflowTasks++;
      else cur.activities++;
      byPid.set(pid, cur);
    }
    // A workflow the killed worker held (its last task before the kill), carried on by the survivor.
    if (s.killed && lastBeforeKill === String(s.killed.pid) && firstTaskAfterKill !== undefined) {
      takenOver++;
      takeOverMs = Math.max(takeOverMs, firstTaskAfterKill - killedAt);
    }
  }
  const rows = pids.map((pid, i) => ({
    i,
    ...(byPid.get(String(pid)) ?? { workflowTasks: 0, activities: 0 }),
  }));
  const totalTasks = rows.reduce((a, r) => a + r.workflowTasks + r.activities, 0);
  const others = [...byPid.keys()].filter((p) => !pids.map(String).includes(p));
  const summary = rows
    .map(
      (r) =>
        `${name(r.i)} ${fmt(((r.workflowTasks + r.activities) * 100) / Math.max(1, totalTasks), 0)}% of tasks, ${fmt(cpu[r.i] ?? 0, 0)} CPU s`,
    )
    .join(', ');
  return {
    summary,
    bothRan: rows.every((r) => r.workflowTasks + r.activities > 0),
    sampled,
    notes: [
      `P2W: in ${sampled} sampled histories after the instant — ${rows.map((r) => `${name(r.i)} (pid ${pids[r.i]}): ${r.workflowTasks} workflow tasks, ${r.activities} activities`).join('; ')}${others.length ? `; other identities: ${others.join(', ')}` : ''}; CPU s during the storm (to its last message or step${s.killed ? ', worker 2 to its kill' : ''}): ${cpu.map((c, i) => `${name(i)} ${fmt(c, 1)}`).join(', ')}`,
      ...(s.killed
        ? [
            `P2W: worker 2 (pid ${s.killed.pid}) killed by ${s.killed.signal} at +${fmt(s.killed.atSeconds, 1)} s; tasks started after the kill in the sample: ${pids.map((pid, i) => `${name(i)} ${afterKill.get(String(pid)) ?? 0}`).join(', ')}${Number.isFinite(firstAfterKill) ? `, the first +${fmt((firstAfterKill - killedAt) / 1000, 1)} s after it` : ''}; ${takenOver} sampled workflows the killed worker held carried on by the survivor, the last of them resumed ${fmt(takeOverMs / 1000, 1)} s after the kill; the survivor takes its workflows once their sticky queue times out (WORKER_STICKY_QUEUE_TIMEOUT_SECONDS) or a new task skips the dead poller, and its running activities once their start-to-close timeout (1 min) passes`,
          ]
        : []),
    ],
  };
}
