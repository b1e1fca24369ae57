import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { DEFAULT_CONDUCT_INDICATORS, DEFAULT_PERFORMANCE_INDICATORS } from '../../domain/rating.js';
import {
  chunk,
  creditQuarterNumber,
  type DealerQuarterFigures,
  dealerQuarterNumber,
  missingIndicators,
  performanceKeysOf,
  previousQuarter,
  quarterMonths,
  quarterOf,
  quarterOrdinal,
  rateDealerQuarter,
} from '../../domain/rating-cycle.js';
import { ratingDigest } from '../../operations/rating.js';

const policy = DEFAULT_POLICY.rating;
const perf = (s: number, lost: number) =>
  Object.fromEntries(
    DEFAULT_PERFORMANCE_INDICATORS.map((i) => [i.key, i.key === 'customers_lost' ? lost : s]),
  );
const conduct = (v: number, s: number) =>
  Object.fromEntries(DEFAULT_CONDUCT_INDICATORS.map((i) => [i.key, i.measure === 'violations' ? v : s]));

describe('quarters', () => {
  it('names the quarter of a date, the one before, and its months', () => {
    expect(quarterOf('2026-01-01')).toBe('2026-Q1');
    expect(quarterOf('2026-03-31')).toBe('2026-Q1');
    expect(quarterOf('2026-04-01')).toBe('2026-Q2');
    expect(quarterOf('2026-12-31')).toBe('2026-Q4');
    expect(previousQuarter('2026-Q1')).toBe('2025-Q4');
    expect(previousQuarter('2026-Q3')).toBe('2026-Q2');
    expect(quarterMonths('2026-Q4')).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(quarterMonths('2026-Q1')).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(quarterOrdinal('2026-Q2') - quarterOrdinal('2025-Q3')).toBe(3);
    expect(() => quarterOrdinal('2026-Q5')).toThrow(/YYYY-Qn/);
  });

  it("counts the dealer's quarters from the one they joined in; the rating sets the next quarter's credit", () => {
    expect(dealerQuarterNumber('2026-02-10', '2026-Q1')).toBe(1);
    expect(dealerQuarterNumber('2026-02-10', '2026-Q2')).toBe(2);
    expect(dealerQuarterNumber('2025-12-31', '2026-Q1')).toBe(2);
    expect(dealerQuarterNumber('2026-04-01', '2026-Q1')).toBe(0);
    // Rated for its first quarter on 1 April: that result is its second quarter's credit.
    expect(creditQuarterNumber('2026-02-10', '2026-Q1')).toBe(2);
    expect(creditQuarterNumber('2026-02-10', '2026-Q2')).toBe(3);
  });

  it('batches in order, the last one short', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 200)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(/positive/);
  });

  it('finance owns the first 8 performance indicators, marketing the last 4', () => {
    expect(performanceKeysOf('finance')).toHaveLength(8);
    expect(performanceKeysOf('marketing')).toEqual([
      'market_coverage',
      'sales_network',
      'new_customers',
      'customers_lost',
    ]);
    expect(missingIndicators(DEFAULT_CONDUCT_INDICATORS, { distribution_conduct: 0 })).toHaveLength(7);
    expect(missingIndicators(DEFAULT_CONDUCT_INDICATORS, undefined)).toHaveLength(8);
  });
});

describe('one dealer’s quarter', () => {
  const base: DealerQuarterFigures = {
    dealerId: 'D',
    joinedOn: '2020-01-01',
    monthly: { '2026-04': perf(4, 1), '2026-05': perf(4, 1), '2026-06': perf(5, 0) },
    conduct: conduct(1, 4),
    salesMinor: 10_000_001,
    previousGrade: null,
  };

  it('rates from the entered values: totals, grades, limit (rounded down) and term', () => {
    // 47 + 47 + 60 = 154 ≥ 3·48 = 144: A; conduct 2·3 + 6·4 = 30: B → AB; 10,000,001 × 25 % = 2,500,000.25 → 2,500,000.
    const o = rateDealerQuarter('2026-Q2', base, policy);
    expect(o).toMatchObject({
      status: 'rated',
      months: ['2026-04', '2026-05', '2026-06'],
      monthlyTotals: [47, 47, 60],
      conductTotal: 30,
      creditQuarterNumber: 27,
      rating: {
        performanceGrade: 'A',
        conductGrade: 'B',
        grade: 'AB',
        creditLimitMinor: 2_500_000,
        creditTermDays: 45,
        managerDecisionRequired: false,
      },
    });
  });

  it('hands two bad quarters in a row to a manager', () => {
    // 35 ×3 = 105 < 108: C; 2·(−5) + 6·5 = 20 < 24: C → CC after CA.
    const o = rateDealerQuarter(
      '2026-Q2',
      {
        ...base,
        monthly: { '2026-04': perf(3, 2), '2026-05': perf(3, 2), '2026-06': perf(3, 2) },
        conduct: conduct(3, 5),
        previousGrade: 'CA',
      },
      policy,
    );
    expect(o).toMatchObject({
      status: 'rated',
      conductTotal: 20,
      rating: { grade: 'CC', managerDecisionRequired: true },
    });
  });

  it('counts only the months since the dealer joined; their second quarter allows only AA–BB', () => {
    const o = rateDealerQuarter(
      '2026-Q2',
      {
        ...base,
        joinedOn: '2026-05-20',
        monthly: { '2026-05': perf(4, 1), '2026-06': perf(4, 1) },
        conduct: conduct(2, 3),
      },
      policy,
    );
    // 47 + 47 = 94 < 96: B; 18: C → BC in its second quarter: no credit.
    expect(o).toMatchObject({
      status: 'rated',
      months: ['2026-05', '2026-06'],
      creditQuarterNumber: 2,
      rating: { grade: 'BC', creditLimitMinor: 0, creditTermDays: 0, eligibility: { allowed: false } },
    });
  });

  it('skips, with the reason, what it cannot rate', () => {
    const { '2026-05': _, ...withoutMay } = base.monthly;
    expect(rateDealerQuarter('2026-Q2', { ...base, monthly: withoutMay }, policy)).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(
        /^performance scores for 2026-05 incomplete: missing sales_target_achievement, /,
      ),
    });
    expect(rateDealerQuarter('2026-Q2', { ...base, conduct: null }, policy)).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^conduct scores for 2026-Q2 incomplete/),
    });
    expect(rateDealerQuarter('2026-Q2', { ...base, salesMinor: null }, policy)).toEqual({
      dealerId: 'D',
      status: 'skipped',
      reason: 'sales for 2026-Q2 not entered',
    });
    expect(rateDealerQuarter('2026-Q2', { ...base, joinedOn: '2026-07-01' }, policy)).toEqual({
      dealerId: 'D',
      status: 'skipped',
      reason: 'joined on 2026-07-01, after 2026-Q2',
    });
    expect(
      rateDealerQuarter('2026-Q2', { ...base, monthly: { ...base.monthly, '2026-04': perf(6, 0) } }, policy),
    ).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/must be a whole score from 0 to 5/),
    });
  });

  it('gives the same result the same digest, and a revised one a new digest', () => {
    const a = rateDealerQuarter('2026-Q2', base, policy);
    const b = rateDealerQuarter('2026-Q2', { ...base }, policy);
    const c = rateDealerQuarter('2026-Q2', { ...base, salesMinor: 10_000_000 }, policy);
    if (a.status !== 'rated' || b.status !== 'rated' || c.status !== 'rated')
      throw new Error('expected rated');
    expect(ratingDigest(a)).toBe(ratingDigest(b));
    expect(ratingDigest(a)).not.toBe(ratingDigest(c));
  });
});
