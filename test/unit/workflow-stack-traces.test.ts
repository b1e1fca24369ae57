/**
 * infra/workflow-stack-traces.cjs, preloaded into a process as the worker's commands preload it:
 * in a worker thread it refuses the Temporal SDK's stack-trace hook unless
 * WORKER_WORKFLOW_STACK_TRACES=on, and nothing else (Node's AsyncLocalStorage asks for a promise
 * hook through the same function); a value other than on or off stops the process.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** In a worker thread: the SDK's workflow-thread hooks installed as its workflow threads do, and AsyncLocalStorage used. */
const THREAD = `
const { parentPort } = require('node:worker_threads');
const { AsyncLocalStorage } = require('node:async_hooks');
const { globalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared.js');
globalHandlers.install();
const als = new AsyncLocalStorage();
als.run('kept', () => Promise.resolve().then(() =>
  parentPort.postMessage({ stackTraces: globalHandlers.promiseHookInstalled, store: als.getStore() })));
`;
const MAIN = `
const { Worker } = require('node:worker_threads');
new Worker(${JSON.stringify(THREAD)}, { eval: true }).once('message', (m) => console.log(JSON.stringify(m)));
`;

function run(setting?: string) {
  const env = { ...process.env };
  delete env.WORKER_WORKFLOW_STACK_TRACES;
  delete env.NODE_OPTIONS;
  if (setting !== undefined) env.WORKER_WORKFLOW_STACK_TRACES = setting;
  return spawnSync(process.execPath, ['--require', './infra/workflow-stack-traces.cjs', '-e', MAIN], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('the workers’ stack-trace switch (infra/workflow-stack-traces.cjs)', () => {
  it('off by default: the SDK gets no stack-trace hook in a worker thread; AsyncLocalStorage still works', () => {
    for (const setting of [undefined, 'off']) {
      const r = run(setting);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ stackTraces: false, store: 'kept' });
      expect(r.stderr).toContain('stack trace collection will be disabled');
    }
  });

  it('on: the SDK installs its hook as it does without the preload', () => {
    const r = run('on');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ stackTraces: true, store: 'kept' });
    expect(r.stderr).not.toContain('stack trace collection will be disabled');
  });

  it('any other value stops the process at once, naming the setting', () => {
    const r = run('maybe');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('WORKER_WORKFLOW_STACK_TRACES: expected on or off, got "maybe"');
  });
});
