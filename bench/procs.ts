/**
 * Where the time goes: CPU seconds each bench process used during a phase, read
 * from /proc (utime + stime), so a figure that misses its target can say whether
 * the Temporal server, the worker, PostgreSQL or the SMTP side was busy — or
 * whether the machine simply had no CPU left (other work shares it).
 */
import { readdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100; // Linux USER_HZ

export interface ProcessGroups {
  /** name → pids whose CPU counts under that name. */
  [name: string]: () => Promise<number[]>;
}

async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; fields resume after its closing parenthesis.
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The last reading of each process: a process that has exited (a killed worker) keeps it. */
const lastTicks = new Map<number, number>();

async function cpuTicks(pid: number): Promise<number> {
  const f = await statFields(pid);
  // Fields 14–17 (utime, stime, and cutime, cstime of its children that have exited)
  // are at 11–14 after the command name. Counting the exited children keeps a group
  // monotonic when PostgreSQL's backends come and go between two samples.
  if (!f) return lastTicks.get(pid) ?? 0;
  // Not for the bench itself: its exited children are the worker, the floor worker and the
  // servers, whose whole lives' CPU would land in one sample when one is stopped or killed.
  const children = pid === process.pid ? 0 : Number(f[13]) + Number(f[14]);
  const ticks = Number(f[11]) + Number(f[12]) + children;
  lastTicks.set(pid, ticks);
  return ticks;
}

/** The process and every descendant (PostgreSQL's backends are children of the postmaster). */
export async function withDescendants(root: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = await statFields(Number(entry));
    if (f) parentOf.set(Number(entry), Number(f[1]));
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parentOf) if (ppid === out[i]) out.push(pid);
  return out;
}

export interface CpuSample {
  at: number;
  byName: Record<string, number>;
  /** Whole machine, all processes (busy seconds summed over cores), steal excluded. */
  machine: number;
  /**
   * Seconds the hypervisor ran something else while this VM wanted a core (/proc/stat
   * "steal"): CPU no process here got, the reason one day's figure differs from another's.
   */
  stolen: number;
}

async function machineSeconds(): Promise<{ busy: number; stolen: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is
  // already counted in user.
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [idle, iowait, steal] = [v[3] ?? 0, v[4] ?? 0, v[7] ?? 0];
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle - iowait - steal) / TICKS_PER_SECOND, stolen: steal / TICKS_PER_SECOND };
}

async function machineBusySeconds(): Promise<number> {
  return (await machineSeconds()).busy;
}

export async function sampleCpu(groups: ProcessGroups): Promise<CpuSample> {
  const byName: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups)) {
    let ticks = 0;
    for (const pid of await pids()) ticks += await cpuTicks(pid);
    byName[name] = ticks / TICKS_PER_SECOND;
  }
  const { busy, stolen } = await machineSeconds();
  return { at: Date.now(), byName, machine: busy, stolen };
}

/** "temporal 41 s, worker 63 s, … of 2 cores × 80 s" between two samples. */
export function describeCpu(a: CpuSample, b: CpuSample): string {
  const wall = (b.at - a.at) / 1000;
  const parts = Object.keys(b.byName).map(
    (k) => `${k} ${((b.byName[k] ?? 0) - (a.byName[k] ?? 0)).toFixed(0)}`,
  );
  const ours = Object.keys(b.byName).reduce((s, k) => s + (b.byName[k] ?? 0) - (a.byName[k] ?? 0), 0);
  const machine = b.machine - a.machine;
  const stolen = b.stolen - a.stolen;
  return `CPU s: ${parts.join(', ')}; other processes ${Math.max(0, machine - ours).toFixed(0)}; stolen by the hypervisor ${stolen.toFixed(stolen < 10 ? 1 : 0)}; of ${cpus().length} cores × ${wall.toFixed(0)} s`;
}

/** "temporal 69, worker 44, postgres 6 ms CPU per reminder": the cost of one unit of work, contention aside. */
export function cpuPerUnit(a: CpuSample, b: CpuSample, units: number, unit: string): string {
  const parts = Object.keys(b.byName)
    .map((k) => [k, (((b.byName[k] ?? 0) - (a.byName[k] ?? 0)) * 1000) / Math.max(1, units)] as const)
    .filter(([, ms]) => ms >= 0.05)
    .map(([k, ms]) => `${k} ${ms.toFixed(1)}`);
  return `ms CPU per ${unit}: ${parts.join(', ')}`;
}

/** One process's CPU use (cores) over `ms`. */
export async function cpuUse(pid: number, ms: number): Promise<number> {
  const a = await cpuTicks(pid);
  await new Promise((r) => setTimeout(r, ms));
  return ((await cpuTicks(pid)) - a) / TICKS_PER_SECOND / (ms / 1000);
}

/** A memory field of a process's /proc status, in bytes. */
async function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (!m?.[1]) throw new Error(`no ${field} for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** Resident memory of a process (VmRSS), in bytes. */
export const residentBytes = (pid: number) => statusBytes(pid, 'VmRSS');

/** The most a process has held resident since it started (VmHWM), in bytes. */
export const peakResidentBytes = (pid: number) => statusBytes(pid, 'VmHWM');

/**
 * The processes' resident memory (VmRSS, summed) once they are idle (`settle`) and it has
 * stopped falling: an idle V8 isolate shrinks its heap only after a while (its memory
 * reducer's collections came 40–90 s after a burst here, `--trace-gc`), so a reading at the
 * first quiet second holds the previous phase's garbage. Reads every 2 s until 60 s have
 * brought no new low of more than 0.5 %, or `timeoutMs` (from the call) has passed; returns
 * the last reading, how long it waited once idle and whether the memory was steady by then.
 */
export async function steadyResident(
  pids: number[],
  timeoutMs = 240_000,
): Promise<{ rss: number; waitedMs: number; steady: boolean }> {
  const read = async () => {
    let sum = 0;
    // A process gone (a killed worker) holds nothing.
    for (const pid of pids) sum += await residentBytes(pid).catch(() => 0);
    return sum;
  };
  const t0 = Date.now();
  for (const pid of pids) await settle(pid, Math.max(0, Math.min(120_000, timeoutMs - (Date.now() - t0))));
  const idleAt = Date.now();
  let rss = await read();
  let low = rss;
  let lowAt = idleAt;
  while (Date.now() - lowAt < 60_000 && Date.now() - t0 + 2_000 <= timeoutMs) {
    await new Promise((r) => setTimeout(r, 2_000));
    rss = await read();
    if (rss < low * 0.995) lowAt = Date.now();
    low = Math.min(low, rss);
  }
  return { rss, waitedMs: Date.now() - idleAt, steady: Date.now() - lowAt >= 60_000 };
}

/** Waits until `pid` is (nearly) idle: its backlog from the previous phase is done. */
export async function settle(pid: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() < deadline && quiet < 2) quiet = (await cpuUse(pid, 1000)) < 0.05 ? quiet + 1 : 0;
}

/**
 * Waits until the whole machine is (nearly) idle for two seconds running: a phase's
 * tail (PostgreSQL's autovacuum and checkpoints, SQLite's WAL checkpoints, the last
 * steps in the worker) must not be measured as the next phase's latency. True when it was.
 */
export async function settleMachine(timeoutMs = 120_000, maxCores = 0.3): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() < deadline && quiet < 2) {
    const a = await machineBusySeconds();
    await new Promise((r) => setTimeout(r, 1000));
    quiet = (await machineBusySeconds()) - a < maxCores ? quiet + 1 : 0;
  }
  return quiet >= 2;
}
