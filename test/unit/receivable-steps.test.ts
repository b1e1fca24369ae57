/**
 * More of the receivable workflow's pure rules (workflows/receivable/rules.ts), tested
 * directly: which stages take payments (the one open-stage list), the cash discount's
 * rounding, days overdue, the step offsets, the legal action by amount, and the two kinds
 * of refusal an Update validator throws.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { CLOSED_STAGES, OPEN_STAGES, PENDING_STAGES, STAGES } from '../../domain/receivable-stages.js';
import type { ReceivableState } from '../../workflows/receivable/contract.js';
import {
  CONFLICT_ERROR,
  cashDiscountMinor,
  daysOverdue,
  legalAction,
  OPEN_FOR_PAYMENT,
  refuse,
  refuseConflict,
  stepOffsetDays,
} from '../../workflows/receivable/rules.js';

describe('the stages', () => {
  it('a receivable takes payments exactly while it is open', () => {
    expect(OPEN_FOR_PAYMENT).toEqual(OPEN_STAGES);
  });

  it('every stage is pending, open or closed, and only one of them', () => {
    const grouped = [...PENDING_STAGES, ...OPEN_STAGES, ...CLOSED_STAGES, 'rejected'];
    expect(new Set(grouped)).toEqual(new Set(STAGES));
    expect(CLOSED_STAGES).toEqual(['rejected', 'paid', 'written-off']);
    for (const s of OPEN_STAGES) expect(CLOSED_STAGES).not.toContain(s);
  });
});

describe('the cash discount', () => {
  it('is rate × amount, rounded half up to the minor unit', () => {
    expect(cashDiscountMinor(1_000_000, 100)).toBe(10_000);
    expect(cashDiscountMinor(150, 100)).toBe(2); // 1.5 → 2
    expect(cashDiscountMinor(149, 100)).toBe(1); // 1.49 → 1
    expect(cashDiscountMinor(1_000_000, 0)).toBe(0);
  });
});

describe('days overdue', () => {
  const state = (dueDate: string | null) => ({ dueDate }) as ReceivableState;
  it('counts calendar days after the due date, never below zero', () => {
    expect(daysOverdue(state('2026-03-01'), '2026-03-16')).toBe(15);
    expect(daysOverdue(state('2026-03-01'), '2026-02-20')).toBe(0);
    expect(daysOverdue(state(null), '2026-03-16')).toBe(0);
  });
});

describe('the timeline', () => {
  it("each step's offset from the due date comes from the policy, in order", () => {
    const t = DEFAULT_POLICY.receivable.timeline;
    expect(
      (['reminder', 'dueCheck', 'secondNotice', 'warning', 'legal'] as const).map((s) =>
        stepOffsetDays(DEFAULT_POLICY, s),
      ),
    ).toEqual([t.reminderDays, t.dueCheckDays, t.secondNoticeDays, t.warningDays, t.legalDays]);
  });

  it('the legal action grows with the outstanding amount', () => {
    const l = DEFAULT_POLICY.receivable.legal;
    expect(legalAction(DEFAULT_POLICY, l.terminateCooperationMinor - 1)).toEqual({
      terminateCooperation: false,
      litigation: false,
    });
    expect(legalAction(DEFAULT_POLICY, l.terminateCooperationMinor).terminateCooperation).toBe(true);
    expect(legalAction(DEFAULT_POLICY, l.litigationMinor)).toEqual({
      terminateCooperation: true,
      litigation: true,
    });
  });
});

describe('refusals', () => {
  it('a bad Update is a ValidationError, a conflict with the stage a ConflictError; no message, no refusal', () => {
    expect(() => refuse(null)).not.toThrow();
    expect(() => refuseConflict(null)).not.toThrow();
    const caught = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        return err as ApplicationFailure;
      }
      throw new Error('not refused');
    };
    expect(caught(() => refuse('amountMinor: bad'))).toMatchObject({
      type: 'ValidationError',
      nonRetryable: true,
    });
    expect(caught(() => refuseConflict('paid'))).toMatchObject({ type: CONFLICT_ERROR, nonRetryable: true });
    expect(caught(() => refuse('x'))).toBeInstanceOf(ApplicationFailure);
  });
});
