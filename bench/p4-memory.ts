/**
 * P4 — the worker's resident memory with N open receivable workflows: VmRSS of the
 * worker process (`node --import tsx bin/worker.ts`, a child of the bench) from
 * /proc, read once the receivables are open, parked and the worker is idle, and
 * its peak (VmHWM) over the run.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { BenchEnv } from './env.js';
import { type Figure, fmt } from './figure.js';
import { settle } from './procs.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

async function memory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

export async function openReceivableCount(env: BenchEnv): Promise<number> {
  return env.client.workflow
    .count(`WorkflowType = 'receivableWorkflow' AND ExecutionStatus = 'Running'`)
    .then(
      (r) => r.count,
      () => Number.NaN,
    );
}

export async function measureP4(env: BenchEnv, n: number, setting: string): Promise<Figure> {
  // Every live worker (a killed one holds nothing); with two, their sum.
  const pids = env.workerPids().filter((pid) => existsSync(`/proc/${pid}`));
  for (const pid of pids) await settle(pid);
  const each = await Promise.all(pids.map(memory));
  const rss = each.reduce((a, m) => a + m.rss, 0);
  const peak = each.reduce((a, m) => a + m.peak, 0);
  const baseline = env
    .workerPids()
    .reduce((a, pid, i) => a + (pids.includes(pid) ? (env.workerRssAtStart[i] ?? 0) : 0), 0);
  const open = await openReceivableCount(env);
  // Which allocator the worker really runs on: the bench asked for one, the process says.
  const maps = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/maps`, 'utf8').catch(() => '')));
  const allocator = maps.every((m) => m.includes('libjemalloc')) ? 'jemalloc' : 'glibc malloc';
  const perOpen = rss / Math.max(1, open) / 1024;
  return {
    id: 'P4',
    name: `worker memory (N=${n} open)`,
    value: `${fmt(rss / GiB, 2)} GiB, ${fmt(perOpen, 0)} KiB per open receivable (peak ${fmt(peak / GiB, 2)} GiB)`,
    target: '≤ 150 KiB each, ≤ 2 GiB',
    pass: rss <= 2 * GiB && perOpen <= 150,
    how: `VmRSS of the worker process${pids.length > 1 ? `es (${pids.length}, summed)` : ''} (/proc/<pid>/status) once idle, ${Number.isNaN(open) ? '?' : open} receivable workflows running, the N just run (cached up to ${setting}), divided by the open count (the issue's measure; at small N the process's own baseline dominates it); peak = VmHWM`,
    notes: [
      `P4: ${fmt(rss / MiB, 0)} MiB now, ${fmt(peak / MiB, 0)} MiB peak, ${fmt(perOpen, 0)} KiB per open receivable; ${fmt(baseline / MiB, 0)} MiB when the worker had just started, so ${fmt((rss - baseline) / Math.max(1, open) / 1024, 0)} KiB per open receivable above that; the worker's allocator: ${allocator} (its /proc/<pid>/maps)`,
    ],
  };
}
