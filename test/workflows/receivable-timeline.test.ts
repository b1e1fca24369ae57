/**
 * The receivable's due-date timeline on the time-skipping server: each test
 * asserts the calendar day (and business hour) on which a step fired, from the
 * workflow's own history, and what e-mail went out.
 */

import { describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import {
  confirmLegalEscalation,
  endValidReason,
  recordLateReason,
  recordValidReason,
  writeOffBadDebt,
} from '../../workflows/receivable/contract.js';
import { testActor } from '../support/actors.js';
import { historyCost, saveHistory } from '../support/histories.js';
import { at9, expectRefused, instantOf, pay, receivableBenchPerFile } from '../support/receivable-env.js';

const bench = receivableBenchPerFile();

const AMOUNT = 1_000_000; // ¥10,000.00
const TERM = 30;

async function issued(region = 'Hangzhou') {
  const { counterpartyId, salespersonId } = await bench.seedParties({ region });
  const h = await bench.start({ counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: TERM });
  const state = await bench.approve(h, AMOUNT, TERM);
  expect(state.stage).toBe('issued');
  if (!state.dueDate || !state.issueDate) throw new Error('not issued');
  return { h, counterpartyId, due: state.dueDate, issue: state.issueDate, id: state.receivableId };
}

describe('receivable timeline', () => {
  it('paid early inside the discount window settles at the discounted amount, with no reminder', async () => {
    const { h, issue, id } = await issued();
    expect(issue).toBe(await bench.today());
    await bench.advanceTo(instantOf(addDays(issue, 5), 10));
    // 1/10 n/30: 1 % of ¥10,000.00 = ¥100.00 off → ¥9,900.00 settles it.
    await expectRefused(pay(h, 'P-over', 1_000_001, addDays(issue, 5)), /overpayment refused/);
    const result = await pay(h, 'P-1', 990_000, addDays(issue, 5));
    expect(result).toMatchObject({ settled: true, outstandingMinor: 0, discountMinor: 10_000 });
    const final = await h.result();
    expect(final.stage).toBe('paid');
    expect(final.discountMinor).toBe(10_000);
    const times = await bench.activityTimes(h);
    expect(times.reminder).toBeUndefined();
    const kinds = (await bench.mailsFor(id)).map((m) => m.effectKey);
    expect(kinds).toEqual([
      `${id}:approval-request`,
      `${id}:application-decision`,
      `${id}:credit-terms`,
      `${id}:receipt:P-1`,
    ]);
    await saveHistory('paid-early-with-discount', h);
  });

  it('the full amount paid inside the discount window settles it: the discount was not taken', async () => {
    const { h, issue, id } = await issued();
    await bench.advanceTo(instantOf(addDays(issue, 3), 10));
    // ¥10,000.00 where ¥9,900.00 would have settled: money really paid, never an overpayment.
    const result = await pay(h, 'P-full', AMOUNT, addDays(issue, 3));
    expect(result).toMatchObject({ settled: true, outstandingMinor: 0, discountMinor: 0, duplicate: false });
    const final = await h.result();
    expect(final).toMatchObject({ stage: 'paid', paidMinor: AMOUNT, discountMinor: 0 });
    const recorded = await bench.pool.query(
      "SELECT payload FROM credit_records WHERE subject_id = $1 AND event_type = 'payment-received'",
      [id],
    );
    expect(recorded.rows[0]?.payload).toMatchObject({
      amountMinor: AMOUNT,
      discountMinor: 0,
      discountNotTakenMinor: 10_000,
      settled: true,
    });
    const stored = await bench.pool.query('SELECT amount_minor, discount_minor FROM payments WHERE id = $1', [
      'P-full',
    ]);
    expect(stored.rows[0]).toEqual({ amount_minor: AMOUNT, discount_minor: 0 });
  });

  it('paid on time: reminder on due−7 at 09:00, nothing after the payment', async () => {
    const { h, due, id } = await issued();
    await bench.advanceTo(instantOf(addDays(due, -2), 12));
    expect((await bench.activityTimes(h)).reminder).toEqual([at9(addDays(due, -7))]);
    expect((await bench.state(h)).stage).toBe('reminded');
    const result = await pay(h, 'P-1', AMOUNT, addDays(due, -2));
    expect(result).toMatchObject({ settled: true, discountMinor: 0 });
    await h.result();
    const times = await bench.activityTimes(h);
    expect(times['phone-task']).toEqual([at9(addDays(due, -7))]);
    expect(times['collection-notice']).toBeUndefined();
    expect(times['visit-task']).toBeUndefined();
    const reminders = (await bench.mailsFor(id)).filter((m) => m.effectKey === `${id}:reminder`);
    expect(reminders).toHaveLength(1);
    // The reminder is an item of the dealer's grouped message, listed with its due date.
    expect(reminders[0]?.text).toContain(due);
    await saveHistory('paid-on-time', h);
  });

  it('partial then full payment: the balance falls, then the receivable closes', async () => {
    const { h, issue } = await issued();
    await bench.advanceTo(instantOf(addDays(issue, 12), 10)); // after the discount window
    const first = await pay(h, 'P-1', 400_000, addDays(issue, 12));
    expect(first).toMatchObject({ settled: false, outstandingMinor: 600_000, discountMinor: 0 });
    // The same payment id again is applied once, not twice.
    expect(await pay(h, 'P-1', 400_000, addDays(issue, 12))).toMatchObject({
      duplicate: true,
      outstandingMinor: 600_000,
    });
    await expectRefused(
      pay(h, 'P-2', 600_001, addDays(issue, 12)),
      /^amountMinor: 600001 exceeds the 600000/,
    );
    const second = await pay(h, 'P-2', 600_000, addDays(issue, 12));
    expect(second).toMatchObject({ settled: true, outstandingMinor: 0 });
    const final = await h.result();
    expect(final).toMatchObject({ stage: 'paid', paidMinor: AMOUNT, paymentIds: ['P-1', 'P-2'] });
    await saveHistory('partial-then-full', h);
  });

  it('every escalation step fires on its day at 09:00 and not a day before', async () => {
    const { h, due, id, counterpartyId } = await issued('Hangzhou');
    // The day before each step, the step has not fired yet.
    await bench.advanceTo(instantOf(due, 23));
    expect((await bench.activityTimes(h))['collection-notice']).toBeUndefined();
    await bench.advanceTo(instantOf(addDays(due, 6), 23));
    expect((await bench.activityTimes(h))['second-notice']).toBeUndefined();
    await bench.advanceTo(instantOf(addDays(due, 14), 23));
    expect((await bench.activityTimes(h))['warning-letter']).toBeUndefined();
    await bench.advanceTo(instantOf(addDays(due, 29), 23));
    expect((await bench.activityTimes(h)).proposeLegalEscalation).toBeUndefined();
    await bench.advanceTo(instantOf(addDays(due, 30), 12));

    const t = await bench.activityTimes(h);
    expect(t.reminder).toEqual([at9(addDays(due, -7))]);
    expect(t['collection-notice']).toEqual([at9(addDays(due, 1))]); // a debtor outside the home region
    expect(t['late-reason-request']).toEqual([at9(addDays(due, 1))]);
    expect(t['second-notice']).toEqual([at9(addDays(due, 7))]);
    expect(t.handOverToCreditDesk).toEqual([at9(addDays(due, 15))]);
    expect(t.stopSupply).toEqual([at9(addDays(due, 15))]);
    expect(t.lowerCreditGrade).toEqual([at9(addDays(due, 15))]);
    expect(t['warning-letter']).toEqual([at9(addDays(due, 15))]);
    expect(t.proposeLegalEscalation).toEqual([at9(addDays(due, 30))]);

    const s = await bench.state(h);
    expect(s).toMatchObject({
      stage: 'legal-review',
      owner: 'credit-desk',
      supplyStopped: true,
      gradeAfterDowngrade: 'BA',
    });
    // ¥10,000.00 is under the ¥50,000.00 litigation threshold: terminate cooperation only.
    expect(s.legal).toMatchObject({ terminateCooperation: true, litigation: false, confirmed: null });
    const cp = await bench.pool.query('SELECT credit_grade FROM counterparties WHERE id = $1', [
      counterpartyId,
    ]);
    expect(cp.rows[0].credit_grade).toBe('BA');
    const blocks = await bench.pool.query('SELECT source FROM supply_blocks WHERE counterparty_id = $1', [
      counterpartyId,
    ]);
    expect(blocks.rows.map((r) => r.source)).toEqual([id]);

    await h.executeUpdate(confirmLegalEscalation, {
      args: [{ proceed: true, actor: testActor('manager'), note: 'go' }],
    });
    await h.executeUpdate(writeOffBadDebt, {
      args: [{ actor: testActor('manager'), reason: 'debtor insolvent' }],
    });
    const final = await h.result();
    expect(final).toMatchObject({ stage: 'written-off', writtenOffMinor: AMOUNT, outstandingMinor: 0 });

    const keys = (await bench.mailsFor(id)).map((m) => m.effectKey);
    for (const step of [
      'reminder',
      'collection-notice',
      'second-notice',
      'warning-letter',
      'legal-escalation',
      'supply-stopped',
    ]) {
      expect(
        keys.filter((k) => k === `${id}:${step}`),
        step,
      ).toHaveLength(1);
    }
    await saveHistory('every-escalation-step', h);
    await saveHistory('lean-every-escalation-step', h);
    await saveHistory('run-policy-every-escalation-step', h);
    await saveHistory('application-in-two-activities-every-escalation-step', h);
    await saveHistory('planned-correspondence-every-escalation-step', h);
    await saveHistory('issued-in-one-activity-every-escalation-step', h);
    await saveHistory('snapshot-at-filing-no-memo-every-escalation-step', h);
    await saveHistory('checks-in-filing-snapshot-every-escalation-step', h);
  });

  it('a fully escalated receivable keeps a lean history: ≤ 60 KB as Temporal stores it, ≤ 2 workflow tasks per timeline step', async () => {
    const { h, due, id } = await issued('Hangzhou');
    await bench.advanceTo(instantOf(addDays(due, 30), 12));
    await h.executeUpdate(confirmLegalEscalation, {
      args: [{ proceed: true, actor: testActor('manager'), note: 'go' }],
    });
    const answer = await h.executeUpdate(writeOffBadDebt, {
      args: [{ actor: testActor('manager'), reason: 'insolvent' }],
    });
    // The history keeps every Update's answer: a receipt, not the whole state.
    expect(answer).toEqual({
      receivableId: id,
      stateVersion: expect.any(Number),
      stage: 'written-off',
      outstandingMinor: 0,
    });
    await h.result();
    const cost = historyCost(await h.fetchHistory());
    // Five timer-driven steps (due−7, +1, +7, +15, +30's proposal), each: the timer's task and
    // the one activity's.
    expect(cost.tasksPerStep).toHaveLength(5);
    for (const tasks of cost.tasksPerStep) expect(tasks).toBeLessThanOrEqual(2);
    expect(cost.bytes).toBeLessThanOrEqual(60 * 1024);
    // As JSON (base64 payloads, as test/histories keeps it) about 60 KB since the filing records
    // the checks and the worker's build id is short; about 2 KB more when a vote overtakes the
    // filing, as this test's votes may (docs/performance.md).
    expect(cost.jsonBytes).toBeLessThanOrEqual(64 * 1024);
    console.log(
      `lean history: ${cost.bytes} bytes (protobuf), ${cost.jsonBytes} as JSON, ${cost.events} events, tasks per step ${cost.tasksPerStep.join(',')}`,
    );
  });

  it('a debtor in the home region gets a visit task at due+1 instead of a collection notice', async () => {
    const { h, due } = await issued('Shanghai');
    await bench.advanceTo(instantOf(addDays(due, 1), 12));
    const t = await bench.activityTimes(h);
    expect(t['visit-task']).toEqual([at9(addDays(due, 1))]);
    expect(t['collection-notice']).toBeUndefined();
    // The salesperson answers the late-reason task: it is done, and names who did it.
    const wang = testActor('sales', 'wang');
    await h.executeUpdate(recordLateReason, { args: [{ reason: 'owner abroad until Friday', actor: wang }] });
    const tasks = await bench.pool.query('SELECT kind, status, detail FROM tasks WHERE receivable_id = $1', [
      (await bench.state(h)).receivableId,
    ]);
    expect(tasks.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'record-late-reason',
          status: 'done',
          detail: expect.objectContaining({ doneBy: wang }),
        }),
        expect.objectContaining({ kind: 'visit-debtor', status: 'open' }),
      ]),
    );
    await pay(h, 'P-1', AMOUNT, addDays(due, 1));
    await h.result();
  });

  it("with the policy choice 'salesperson-region', local means the salesperson's own region", async () => {
    const policy = {
      ...DEFAULT_POLICY,
      receivable: { ...DEFAULT_POLICY.receivable, localDebtor: 'salesperson-region' as const },
    };
    // A Hangzhou salesperson: a Hangzhou debtor is visited, a debtor in Shanghai (the
    // company's home region) is elsewhere to this salesperson and gets the notice.
    const salespersonId = await bench.seedSalesperson({ region: 'Hangzhou' });
    const started = await Promise.all(
      ['Hangzhou', 'Shanghai'].map(async (region) => {
        const counterpartyId = await bench.seedDealer({ region });
        const h = await bench.start(
          { counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: TERM },
          { policy },
        );
        return { h, state: await bench.approve(h, AMOUNT, TERM) };
      }),
    );
    const due = started[0]?.state.dueDate as string;
    await bench.advanceTo(instantOf(addDays(due, 1), 12));
    const [sameRegion, elsewhere] = await Promise.all(started.map(({ h }) => bench.activityTimes(h)));
    expect(sameRegion?.['visit-task']).toEqual([at9(addDays(due, 1))]);
    expect(sameRegion?.['collection-notice']).toBeUndefined();
    expect(elsewhere?.['collection-notice']).toEqual([at9(addDays(due, 1))]);
    expect(elsewhere?.['visit-task']).toBeUndefined();
    for (const { h } of started) await pay(h, 'P-1', AMOUNT, addDays(due, 1));
    await Promise.all(started.map(({ h }) => h.result()));
  });

  it('a full payment an hour before the +15 step cancels it', async () => {
    const { h, due, counterpartyId } = await issued();
    await bench.advanceTo(instantOf(addDays(due, 15), 8));
    expect((await bench.state(h)).stage).toBe('second-notice');
    await pay(h, 'P-1', AMOUNT, addDays(due, 15));
    await h.result();
    await bench.advanceTo(instantOf(addDays(due, 16), 12));
    const t = await bench.activityTimes(h);
    expect(t['warning-letter']).toBeUndefined();
    expect(t.stopSupply).toBeUndefined();
    const blocks = await bench.pool.query('SELECT 1 FROM supply_blocks WHERE counterparty_id = $1', [
      counterpartyId,
    ]);
    expect(blocks.rowCount).toBe(0);
    await saveHistory('payment-an-hour-before-step', h);
  });

  it('a dispute pauses escalation; ending it resumes where it stood', async () => {
    const { h, due } = await issued();
    await bench.advanceTo(instantOf(addDays(due, 3), 10));
    await h.executeUpdate(recordValidReason, {
      args: [{ kind: 'dispute', reason: 'goods damaged', actor: testActor('finance') }],
    });
    await bench.advanceTo(instantOf(addDays(due, 20), 10));
    expect((await bench.activityTimes(h))['second-notice']).toBeUndefined();
    await h.executeUpdate(endValidReason, {
      args: [{ actor: testActor('finance'), note: 'dispute settled' }],
    });
    const resumed = await bench.state(h);
    // Paused from due+3 to due+20: 17 days. The +7 step now falls on due+24.
    expect(resumed.pausedDays).toBe(17);
    await bench.advanceTo(instantOf(addDays(due, 23), 23));
    expect((await bench.activityTimes(h))['second-notice']).toBeUndefined();
    await bench.advanceTo(instantOf(addDays(due, 24), 12));
    expect((await bench.activityTimes(h))['second-notice']).toEqual([at9(addDays(due, 24))]);
    await pay(h, 'P-1', AMOUNT, addDays(due, 24));
    await h.result();
    await saveHistory('dispute-pauses-and-resumes', h);
  });

  it('a broken promise to pay resumes escalation the day after the promised date', async () => {
    const { h, due } = await issued();
    await bench.advanceTo(instantOf(addDays(due, 2), 10));
    await h.executeUpdate(recordValidReason, {
      args: [
        {
          kind: 'promise',
          promisedBy: addDays(due, 10),
          reason: 'pays after month end',
          actor: testActor('finance'),
        },
      ],
    });
    await bench.advanceTo(instantOf(addDays(due, 11), 12));
    const s = await bench.state(h);
    // Promise recorded due+2, broken on due+11 (09:00): 9 paused days; +7 moves to due+16.
    expect(s.validReason).toBeNull();
    expect(s.pausedDays).toBe(9);
    await bench.advanceTo(instantOf(addDays(due, 16), 12));
    expect((await bench.activityTimes(h))['second-notice']).toEqual([at9(addDays(due, 16))]);
    await pay(h, 'P-1', AMOUNT, addDays(due, 16));
    await h.result();
  });

  it('an agreed extension moves the whole timeline to the new due date', async () => {
    const { h, due } = await issued();
    await bench.advanceTo(instantOf(addDays(due, -10), 10));
    const newDue = addDays(due, 20);
    await h.executeUpdate(recordValidReason, {
      args: [
        { kind: 'extension', newDueDate: newDue, reason: 'seasonal cash flow', actor: testActor('finance') },
      ],
    });
    expect((await bench.state(h)).dueDate).toBe(newDue);
    await bench.advanceTo(instantOf(addDays(newDue, 1), 12));
    const t = await bench.activityTimes(h);
    expect(t.reminder).toEqual([at9(addDays(newDue, -7))]);
    expect(t['collection-notice']).toEqual([at9(addDays(newDue, 1))]);
    await pay(h, 'P-1', AMOUNT, addDays(newDue, 1));
    await h.result();
    await saveHistory('extension-moves-timeline', h);
  });

  it('many partial payments continue the workflow as new, carrying the state', async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const h = await bench.start(
      { counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: TERM },
      { continueAsNewAfterEvents: 60 },
    );
    const s = await bench.approve(h, AMOUNT, TERM);
    const paidOn = addDays(s.issueDate as string, 12);
    await bench.advanceTo(instantOf(paidOn, 10));
    for (let i = 1; i <= 12; i++) {
      const r = await pay(h, `P-${i}`, 10_000, paidOn);
      expect(r.outstandingMinor).toBe(AMOUNT - i * 10_000);
    }
    const latest = await h.describe();
    expect(latest.runId).not.toBe(h.firstExecutionRunId);
    const carried = await bench.state(h);
    expect(carried).toMatchObject({
      paidMinor: 120_000,
      outstandingMinor: AMOUNT - 120_000,
      stage: 'issued',
      dueDate: s.dueDate,
    });
    expect(carried.paymentIds).toHaveLength(12);
    // A retried payment from before the new run is still recognised and answers as it first did;
    // the same id with another amount is another payment: refused, naming paymentId.
    expect(await pay(h, 'P-3', 10_000, paidOn)).toEqual({
      paymentId: 'P-3',
      outstandingMinor: AMOUNT - 30_000,
      discountMinor: 0,
      settled: false,
      duplicate: true,
    });
    await expectRefused(
      pay(h, 'P-3', 10_001, paidOn),
      /^paymentId: P-3 was already applied with amountMinor 10000/,
    );
    await pay(h, 'P-last', AMOUNT - 120_000, paidOn);
    expect((await h.result()).stage).toBe('paid');
    // The carried run keeps its first run's way: no memo, its summary line is its current details.
    const events = (await h.fetchHistory()).events ?? [];
    expect(events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
    expect(events.some((e) => e.workflowPropertiesModifiedEventAttributes)).toBe(false);
    await saveHistory('carried-on-without-memo', h);
  });
});
