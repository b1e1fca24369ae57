/** Periods, the limit-warning crossing, the assessment CSV and the quarterly review proposal. */
import { describe, expect, it } from 'vitest';
import { assessmentCsv } from '../../domain/csv.js';
import {
  type AssessmentTableRow,
  crossesLimitWarning,
  monthRange,
  previousMonth,
  proposeReview,
  quarterRange,
  usageBp,
} from '../../domain/salesperson-review.js';
import { MARCH_ASSESSMENT_FIGURES } from '../support/credit-examples.js';

describe('periods', () => {
  it('month ranges and the previous month', () => {
    expect(monthRange('2028-02')).toEqual({ first: '2028-02-01', last: '2028-02-29', days: 29 });
    expect(monthRange('2031-12')).toEqual({ first: '2031-12-01', last: '2031-12-31', days: 31 });
    expect(previousMonth('2031-01-01')).toBe('2030-12');
    expect(previousMonth('2031-03-31')).toBe('2031-02');
    expect(quarterRange('2031-Q2')).toEqual({ first: '2031-04-01', last: '2031-06-30' });
    expect(() => monthRange('2031-13')).toThrow(/YYYY-MM/);
  });
});

describe('limit warning crossing', () => {
  it('warns only when crossing into [warning level, 100 %)', () => {
    expect(crossesLimitWarning(0, 799_999, 1_000_000, 8000)).toBe(false);
    expect(crossesLimitWarning(0, 800_000, 1_000_000, 8000)).toBe(true);
    expect(crossesLimitWarning(700_000, 299_999, 1_000_000, 8000)).toBe(true);
    expect(crossesLimitWarning(700_000, 300_000, 1_000_000, 8000)).toBe(false); // 100 %: blocked instead
    expect(crossesLimitWarning(850_000, 50_000, 1_000_000, 8000)).toBe(false); // already above
    expect(usageBp(799_999, 1_000_000)).toBe(7999);
    expect(usageBp(1, null)).toBeNull();
  });
});

describe('assessment CSV', () => {
  it('a header row and one row per salesperson, empty cells for missing metrics', () => {
    const row: AssessmentTableRow = {
      salespersonId: 'S-1',
      salespersonName: 'Wang, "W"',
      ...MARCH_ASSESSMENT_FIGURES,
      companyReceivablesMinor: 2_400_000,
      metrics: {
        averageCollectionPeriodDays: 31,
        collectionRatioBp: 7114,
        receivablesShareBp: 5000,
        badDebtToReceivablesBp: 833,
        badDebtToSalesBp: null,
        discountTakeUpBp: 10000,
      },
      rates: {
        averageCollectionPeriodDays: 20,
        collectionRatioBp: -20,
        receivablesShareBp: 0,
        badDebtToReceivablesBp: -80,
        badDebtToSalesBp: 0,
        discountTakeUpBp: 20,
      },
      totalRateBp: -60,
      rewardPenaltyMinor: -7200,
    };
    const lines = assessmentCsv('2031-03', [row]).trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]?.startsWith('month,salesperson_id,salesperson_name,receivables_minor')).toBe(true);
    expect(lines[1]).toBe(
      '2031-03,S-1,"Wang, ""W""",1200000,1200000,498000,700000,100000,1200000,200000,200000,2400000,31,31,7114,5000,833,,10000,20,-20,0,-80,0,20,-60,-7200',
    );
  });
});

describe('quarterly review', () => {
  const base = {
    score: 80,
    complaints: 0,
    violations: 0,
    assessmentRewardPenaltyMinor: 0,
    limitMinor: 1_000_000,
    usageBp: 5000,
  };
  it('a high score with few complaints earns bonus, commendation and a 10 % higher limit', () => {
    expect(proposeReview({ ...base, score: 90, complaints: 1 })).toMatchObject({
      actions: ['bonus', 'commendation'],
      proposedLimitMinor: 1_100_000,
    });
  });
  it('a good score earns a commendation; a net reward adds a bonus; limit unchanged', () => {
    expect(proposeReview(base)).toMatchObject({ actions: ['commendation'], proposedLimitMinor: null });
    expect(proposeReview({ ...base, assessmentRewardPenaltyMinor: 500 }).actions).toEqual([
      'bonus',
      'commendation',
    ]);
  });
  it('one violation: warning and a 20 % cut; a net penalty adds a fine; two violations: demotion', () => {
    expect(proposeReview({ ...base, score: 95, violations: 1 })).toMatchObject({
      actions: ['warning'],
      proposedLimitMinor: 800_000,
    });
    expect(proposeReview({ ...base, score: 55, assessmentRewardPenaltyMinor: -1 }).actions).toEqual([
      'warning',
      'fine',
    ]);
    expect(proposeReview({ ...base, violations: 2 }).actions).toEqual(['demotion']);
    expect(proposeReview({ ...base, score: 40 }).actions).toEqual(['demotion']);
  });
  it('no score, no violations: nothing proposed', () => {
    expect(proposeReview({ ...base, score: null })).toEqual({
      actions: [],
      proposedLimitMinor: null,
      reasons: [],
    });
  });
});
