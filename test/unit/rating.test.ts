import { describe, expect, it } from 'vitest';
import {
  assertCreditSalesRatioTable,
  BAD_GRADES,
  CREDIT_GRADES,
  type CreditGrade,
  compareGrades,
  compose,
  creditEligibility,
  creditLimitMinor,
  creditTermDays,
  customersLostScore,
  DEFAULT_CONDUCT_INDICATORS,
  DEFAULT_CREDIT_SALES_RATIO_BP,
  DEFAULT_GRADE_THRESHOLDS,
  DEFAULT_PERFORMANCE_INDICATORS,
  gradeFromTotal,
  gradeRank,
  isBadGrade,
  lowerOneStep,
  monthlyPerformance,
  quarterlyConduct,
  quarterlyRating,
  quarterPerformance,
  quarterPerformanceGrade,
  twoConsecutiveBadQuarters,
  violationScore,
} from '../../domain/rating.js';

/** The 11 directly scored performance indicators, each at `score`, plus the customers-lost count. */
function performanceValues(score: number, customersLost: number, overrides: Record<string, number> = {}) {
  const values: Record<string, number> = {};
  for (const i of DEFAULT_PERFORMANCE_INDICATORS)
    values[i.key] = i.measure === 'score' ? score : customersLost;
  return { ...values, ...overrides };
}

/** The 6 directly scored conduct indicators at `score`, plus the two violation counts. */
function conductValues(
  score: number,
  distributionViolations: number,
  priceViolations: number,
  overrides: Record<string, number> = {},
) {
  const values: Record<string, number> = {};
  for (const i of DEFAULT_CONDUCT_INDICATORS) values[i.key] = score;
  values.distribution_conduct = distributionViolations;
  values.price_compliance = priceViolations;
  return { ...values, ...overrides };
}

describe('customers lost (12th performance indicator)', () => {
  it.each([
    [0, 5], // none lost → 5
    [1, 3], // one → 3
    [2, 2], // two to four → 2 (lower edge)
    [3, 2],
    [4, 2], // upper edge of two to four
    [5, 0], // five or more → 0 (edge)
    [9, 0],
  ])('%i lost scores %i', (lost, score) => {
    expect(customersLostScore(lost)).toBe(score);
  });

  it('rejects negative and fractional counts', () => {
    expect(() => customersLostScore(-1)).toThrow(/customersLost/);
    expect(() => customersLostScore(1.5)).toThrow(/customersLost/);
  });
});

describe('violations (distribution conduct, price-policy compliance)', () => {
  it.each([
    [0, 5], // none → 5
    [1, 3], // one → 5 − 2 = 3
    [2, 0], // two → 5 − 5 = 0
    [3, -5], // three or more → 5 − 10 = −5
    [7, -5],
  ])('%i violations score %i', (violations, score) => {
    expect(violationScore(violations)).toBe(score);
  });

  it('rejects negative counts', () => {
    expect(() => violationScore(-1)).toThrow(/violations/);
  });
});

describe('default indicator lists', () => {
  it('performance: 12, first 8 finance, last 4 marketing, 12th customers lost', () => {
    expect(DEFAULT_PERFORMANCE_INDICATORS).toHaveLength(12);
    expect(DEFAULT_PERFORMANCE_INDICATORS.slice(0, 8).every((i) => i.owner === 'finance')).toBe(true);
    expect(DEFAULT_PERFORMANCE_INDICATORS.slice(8).every((i) => i.owner === 'marketing')).toBe(true);
    expect(DEFAULT_PERFORMANCE_INDICATORS[11]?.key).toBe('customers_lost');
    expect(DEFAULT_PERFORMANCE_INDICATORS[11]?.zh).toBe('失去客户数');
  });

  it('conduct: 8, all marketing, first two 铺货行为 and 价格执行', () => {
    expect(DEFAULT_CONDUCT_INDICATORS).toHaveLength(8);
    expect(DEFAULT_CONDUCT_INDICATORS.every((i) => i.owner === 'marketing')).toBe(true);
    expect(DEFAULT_CONDUCT_INDICATORS[0]?.zh).toBe('铺货行为');
    expect(DEFAULT_CONDUCT_INDICATORS[1]?.zh).toBe('价格执行');
  });

  it('keys are unique across both lists', () => {
    const keys = [...DEFAULT_PERFORMANCE_INDICATORS, ...DEFAULT_CONDUCT_INDICATORS].map((i) => i.key);
    expect(new Set(keys).size).toBe(20);
  });
});

describe('monthly performance grade (A ≥ 48, B ≥ 36 of 60)', () => {
  it('all fives and none lost is the full 60 → A', () => {
    // 11 × 5 + 5 = 60
    const result = monthlyPerformance(performanceValues(5, 0));
    expect(result.total).toBe(60);
    expect(result.grade).toBe('A');
    expect(result.scores.customers_lost).toBe(5);
  });

  it('exactly 48 → A', () => {
    // ten at 4 and one at 3: 40 + 3 = 43; none lost 5 → 48
    const result = monthlyPerformance(performanceValues(4, 0, { sales_growth: 3 }));
    expect(result.total).toBe(48);
    expect(result.grade).toBe('A');
  });

  it('47 → B', () => {
    // 11 × 4 = 44; one lost → 3; 44 + 3 = 47
    const result = monthlyPerformance(performanceValues(4, 1));
    expect(result.total).toBe(47);
    expect(result.grade).toBe('B');
  });

  it('exactly 36 → B', () => {
    // 11 × 3 = 33; one lost → 3; 36
    expect(monthlyPerformance(performanceValues(3, 1)).total).toBe(36);
    expect(monthlyPerformance(performanceValues(3, 1)).grade).toBe('B');
  });

  it('35 → C', () => {
    // 11 × 3 = 33; four lost → 2; 35
    const result = monthlyPerformance(performanceValues(3, 4));
    expect(result.total).toBe(35);
    expect(result.grade).toBe('C');
  });

  it('five customers lost adds 0', () => {
    // 11 × 5 + 0 = 55 → A
    expect(monthlyPerformance(performanceValues(5, 5)).total).toBe(55);
  });

  it('refuses a missing indicator, an unknown one and scores outside 0–5 or fractional', () => {
    const { profitability: _, ...missing } = performanceValues(4, 0);
    expect(() => monthlyPerformance(missing)).toThrow(/missing indicator: profitability/);
    expect(() => monthlyPerformance({ ...performanceValues(4, 0), charm: 5 })).toThrow(
      /unknown indicator: charm/,
    );
    expect(() => monthlyPerformance(performanceValues(4, 0, { sales_growth: 6 }))).toThrow(/sales_growth/);
    expect(() => monthlyPerformance(performanceValues(4, 0, { sales_growth: -1 }))).toThrow(/sales_growth/);
    expect(() => monthlyPerformance(performanceValues(4, 0, { sales_growth: 2.5 }))).toThrow(/sales_growth/);
  });

  it('refuses a company indicator list that breaks the 8 finance + 4 marketing shape', () => {
    const swapped = DEFAULT_PERFORMANCE_INDICATORS.map((i, n) =>
      n === 0 ? { ...i, owner: 'marketing' as const } : i,
    );
    expect(() => monthlyPerformance(performanceValues(4, 0), undefined, swapped)).toThrow(/owned by finance/);
    expect(() =>
      monthlyPerformance(performanceValues(4, 0), undefined, DEFAULT_PERFORMANCE_INDICATORS.slice(0, 11)),
    ).toThrow(/expected 12/);
  });
});

describe('quarterly conduct grade (A ≥ 32, B ≥ 24 of 40)', () => {
  it('all fives and no violations is 40 → A', () => {
    // 6 × 5 + 5 + 5 = 40
    expect(quarterlyConduct(conductValues(5, 0, 0))).toMatchObject({ total: 40, grade: 'A' });
  });

  it('exactly 32 → A', () => {
    // 6 × 4 = 24; no distribution violation 5; one price violation 3 → 32
    expect(quarterlyConduct(conductValues(4, 0, 1))).toMatchObject({ total: 32, grade: 'A' });
  });

  it('30 → B', () => {
    // 24 + 3 + 3 = 30
    expect(quarterlyConduct(conductValues(4, 1, 1))).toMatchObject({ total: 30, grade: 'B' });
  });

  it('exactly 24 → B', () => {
    // 24 + 0 (two violations) + 0 (two violations) = 24
    expect(quarterlyConduct(conductValues(4, 2, 2))).toMatchObject({ total: 24, grade: 'B' });
  });

  it('23 → C', () => {
    // five at 4 and one at 3 = 23; two + two violations = 0 + 0 → 23
    expect(quarterlyConduct(conductValues(4, 2, 2, { brand_protection: 3 }))).toMatchObject({
      total: 23,
      grade: 'C',
    });
  });

  it('violations can take the total below zero', () => {
    // 6 × 0 + (−5) + (−5) = −10, with 3 and 7 violations
    const result = quarterlyConduct(conductValues(0, 3, 7));
    expect(result.total).toBe(-10);
    expect(result.scores.distribution_conduct).toBe(-5);
    expect(result.scores.price_compliance).toBe(-5);
    expect(result.grade).toBe('C');
  });
});

describe('grade thresholds', () => {
  it('defaults are 48/36 and 32/24', () => {
    expect(DEFAULT_GRADE_THRESHOLDS).toEqual({ performance: { a: 48, b: 36 }, conduct: { a: 32, b: 24 } });
  });

  it('take a company band', () => {
    const band = { a: 50, b: 40 };
    expect(gradeFromTotal(50, band)).toBe('A'); // 50 ≥ 50
    expect(gradeFromTotal(49, band)).toBe('B'); // 40 ≤ 49 < 50
    expect(gradeFromTotal(40, band)).toBe('B');
    expect(gradeFromTotal(39, band)).toBe('C');
  });

  it('refuse A not above B', () => {
    expect(() => gradeFromTotal(10, { a: 30, b: 30 })).toThrow(/thresholds/);
  });
});

describe("quarter's performance grade = grade of the average monthly total", () => {
  it('average exactly 48 → A', () => {
    // (48 + 47 + 49) / 3 = 144 / 3 = 48
    expect(quarterPerformance([48, 47, 49])).toEqual({ averageTotal: 48, grade: 'A' });
  });

  it('average just under 48 → B', () => {
    // (48 + 48 + 47) / 3 = 143 / 3 = 47.67 < 48
    const q = quarterPerformance([48, 48, 47]);
    expect(q.grade).toBe('B');
    expect(q.averageTotal).toBeCloseTo(47.667, 3);
  });

  it('average exactly 36 → B; just under → C', () => {
    // (36 + 35 + 37) / 3 = 108 / 3 = 36
    expect(quarterPerformanceGrade([36, 35, 37])).toBe('B');
    // (35 + 35 + 37) / 3 = 107 / 3 = 35.67
    expect(quarterPerformanceGrade([35, 35, 37])).toBe('C');
  });

  it('one strong month can lift two weak ones (it is an average)', () => {
    // (60 + 42 + 42) / 3 = 144 / 3 = 48 → A although two months were B
    expect(quarterPerformanceGrade([60, 42, 42])).toBe('A');
  });

  it('a partial first quarter averages the months it has', () => {
    // (50 + 46) / 2 = 48 → A
    expect(quarterPerformanceGrade([50, 46])).toBe('A');
  });

  it('refuses no months, four months, and totals outside 0–60', () => {
    expect(() => quarterPerformance([])).toThrow(/1 to 3/);
    expect(() => quarterPerformance([40, 40, 40, 40])).toThrow(/1 to 3/);
    expect(() => quarterPerformance([40, 61, 40])).toThrow(/monthlyTotals\[1\]/);
  });
});

describe('composite credit grades', () => {
  it('are nine, best to worst AA AB BA BB AC CA BC CB CC', () => {
    expect(CREDIT_GRADES).toEqual(['AA', 'AB', 'BA', 'BB', 'AC', 'CA', 'BC', 'CB', 'CC']);
  });

  it('compose: performance letter first, conduct second', () => {
    expect(compose('A', 'B')).toBe('AB');
    expect(compose('C', 'A')).toBe('CA');
    expect(compose('C', 'C')).toBe('CC');
  });

  it('rank and compare', () => {
    expect(gradeRank('AA')).toBe(0);
    expect(gradeRank('AC')).toBe(4); // AC (a C in conduct) ranks above CA
    expect(gradeRank('CA')).toBe(5);
    expect(gradeRank('CC')).toBe(8);
    expect(compareGrades('AB', 'BA')).toBeLessThan(0); // AB better
    expect(compareGrades('CB', 'BC')).toBeGreaterThan(0); // CB worse
    expect(compareGrades('BB', 'BB')).toBe(0);
    const sorted: CreditGrade[] = ['CC', 'AA', 'BC', 'AB', 'CA'];
    expect(sorted.sort(compareGrades)).toEqual(['AA', 'AB', 'CA', 'BC', 'CC']);
  });

  it('lowerOneStep moves one place down the ranking; CC stays CC', () => {
    expect(lowerOneStep('AA')).toBe('AB');
    expect(lowerOneStep('BB')).toBe('AC');
    expect(lowerOneStep('AC')).toBe('CA');
    expect(lowerOneStep('CB')).toBe('CC');
    expect(lowerOneStep('CC')).toBe('CC');
  });

  it('bad grades are CC, BC, CB, CA only', () => {
    expect(BAD_GRADES).toEqual(['CC', 'BC', 'CB', 'CA']);
    const bad = CREDIT_GRADES.filter(isBadGrade);
    expect(bad).toEqual(['CA', 'BC', 'CB', 'CC']);
    expect(isBadGrade('AC')).toBe(false); // AC is the fifth grade but not "bad"
  });

  it('two consecutive bad quarters', () => {
    expect(twoConsecutiveBadQuarters('CA', 'CC')).toBe(true);
    expect(twoConsecutiveBadQuarters('BC', 'CB')).toBe(true);
    expect(twoConsecutiveBadQuarters('AC', 'CC')).toBe(false); // previous not bad
    expect(twoConsecutiveBadQuarters('CC', 'BB')).toBe(false); // recovered
    expect(twoConsecutiveBadQuarters(null, 'CC')).toBe(false); // no previous quarter
    expect(twoConsecutiveBadQuarters(undefined, 'CC')).toBe(false);
  });
});

describe('credit limit = quarterly sales × credit-sales ratio', () => {
  it('default ratios rise with the grade', () => {
    const ratios = CREDIT_GRADES.map((g) => DEFAULT_CREDIT_SALES_RATIO_BP[g]);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]).toBeLessThan(ratios[i - 1] as number);
    expect(() => assertCreditSalesRatioTable(DEFAULT_CREDIT_SALES_RATIO_BP)).not.toThrow();
  });

  it('AA: 1,000,000.00 × 30 % = 300,000.00', () => {
    // 100,000,000 fen × 3000 / 10000 = 30,000,000 fen
    expect(creditLimitMinor(100_000_000, 'AA')).toBe(30_000_000);
  });

  it('rounds down to the minor unit', () => {
    // CC 2 %: 12,345 × 200 / 10000 = 246.9 → 246
    expect(creditLimitMinor(12_345, 'CC')).toBe(246);
    // BB 15 %: 999 × 1500 / 10000 = 149.85 → 149
    expect(creditLimitMinor(999, 'BB')).toBe(149);
  });

  it('no sales, no limit', () => {
    expect(creditLimitMinor(0, 'AA')).toBe(0);
  });

  it('stays exact for the largest safe amount', () => {
    // 9,007,199,254,740,991 × 3000 / 10000 = 2,702,159,776,422,297.3 → 2,702,159,776,422,297
    expect(creditLimitMinor(Number.MAX_SAFE_INTEGER, 'AA')).toBe(2_702_159_776_422_297);
  });

  it('takes a company table', () => {
    const table = { ...DEFAULT_CREDIT_SALES_RATIO_BP, BA: 2200 };
    // 50,000 × 2200 / 10000 = 11,000
    expect(creditLimitMinor(50_000, 'BA', table)).toBe(11_000);
  });

  it('refuses negative or fractional sales and a table that falls as the grade improves', () => {
    expect(() => creditLimitMinor(-1, 'AA')).toThrow(/quarterlySalesMinor/);
    expect(() => creditLimitMinor(10.5, 'AA')).toThrow(/quarterlySalesMinor/);
    expect(() => assertCreditSalesRatioTable({ ...DEFAULT_CREDIT_SALES_RATIO_BP, AB: 3100 })).toThrow(/AA/);
  });

  it('each grade carries a term; defaults never longer for a worse grade', () => {
    expect(creditTermDays('AA')).toBe(60);
    expect(creditTermDays('CC')).toBe(7);
    const terms = CREDIT_GRADES.map((g) => creditTermDays(g));
    for (let i = 1; i < terms.length; i++) expect(terms[i]).toBeLessThanOrEqual(terms[i - 1] as number);
  });
});

describe('new-dealer credit eligibility', () => {
  it('first quarter: no credit, even at AA', () => {
    const result = creditEligibility({ quarterIndexSinceJoining: 1, grade: 'AA' });
    expect(result.allowed).toBe(false);
    expect(result.reason).toMatch(/first quarter/);
  });

  it.each([
    ['AA', true],
    ['AB', true],
    ['BA', true],
    ['BB', true], // last grade allowed in the second quarter
    ['AC', false], // first grade refused in the second quarter
    ['CA', false],
    ['CC', false],
  ] as const)('second quarter %s → %s', (grade, allowed) => {
    expect(creditEligibility({ quarterIndexSinceJoining: 2, grade }).allowed).toBe(allowed);
  });

  it('third quarter on: every grade, CC included', () => {
    expect(creditEligibility({ quarterIndexSinceJoining: 3, grade: 'CC' })).toEqual({ allowed: true });
    expect(creditEligibility({ quarterIndexSinceJoining: 12, grade: 'AC' })).toEqual({ allowed: true });
  });

  it('refuses a quarter index below 1', () => {
    expect(() => creditEligibility({ quarterIndexSinceJoining: 0, grade: 'AA' })).toThrow(
      /quarterIndexSinceJoining/,
    );
  });
});

describe('quarterly rating end to end', () => {
  it('AB dealer in its third quarter', () => {
    // performance (50 + 49 + 48) / 3 = 49 ≥ 48 → A; conduct 30: 24 ≤ 30 < 32 → B; grade AB
    // limit 2,000,000 × 2500 / 10000 = 500,000; term 45 days
    const r = quarterlyRating({
      monthlyPerformanceTotals: [50, 49, 48],
      conductTotal: 30,
      quarterlySalesMinor: 2_000_000,
      quarterIndexSinceJoining: 3,
    });
    expect(r).toMatchObject({
      performanceGrade: 'A',
      conductGrade: 'B',
      grade: 'AB',
      creditLimitMinor: 500_000,
      creditTermDays: 45,
      managerDecisionRequired: false,
    });
    expect(r.eligibility.allowed).toBe(true);
  });

  it('first quarter: grade computed, but limit and term 0', () => {
    const r = quarterlyRating({
      monthlyPerformanceTotals: [60, 60],
      conductTotal: 40,
      quarterlySalesMinor: 2_000_000,
      quarterIndexSinceJoining: 1,
    });
    expect(r.grade).toBe('AA');
    expect(r.creditLimitMinor).toBe(0);
    expect(r.creditTermDays).toBe(0);
    expect(r.eligibility.allowed).toBe(false);
  });

  it('second bad quarter running asks a manager', () => {
    // performance 30 average < 36 → C; conduct 20 < 24 → C; CC after CA
    // limit 1,000,000 × 200 / 10000 = 20,000
    const r = quarterlyRating({
      monthlyPerformanceTotals: [30, 30, 30],
      conductTotal: 20,
      quarterlySalesMinor: 1_000_000,
      quarterIndexSinceJoining: 5,
      previousGrade: 'CA',
    });
    expect(r.grade).toBe('CC');
    expect(r.creditLimitMinor).toBe(20_000);
    expect(r.managerDecisionRequired).toBe(true);
  });

  it('refuses a conduct total outside −10…40', () => {
    const base = { monthlyPerformanceTotals: [40], quarterlySalesMinor: 0, quarterIndexSinceJoining: 3 };
    expect(() => quarterlyRating({ ...base, conductTotal: -11 })).toThrow(/conductTotal/);
    expect(() => quarterlyRating({ ...base, conductTotal: 41 })).toThrow(/conductTotal/);
    expect(quarterlyRating({ ...base, conductTotal: -10 }).conductGrade).toBe('C');
  });
});
