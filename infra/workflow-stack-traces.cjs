/**
 * Preloaded into creditflow's worker processes (`node --require`), before anything else.
 *
 * The Temporal SDK records a stack trace for every promise a workflow creates, so that the
 * Web UI's "Stack Trace" tab can show where a workflow waits. SDK 1.24 has no switch for it,
 * and it costs the worker a tenth of its CPU per timeline step (docs/performance.md). With
 * WORKER_WORKFLOW_STACK_TRACES=off (the default) the SDK's own request for a promise hook is
 * refused in the workflow threads, and the SDK takes its path for runtimes without one: no
 * stack traces, one warning per thread in the log. `on` keeps them, to look into a workflow
 * that waits where it should not.
 *
 * Only the SDK's request is refused: Node's own AsyncLocalStorage asks for a promise hook
 * through the same function. Node runs `--require` modules in every worker thread too; the
 * main thread is left alone. Plain CommonJS, so that it needs no loader in development or in
 * the image.
 */
'use strict';
const { isMainThread } = require('node:worker_threads');

const setting = process.env.WORKER_WORKFLOW_STACK_TRACES || 'off';
if (setting !== 'on' && setting !== 'off')
  throw new Error(`WORKER_WORKFLOW_STACK_TRACES: expected on or off, got ${JSON.stringify(setting)}`);

/** The SDK's stack-trace hook is installed from this file (compiled, or source-mapped by tsx). */
const SDK_STACK_TRACE_INSTALLER =
  /[\\/]@temporalio[\\/]worker[\\/](lib|src)[\\/]workflow[\\/]vm-shared\.[jt]s:/;

if (!isMainThread && setting === 'off') {
  const promiseHooks = require('node:v8').promiseHooks;
  const createHook = promiseHooks.createHook;
  promiseHooks.createHook = function createHookUnlessForStackTraces(callbacks) {
    if (SDK_STACK_TRACE_INSTALLER.test(new Error().stack ?? ''))
      throw new Error('workflow stack traces are off (WORKER_WORKFLOW_STACK_TRACES=off)');
    return createHook.call(this, callbacks);
  };
}
