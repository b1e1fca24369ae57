/**
 * The real worker process, started as `npm run worker`, the image and the bench start it
 * (infra/workflow-stack-traces.cjs preloaded): without WORKER_WORKFLOW_STACK_TRACES it keeps no
 * stack trace per workflow promise, and a receivable runs its step all the same; the Web UI's
 * stack-trace query is answered with the SDK's own refusal. With `on`, the query shows where
 * the receivable waits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { eventually } from '../support/eventually.js';
import { dueDateFiring, type ReceivableKit, receivableKit, STAGE_AFTER } from './support/receivables.js';
import { explained, type FaultServers, startFaultServers } from './support/servers.js';

let servers: FaultServers;
let kit: ReceivableKit;

beforeAll(async () => {
  servers = await startFaultServers('stack-traces');
  kit = receivableKit(servers.pool, servers.client);
}, 120_000);

afterAll(async () => {
  await servers?.teardown();
}, 60_000);

/** A receivable whose reminder fires at once, once the step has been recorded. */
async function remindedReceivable(): Promise<string> {
  const { id } = await kit.importInvoice({ dueDate: dueDateFiring('reminder') });
  await eventually(
    () => kit.state(id),
    (s) => s.stage === STAGE_AFTER.reminder && s.stepsTaken.includes('reminder'),
    `${id} reminded`,
    90_000,
  );
  return id;
}

const stackTrace = (id: string) =>
  servers.client.workflow.getHandle(receivableWorkflowId(id)).query<string>('__stack_trace');

describe('workflow stack traces (WORKER_WORKFLOW_STACK_TRACES)', () => {
  it(
    'off by default: the receivable takes its step, and the stack-trace query says they are off',
    explained(
      () => servers,
      async () => {
        const worker = await servers.startWorker();
        try {
          const id = await remindedReceivable();
          await expect(stackTrace(id)).rejects.toThrow(/stack traces are not enabled on this worker/);
          expect(await servers.workerLog()).toContain('stack trace collection will be disabled');
        } finally {
          await worker.stop();
        }
      },
    ),
    240_000,
  );

  it(
    'on: the stack-trace query shows where the receivable waits',
    explained(
      () => servers,
      async () => {
        const worker = await servers.startWorker({ env: { WORKER_WORKFLOW_STACK_TRACES: 'on' } });
        try {
          const id = await remindedReceivable();
          expect(await stackTrace(id)).toMatch(/receivable\.workflow\.[jt]s:\d+/);
          const log = await servers.workerLog();
          expect(log.slice(log.lastIndexOf(`--- worker ${worker.pid} started`))).not.toContain(
            'stack trace collection will be disabled',
          );
        } finally {
          await worker.stop();
        }
      },
    ),
    240_000,
  );
});
