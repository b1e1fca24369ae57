/**
 * Bounded polling for what happens after an answer (a workflow moving on, a mail sent, a
 * server back up): read until `ok` accepts the value or the deadline passes, then fail
 * naming what was awaited and the last value or error seen. A read that throws counts as
 * "not yet" (a restarting server answers with an error). The deadline is generous — slow
 * machines and faults make things late, never wrong — and a test may pass its own.
 */
export interface Patience {
  /** How long to keep reading (ms); 60 s unless given. */
  timeoutMs?: number;
  /** The pause between reads (ms). */
  intervalMs?: number;
}

export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean = () => true,
  what = 'the expected value',
  patience: number | Patience = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 100 } =
    typeof patience === 'number' ? { timeoutMs: patience } : patience;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (ok(value)) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
