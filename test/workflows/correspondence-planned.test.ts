/**
 * Planned items (docs/correspondence.md, "Planned items"), on the time-skipping server: a
 * receivable that knows its next step's working day plans that step's notice and tasks for the
 * readers' day, which is told once per instant and sends them at it; a dispute opened before the
 * instant withdraws the planned notice, so nothing is sent for a step that did not fire.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar.js';
import {
  correspondenceWorkflowId,
  getSentMessages,
  type SentMessage,
  salespersonTasksWorkflowId,
} from '../../workflows/correspondence/contract.js';
import { recordValidReason } from '../../workflows/receivable/contract.js';
import { testActor } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { saveHistory } from '../support/histories.js';
import { mails } from '../support/inbox.js';
import { at9, instantOf, receivableBenchPerFile } from '../support/receivable-env.js';

const bench = receivableBenchPerFile();
const AMOUNT = 1_000_000;
const TERM = 30;

async function issuedFor(counterpartyId: string, salespersonId: string) {
  const h = await bench.start({ counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: TERM });
  const s = await bench.approve(h, AMOUNT, TERM);
  if (!s.dueDate) throw new Error('not issued');
  return { h, id: s.receivableId, due: s.dueDate };
}

/** The signals a day's workflow received so far, by name. */
async function signalsOf(workflowId: string): Promise<string[]> {
  const history = await bench.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
    .filter((name): name is string => typeof name === 'string');
}

/** What the day's workflow sent, once it completed (polled, so the clock does not run ahead). */
async function sentBy(workflowId: string): Promise<SentMessage[]> {
  const handle = bench.env.client.workflow.getHandle(workflowId);
  await eventually(
    () => handle.describe(),
    (d) => d.status.name === 'COMPLETED',
    `${workflowId} to complete`,
    60_000,
  );
  return handle.query(getSentMessages);
}

describe('planned items', () => {
  it("issuing plans the reminders: the dealer's day is told once, then sends both at the step's instant", async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const a = await issuedFor(counterpartyId, salespersonId);
    const b = await issuedFor(counterpartyId, salespersonId);
    const day = addDays(a.due, -7);
    const debtorDay = correspondenceWorkflowId(counterpartyId, day);

    // Weeks before the step: both reminders wait in the day's queue, due at 09:00 of that day.
    // The record plans them after the approval's answer, so read once both have planned.
    const queued = await eventually(
      () =>
        bench.pool.query(
          `SELECT item_key, day::text, planned_for, plan_due_date::text AS due FROM correspondence_queue
           WHERE receivable_id = ANY($1) ORDER BY item_key`,
          [[a.id, b.id]],
        ),
      (r) => r.rows.length >= 4,
      "both receivables' due−7 items planned",
    );
    expect(queued.rows.map((r) => r.item_key).sort()).toEqual(
      [`${a.id}:reminder`, `${a.id}:phone-task`, `${b.id}:reminder`, `${b.id}:phone-task`].sort(),
    );
    for (const r of queued.rows) {
      expect(r.day).toBe(day);
      expect(new Date(r.planned_for).getTime()).toBe(instantOf(day, 9));
      expect(r.due).toBe(a.due);
    }
    // The day's workflow already waits for that instant, told once (the second plan found it told).
    const waiting = await eventually(
      () => bench.env.client.workflow.getHandle(debtorDay).describe(),
      () => true,
      `${debtorDay} started by the first plan`,
    );
    expect(waiting.status.name).toBe('RUNNING');
    expect(await signalsOf(debtorDay)).toEqual(['correspondencePlanned']);

    await bench.advanceTo(instantOf(day, 12));
    const sent = await sentBy(debtorDay);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.items.map((i) => i.itemKey).sort()).toEqual(
      [`${a.id}:reminder`, `${b.id}:reminder`].sort(),
    );
    // Sent after the instant and the gathering window, never before the step's hour.
    expect(Date.parse(sent[0]?.sentAt ?? '')).toBeGreaterThanOrEqual(instantOf(day, 9) + 10 * 60_000);
    expect(await mails(`${debtorDay}:`)).toHaveLength(1);
    // No step's item woke the day: the plan did.
    expect(await signalsOf(debtorDay)).toEqual(['correspondencePlanned']);
    const tasks = await sentBy(salespersonTasksWorkflowId(salespersonId, day));
    expect(tasks.flatMap((m) => m.items.map((i) => i.itemKey)).sort()).toEqual(
      [`${a.id}:phone-task`, `${b.id}:phone-task`].sort(),
    );
    // Each receivable still took its step; the queue now holds the next step's items, planned
    // for the day after the due date.
    for (const { h } of [a, b]) expect((await bench.activityTimes(h)).reminder).toEqual([at9(day)]);
    const next = await bench.pool.query(
      `SELECT item_key, day::text, planned_for FROM correspondence_queue WHERE receivable_id = ANY($1)`,
      [[a.id, b.id]],
    );
    const dueCheck = addDays(a.due, 1);
    expect(next.rows.map((r) => r.item_key).sort()).toEqual(
      [a.id, b.id].flatMap((id) => [`${id}:collection-notice`, `${id}:late-reason-request`]).sort(),
    );
    for (const r of next.rows) {
      expect(r.day).toBe(dueCheck);
      expect(new Date(r.planned_for).getTime()).toBe(instantOf(dueCheck, 9));
    }
    await saveHistory('planned-reminders-of-one-dealer', bench.env.client.workflow.getHandle(debtorDay));
    await saveHistory('planned-reminder-receivable', a.h);
  });

  it('a dispute opened before the instant withdraws the planned reminder; the other still goes', async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const a = await issuedFor(counterpartyId, salespersonId);
    const b = await issuedFor(counterpartyId, salespersonId);
    const day = addDays(a.due, -7);
    await bench.advanceTo(instantOf(addDays(day, -2), 10));
    await a.h.executeUpdate(recordValidReason, {
      args: [{ kind: 'dispute', reason: 'goods damaged', actor: testActor('finance') }],
    });
    await bench.advanceTo(instantOf(day, 12));

    const sent = await sentBy(correspondenceWorkflowId(counterpartyId, day));
    expect(sent.flatMap((m) => m.items.map((i) => i.itemKey))).toEqual([`${b.id}:reminder`]);
    // Withdrawn, not left out: no message holds a's reminder, so a later step could still send it.
    expect(sent.flatMap((m) => m.leftOut)).toEqual([]);
    const held = await bench.pool.query(
      'SELECT item_key FROM correspondence_items WHERE receivable_id = $1',
      [a.id],
    );
    expect(held.rows).toEqual([]);
    const inbox = await mails(`correspondence:${counterpartyId}:${day}:`);
    expect(inbox.flatMap((m) => m.items ?? [])).toEqual([`${b.id}:reminder`]);
    // The disputed receivable did not take its step, and its planned items left the queue.
    expect((await bench.activityTimes(a.h)).reminder).toBeUndefined();
    const queued = await bench.pool.query(
      'SELECT item_key FROM correspondence_queue WHERE receivable_id = $1',
      [a.id],
    );
    expect(queued.rows).toEqual([]);
    await saveHistory('dispute-withdraws-planned-reminder', a.h);
  });
});
