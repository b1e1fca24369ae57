/**
 * P4 — the worker's resident memory with N open receivable workflows: VmRSS of the
 * worker process (`node --import tsx bin/worker.ts`, a child of the bench) from
 * /proc, read once the receivables are open, parked and the worker is idle, and
 * its peak (VmHWM) over the run.
 */
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
  await settle(env.workerPid());
  const { rss, peak } = await memory(env.workerPid());
  const open = await openReceivableCount(env);
  return {
    id: 'P4',
    name: `worker memory (N=${n} open)`,
    value: `${fmt(rss / GiB, 2)} GiB (peak ${fmt(peak / GiB, 2)})`,
    target: '≤ 1.50 GiB',
    pass: rss <= 1.5 * GiB,
    how: `VmRSS of the worker process (/proc/<pid>/status) once idle, ${Number.isNaN(open) ? '?' : open} receivable workflows running, the N just run (cached up to ${setting}); peak = VmHWM`,
    notes: [
      `P4: ${fmt(rss / MiB, 0)} MiB now, ${fmt(peak / MiB, 0)} MiB peak, ${fmt(rss / Math.max(1, open) / 1024, 0)} KiB per open receivable`,
    ],
  };
}
