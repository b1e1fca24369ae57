/**
 * The receivable workflow's pure rules (workflows/receivable/rules.ts), tested directly:
 * payments in the discount window, payment conflicts, the local/elsewhere debtor, late
 * votes after the approval deadline, and the re-plan after an agreed extension.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar.js';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import { PolicyError, resolvePolicy } from '../../infra/policy.js';
import type { ApplicationDecision, ReceivableState, Stage } from '../../workflows/receivable/contract.js';
import {
  applyPayment,
  initialState,
  isLocalDebtor,
  paymentConflict,
  paymentRefusal,
  replanAfterExtension,
  stepCorrespondence,
  stepInstant,
  validateDecision,
} from '../../workflows/receivable/rules.js';
import { testActor } from '../support/actors.js';

const ISSUE = '2026-03-02';
const DUE = addDays(ISSUE, 30);

/** ¥10,000.00 issued on ISSUE, 1/10 n/30: ¥9,900.00 settles it until ISSUE+10. */
function issued(over: Partial<ReceivableState> = {}): ReceivableState {
  return {
    ...initialState({
      application: {
        receivableId: 'R-1',
        counterpartyId: 'D-1',
        salespersonId: 'S-1',
        amountMinor: 1_000_000,
        currency: 'CNY',
        requestedTermDays: 30,
      },
      policy: DEFAULT_POLICY,
    }),
    stage: 'issued',
    stateVersion: 5,
    approvedMinor: 1_000_000,
    approvedTermDays: 30,
    issueDate: ISSUE,
    dueDate: DUE,
    discountLastDay: addDays(ISSUE, 10),
    discountedMinor: 990_000,
    outstandingMinor: 1_000_000,
    ...over,
  };
}

const payment = (amountMinor: number, paidOn: string, paymentId = 'P-1') => ({
  paymentId,
  amountMinor,
  paidOn,
  actor: testActor('finance'),
});

describe('a payment inside the discount window', () => {
  const inWindow = addDays(ISSUE, 5);

  it('of the full amount is accepted and settles: the discount is not taken', () => {
    const s = issued();
    expect(paymentRefusal(s, payment(1_000_000, inWindow), inWindow)).toBeNull();
    expect(applyPayment(s, payment(1_000_000, inWindow))).toEqual({
      settled: true,
      discountMinor: 0,
      discountNotTakenMinor: 10_000,
    });
  });

  it('of the discounted amount settles with the whole discount granted', () => {
    expect(applyPayment(issued(), payment(990_000, inWindow))).toEqual({
      settled: true,
      discountMinor: 10_000,
      discountNotTakenMinor: 0,
    });
  });

  it('between the two settles; what was paid above the discounted amount is the discount not taken', () => {
    expect(applyPayment(issued(), payment(995_000, inWindow))).toEqual({
      settled: true,
      discountMinor: 5_000,
      discountNotTakenMinor: 5_000,
    });
  });

  it('after a partial payment, the rest of the full amount settles without discount', () => {
    const s = issued({ paidMinor: 400_000, outstandingMinor: 600_000, paymentIds: ['P-0'] });
    expect(paymentRefusal(s, payment(600_000, inWindow), inWindow)).toBeNull();
    expect(applyPayment(s, payment(600_000, inWindow))).toMatchObject({ settled: true, discountMinor: 0 });
  });

  it('above the full balance is an overpayment, refused naming amountMinor', () => {
    expect(paymentRefusal(issued(), payment(1_000_001, inWindow), inWindow)).toMatch(
      /^amountMinor: 1000001 exceeds the 1000000 that settles this receivable/,
    );
  });

  it('below the discounted amount is a partial payment', () => {
    expect(applyPayment(issued(), payment(989_999, inWindow))).toEqual({
      settled: false,
      discountMinor: 0,
      discountNotTakenMinor: 0,
    });
  });

  it('after the window, the discounted amount no longer settles', () => {
    const late = addDays(ISSUE, 11);
    expect(applyPayment(issued(), payment(990_000, late))).toMatchObject({
      settled: false,
      discountMinor: 0,
    });
  });
});

describe('payment conflicts (answered 409)', () => {
  it.each<Stage>(['paid', 'written-off', 'rejected', 'awaiting-approval'])(
    'a receivable %s takes no payments, and the refusal names its stage',
    (stage) => {
      expect(paymentConflict(issued({ stage }), payment(100, ISSUE))).toBe(
        `receivable R-1 is ${stage}: it takes no payments`,
      );
    },
  );

  it('a payment id applied before with another amount or date conflicts, naming paymentId', () => {
    const s = issued({
      paymentIds: ['P-1'],
      paymentResults: {
        'P-1': {
          amountMinor: 400_000,
          paidOn: ISSUE,
          outstandingMinor: 600_000,
          discountMinor: 0,
          settled: false,
        },
      },
    });
    expect(paymentConflict(s, payment(400_000, ISSUE))).toBeNull();
    expect(paymentConflict(s, payment(400_001, ISSUE))).toMatch(
      /^paymentId: P-1 was already applied with amountMinor 400000 and paidOn 2026-03-02 \(this request says 400001 and 2026-03-02\)/,
    );
    expect(paymentConflict(s, payment(400_000, addDays(ISSUE, 1)))).toMatch(/^paymentId: P-1 /);
  });
});

describe('local or elsewhere debtor', () => {
  const receivable = DEFAULT_POLICY.receivable;

  it('by default, local means one of the company home regions', () => {
    expect(receivable.localDebtor).toBe('home-regions');
    expect(isLocalDebtor(receivable, 'Shanghai', 'Hangzhou')).toBe(true);
    expect(isLocalDebtor(receivable, 'Hangzhou', 'Hangzhou')).toBe(false);
  });

  it('decides what each step before +30 tells the debtor and the salesperson', () => {
    const checks = (debtor: string, seller: string) =>
      ({ counterparty: { region: debtor }, salesperson: { region: seller } }) as ReceivableState['checks'];
    const elsewhere = checks('Hangzhou', 'Hangzhou');
    expect(stepCorrespondence('reminder', receivable, elsewhere)).toEqual({
      debtorNotice: 'reminder',
      salespersonTasks: ['phone-task'],
    });
    expect(stepCorrespondence('dueCheck', receivable, checks('Shanghai', 'Hangzhou'))).toEqual({
      salespersonTasks: ['visit-task', 'late-reason-request'],
    });
    expect(stepCorrespondence('dueCheck', receivable, elsewhere)).toEqual({
      debtorNotice: 'collection-notice',
      salespersonTasks: ['late-reason-request'],
    });
    expect(stepCorrespondence('secondNotice', receivable, elsewhere)).toEqual({
      debtorNotice: 'second-notice',
    });
    expect(stepCorrespondence('warning', receivable, elsewhere)).toEqual({ debtorNotice: 'warning-letter' });
  });

  it("by the salesperson's region, local means the debtor is in the salesperson's own region", () => {
    const policy = { ...receivable, localDebtor: 'salesperson-region' as const };
    expect(isLocalDebtor(policy, 'Hangzhou', 'Hangzhou')).toBe(true);
    expect(isLocalDebtor(policy, 'Shanghai', 'Hangzhou')).toBe(false);
    expect(isLocalDebtor(policy, 'Hangzhou', undefined)).toBe(false);
  });

  it('a policy stored before the choice existed reads as home regions', () => {
    expect(isLocalDebtor({ homeRegions: ['Shanghai'] }, 'Shanghai', 'Beijing')).toBe(true);
  });

  it('a debtor with no known region is elsewhere', () => {
    expect(isLocalDebtor(receivable, undefined, 'Shanghai')).toBe(false);
  });
});

describe('votes after the approval deadline', () => {
  const marketing: ApplicationDecision = {
    department: 'marketing',
    approve: true,
    actor: testActor('marketing', 'mkt'),
  };
  const escalated = issued({
    stage: 'manager-review',
    votes: {
      finance: {
        department: 'finance',
        approve: true,
        actor: testActor('finance', 'fin'),
        approvedAmountMinor: 1_000_000,
        approvedTermDays: 30,
      },
    },
  });
  const refusal = (f: () => void) => {
    try {
      f();
      return null;
    } catch (err) {
      return err as ApplicationFailure;
    }
  };

  it('by default, once escalated only the manager decides', () => {
    const err = refusal(() => validateDecision(escalated, marketing, DEFAULT_POLICY.receivable));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err?.message).toMatch(/the approval deadline has passed: a manager decides/);
    expect(refusal(() => validateDecision(escalated, marketing))).not.toBeNull();
    expect(
      refusal(() =>
        validateDecision(escalated, {
          department: 'manager',
          approve: true,
          actor: testActor('manager', 'boss'),
        }),
      ),
    ).toBeNull();
  });

  it('with lateVotesCount, a late departmental vote is still taken', () => {
    expect(refusal(() => validateDecision(escalated, marketing, { lateVotesCount: true }))).toBeNull();
  });

  it('before the deadline, departments vote as always', () => {
    const waiting = issued({ stage: 'awaiting-approval', votes: {} });
    expect(refusal(() => validateDecision(waiting, marketing, DEFAULT_POLICY.receivable))).toBeNull();
  });
});

describe('an agreed extension re-plans the timeline', () => {
  const policy: Policy = DEFAULT_POLICY;
  // At due+16 09:30, every step to the +15 warning taken: supply stopped, with the credit desk.
  const overdue = () =>
    issued({
      stage: 'credit-desk',
      owner: 'credit-desk',
      stepsTaken: ['reminder', 'dueCheck', 'secondNotice', 'warning'],
      supplyStopped: true,
      gradeAfterDowngrade: 'BA',
    });
  const at16 = stepInstant(issued(), policy, 'warning') + 86_400_000 + 1_800_000;

  it('at +16 to a due date 20 days ahead: the steps from due−7 on run again, supply is lifted', () => {
    const extended = { ...overdue(), dueDate: addDays(DUE, 36) }; // today is due+16: new due in 20 days
    expect(replanAfterExtension(extended, policy, at16)).toEqual({
      again: ['reminder', 'dueCheck', 'secondNotice', 'warning'],
      stepsTaken: [],
      stage: 'issued',
      owner: 'salesperson',
      liftSupply: true,
    });
  });

  it('to a due date 3 days ahead: the reminder (already past) stays taken, the rest runs again', () => {
    const extended = { ...overdue(), dueDate: addDays(DUE, 19) };
    expect(replanAfterExtension(extended, policy, at16)).toEqual({
      again: ['dueCheck', 'secondNotice', 'warning'],
      stepsTaken: ['reminder'],
      stage: 'reminded',
      owner: 'salesperson',
      liftSupply: true,
    });
  });

  it('before any step, nothing is planned again and no supply is lifted', () => {
    const early = { ...issued(), dueDate: addDays(DUE, 20) };
    expect(replanAfterExtension(early, policy, stepInstant(issued(), policy, 'reminder') - 1)).toMatchObject({
      again: [],
      liftSupply: false,
      stage: 'issued',
    });
  });

  it('a proposed legal escalation stands; only the supply block is lifted', () => {
    const legal = {
      ...overdue(),
      stage: 'legal-review' as const,
      stepsTaken: [
        'reminder',
        'dueCheck',
        'secondNotice',
        'warning',
        'legal',
      ] as ReceivableState['stepsTaken'],
      dueDate: addDays(DUE, 60),
    };
    const at31 = stepInstant(issued(), policy, 'legal') + 86_400_000;
    expect(replanAfterExtension(legal, policy, at31)).toEqual({
      again: [],
      stepsTaken: legal.stepsTaken,
      stage: 'legal-review',
      owner: 'credit-desk',
      liftSupply: true,
    });
  });
});

describe('the two policy choices', () => {
  it('default to home regions and manager-only after escalation, and are validated by name', () => {
    const defaults = resolvePolicy({ version: 'v-choices' });
    expect(defaults.receivable).toMatchObject({ localDebtor: 'home-regions', lateVotesCount: false });
    const chosen = resolvePolicy({
      version: 'v-regional',
      receivable: { localDebtor: 'salesperson-region', lateVotesCount: true },
    });
    expect(chosen.receivable).toMatchObject({ localDebtor: 'salesperson-region', lateVotesCount: true });
    let refused: unknown;
    try {
      resolvePolicy({ receivable: { localDebtor: 'nearby', lateVotesCount: 'yes' } });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(PolicyError);
    expect((refused as PolicyError).fields.map((f) => f.path).sort()).toEqual([
      'receivable.lateVotesCount',
      'receivable.localDebtor',
    ]);
  });
});
