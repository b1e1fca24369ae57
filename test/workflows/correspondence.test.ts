/**
 * One notice per debtor per working day (docs/correspondence.md), on the time-skipping server:
 * the receivables of one dealer whose steps fall on the same day are listed in one message, a
 * receivable paid between its step and the send is left out (and recorded), an item arriving
 * after the day's message went out goes in a next message, and the salesperson's tasks are
 * grouped the same way.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar.js';
import { formatMoney } from '../../domain/format.js';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import type { SentMessage } from '../../workflows/correspondence/contract.js';
import {
  CORRESPONDENCE_TASK_QUEUE,
  correspondenceWorkflowId,
  getSentMessages,
  salespersonTasksWorkflowId,
} from '../../workflows/correspondence/contract.js';
import { confirmLegalEscalation } from '../../workflows/receivable/contract.js';
import { testActor } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { saveHistory } from '../support/histories.js';
import { mails } from '../support/inbox.js';
import { compact, pdfText } from '../support/pdf.js';
import { instantOf, pay, receivableBenchPerFile } from '../support/receivable-env.js';

const bench = receivableBenchPerFile();
const AMOUNT = 1_000_000;
const TERM = 30;

/** A policy gathering for an hour, so a payment lands between a step and its send. */
const HOUR_WINDOW: Policy = {
  ...DEFAULT_POLICY,
  version: 'grouping-test-60',
  correspondence: { gatherMinutes: 60 },
};

async function issuedFor(counterpartyId: string, salespersonId: string, policy?: Policy) {
  const h = await bench.start(
    { counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: TERM },
    policy ? { policy } : {},
  );
  const s = await bench.approve(h, AMOUNT, TERM);
  if (!s.dueDate) throw new Error('not issued');
  return { h, id: s.receivableId, due: s.dueDate };
}

/**
 * What the day's workflow sent, once it completed. Polled with describe and the query, never by
 * awaiting the result: that would let the time-skipping server run ahead to later steps.
 */
async function resultOf(workflowId: string): Promise<SentMessage[]> {
  const handle = bench.env.client.workflow.getHandle(workflowId);
  const run = await eventually(
    () => handle.describe(),
    (d) => d.status.name === 'COMPLETED',
    `${workflowId} to complete`,
    60_000,
  );
  // A day runs beside the receivables that feed it, on their task queue (the contract says why).
  expect(run.taskQueue).toBe(CORRESPONDENCE_TASK_QUEUE);
  return handle.query(getSentMessages);
}

describe('one notice per debtor per working day', () => {
  it("a dealer's reminders of one day go as one message, and the salesperson's phone tasks as one", async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const a = await issuedFor(counterpartyId, salespersonId);
    const b = await issuedFor(counterpartyId, salespersonId);
    expect(b.due).toBe(a.due);
    const day = addDays(a.due, -7);
    await bench.advanceTo(instantOf(day, 12));

    const sent = await resultOf(correspondenceWorkflowId(counterpartyId, day));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.items.map((i) => i.itemKey).sort()).toEqual(
      [`${a.id}:reminder`, `${b.id}:reminder`].sort(),
    );
    expect(sent[0]?.leftOut).toEqual([]);
    const inbox = await mails(`correspondence:${counterpartyId}:${day}:`);
    expect(inbox).toHaveLength(1);
    const message = inbox[0];
    expect(message?.items?.sort()).toEqual([`${a.id}:reminder`, `${b.id}:reminder`].sort());
    // Each receivable is listed with its number, amounts, due date and what the step means.
    for (const id of [a.id, b.id]) expect(message?.text).toContain(id);
    expect(message?.text).toContain('¥10,000.00');
    expect(message?.text).toContain('Payment reminder');
    // Sent at the step's hour plus the gathering window (10 minutes by default).
    expect(sent[0]?.sentAt && Date.parse(sent[0].sentAt)).toBeGreaterThanOrEqual(
      instantOf(day, 9) + 10 * 60_000,
    );

    const tasks = await resultOf(salespersonTasksWorkflowId(salespersonId, day));
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.items.map((i) => i.itemKey).sort()).toEqual(
      [`${a.id}:phone-task`, `${b.id}:phone-task`].sort(),
    );
    expect(await mails(`salesperson-tasks:${salespersonId}:${day}:`)).toHaveLength(1);
    // The tasks themselves stay one per receivable.
    const open = await bench.pool.query('SELECT key FROM tasks WHERE receivable_id = ANY($1) ORDER BY key', [
      [a.id, b.id],
    ]);
    expect(open.rows.map((r) => r.key).sort()).toEqual([`${a.id}:phone-task`, `${b.id}:phone-task`].sort());
    // The Web UI shows what was sent to whom: the query answers what the result says.
    // The Web UI shows what was sent to whom and when: the memo counts each message's items
    // and names the first ten.
    const { memo } = await bench.env.client.workflow
      .getHandle(correspondenceWorkflowId(counterpartyId, day))
      .describe();
    const shown = (memo?.messages ?? []) as {
      key: string;
      sentAt: string;
      to: string[];
      items: number;
      firstItems: string[];
    }[];
    expect(shown).toEqual([
      expect.objectContaining({
        key: sent[0]?.messageKey,
        sentAt: sent[0]?.sentAt,
        items: 2,
        firstItems: sent[0]?.items.map((x) => x.itemKey),
      }),
    ]);
    expect(shown[0]?.to).toEqual(inbox[0]?.to.slice(0, 1));
    await saveHistory(
      'grouped-reminders-of-one-dealer',
      bench.env.client.workflow.getHandle(correspondenceWorkflowId(counterpartyId, day)),
    );
    await saveHistory('grouped-reminder-receivable', a.h);
  });

  it('a receivable paid between its step and the send is left out, and that is recorded', async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const a = await issuedFor(counterpartyId, salespersonId, HOUR_WINDOW);
    const b = await issuedFor(counterpartyId, salespersonId, HOUR_WINDOW);
    const day = addDays(a.due, -7);
    await bench.advanceTo(instantOf(day, 9) + 20 * 60_000); // the step fired; the message gathers until 10:00
    await pay(a.h, 'P-early', AMOUNT, day);
    await bench.advanceTo(instantOf(day, 12));

    const sent = await resultOf(correspondenceWorkflowId(counterpartyId, day));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.items.map((i) => i.itemKey)).toEqual([`${b.id}:reminder`]);
    expect(sent[0]?.leftOut).toEqual([
      { itemKey: `${a.id}:reminder`, receivableId: a.id, step: 'reminder', reason: 'receivable paid' },
    ]);
    const claimed = await bench.pool.query(
      'SELECT item_key, included, left_out_reason FROM correspondence_items WHERE receivable_id = $1 ORDER BY item_key',
      [a.id],
    );
    // The salesperson's phone task of the paid receivable is left out of their message too.
    expect(claimed.rows).toEqual([
      { item_key: `${a.id}:phone-task`, included: false, left_out_reason: 'receivable paid' },
      { item_key: `${a.id}:reminder`, included: false, left_out_reason: 'receivable paid' },
    ]);
    const inbox = await mails(`correspondence:${counterpartyId}:${day}:`);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]?.text).not.toContain(a.id);
  });

  it("an item that arrives after the day's message went out goes in a next message", async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const a = await issuedFor(counterpartyId, salespersonId);
    const day = addDays(a.due, -7);
    await bench.advanceTo(instantOf(day, 12)); // a's reminder went out at 09:10
    // An ERP invoice of the same dealer imported at noon: its reminder fires at once, the same day.
    const late = await bench.start(
      { counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: TERM },
      {
        imported: {
          issueDate: addDays(day, -20),
          dueDate: addDays(day, 5),
          paidMinor: 0,
          source: 'erp:test',
        },
      },
    );
    const lateId = (await bench.state(late)).receivableId;
    await bench.advanceTo(instantOf(day, 14));

    const inbox = await mails(`correspondence:${counterpartyId}:${day}:`);
    expect(inbox.map((m) => m.items)).toEqual([[`${a.id}:reminder`], [`${lateId}:reminder`]]);
    expect(new Set(inbox.map((m) => m.effectKey)).size).toBe(2);
    const claimed = await bench.pool.query(
      `SELECT item_key, message_key FROM correspondence_items
       WHERE receivable_id = ANY($1) AND message_key LIKE 'correspondence:%' ORDER BY claimed_at`,
      [[a.id, lateId]],
    );
    expect(claimed.rows.map((r) => r.message_key)).toEqual(inbox.map((m) => m.effectKey));
  });

  it('a confirmed legal escalation tells the debtor: a legal notice in its message of the day, its letter attached', async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const a = await issuedFor(counterpartyId, salespersonId);
    const day = addDays(a.due, 30);
    await bench.advanceTo(instantOf(day, 11));
    expect((await bench.state(a.h)).stage).toBe('legal-review');
    // Proposed, not yet confirmed: the debtor has heard nothing of it.
    expect(await mails(`correspondence:${counterpartyId}:${day}:`)).toEqual([]);
    await a.h.executeUpdate(confirmLegalEscalation, {
      args: [{ proceed: true, note: 'go', actor: testActor('manager') }],
    });
    await bench.advanceTo(instantOf(day, 12));
    const inbox = await mails(`correspondence:${counterpartyId}:${day}:`);
    expect(inbox.map((m) => m.items)).toEqual([[`${a.id}:legal-notice`]]);
    expect(inbox[0]?.text).toContain('Legal notice');
    // The credit desk is copied on a warning or legal notice.
    expect(inbox[0]?.to).toContain('desk@acme.test');
    // The formal letter rides along as a PDF: the legal demand, naming the receivable and what is owed.
    const letters = (inbox[0]?.attachments ?? []).filter((f) => f.contentType === 'application/pdf');
    expect(letters).toHaveLength(1);
    const letter = compact(await pdfText(Buffer.from(letters[0]?.content ?? '', 'base64')));
    expect(letter).toContain(compact('Formal Legal Demand for Payment'));
    expect(letter).toContain(a.id);
    expect(letter).toContain(compact(formatMoney(AMOUNT, 'CNY', 'en')));
    expect(letters[0]?.filename).toMatch(/^CF-\d{4}-\d{6}\.pdf$/);
  });
});
