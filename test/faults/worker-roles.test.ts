/**
 * The real worker process split by role (WORKER_ROLE), as docker-compose.yml runs it:
 * a `receivables` worker polls the receivable task queue alone and takes a receivable's
 * step with no periodic worker anywhere, and leaves the schedules to the periodic worker;
 * a `periodic` worker polls the rating, salesperson, statement and score queues alone,
 * keeps their schedules, and runs what a schedule starts.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATING_MONTHLY_SCHEDULE_ID, RATING_TASK_QUEUE } from '../../workflows/rating/contract.js';
import { RECEIVABLE_TASK_QUEUE } from '../../workflows/receivable/contract.js';
import {
  SALESPERSON_ASSESSMENT_SCHEDULE_ID,
  SALESPERSON_TASK_QUEUE,
} from '../../workflows/salesperson/contract.js';
import { CUSTOMER_SCORES_SCHEDULE_ID, SCORES_TASK_QUEUE } from '../../workflows/scores/contract.js';
import { STATEMENT_SCHEDULE_ID, STATEMENT_TASK_QUEUE } from '../../workflows/statements/contract.js';
import { eventually } from '../support/eventually.js';
import { dueDateFiring, type ReceivableKit, receivableKit, STAGE_AFTER } from './support/receivables.js';
import { explained, type FaultServers, startFaultServers } from './support/servers.js';

const PERIODIC_QUEUES = [RATING_TASK_QUEUE, SALESPERSON_TASK_QUEUE, STATEMENT_TASK_QUEUE, SCORES_TASK_QUEUE];
const SCHEDULES = [
  RATING_MONTHLY_SCHEDULE_ID,
  SALESPERSON_ASSESSMENT_SCHEDULE_ID,
  STATEMENT_SCHEDULE_ID,
  CUSTOMER_SCORES_SCHEDULE_ID,
];

let servers: FaultServers;
let kit: ReceivableKit;

beforeAll(async () => {
  servers = await startFaultServers('worker-roles');
  kit = receivableKit(servers.pool, servers.client);
}, 120_000);

afterAll(async () => {
  await servers?.teardown();
}, 60_000);

/** Whether the schedule exists; any other failure than its absence fails the test. */
const scheduleExists = (id: string) =>
  servers.client.schedule
    .getHandle(id)
    .describe()
    .then(
      () => true,
      (err: unknown) => {
        if (err instanceof ScheduleNotFoundError) return false;
        throw err;
      },
    );

describe('worker roles (WORKER_ROLE)', () => {
  it(
    'receivables: polls the receivable queue alone, takes a receivable step, and makes no schedule',
    explained(
      () => servers,
      async () => {
        const worker = await servers.startWorker({ env: { WORKER_ROLE: 'receivables' } });
        try {
          for (const queue of PERIODIC_QUEUES)
            expect(await servers.polls(worker.pid, queue), queue).toBe(false);
          const { id } = await kit.importInvoice({ dueDate: dueDateFiring('reminder') });
          await eventually(
            () => kit.state(id),
            (s) => s.stage === STAGE_AFTER.reminder && s.stepsTaken.includes('reminder'),
            `${id} reminded by the receivables worker`,
            90_000,
          );
          for (const id of SCHEDULES) expect(await scheduleExists(id), id).toBe(false);
        } finally {
          await worker.stop();
        }
      },
    ),
    240_000,
  );

  it(
    'periodic: polls the four periodic queues alone, keeps their schedules, and runs a scheduled rating',
    explained(
      () => servers,
      async () => {
        const worker = await servers.startWorker({
          env: { WORKER_ROLE: 'periodic' },
          readyOn: RATING_TASK_QUEUE,
        });
        try {
          for (const queue of PERIODIC_QUEUES)
            expect(await servers.polls(worker.pid, queue), queue).toBe(true);
          expect(await servers.polls(worker.pid, RECEIVABLE_TASK_QUEUE)).toBe(false);
          for (const id of SCHEDULES) expect(await scheduleExists(id), id).toBe(true);
          // The monthly rating, started by its schedule now: no dealers, so it rates none and completes.
          await servers.client.schedule.getHandle(RATING_MONTHLY_SCHEDULE_ID).trigger();
          const query = `TemporalScheduledById = '${RATING_MONTHLY_SCHEDULE_ID}' AND ExecutionStatus = 'Completed'`;
          await eventually(
            async () => (await servers.client.workflow.count(query)).count,
            (completed) => completed === 1,
            'the triggered monthly rating completed on the periodic worker',
            90_000,
          );
        } finally {
          await worker.stop();
        }
      },
    ),
    240_000,
  );
});
