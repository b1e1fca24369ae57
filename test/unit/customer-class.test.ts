import { describe, expect, it } from 'vitest';
import {
  assertFactorWeights,
  type CustomerCreditFactors,
  classify,
  classLimitMinor,
  customerCreditScore,
  DEFAULT_CLASS_POLICIES,
  DEFAULT_FACTOR_SCORER,
  DEFAULT_FACTOR_WEIGHTS,
  earlyWarning,
  FACTOR_KEYS,
  factorScores,
  linearScore,
} from '../../domain/customer-class.js';

const established: CustomerCreditFactors = {
  currentRatioBp: 15500,
  debtRatioBp: 5000,
  profitMarginBp: 1000,
  operatingCashFlowRatioBp: 2000,
  creditReportScore: 82,
  tradingMonths: 27,
  onTimeRateBp: 9500,
  averageDaysLate: 6,
  industryRisk: 'medium',
};

const newCustomer: CustomerCreditFactors = {
  currentRatioBp: null,
  debtRatioBp: null,
  profitMarginBp: null,
  operatingCashFlowRatioBp: null,
  creditReportScore: null,
  tradingMonths: 0,
  onTimeRateBp: null,
  averageDaysLate: null,
  industryRisk: 'low',
};

describe('linear factor scorer', () => {
  it('rising range: current ratio 0.5 → 0, 2.0 → 100', () => {
    const r = DEFAULT_FACTOR_SCORER.currentRatioBp;
    expect(linearScore(5000, r)).toBe(0); // at worst
    expect(linearScore(12500, r)).toBe(50); // (12500 − 5000) × 100 / 15000 = 50
    expect(linearScore(20000, r)).toBe(100); // at best
    expect(linearScore(4000, r)).toBe(0); // below worst: clamped
    expect(linearScore(25000, r)).toBe(100); // above best: clamped
  });

  it('falling range: debt ratio 90 % → 0, 40 % → 100', () => {
    const r = DEFAULT_FACTOR_SCORER.debtRatioBp;
    expect(linearScore(6500, r)).toBe(50); // (6500 − 9000) × 100 / (4000 − 9000) = 50
    expect(linearScore(3000, r)).toBe(100); // better than best: clamped
    expect(linearScore(9500, r)).toBe(0);
  });

  it('rounds half up to a whole point', () => {
    const r = DEFAULT_FACTOR_SCORER.profitMarginBp; // −500 → 0, 1500 → 100
    expect(linearScore(-490, r)).toBe(1); // (−490 + 500) × 100 / 2000 = 0.5 → 1
    expect(linearScore(-470, r)).toBe(2); // 30 × 100 / 2000 = 1.5 → 2
    expect(linearScore(-480, r)).toBe(1); // 20 × 100 / 2000 = 1.0
    expect(linearScore(1, { worst: 0, best: 36 })).toBe(3); // 100 / 36 = 2.78 → 3
  });

  it('credit report on another agency scale', () => {
    expect(linearScore(575, { worst: 300, best: 850 })).toBe(50); // (575 − 300) × 100 / 550 = 50
  });

  it('refuses a zero-width range and non-finite input', () => {
    expect(() => linearScore(1, { worst: 5, best: 5 })).toThrow(/differ/);
    expect(() => linearScore(Number.NaN, { worst: 0, best: 5 })).toThrow(/finite/);
  });
});

describe('customer credit score', () => {
  it('default weights are integers summing to 100', () => {
    const sum = FACTOR_KEYS.reduce((s, k) => s + DEFAULT_FACTOR_WEIGHTS[k], 0);
    expect(sum).toBe(100);
    expect(() => assertFactorWeights(DEFAULT_FACTOR_WEIGHTS)).not.toThrow();
  });

  it('factor scores of an established customer', () => {
    expect(factorScores(established)).toEqual({
      currentRatio: 70, // (15500 − 5000) × 100 / 15000 = 70
      debtRatio: 80, // (5000 − 9000) × 100 / (4000 − 9000) = 80
      profitability: 75, // (1000 + 500) × 100 / 2000 = 75
      operatingCashFlow: 50, // 2000 × 100 / 4000 = 50
      creditReport: 82, // 0–100 scale
      transactionHistory: 75, // 27 × 100 / 36 = 75
      onTimeRate: 90, // (9500 − 5000) × 100 / 5000 = 90
      averageDaysLate: 90, // (6 − 60) × 100 / (0 − 60) = 90
      industryRisk: 60, // medium
    });
  });

  it('weighted score 77 → class B', () => {
    // 10×70 + 10×80 + 10×75 + 10×50 + 20×82 + 10×75 + 15×90 + 10×90 + 5×60
    // = 700 + 800 + 750 + 500 + 1640 + 750 + 1350 + 900 + 300 = 7690 → 76.90 → 77; 65 ≤ 77 < 80 → B
    const result = customerCreditScore(established);
    expect(result.score).toBe(77);
    expect(result.customerClass).toBe('B');
  });

  it('a new customer: missing data scores 50, no history 0, and the half point rounds up', () => {
    // nulls → 50 on weights 10+10+10+10+20+15+10 = 85 → 4250; history 0 × 10 = 0; industry low 100 × 5 = 500
    // 4750 / 100 = 47.5 → 48 (half up) → below 50 → D
    const result = customerCreditScore(newCustomer);
    expect(result.score).toBe(48);
    expect(result.customerClass).toBe('D');
  });

  it('takes company weights and thresholds', () => {
    const reportOnly = {
      ...Object.fromEntries(FACTOR_KEYS.map((k) => [k, 0])),
      creditReport: 100,
    } as typeof DEFAULT_FACTOR_WEIGHTS;
    // 100 × 82 / 100 = 82
    expect(customerCreditScore(established, { weights: reportOnly }).score).toBe(82);
    // 82 with thresholds A ≥ 90, B ≥ 80 → B
    expect(
      customerCreditScore(established, { weights: reportOnly, thresholds: { a: 90, b: 80, c: 60 } })
        .customerClass,
    ).toBe('B');
  });

  it('refuses weights not summing to 100 or not whole', () => {
    expect(() =>
      customerCreditScore(established, { weights: { ...DEFAULT_FACTOR_WEIGHTS, industryRisk: 4 } }),
    ).toThrow(/sum to 100, got 99/);
    expect(() =>
      assertFactorWeights({ ...DEFAULT_FACTOR_WEIGHTS, industryRisk: 4.5, onTimeRate: 15.5 }),
    ).toThrow(/integer/);
  });

  it('refuses impossible inputs', () => {
    expect(() => factorScores({ ...established, onTimeRateBp: 10001 })).toThrow(/onTimeRateBp/);
    expect(() => factorScores({ ...established, tradingMonths: -1 })).toThrow(/tradingMonths/);
    expect(() => factorScores({ ...established, debtRatioBp: -5 })).toThrow(/debtRatioBp/);
  });
});

describe('classes A/B/C/D (A ≥ 80, B ≥ 65, C ≥ 50)', () => {
  it.each([
    [100, 'A'],
    [80, 'A'], // on the threshold
    [79, 'B'],
    [65, 'B'], // on the threshold
    [64, 'C'],
    [50, 'C'], // on the threshold
    [49, 'D'],
    [0, 'D'],
  ] as const)('%i → %s', (score, cls) => {
    expect(classify(score)).toBe(cls);
  });

  it('refuses thresholds out of order', () => {
    expect(() => classify(70, { a: 60, b: 65, c: 50 })).toThrow(/A > B > C/);
  });
});

describe('class policies', () => {
  it('D trades cash or prepayment only', () => {
    expect(DEFAULT_CLASS_POLICIES.D.creditAllowed).toBe(false);
    expect(DEFAULT_CLASS_POLICIES.D.paymentTerms).toBe('cash-or-prepayment');
    expect(DEFAULT_CLASS_POLICIES.D.maxTermDays).toBe(0);
  });

  it('A has the highest limit and the longest term; both fall class by class', () => {
    const { A, B, C, D } = DEFAULT_CLASS_POLICIES;
    for (const [better, worse] of [
      [A, B],
      [B, C],
      [C, D],
    ] as const) {
      expect(worse.limitMultiplierBp).toBeLessThan(better.limitMultiplierBp);
      expect(worse.maxTermDays).toBeLessThan(better.maxTermDays);
    }
  });

  it('class limit = base × multiplier, rounded down; D gets none', () => {
    expect(classLimitMinor(1_000_000, 'A')).toBe(1_200_000); // × 12000 / 10000
    expect(classLimitMinor(1_000_000, 'B')).toBe(1_000_000); // × 10000 / 10000
    expect(classLimitMinor(1_000_000, 'C')).toBe(600_000); // × 6000 / 10000
    expect(classLimitMinor(1_000_000, 'D')).toBe(0);
    expect(classLimitMinor(333, 'C')).toBe(199); // 333 × 0.6 = 199.8 → 199
    expect(() => classLimitMinor(-1, 'A')).toThrow(/baseLimitMinor/);
  });
});

describe('early warning on a worsening trend (drop ≥ 10 over two refreshes, or a class fall)', () => {
  it('no history, no warning', () => {
    expect(earlyWarning([])).toEqual({ warning: false, reasons: [], drop: null });
    expect(earlyWarning([70])).toEqual({ warning: false, reasons: [], drop: null });
  });

  it('two scores: 80 → 70 is a 10-point drop and a fall from A to B', () => {
    // reference = the only older score, 80; drop = 80 − 70 = 10 ≥ 10; class A (80) → B (70)
    expect(earlyWarning([80, 70])).toEqual({
      warning: true,
      reasons: ['score-drop', 'class-fall'],
      drop: 10,
    });
  });

  it('a 9-point drop within class B is quiet', () => {
    // 75 → 70 → 66: drop = 75 − 66 = 9 < 10; 70 and 66 both B
    expect(earlyWarning([75, 70, 66])).toEqual({ warning: false, reasons: [], drop: 9 });
  });

  it('exactly 10 points over the last two refreshes warns', () => {
    // 75 → 70 → 65: drop = 75 − 65 = 10; 65 is still B, so only the drop
    expect(earlyWarning([75, 70, 65])).toEqual({ warning: true, reasons: ['score-drop'], drop: 10 });
  });

  it('falling a class warns even after a rise', () => {
    // 60 → 66 → 64: drop = 60 − 64 = −4; class B (66) → C (64)
    expect(earlyWarning([60, 66, 64])).toEqual({ warning: true, reasons: ['class-fall'], drop: -4 });
  });

  it('only the last two refreshes count', () => {
    // 90 → 60 → 85 → 84: reference 60; drop = 60 − 84 = −24; 85 and 84 both A
    expect(earlyWarning([90, 60, 85, 84]).warning).toBe(false);
  });

  it('a company threshold of 5 points', () => {
    // 70 → 68 → 65: drop 5 ≥ 5; 68 and 65 both B
    expect(earlyWarning([70, 68, 65], { dropPoints: 5 })).toEqual({
      warning: true,
      reasons: ['score-drop'],
      drop: 5,
    });
  });

  it('a rising score is quiet', () => {
    expect(earlyWarning([50, 60, 70])).toEqual({ warning: false, reasons: [], drop: -20 });
  });
});
