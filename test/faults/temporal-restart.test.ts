/**
 * The Temporal dev server (persistent SQLite) is killed and restarted on the
 * same port and database file while receivables wait on their timers: the timer
 * fires after the restart, a payment Update is accepted, new work is taken, and
 * the same worker process carries on (it reconnects by itself).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDateTime } from '../../domain/calendar.js';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { eventually } from '../support/eventually.js';
import { companyToday, dueDateFiring, type ReceivableKit, receivableKit, TZ } from './support/receivables.js';
import { explained, type FaultServers, startFaultServers, type WorkerProcess } from './support/servers.js';

let servers: FaultServers;
let kit: ReceivableKit;
let worker: WorkerProcess;

beforeAll(async () => {
  servers = await startFaultServers('temporal-restart');
  kit = receivableKit(servers.pool, servers.client);
  worker = await servers.startWorker();
});

afterAll(async () => {
  await servers?.teardown();
});

/**
 * A policy whose business time is the first whole minute at least `leadMs` from
 * now, and the due date whose reminder falls on it: a real timer, a minute or
 * two long, instead of days.
 */
function reminderSoon(leadMs: number): { policy: Policy; dueDate: string; firesAt: number } {
  const firesAt = Math.ceil((Date.now() + leadMs) / 60_000) * 60_000;
  const [date, time] = localDateTime(firesAt, TZ).split(' ') as [string, string];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const policy: Policy = {
    ...DEFAULT_POLICY,
    version: `faults-reminder-${time}`,
    receivable: { ...DEFAULT_POLICY.receivable, businessHour: hour, businessMinute: minute },
  };
  return { policy, dueDate: addDays(date, -DEFAULT_POLICY.receivable.timeline.reminderDays), firesAt };
}

async function timersStarted(id: string): Promise<number> {
  const history = await servers.client.workflow.getHandle(receivableWorkflowId(id)).fetchHistory();
  return (history.events ?? []).filter((e) => e.timerStartedEventAttributes).length;
}

async function scheduledAt(id: string, activity: string): Promise<number[]> {
  const history = await servers.client.workflow.getHandle(receivableWorkflowId(id)).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity)
    .map((e) => Number(e.eventTime?.seconds ?? 0) * 1000);
}

describe('the Temporal server is killed and restarted mid-timeline', () => {
  it(
    'timers fire, Updates are accepted and the same worker carries on',
    explained(
      () => servers,
      async () => {
        const soon = reminderSoon(30_000);
        const timed = await kit.importInvoice({ dueDate: soon.dueDate, policy: soon.policy });
        const waiting = await kit.importInvoice({ dueDate: addDays(companyToday(), 20) });
        for (const r of [timed, waiting])
          await eventually(
            () => timersStarted(r.id),
            (n) => n > 0,
            `${r.id} waiting on its timer`,
          );
        expect((await kit.state(timed.id)).stage).toBe('issued');

        await servers.temporal.kill();
        // The timer had not fired before the crash: it can only fire after the restart
        // (on time, or at once on restart if its moment passed while the server was down).
        expect(soon.firesAt).toBeGreaterThan(Date.now());
        // Down for a few seconds: the worker's polls fail meanwhile and it must not give up.
        await new Promise((r) => setTimeout(r, 3_000));
        expect(worker.alive).toBe(true);
        const restartBegan = Date.now();
        await servers.temporal.start();

        // An Update after the restart: a full payment settles the waiting receivable.
        const paymentId = `P-${randomUUID().slice(0, 8)}`;
        const paid = await kit.payInFull(waiting.id, paymentId);
        expect(paid).toMatchObject({ settled: true, outstandingMinor: 0, duplicate: false });
        await eventually(
          async () => (await kit.state(waiting.id)).stage,
          (stage) => stage === 'paid',
          'the paid receivable closed',
        );
        await eventually(
          async () => servers.mail.mailsFor(`${waiting.id}:receipt:${paymentId}`).length,
          (n) => n === 1,
          'the receipt e-mail',
        );

        // New work after the restart is taken too.
        const fresh = await kit.importInvoice({ dueDate: dueDateFiring('reminder') });
        await eventually(
          async () => (await kit.state(fresh.id)).stage,
          (stage) => stage === 'reminded',
          'a receivable started after the restart reminded',
        );

        // The timer set before the crash fires after the restart, not before its moment.
        await eventually(
          async () => (await kit.state(timed.id)).stage,
          (stage) => stage === 'reminded',
          `the reminder timer (due ${new Date(soon.firesAt).toISOString()}) to fire`,
          Math.max(0, soon.firesAt - Date.now()) + 60_000,
        );
        // The step is one activity: its notice and task join the day's grouped messages
        // (docs/performance.md, docs/correspondence.md).
        const reminded = await scheduledAt(timed.id, 'takeTimelineStep');
        expect(reminded).toHaveLength(1);
        const second = (ms: number) => Math.floor(ms / 1000) * 1000; // history times are read to the second
        expect(reminded[0]).toBeGreaterThanOrEqual(second(Math.max(soon.firesAt, restartBegan)));
        await eventually(
          async () => servers.mail.mailsFor(`${timed.id}:`).map((m) => m.effectKey),
          (keys) => keys.length === 2,
          'the reminder and phone-task e-mails',
        );
        expect(
          servers.mail
            .mailsFor(`${timed.id}:`)
            .map((m) => m.effectKey)
            .sort(),
        ).toEqual([`${timed.id}:phone-task`, `${timed.id}:reminder`]);

        // All of it done by the one worker process started before the crash.
        expect(worker.alive).toBe(true);
        expect((await servers.workerLog()).match(/--- worker \d+ started/g)).toHaveLength(1);
      },
    ),
  );
});
