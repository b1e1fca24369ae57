/**
 * Application and approval on the time-skipping server: automatic checks, the
 * two departments' votes (Updates with validators), rejection, and the deadline
 * that hands the decision to a manager.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { localDateTime } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { previousQuarter as previousQuarterOf, quarterMonths, quarterOf } from '../../domain/rating-cycle.js';
import { getReceivable } from '../../workflows/receivable/contract.js';
import { testActor } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { saveHistory } from '../support/histories.js';
import {
  approvalBy,
  decide,
  expectRefused,
  pay,
  type ReceivableBench,
  receivableBenchPerFile,
  rejectionBy,
  TZ,
} from '../support/receivable-env.js';

const bench = receivableBenchPerFile();

async function application(over: Parameters<ReceivableBench['seedDealer']>[0] = {}, salesLimit?: number) {
  const counterpartyId = await bench.seedDealer(over);
  const salespersonId = await bench.seedSalesperson(
    salesLimit === undefined ? {} : { creditLimitMinor: salesLimit },
  );
  return bench.start({ counterpartyId, salespersonId, amountMinor: 500_000, termDays: 30 });
}

async function acceptedUpdates(h: WorkflowHandle): Promise<string[]> {
  const history = await h.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)
    .filter((n): n is string => Boolean(n));
}

describe('credit application approval', () => {
  it('marketing rejects with a reason: the application ends rejected', async () => {
    const h = await application();
    await decide(h, approvalBy('finance', 'fin', 500_000, 30));
    const s = await decide(h, rejectionBy('marketing', 'mkt', 'region saturated'));
    expect(s).toMatchObject({ stage: 'rejected', rejectionReason: 'region saturated', dueDate: null });
    expect((await h.result()).stage).toBe('rejected');
    await saveHistory('rejected-by-marketing', h);
    await saveHistory('rejected-by-marketing-in-two-activities', h);
    await saveHistory('rejected-by-marketing-snapshot-at-filing', h);
  });

  it('an application is recorded, checked and put to the approvers in two activities, each record with its notice', async () => {
    const h = await application();
    const s = await decide(h, rejectionBy('finance', 'fin', 'limit exhausted'));
    await h.result();
    const events = (await h.fetchHistory()).events ?? [];
    const activities = events
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((n): n is string => Boolean(n));
    // Filed and checked; checks recorded and approvers asked; the vote; the rejection told.
    expect(activities).toEqual([
      'fileAndCheckReceivable',
      'recordAndNotify',
      'recordReceivableEvent',
      'recordAndNotify',
    ]);
    // Each part still happens once, under its own key: the records and two e-mails. The vote's
    // record and the checks' run side by side (the vote waits only for the checks' outcome), so
    // their order in the credit record is not fixed.
    const records = await bench.pool.query(
      "SELECT event_type FROM credit_records WHERE subject_type = 'receivable' AND subject_id = $1",
      [s.receivableId],
    );
    expect(records.rows.map((r) => r.event_type).sort()).toEqual(
      ['application-filed', 'automatic-checks-done', 'decision-finance', 'application-rejected'].sort(),
    );
    const keys = (await bench.mailsFor(s.receivableId)).map((m) => m.effectKey);
    expect(keys.sort()).toEqual([
      `${s.receivableId}:application-decision`,
      `${s.receivableId}:approval-request`,
    ]);
  });

  it('an approved receivable is issued in one activity: its record, the decision to the salesperson, the terms to the debtor', async () => {
    const h = await application();
    await decide(h, approvalBy('finance', 'fin', 500_000, 30));
    const s = await decide(h, {
      department: 'marketing',
      approve: true,
      actor: testActor('marketing', 'mkt'),
    });
    expect(s).toMatchObject({ stage: 'issued', approvedMinor: 500_000, outstandingMinor: 500_000 });
    // Paid at once: the run ends only after its issue's activity completed.
    await pay(h, 'P-1', 495_000, await bench.today()); // inside the discount window: 1 % off
    await h.result();
    const events = (await h.fetchHistory()).events ?? [];
    const activities = events
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((n): n is string => Boolean(n));
    // Up to the issue (the payment's activities follow it); no activity of the parts on its own.
    expect(activities.slice(0, 5)).toEqual([
      'fileAndCheckReceivable',
      'recordAndNotify',
      'recordReceivableEvent',
      'recordReceivableEvent',
      'issueReceivable',
    ]);
    expect(activities).not.toContain('notifyApplicationDecision');
    expect(activities).not.toContain('sendCreditTerms');
    // The three parts, each once: its record, the salesperson's notice, the debtor's terms.
    const records = await bench.pool.query(
      "SELECT event_type FROM credit_records WHERE subject_type = 'receivable' AND subject_id = $1 AND event_type = 'receivable-issued'",
      [s.receivableId],
    );
    expect(records.rowCount).toBe(1);
    const keys = (await bench.mailsFor(s.receivableId)).map((m) => m.effectKey);
    expect(
      keys.filter((k) => k?.endsWith(':application-decision') || k?.endsWith(':credit-terms')).sort(),
    ).toEqual([`${s.receivableId}:application-decision`, `${s.receivableId}:credit-terms`]);
  });

  it("a new receivable is filed with its first snapshot and its checks: the checks' record carries only the stage and the deadline, and no memo is written", async () => {
    const h = await application();
    const { receivableId } = await bench.state(h);
    const snapshot = async () =>
      (await bench.pool.query('SELECT state FROM receivables WHERE id = $1', [receivableId])).rows[0]?.state;
    await eventually(snapshot, (s) => s?.stage === 'awaiting-approval', "the checks' record");
    // The snapshot is the run's state: the filing's with its checks, laid under the checks' record.
    const state = await bench.state(h);
    expect(await snapshot()).toEqual(state);
    const events = (await h.fetchHistory()).events ?? [];
    // The filing says it laid the checks over its snapshot; the state keeps the checks alone.
    const filing = events.find((e) => e.activityTaskCompletedEventAttributes)
      ?.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    if (!filing) throw new Error('the filing did not complete');
    const filed = defaultPayloadConverter.fromPayload<Record<string, unknown>>(filing);
    expect(filed.checksInSnapshot).toBe(true);
    expect(state.checks).not.toHaveProperty('checksInSnapshot');
    expect(state.checks).toEqual(
      Object.fromEntries(Object.entries(filed).filter(([k]) => k !== 'checksInSnapshot')),
    );
    const checksRecord = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordAndNotify',
    )?.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
    if (!checksRecord) throw new Error("no checks' record scheduled");
    const { changes } = defaultPayloadConverter.fromPayload<{ changes: { changed: object } }>(checksRecord);
    expect(Object.keys(changes.changed).sort()).toEqual(['approvalDeadline', 'stage']);
    // The summary line is the run's current details, which the history does not keep.
    expect(events.some((e) => e.workflowPropertiesModifiedEventAttributes)).toBe(false);
    const metadata = await h.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    const debtor = state.checks?.counterparty;
    expect(metadata.currentDetails).toBe(
      `Receivable ${receivableId} · ${debtor?.name} (${debtor?.id}) · ¥0.00 outstanding · requested 30 days · stage awaiting-approval`,
    );
  });

  it('finance rejects: marketing is not needed', async () => {
    const h = await application();
    const s = await decide(h, rejectionBy('finance', 'fin', 'limit exhausted'));
    expect(s).toMatchObject({ stage: 'rejected', rejectionReason: 'limit exhausted' });
    await h.result();
  });

  it('refused votes leave no trace in history', async () => {
    const h = await application();
    await decide(h, approvalBy('finance', 'fin', 500_000, 30));
    await expectRefused(decide(h, rejectionBy('finance', 'fin2', 'x')), /finance has already decided/);
    await expectRefused(
      // An unknown department, as a client might send it (`never` gets it past the type).
      decide(h, { department: 'sales' as never, approve: true, actor: testActor('sales', 's') }),
      /department: unknown department 'sales'/,
    );
    await expectRefused(
      decide(h, { department: 'manager', approve: true, actor: testActor('manager', 'boss') }),
      /a manager decides only once the approval deadline has passed/,
    );
    await expectRefused(decide(h, approvalBy('finance', 'x', 900_000, 30)), /finance has already decided/);
    await decide(h, rejectionBy('marketing', 'mkt', 'no'));
    await expectRefused(
      decide(h, { department: 'marketing', approve: true, actor: testActor('marketing', 'mkt') }),
      /not awaiting a decision \(stage rejected\)/,
    );
    expect(await acceptedUpdates(h)).toEqual(['decideApplication', 'decideApplication']);
  });

  it('finance must fix an amount within the application and a term', async () => {
    const h = await application();
    await expectRefused(
      decide(h, { department: 'finance', approve: true, actor: testActor('finance', 'fin') }),
      /^approvedAmountMinor: finance fixes the approved amount/,
    );
    await expectRefused(
      decide(h, approvalBy('finance', 'fin', 500_001, 30)),
      /^approvedAmountMinor: 500001 exceeds the 500000 applied for/,
    );
    await decide(h, rejectionBy('finance', 'fin', 'done'));
    await h.result();
  });

  it('no decision within 3 days: a manager is asked and decides', async () => {
    const h = await application();
    await decide(h, { department: 'marketing', approve: true, actor: testActor('marketing', 'mkt') });
    const filed = await bench.now();
    await bench.advanceTo(filed + 3 * 86_400_000 + 60_000);
    const s = await h.query(getReceivable);
    expect(s.stage).toBe('manager-review');
    const times = await bench.activityTimes(h);
    expect(times.escalateApprovalToManager).toEqual([
      localDateTime(Date.parse(s.approvalDeadline ?? ''), TZ),
    ]);
    const decided = await decide(h, approvalBy('manager', 'boss', 400_000, 20));
    expect(decided).toMatchObject({
      stage: 'issued',
      approvedMinor: 400_000,
      approvedTermDays: 20,
      outstandingMinor: 400_000,
    });
    await pay(h, 'P-1', 396_000, await bench.today()); // inside the discount window: 1 % off
    await h.result();
    await saveHistory('approval-deadline-to-manager', h);
    await saveHistory('approval-deadline-to-manager-in-two-activities', h);
  });

  it('after the deadline, by default only the manager decides: a late finance and marketing pair is refused', async () => {
    const h = await application();
    await bench.advanceTo((await bench.now()) + 3 * 86_400_000 + 60_000);
    expect((await h.query(getReceivable)).stage).toBe('manager-review');
    await expectRefused(
      decide(h, approvalBy('finance', 'fin', 500_000, 30)),
      /the approval deadline has passed: a manager decides/,
    );
    await expectRefused(
      decide(h, { department: 'marketing', approve: true, actor: testActor('marketing', 'mkt') }),
      /the approval deadline has passed: a manager decides/,
    );
    expect((await h.query(getReceivable)).stage).toBe('manager-review');
    const decided = await decide(h, rejectionBy('manager', 'boss', 'not this quarter'));
    expect(decided).toMatchObject({ stage: 'rejected', rejectionReason: 'not this quarter' });
    expect(await acceptedUpdates(h)).toEqual(['decideApplication']);
  });

  it('with the policy choice lateVotesCount, a late finance and marketing pair still issues it', async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties();
    const policy = { ...DEFAULT_POLICY, receivable: { ...DEFAULT_POLICY.receivable, lateVotesCount: true } };
    const h = await bench.start(
      { counterpartyId, salespersonId, amountMinor: 500_000, termDays: 30 },
      { policy },
    );
    await bench.advanceTo((await bench.now()) + 3 * 86_400_000 + 60_000);
    expect((await h.query(getReceivable)).stage).toBe('manager-review');
    const s = await bench.approve(h, 500_000, 30);
    expect(s).toMatchObject({ stage: 'issued', approvedMinor: 500_000 });
    await pay(h, 'P-1', 500_000, await bench.today());
    await h.result();
  });

  it.each<
    [string, Parameters<ReceivableBench['seedDealer']>[0] & { joinedOn?: string }, number | undefined, RegExp]
  >([
    [
      'a class D customer',
      { kind: 'customer' as const, creditGrade: null, customerClass: 'D' },
      undefined,
      /class D: cash or prepayment only/,
    ],
    [
      'a dealer in its first quarter',
      { joinedOn: '' },
      undefined,
      /new dealer: no credit in the first quarter/,
    ],
    [
      'a second-quarter dealer graded BC',
      { joinedOn: 'previous-quarter', creditGrade: 'BC' },
      undefined,
      /second quarter only AA, AB, BA and BB/,
    ],
    ['a salesperson at 100 % of the limit', {}, 0, /reached 100 % of the receivables limit/],
  ])('%s is rejected at once by the automatic checks', async (_name, over, salesLimit, reason) => {
    const today = await bench.today();
    const joined =
      over.joinedOn === ''
        ? today
        : over.joinedOn === 'previous-quarter'
          ? previousQuarter(today)
          : undefined;
    const h = await application({ ...over, ...(joined ? { joinedOn: joined } : {}) }, salesLimit);
    const final = await h.result();
    expect(final.stage).toBe('rejected');
    expect(final.rejectionReason).toMatch(reason);
    expect(await acceptedUpdates(h)).toEqual([]);
  });

  it('the check recommends rejection when the amount exceeds the available limit', async () => {
    const h = await application({ creditLimitMinor: 300_000 });
    await bench.advanceTo((await bench.now()) + 60_000);
    const s = await h.query(getReceivable);
    expect(s.stage).toBe('awaiting-approval');
    expect(s.checks).toMatchObject({ recommendation: 'reject', availableMinor: 300_000 });
    await decide(h, rejectionBy('finance', 'fin', 'over limit'));
    await h.result();
  });
});

/** The 15th of the first month of the quarter before `today`'s. */
function previousQuarter(today: string): string {
  return `${quarterMonths(previousQuarterOf(quarterOf(today)))[0]}-15`;
}
