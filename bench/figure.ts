/** One row of the bench table, and small helpers the figures share. */

export interface Figure {
  id: string;
  name: string;
  value: string;
  /** What the same work costs at best on this machine, measured in the same run (a floor). */
  floor?: string;
  /** value / floor, the figure's distance from what the engine can do here. */
  ratio?: string;
  target: string;
  /** null: not measured (a prerequisite failed). */
  pass: boolean | null;
  /** A floor or a description (P2F, P5F, P2W's share): shown, never judged. */
  informational?: boolean;
  how: string;
  /** Where the time went, settings in force: printed under the table. */
  notes: string[];
}

export interface RunOptions {
  n: number;
  quick: boolean;
  /** Concurrent starts / connections for P1. */
  concurrency: number;
  /** P2: the storm policy's grouping window (policy.correspondence.gatherMinutes); default 0.5. */
  gatherMinutes?: number;
  /** P2: SIGKILL the second worker this many seconds after the storm's instant (`--workers 2`). */
  killWorkerAt?: number;
}

/** Runs `fn` over `items` with at most `concurrency` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
}

/** Polls `check` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 500,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const fmt = (x: number, digits = 1) => x.toFixed(digits);
