/**
 * An invoice imported from the ERP joins the timeline where it stands, and the
 * policy's business time of day may carry minutes. Time-skipping server, real
 * activities, PostgreSQL and SMTP.
 */

import { describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { recordPayment } from '../../workflows/receivable/contract.js';
import { testActor } from '../support/actors.js';
import { saveHistory } from '../support/histories.js';
import { expectRefused, instantOf, receivableBenchPerFile } from '../support/receivable-env.js';

const bench = receivableBenchPerFile();

const AMOUNT = 2_000_000;

async function importInvoice(dueOffsetDays: number, paidMinor = 0) {
  const { counterpartyId, salespersonId } = await bench.seedParties();
  const today = await bench.today();
  const dueDate = addDays(today, dueOffsetDays);
  const issueDate = addDays(dueDate, -30);
  const h = await bench.start(
    { counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: 30 },
    { imported: { issueDate, dueDate, paidMinor, source: 'erp:test' } },
  );
  return { h, counterpartyId, today, dueDate };
}

describe('imported receivable', () => {
  it('20 days overdue: the +15 warning fires at once, the earlier steps are recorded as skipped', async () => {
    const { h, today, dueDate, counterpartyId } = await importInvoice(-20, 500_000);
    // Let the immediate step run; the next (+30 legal) is ten days away.
    await bench.advanceTo((await bench.now()) + 3_600_000);
    const state = await bench.state(h);
    expect(state.stage).toBe('credit-desk');
    expect(state.outstandingMinor).toBe(1_500_000);
    expect(state.paidMinor).toBe(500_000);
    expect(state.dueDate).toBe(dueDate);
    expect(state.stepsTaken).toEqual(['reminder', 'dueCheck', 'secondNotice', 'warning']);
    const times = await bench.activityTimes(h);
    expect(times.reminder).toBeUndefined();
    expect(times['collection-notice']).toBeUndefined();
    expect(times['second-notice']).toBeUndefined();
    expect(times['warning-letter']?.map((t) => t.slice(0, 10))).toEqual([today]);
    expect(times.recordApplication).toBeUndefined();
    expect(times.notifyApprovers).toBeUndefined();
    expect(times.recordImportedReceivable?.map((t) => t.slice(0, 10))).toEqual([today]);
    const blocks = await bench.pool.query('SELECT source FROM supply_blocks WHERE counterparty_id = $1', [
      counterpartyId,
    ]);
    expect(blocks.rows.map((r) => r.source)).toEqual([state.receivableId]);
    const imported = await bench.pool.query(
      "SELECT payload FROM credit_records WHERE subject_id = $1 AND event_type = 'receivable-issued'",
      [state.receivableId],
    );
    expect(imported.rows[0]?.payload).toMatchObject({
      imported: true,
      source: 'erp:test',
      skippedSteps: ['reminder', 'dueCheck', 'secondNotice'],
    });
    await saveHistory('imported-twenty-days-overdue', h);
    await saveHistory('imported-twenty-days-overdue-snapshot-at-filing', h);
    await saveHistory('imported-twenty-days-overdue-checks-in-filing-snapshot', h);
  });

  it('not yet due: nothing fires at import; the reminder comes on due−7 at the business time', async () => {
    const { h, dueDate } = await importInvoice(20);
    await bench.advanceTo((await bench.now()) + 3_600_000);
    expect((await bench.state(h)).stepsTaken).toEqual([]);
    expect((await bench.state(h)).stage).toBe('issued');
    await bench.advanceTo(instantOf(addDays(dueDate, -6), 12));
    expect((await bench.activityTimes(h)).reminder).toEqual([`${addDays(dueDate, -7)} 09:00`]);
  });

  it('a payment sent while the invoice still joins the timeline waits for it, then meets the usual rules', async () => {
    const { h, today } = await importInvoice(20, 500_000);
    const pay = (paymentId: string, amountMinor: number) =>
      h.executeUpdate(recordPayment, {
        args: [{ paymentId, amountMinor, paidOn: today, actor: testActor('finance', 'erp') }],
      });
    // Sent at once, before the invoice stands issued (the ERP sends invoices, then payments).
    const [early, over] = await Promise.allSettled([pay('P-early', 300_000), pay('P-over', 1_500_001)]);
    expect(early).toMatchObject({
      status: 'fulfilled',
      value: { duplicate: false, outstandingMinor: 1_200_000 },
    });
    await expectRefused(
      over.status === 'rejected' ? Promise.reject(over.reason) : Promise.resolve(over.value),
      /overpayment refused/,
    );
    // Accepted before the invoice stood issued (its automatic checks had not returned).
    const events = (await h.fetchHistory()).events ?? [];
    // The checks run in the receivable's first activity (with its record).
    const checks = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fileAndCheckReceivable',
    );
    const joined = events.findIndex(
      (e) =>
        Number(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? -1) === Number(checks?.eventId),
    );
    const firstAccepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(firstAccepted).toBeGreaterThan(-1);
    expect(firstAccepted).toBeLessThan(joined);
    expect((await bench.state(h)).paidMinor).toBe(800_000);
  });

  it('a business time of 09:30 moves every step to half past', async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const dueDate = addDays(await bench.today(), 10);
    const policy = {
      ...DEFAULT_POLICY,
      version: 'test-0930',
      receivable: { ...DEFAULT_POLICY.receivable, businessMinute: 30 },
    };
    const h = await bench.start(
      { counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: 30 },
      { policy, imported: { issueDate: addDays(dueDate, -30), dueDate, paidMinor: 0, source: 'erp:test' } },
    );
    await bench.advanceTo(instantOf(addDays(dueDate, 2), 12));
    const times = await bench.activityTimes(h);
    expect(times.reminder).toEqual([`${addDays(dueDate, -7)} 09:30`]);
    expect(times['collection-notice'] ?? times['visit-task']).toEqual([`${addDays(dueDate, 1)} 09:30`]);
  });
});
