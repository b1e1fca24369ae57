/**
 * Something a test file starts once before its first test and stops after its last (the
 * system, a test server bench). The handle reads the running thing, so use it inside tests
 * and hooks; `ready` runs right after the start, in the same hook (pick out what the file
 * uses, seed its data).
 */
import { afterAll, beforeAll } from 'vitest';

export function perFile<T extends object>(
  start: () => Promise<T>,
  stop: (running: T) => Promise<void>,
  ready?: (running: T) => unknown,
): T {
  let running: T | undefined;
  beforeAll(async () => {
    running = await start();
    await ready?.(running);
  });
  afterAll(async () => {
    if (running) await stop(running);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!running) throw new Error('started before the first test: use it inside tests and hooks');
      return Reflect.get(running, key);
    },
  });
}
