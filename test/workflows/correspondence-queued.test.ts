/**
 * The day's workflow when its items wait in PostgreSQL (docs/correspondence.md): one signal
 * wakes it, and it goes on to another message, without a signal, as long as its send says items
 * are left queued — at once after a full message, after the gathering window otherwise. The
 * send is a stand-in here (the store's side is test/integration/correspondence-queue.test.ts).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SendCorrespondenceInput } from '../../activities/correspondence/activities.js';
import {
  addCorrespondenceItem,
  type CorrespondenceInput,
  type CorrespondenceItem,
  type SentMessage,
} from '../../workflows/correspondence/contract.js';
import { saveHistory } from '../support/histories.js';
import { startTimeSkippingServer } from '../support/workflow-env.js';

const TASK_QUEUE = 'correspondence-queued-test';
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingServer();
});
afterAll(async () => {
  await env?.teardown();
});

const input = (partyId: string): CorrespondenceInput => ({
  audience: 'debtor',
  partyId,
  partyName: `Dealer ${partyId}`,
  day: '2026-03-02',
  gatherMinutes: 10,
  timeZone: 'Asia/Shanghai',
});
const item = (n: number): CorrespondenceItem => ({
  itemKey: `R-${n}:reminder`,
  receivableId: `R-${n}`,
  step: 'reminder',
  round: 0,
  day: '2026-03-02',
  firedAt: '2026-03-02T01:00:00.000Z',
});

/** A send that claims `counts[k]` items on its k-th call and says whether more are queued. */
function sendsClaiming(counts: { items: number; more: boolean }[]) {
  const calls: { input: SendCorrespondenceInput; at: number }[] = [];
  return {
    calls,
    activities: {
      async sendCorrespondence(m: SendCorrespondenceInput): Promise<SentMessage> {
        const k = calls.length;
        calls.push({ input: m, at: Date.now() });
        const c = counts[k] ?? { items: 0, more: false };
        return {
          messageKey: m.messageKey,
          sentAt: new Date().toISOString(),
          to: ['dealer@dealer.test'],
          cc: [],
          subject: 'Payment reminder',
          items: Array.from({ length: c.items }, (_, i) => ({
            itemKey: `R-${k}-${i}:reminder`,
            receivableId: `R-${k}-${i}`,
            step: 'reminder' as const,
          })),
          leftOut: [],
          alreadySent: [],
          morePending: c.more,
        };
      },
    },
  };
}

async function runDay(partyId: string, counts: { items: number; more: boolean }[]) {
  const send = sendsClaiming(counts);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: send.activities,
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.signalWithStart('correspondenceWorkflow', {
      workflowId: `correspondence:${partyId}:2026-03-02`,
      taskQueue: TASK_QUEUE,
      args: [input(partyId)],
      signal: addCorrespondenceItem,
      signalArgs: [item(1)],
    });
    const sent = (await handle.result()) as SentMessage[];
    const events = (await handle.fetchHistory()).events ?? [];
    return {
      handle,
      sent,
      calls: send.calls,
      signals: events.filter((e) => e.workflowExecutionSignaledEventAttributes).length,
      timers: events.filter((e) => e.timerStartedEventAttributes).length,
      // The patches the run recorded (a marker each, its id in the payload's JSON).
      patches: events.flatMap((e) => {
        const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
        return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
      }),
    };
  });
}

describe('a day whose items wait in PostgreSQL', () => {
  it('after a full message, sends the next at once: one signal, two messages, one gathering window', async () => {
    const run = await runDay('CP-full', [
      { items: 500, more: true },
      { items: 3, more: false },
    ]);
    expect(run.signals).toBe(1);
    expect(run.sent.map((m) => m.items.length)).toEqual([500, 3]);
    expect(run.timers).toBe(1);
    // The first send got the waking item and the cap; the second nothing signalled, the same cap.
    expect(run.calls.map((c) => [c.input.items.map((i) => i.itemKey), c.input.maxItems])).toEqual([
      [['R-1:reminder'], 500],
      [[], 500],
    ]);
    expect(run.patches).toContain('day-items-queued');
    await saveHistory('day-goes-on-with-queued-items', run.handle);
  });

  it('when items were left queued by a message not full, gathers for the window again before the next', async () => {
    const run = await runDay('CP-trickle', [
      { items: 4, more: true },
      { items: 2, more: false },
    ]);
    expect(run.signals).toBe(1);
    expect(run.sent.map((m) => m.items.length)).toEqual([4, 2]);
    expect(run.timers).toBe(2);
  });

  it('completes after one message when nothing is left queued', async () => {
    const run = await runDay('CP-one', [{ items: 20, more: false }]);
    expect(run.signals).toBe(1);
    expect(run.sent).toHaveLength(1);
    expect(run.timers).toBe(1);
    expect(run.patches).not.toContain('day-items-queued');
  });
});
