/**
 * Timeline steps fire on working days (docs/calendar.md): across Spring Festival and National
 * Day 2026 (China's official calendar from chinese-days: 春节 2026-02-15…23 with make-up
 * Saturdays 02-14 and 02-28; 国庆 2026-10-01…07 with make-up Sunday 09-20 and Saturday 10-10;
 * 中秋 09-25…27), and in 2027, a year without holiday data (weekends only, with a warning).
 * The test server's clock starts on Monday 2026-01-05 (those holidays lie behind today's date)
 * and only moves forward: the tests run in order.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { instantAt } from '../../domain/calendar.js';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import type { CalendarPolicy } from '../../domain/working-days.js';
import { eventually } from '../support/eventually.js';
import { saveHistory } from '../support/histories.js';
import { at9, instantOf, pay, receivableBenchPerFile, TZ } from '../support/receivable-env.js';

const bench = receivableBenchPerFile({ startAt: instantAt('2026-01-05', 10, TZ) });

const AMOUNT = 1_000_000;

const policyWith = (version: string, calendar: CalendarPolicy): Policy => ({
  ...DEFAULT_POLICY,
  version,
  calendar,
});
const CN_NEXT = policyWith('calendar-cn-next', { registry: 'CN', nonWorkingDay: 'next', entries: [] });

async function issuedFor(policy: Policy, termDays: number) {
  const { counterpartyId, salespersonId } = await bench.seedParties({ region: 'Hangzhou' });
  const h = await bench.start({ counterpartyId, salespersonId, amountMinor: AMOUNT, termDays }, { policy });
  const state = await bench.approve(h, AMOUNT, termDays);
  if (!state.dueDate) throw new Error('not issued');
  return { h, id: state.receivableId, due: state.dueDate };
}

/**
 * Pays in full and waits until the workflow has closed, without `result()`: awaiting a result
 * lets the test server skip time, and with nothing else to wait for, it skips to a timer years
 * ahead (the clock of this file must stay on the dates its tests name).
 */
async function settle(h: WorkflowHandle, paymentId: string) {
  expect(await pay(h, paymentId, AMOUNT, await bench.today())).toMatchObject({ settled: true });
  await eventually(
    async () => (await h.describe()).status.name,
    (s) => s === 'COMPLETED',
    'the receivable workflow to complete',
  );
}

/** When the first `n` timeline steps fired: each step queues its correspondence once, as it fires. */
async function firings(h: WorkflowHandle, n: number): Promise<string[] | undefined> {
  // A step is one activity in a lean run, its correspondence activity in a run from before.
  const times = await bench.activityTimes(h);
  return (times.takeTimelineStep ?? times.queueStepCorrespondence)?.slice(0, n);
}

async function stepRecord(id: string, step: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await bench.pool.query<{ payload: Record<string, unknown> }>(
    'SELECT payload FROM credit_records WHERE subject_id = $1 AND event_type = $2',
    [id, `step-${step}`],
  );
  return rows[0]?.payload;
}

describe('timeline steps on working days', () => {
  it('Spring Festival 2026: a step on a make-up Saturday fires that Saturday; steps in the holiday wait for the next working day', async () => {
    expect(await bench.today()).toBe('2026-01-05');
    // Due Saturday 2026-02-21 (a holiday): the due date itself stays.
    const r = await issuedFor(CN_NEXT, 47);
    expect(r.due).toBe('2026-02-21');
    await bench.advanceTo(instantOf('2026-03-10', 12));
    expect(await firings(r.h, 4)).toEqual([
      at9('2026-02-14'), // due−7 = Sat 02-14, a make-up working day (调休): it fires
      at9('2026-02-24'), // due+1 = Sun 02-22, 春节: the next working day is Tue 02-24
      at9('2026-02-28'), // +7 = Sat 02-28, a make-up working day: it fires
      at9('2026-03-09'), // +15 = Sun 03-08, an ordinary weekend: Monday 03-09
    ]);
    expect((await bench.activityTimes(r.h)).handOverToCreditDesk).toEqual([at9('2026-03-09')]);
    const state = await bench.state(r.h);
    expect(state.dueDate).toBe('2026-02-21');
    // Days overdue count calendar days from the due date that never moved.
    expect(await stepRecord(r.id, 'dueCheck')).toMatchObject({
      daysOverdue: 3,
      plannedDay: '2026-02-22',
      firedOn: '2026-02-24',
      notAWorkingDay: '春节 Spring Festival',
    });
    expect(await stepRecord(r.id, 'reminder')).toMatchObject({
      plannedDay: '2026-02-14',
      firedOn: '2026-02-14',
    });
    expect((await stepRecord(r.id, 'reminder'))?.notAWorkingDay).toBeUndefined();
    expect(state.workingDays?.['2026-02-22']).toEqual({ date: '2026-02-24', why: '春节 Spring Festival' });
    await settle(r.h, 'P-sf');
    await saveHistory('spring-festival-working-days', r.h);
  });

  it('National Day 2026: next, previous and as-is, and the make-up Saturday 10-10', async () => {
    await bench.advanceTo(instantOf('2026-08-03', 10)); // a Monday
    // Due Saturday 2026-10-03 (国庆) under three rules.
    const next = await issuedFor(CN_NEXT, 61);
    const previous = await issuedFor(
      policyWith('calendar-cn-previous', { registry: 'CN', nonWorkingDay: 'previous', entries: [] }),
      61,
    );
    const asIs = await issuedFor(
      policyWith('calendar-cn-as-is', { registry: 'CN', nonWorkingDay: 'as-is', entries: [] }),
      61,
    );
    expect([next.due, previous.due, asIs.due]).toEqual(['2026-10-03', '2026-10-03', '2026-10-03']);
    await bench.advanceTo(instantOf('2026-10-12', 12));

    expect(await firings(next.h, 3)).toEqual([
      at9('2026-09-28'), // Sat 09-26 中秋 → Mon 09-28
      at9('2026-10-08'), // Sun 10-04 国庆 → Thu 10-08
      at9('2026-10-10'), // the make-up Saturday
    ]);
    expect(await stepRecord(next.id, 'dueCheck')).toMatchObject({
      daysOverdue: 5,
      notAWorkingDay: '国庆节 National Day',
    });

    expect(await firings(previous.h, 3)).toEqual([
      at9('2026-09-24'), // Sat 09-26 → Thu 09-24 (Fri 09-25 is 中秋)
      at9('2026-09-30'), // Sun 10-04 → Wed 09-30, before the due date
      at9('2026-10-10'),
    ]);

    expect(await firings(asIs.h, 3)).toEqual([at9('2026-09-26'), at9('2026-10-04'), at9('2026-10-10')]);

    for (const r of [next, previous, asIs]) await settle(r.h, `P-nd-${r.id}`);
  });

  it('2027 has no holiday data: weekends only, with a warning, unless the company enters the days', async () => {
    await bench.advanceTo(instantOf('2027-08-02', 10)); // a Monday
    // Due Thursday 2027-09-30: due+1 is Friday 2027-10-01, an ordinary weekday without data.
    const bare = await issuedFor(CN_NEXT, 59);
    // Due Friday 2027-10-01: due+1 is Saturday 10-02, a weekend: Monday 10-04.
    const weekend = await issuedFor(CN_NEXT, 60);
    // The company entered National Day 2027 itself.
    const entered = await issuedFor(
      policyWith('calendar-cn-2027-entries', {
        registry: 'CN',
        nonWorkingDay: 'next',
        entries: ['01', '02', '03', '04', '05', '06', '07'].map((d) => ({
          date: `2027-10-${d}`,
          kind: 'holiday' as const,
          name: '国庆节 2027',
        })),
      }),
      59,
    );
    expect([bare.due, weekend.due, entered.due]).toEqual(['2027-09-30', '2027-10-01', '2027-09-30']);
    await bench.advanceTo(instantOf('2027-10-09', 12));

    expect(await firings(bare.h, 2)).toEqual([at9('2027-09-23'), at9('2027-10-01')]);
    const bareRecord = await stepRecord(bare.id, 'dueCheck');
    expect(bareRecord).toMatchObject({ plannedDay: '2027-10-01', firedOn: '2027-10-01' });
    expect(bareRecord?.calendarWarning).toMatch(/^no holiday data for 2027/);

    expect(await firings(weekend.h, 2)).toEqual([at9('2027-09-24'), at9('2027-10-04')]);
    expect(await stepRecord(weekend.id, 'dueCheck')).toMatchObject({
      notAWorkingDay: 'weekend',
      calendarWarning: expect.stringMatching(/^no holiday data for 2027/),
    });

    expect(await firings(entered.h, 2)).toEqual([at9('2027-09-23'), at9('2027-10-08')]);
    const enteredRecord = await stepRecord(entered.id, 'dueCheck');
    expect(enteredRecord).toMatchObject({ firedOn: '2027-10-08', notAWorkingDay: '国庆节 2027' });
    expect(enteredRecord?.calendarWarning).toBeUndefined();

    for (const r of [bare, weekend, entered]) await settle(r.h, `P-27-${r.id}`);
  });
});
