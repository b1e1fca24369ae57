/**
 * The real receivable workflow on the time-skipping server, with the real
 * activities: each escalation step puts exactly one event per subscription in
 * the webhook outbox, on the step's day, with the receivable's figures then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDateTime } from '../../domain/calendar.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEvent } from '../../domain/webhooks.js';
import { createWebhookQueries } from '../../store/webhooks.js';
import { confirmLegalEscalation, writeOffBadDebt } from '../../workflows/receivable/contract.js';
import { testActor } from '../support/actors.js';
import { at9, instantOf, type ReceivableBench, startReceivableBench, TZ } from '../support/receivable-env.js';

let bench: ReceivableBench;
let subscriptionIds: string[] = [];
beforeAll(async () => {
  bench = await startReceivableBench();
});
afterAll(async () => {
  if (subscriptionIds.length)
    await bench?.pool.query('UPDATE webhook_subscriptions SET active = false WHERE id = ANY($1)', [
      subscriptionIds,
    ]);
  await bench?.teardown();
});

const AMOUNT = 1_000_000;
const TERM = 30;

describe('receivable escalation → webhook outbox', () => {
  it('every step from due−7 to +30 enqueues one event per subscription, on its day', async () => {
    const webhooks = createWebhookQueries(bench.pool);
    const all = await webhooks.createSubscription({
      url: 'https://hooks.example.com/all',
      events: 'all',
      description: null,
      createdBy: 'test',
    });
    const legalOnly = await webhooks.createSubscription({
      url: 'https://hooks.example.com/legal',
      events: ['receivable.legal', 'receivable.legal-escalation-confirmed'],
      description: null,
      createdBy: 'test',
    });
    subscriptionIds = [all.subscription.id, legalOnly.subscription.id];

    const { counterpartyId, salespersonId } = await bench.seedParties({ region: 'Hangzhou' });
    const h = await bench.start({ counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: TERM });
    const issued = await bench.approve(h, AMOUNT, TERM);
    const id = issued.receivableId;
    const due = issued.dueDate as string;

    const outbox = async (subscriptionId: string) => {
      const { rows } = await bench.pool.query<{
        event_id: string;
        event_type: string;
        payload: WebhookEvent;
      }>(
        `SELECT event_id, event_type, payload FROM webhook_deliveries
         WHERE receivable_id = $1 AND subscription_id = $2 ORDER BY created_at, event_type`,
        [id, subscriptionId],
      );
      return rows;
    };

    // Nothing before the first step; on approval (issued) nothing is published.
    await bench.advanceTo(instantOf(addDays(due, -8), 12));
    expect(await outbox(all.subscription.id)).toEqual([]);

    await bench.advanceTo(instantOf(addDays(due, 30), 12));
    const events = (await outbox(all.subscription.id)).map((r) => r.payload);
    expect(
      events.map((e) => [e.type, localDateTime(Date.parse(e.occurredAt), TZ), e.data.daysOverdue]),
    ).toEqual([
      ['receivable.reminder', at9(addDays(due, -7)), 0],
      ['receivable.due-check', at9(addDays(due, 1)), 1],
      ['receivable.second-notice', at9(addDays(due, 7)), 7],
      ['receivable.warning', at9(addDays(due, 15)), 15],
      ['receivable.legal', at9(addDays(due, 30)), 30],
    ]);
    expect(events.map((e) => e.data.stage)).toEqual([
      'reminded',
      'overdue',
      'second-notice',
      'credit-desk',
      'legal-review',
    ]);
    for (const e of events)
      expect(e.data).toMatchObject({
        receivableId: id,
        counterpartyId,
        salespersonId,
        outstandingMinor: AMOUNT,
        currency: 'CNY',
        dueDate: due,
      });
    // ¥10,000.00: under the litigation threshold, cooperation ends; the manager has not answered yet.
    expect(events[4]?.data.legal).toMatchObject({
      terminateCooperation: true,
      litigation: false,
      confirmed: null,
    });
    expect((await outbox(legalOnly.subscription.id)).map((r) => r.event_type)).toEqual(['receivable.legal']);

    await h.executeUpdate(confirmLegalEscalation, {
      args: [{ proceed: true, actor: testActor('manager', 'wu'), note: 'go' }],
    });
    await h.executeUpdate(writeOffBadDebt, {
      args: [{ actor: testActor('manager'), reason: 'debtor insolvent' }],
    });
    await h.result();

    const final = await outbox(all.subscription.id);
    // The manager's answer is published once; the +30 step is not published a second time.
    // Every event in timeline order, but the hold the manager did not choose.
    expect(final.map((r) => r.event_type)).toEqual(
      WEBHOOK_EVENT_TYPES.filter((t) => t !== 'receivable.legal-escalation-held'),
    );
    const confirmed = final[5]?.payload;
    expect(confirmed?.data).toMatchObject({ stage: 'legal', daysOverdue: 30 });
    // Who decided: the credential the Update carried, as data and as a line of text.
    expect(confirmed?.data.legal).toMatchObject({ confirmed: true, decidedBy: 'wu (manager)' });
    expect(confirmed?.data.actor).toEqual(testActor('manager', 'wu'));
    expect((await outbox(legalOnly.subscription.id)).map((r) => r.event_type)).toEqual([
      'receivable.legal',
      'receivable.legal-escalation-confirmed',
    ]);
    // Each published event is the credit record's entry of the same key (the +30 proposal aside).
    for (const r of final.filter((x) => x.event_type !== 'receivable.legal')) {
      const rec = await bench.pool.query('SELECT 1 FROM credit_records WHERE idempotency_key = $1', [
        r.event_id,
      ]);
      expect(rec.rowCount, r.event_id).toBe(1);
    }
  });
});
