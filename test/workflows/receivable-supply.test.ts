/**
 * Counterparty-wide effects and restarts: two receivables of one dealer stop
 * supply at +15 and supply resumes only when both are paid; a worker replaced
 * mid-timeline sends nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { systemActor } from '../../domain/actor.js';
import { addDays } from '../../domain/calendar.js';
import { recordValidReason } from '../../workflows/receivable/contract.js';
import { testActor } from '../support/actors.js';
import { saveHistory } from '../support/histories.js';
import { at9, instantOf, pay, receivableBenchPerFile } from '../support/receivable-env.js';

const bench = receivableBenchPerFile();

const AMOUNT = 800_000;

/** Two receivables of one dealer graded AB, both issued (30 days) on the same day. */
async function twoIssuedToOneDealer() {
  const { counterpartyId, salespersonId } = await bench.seedParties({ creditGrade: 'AB' });
  const first = await bench.start({ counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: 30 });
  const second = await bench.start({ counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: 30 });
  const [a, b] = await Promise.all([bench.approve(first, AMOUNT, 30), bench.approve(second, AMOUNT, 30)]);
  return { counterpartyId, first, second, a, b, due: a.dueDate as string };
}

/** The sources of the dealer's supply blocks, sorted. */
const supplyBlocks = async (counterpartyId: string): Promise<string[]> =>
  (
    await bench.pool.query('SELECT source FROM supply_blocks WHERE counterparty_id = $1 ORDER BY source', [
      counterpartyId,
    ])
  ).rows.map((r) => r.source);

describe('supply stop and restarts', () => {
  it('supply stops at +15 and resumes only when no receivable of the dealer is 15+ days overdue', async () => {
    const { counterpartyId, first, second, a, b, due } = await twoIssuedToOneDealer();
    expect(b.dueDate).toBe(due);

    await bench.advanceTo(instantOf(addDays(due, 16), 12));
    const blocks = () => supplyBlocks(counterpartyId);
    expect(await blocks()).toEqual([a.receivableId, b.receivableId].sort());
    expect((await bench.activityTimes(first)).stopSupply).toEqual([at9(addDays(due, 15))]);
    expect((await bench.activityTimes(second)).stopSupply).toEqual([at9(addDays(due, 15))]);
    // One episode, one downgrade: AB → BA, not two steps.
    const grade = await bench.pool.query('SELECT credit_grade FROM counterparties WHERE id = $1', [
      counterpartyId,
    ]);
    expect(grade.rows[0].credit_grade).toBe('BA');

    const paidOn = addDays(due, 16);
    await pay(first, 'P-a', AMOUNT, paidOn);
    await first.result();
    expect(await blocks()).toEqual([b.receivableId]);
    await pay(second, 'P-b', AMOUNT, paidOn);
    await second.result();
    expect(await blocks()).toEqual([]);

    const mails = [...(await bench.mailsFor(a.receivableId)), ...(await bench.mailsFor(b.receivableId))];
    expect(mails.filter((m) => m.effectKey?.endsWith(':supply-stopped'))).toHaveLength(1);
    expect(mails.filter((m) => m.effectKey?.endsWith(':supply-resumed'))).toHaveLength(1);
    expect(mails.find((m) => m.effectKey?.endsWith(':supply-resumed'))?.effectKey).toBe(
      `${b.receivableId}:supply-resumed`,
    );
    await saveHistory('supply-stop-and-resume', second);
  });

  it('an extension agreed at +16 lifts the supply block and re-plans the timeline from the new due date', async () => {
    const { counterpartyId, first, second, a, b, due } = await twoIssuedToOneDealer();
    const blocks = () => supplyBlocks(counterpartyId);
    await bench.advanceTo(instantOf(addDays(due, 16), 10));
    expect(await blocks()).toEqual([a.receivableId, b.receivableId].sort());

    // On due+16 finance agrees a new due date 14 days ahead for the first receivable.
    const newDue = addDays(due, 30);
    await first.executeUpdate(recordValidReason, {
      args: [
        { kind: 'extension', newDueDate: newDue, reason: 'agreed instalment', actor: testActor('finance') },
      ],
    });
    const extended = await bench.state(first);
    // No longer 15+ days overdue: its block goes, and it stands where the new due date puts
    // it — before the reminder, with the salesperson. The second receivable still stops supply.
    expect(extended).toMatchObject({
      dueDate: newDue,
      supplyStopped: false,
      stage: 'issued',
      owner: 'salesperson',
      stepsTaken: [],
      timelineRound: 1,
    });
    expect(await blocks()).toEqual([b.receivableId]);
    await pay(second, 'P-b', AMOUNT, addDays(due, 16));
    await second.result();
    expect(await blocks()).toEqual([]);
    const profile = await bench.pool.query(
      'SELECT EXISTS (SELECT 1 FROM supply_blocks WHERE counterparty_id = $1) AS stopped',
      [counterpartyId],
    );
    expect(profile.rows[0].stopped).toBe(false);

    // The timeline runs again from the new due date: each step on its new day, once more.
    await bench.advanceTo(instantOf(addDays(newDue, 16), 12));
    const t = await bench.activityTimes(first);
    expect(t.reminder).toEqual([at9(addDays(due, -7)), at9(addDays(newDue, -7))]);
    expect(t['collection-notice']).toEqual([at9(addDays(due, 1)), at9(addDays(newDue, 1))]);
    expect(t['second-notice']).toEqual([at9(addDays(due, 7)), at9(addDays(newDue, 7))]);
    expect(t.stopSupply).toEqual([at9(addDays(due, 15)), at9(addDays(newDue, 15))]);
    const again = await bench.state(first);
    expect(again).toMatchObject({ stage: 'credit-desk', owner: 'credit-desk', supplyStopped: true });
    // Broken again: supply stops again, a new episode (the grade falls a second step: AB → BA → BB).
    expect(await blocks()).toEqual([a.receivableId]);
    const grade = await bench.pool.query('SELECT credit_grade FROM counterparties WHERE id = $1', [
      counterpartyId,
    ]);
    expect(grade.rows[0].credit_grade).toBe('BB');
    const keys = (await bench.mailsFor(a.receivableId)).map((m) => m.effectKey);
    for (const step of ['reminder', 'collection-notice', 'second-notice', 'warning-letter']) {
      expect(keys.filter((k) => k === `${a.receivableId}:${step}`)).toHaveLength(1);
      expect(keys.filter((k) => k === `${a.receivableId}:${step}#1`)).toHaveLength(1);
    }
    await pay(first, 'P-a', AMOUNT, addDays(newDue, 16));
    await first.result();
    expect(await blocks()).toEqual([]);
    const events = await bench.pool.query(
      "SELECT event_type, payload FROM credit_records WHERE subject_type = 'receivable' AND subject_id = $1 AND event_type = 'timeline-replanned'",
      [a.receivableId],
    );
    expect(events.rows[0]?.payload).toMatchObject({
      dueDate: newDue,
      plannedAgain: ['reminder', 'dueCheck', 'secondNotice', 'warning'],
      supplyLifted: true,
    });
    await saveHistory('extension-lifts-supply-and-replans', first);
  });

  it('a worker replaced mid-timeline sends nothing twice', async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const h = await bench.start({ counterpartyId, salespersonId, amountMinor: AMOUNT, termDays: 30 });
    const s = await bench.approve(h, AMOUNT, 30);
    const due = s.dueDate as string;
    await bench.advanceTo(instantOf(addDays(due, 2), 12));
    await bench.replaceWorker();
    await bench.advanceTo(instantOf(addDays(due, 8), 12));
    await bench.replaceWorker();
    await bench.advanceTo(instantOf(addDays(due, 16), 12));

    const t = await bench.activityTimes(h);
    expect(t.reminder).toEqual([at9(addDays(due, -7))]);
    expect(t['collection-notice']).toEqual([at9(addDays(due, 1))]);
    expect(t['second-notice']).toEqual([at9(addDays(due, 7))]);
    expect(t['warning-letter']).toEqual([at9(addDays(due, 15))]);
    const keys = (await bench.mailsFor(s.receivableId)).map((m) => m.effectKey);
    expect(keys).toEqual([...new Set(keys)]);
    for (const step of ['reminder', 'collection-notice', 'second-notice', 'warning-letter']) {
      expect(keys).toContain(`${s.receivableId}:${step}`);
    }
    await pay(h, 'P-1', AMOUNT, addDays(due, 16));
    await h.result();
    await saveHistory('worker-replaced-mid-timeline', h);
  });

  it('+30 above the litigation threshold: unconfirmed by the deadline, the policy default proceeds', async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const big = 6_000_000; // ¥60,000.00 ≥ the ¥50,000.00 litigation threshold
    const h = await bench.start({ counterpartyId, salespersonId, amountMinor: big, termDays: 30 });
    const s = await bench.approve(h, big, 30);
    const due = s.dueDate as string;
    await bench.advanceTo(instantOf(addDays(due, 30), 12));
    const review = await bench.state(h);
    expect(review.stage).toBe('legal-review');
    expect(review.legal).toMatchObject({
      terminateCooperation: true,
      litigation: true,
      outstandingMinor: big,
    });
    // The manager has 5 days: nothing happens on day 4, the default applies on day 5.
    await bench.advanceTo(instantOf(addDays(due, 34), 12));
    expect((await bench.state(h)).stage).toBe('legal-review');
    await bench.advanceTo(instantOf(addDays(due, 35), 12));
    const after = await bench.state(h);
    expect(after.stage).toBe('legal');
    // Nobody decided: the record names the system at the deadline, not a person.
    expect(after.legal).toMatchObject({ confirmed: true, actor: systemActor('legal-confirmation-deadline') });
    const decided = await bench.pool.query(
      `SELECT source, payload FROM credit_records WHERE subject_id = $1 AND event_type = 'legal-escalation-confirmed'`,
      [s.receivableId],
    );
    expect(decided.rows).toEqual([
      expect.objectContaining({
        source: 'system:legal-confirmation-deadline',
        payload: expect.objectContaining({ actor: systemActor('legal-confirmation-deadline') }),
      }),
    ]);
    const task = await bench.pool.query('SELECT status, detail FROM tasks WHERE key = $1', [
      `${s.receivableId}:legal-confirmation`,
    ]);
    expect(task.rows[0]).toMatchObject({
      status: 'done',
      detail: { doneBy: systemActor('legal-confirmation-deadline') },
    });
    expect((await bench.activityTimes(h)).startLegalAction).toEqual([at9(addDays(due, 35))]);
    const blocks = await bench.pool.query(
      'SELECT source FROM supply_blocks WHERE counterparty_id = $1 ORDER BY source',
      [counterpartyId],
    );
    expect(blocks.rows.map((r) => r.source)).toEqual([s.receivableId, `terminated:${s.receivableId}`]);
    await pay(h, 'P-1', big, addDays(due, 35));
    await h.result();
    // Paid in full: its overdue block goes; the termination stays until a manager lifts it.
    const left = await bench.pool.query('SELECT source FROM supply_blocks WHERE counterparty_id = $1', [
      counterpartyId,
    ]);
    expect(left.rows.map((r) => r.source)).toEqual([`terminated:${s.receivableId}`]);
  });
});
