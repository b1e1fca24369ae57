import { describe, expect, it } from 'vitest';
import {
  assertRateTable,
  assessSalespersonMonth,
  DEFAULT_BASELINES,
  DEFAULT_RATE_TABLE,
  limitUsage,
  metricRates,
  type RateTable,
  rewardPenaltyMinor,
  type SalespersonMetrics,
  type SalespersonMonthInput,
  salespersonCreditScore,
  salespersonMetrics,
} from '../../domain/salesperson-assessment.js';

const typical: SalespersonMonthInput = {
  receivablesMinor: 3_000_000,
  creditSalesMinor: 2_000_000,
  daysInPeriod: 30,
  collectedMinor: 1_700_000,
  contractAmountMinor: 2_000_000,
  companyReceivablesMinor: 12_000_000,
  badDebtsMinor: 30_000,
  salesMinor: 2_500_000,
  discountOfferedMinor: 1_000_000,
  paidWithDiscountMinor: 250_000,
};

/** Metrics with every value null except the ones given. */
function only(patch: Partial<SalespersonMetrics>): SalespersonMetrics {
  return {
    averageCollectionPeriodDays: null,
    collectionRatioBp: null,
    receivablesShareBp: null,
    badDebtToReceivablesBp: null,
    badDebtToSalesBp: null,
    discountTakeUpBp: null,
    ...patch,
  };
}

describe('monthly metrics', () => {
  it('a typical month', () => {
    expect(salespersonMetrics(typical)).toEqual({
      averageCollectionPeriodDays: 45, // 3,000,000 ÷ 2,000,000 × 30 = 45.0
      collectionRatioBp: 8500, // 1,700,000 ÷ 2,000,000 = 85 %
      receivablesShareBp: 2500, // 3,000,000 ÷ 12,000,000 = 25 %
      badDebtToReceivablesBp: 100, // 30,000 ÷ 3,000,000 = 1 %
      badDebtToSalesBp: 120, // 30,000 ÷ 2,500,000 = 1.2 %
      discountTakeUpBp: 2500, // 250,000 ÷ 1,000,000 = 25 %
    });
  });

  it('DSO has one decimal, rounded half up', () => {
    // 1,000,000 ÷ 1,500,000 × 31 = 20.67 → 20.7
    expect(
      salespersonMetrics({
        ...typical,
        receivablesMinor: 1_000_000,
        creditSalesMinor: 1_500_000,
        daysInPeriod: 31,
      }).averageCollectionPeriodDays,
    ).toBe(20.7);
    // 1 ÷ 8 × 30 = 3.75 → 3.8
    expect(
      salespersonMetrics({ ...typical, receivablesMinor: 1, creditSalesMinor: 8 })
        .averageCollectionPeriodDays,
    ).toBe(3.8);
  });

  it('ratios round half up to a whole basis point', () => {
    // 1 ÷ 20,000 × 10000 = 0.5 bp → 1
    expect(
      salespersonMetrics({ ...typical, collectedMinor: 1, contractAmountMinor: 20_000 }).collectionRatioBp,
    ).toBe(1);
    // 1 ÷ 30,000 × 10000 = 0.33 bp → 0
    expect(
      salespersonMetrics({ ...typical, collectedMinor: 1, contractAmountMinor: 30_000 }).collectionRatioBp,
    ).toBe(0);
  });

  it('collecting old debts can take the collection ratio over 100 %', () => {
    // 2,500,000 ÷ 2,000,000 = 125 %
    expect(salespersonMetrics({ ...typical, collectedMinor: 2_500_000 }).collectionRatioBp).toBe(12_500);
  });

  it('no credit sales → no DSO; no contract → no collection ratio', () => {
    const m = salespersonMetrics({ ...typical, creditSalesMinor: 0, contractAmountMinor: 0 });
    expect(m.averageCollectionPeriodDays).toBeNull();
    expect(m.collectionRatioBp).toBeNull();
  });

  it('no receivables → DSO 0, no bad-debt ratio on receivables', () => {
    const m = salespersonMetrics({ ...typical, receivablesMinor: 0 });
    expect(m.averageCollectionPeriodDays).toBe(0); // 0 ÷ 2,000,000 × 30
    expect(m.badDebtToReceivablesBp).toBeNull();
    expect(m.receivablesShareBp).toBe(0); // 0 ÷ 12,000,000
  });

  it('no sales → no bad-debt ratio on sales; no discount offered → no take-up; company without receivables → no share', () => {
    const m = salespersonMetrics({
      ...typical,
      receivablesMinor: 0,
      companyReceivablesMinor: 0,
      salesMinor: 0,
      discountOfferedMinor: 0,
      paidWithDiscountMinor: 0,
    });
    expect(m.badDebtToSalesBp).toBeNull();
    expect(m.discountTakeUpBp).toBeNull();
    expect(m.receivablesShareBp).toBeNull();
  });

  it('refuses impossible inputs, naming the field', () => {
    expect(() => salespersonMetrics({ ...typical, receivablesMinor: -1 })).toThrow(/receivablesMinor/);
    expect(() => salespersonMetrics({ ...typical, collectedMinor: 1.5 })).toThrow(/collectedMinor/);
    expect(() => salespersonMetrics({ ...typical, daysInPeriod: 0 })).toThrow(/daysInPeriod/);
    expect(() => salespersonMetrics({ ...typical, companyReceivablesMinor: 2_999_999 })).toThrow(
      /companyReceivablesMinor/,
    );
    expect(() => salespersonMetrics({ ...typical, paidWithDiscountMinor: 1_000_001 })).toThrow(
      /paidWithDiscountMinor/,
    );
  });
});

describe('rates from the default table', () => {
  it('the default table is well formed', () => {
    expect(() => assertRateTable(DEFAULT_RATE_TABLE)).not.toThrow();
    expect(DEFAULT_BASELINES.collectionPeriodCeilingDays).toBe(90);
  });

  it('a metric without a value earns 0', () => {
    expect(metricRates(only({}))).toEqual({
      averageCollectionPeriodDays: 0,
      collectionRatioBp: 0,
      receivablesShareBp: 0,
      badDebtToReceivablesBp: 0,
      badDebtToSalesBp: 0,
      discountTakeUpBp: 0,
    });
  });

  it.each([
    [0, 50], // [0, 30) +50
    [29.9, 50],
    [30, 20], // lower edge of [30, 45) is inside
    [45, 0], // [45, 60) neutral
    [59.9, 0],
    [60, -30], // [60, 90) −30
    [89.9, -30],
    [90, -60], // exactly at the ceiling: the ceiling's band [90, ∞) −60
    [90.1, -60], // above the ceiling: the ceiling's rate
    [200, -60],
  ])('DSO %d days → %i bp', (dso, rate) => {
    expect(metricRates(only({ averageCollectionPeriodDays: dso })).averageCollectionPeriodDays).toBe(rate);
  });

  it('above the ceiling, bands beyond it never apply (the ceiling caps the penalty)', () => {
    const table: RateTable = {
      ...DEFAULT_RATE_TABLE,
      averageCollectionPeriodDays: [
        { min: 0, max: 90, rateBp: 0 },
        { min: 90, max: 120, rateBp: -60 },
        { min: 120, max: null, rateBp: -200 },
      ],
    };
    // DSO 150 > ceiling 90 → looked up at 90 → −60, not −200
    expect(metricRates(only({ averageCollectionPeriodDays: 150 }), table).averageCollectionPeriodDays).toBe(
      -60,
    );
    // with finance's ceiling at 120: 150 → looked up at 120 → −200; 119.9 stays in [90, 120) → −60
    const ceiling120 = { ...DEFAULT_BASELINES, collectionPeriodCeilingDays: 120 };
    expect(
      metricRates(only({ averageCollectionPeriodDays: 150 }), table, ceiling120).averageCollectionPeriodDays,
    ).toBe(-200);
    expect(
      metricRates(only({ averageCollectionPeriodDays: 119.9 }), table, ceiling120)
        .averageCollectionPeriodDays,
    ).toBe(-60);
  });

  it('DSO is compared after rounding to 0.1 day', () => {
    // 3,001,000 ÷ 1,000,000 × 30 = 90.03 → 90.0: at the ceiling, −60
    const atCeiling = assessSalespersonMonth({
      ...typical,
      receivablesMinor: 3_001_000,
      creditSalesMinor: 1_000_000,
    });
    expect(atCeiling.metrics.averageCollectionPeriodDays).toBe(90);
    expect(atCeiling.rates.averageCollectionPeriodDays).toBe(-60);
    // 2,990,000 ÷ 1,000,000 × 30 = 89.7 → [60, 90) −30
    const below = assessSalespersonMonth({
      ...typical,
      receivablesMinor: 2_990_000,
      creditSalesMinor: 1_000_000,
    });
    expect(below.rates.averageCollectionPeriodDays).toBe(-30);
  });

  it.each([
    [5999, -50], // [0, 6000)
    [6000, -20], // [6000, 8000)
    [7999, -20],
    [8000, 0], // baseline 80 %: neutral band starts here
    [9499, 0],
    [9500, 30],
    [12_500, 30],
  ])('collection ratio %i bp → %i bp', (value, rate) => {
    expect(metricRates(only({ collectionRatioBp: value })).collectionRatioBp).toBe(rate);
  });

  it.each([
    [0, 20], // no bad debts: +20
    [1, 0],
    [100, 0], // at the 1 % baseline: still neutral
    [101, -30],
    [299, -30],
    [300, -80],
  ])('bad debts ÷ receivables %i bp → %i bp', (value, rate) => {
    expect(metricRates(only({ badDebtToReceivablesBp: value })).badDebtToReceivablesBp).toBe(rate);
  });

  it.each([
    [0, 10],
    [50, 0], // at the 0.5 % baseline
    [51, -20],
    [200, -50],
  ])('bad debts ÷ sales %i bp → %i bp', (value, rate) => {
    expect(metricRates(only({ badDebtToSalesBp: value })).badDebtToSalesBp).toBe(rate);
  });

  it('receivables share has no rate by default', () => {
    expect(metricRates(only({ receivablesShareBp: 9000 })).receivablesShareBp).toBe(0);
  });

  it.each([
    [0, 0], // zero take-up: band [0, 2000) says −10, but zero is never penalised
    [1, -10], // a positive take-up earns its band's rate, here a penalty
    [1000, -10],
    [2000, 10], // [2000, 5000) +10
    [5000, 20],
  ])('discount take-up %i bp → %i bp', (value, rate) => {
    expect(metricRates(only({ discountTakeUpBp: value })).discountTakeUpBp).toBe(rate);
  });

  it('zero take-up keeps a positive rate if marketing set one', () => {
    const table: RateTable = { ...DEFAULT_RATE_TABLE, discountTakeUpBp: [{ min: 0, max: null, rateBp: 5 }] };
    expect(metricRates(only({ discountTakeUpBp: 0 }), table).discountTakeUpBp).toBe(5);
  });

  it('a value no band covers is a table error', () => {
    const table: RateTable = { ...DEFAULT_RATE_TABLE, collectionRatioBp: [{ min: 0, max: 5000, rateBp: 0 }] };
    expect(() => metricRates(only({ collectionRatioBp: 5000 }), table)).toThrow(
      /collectionRatioBp: no band covers 5000/,
    );
  });

  it('overlapping or empty bands are refused', () => {
    const overlap: RateTable = {
      ...DEFAULT_RATE_TABLE,
      badDebtToSalesBp: [
        { min: 0, max: 100, rateBp: 0 },
        { min: 50, max: null, rateBp: -10 },
      ],
    };
    expect(() => assertRateTable(overlap)).toThrow(/badDebtToSalesBp.*overlap/);
    const empty: RateTable = { ...DEFAULT_RATE_TABLE, badDebtToSalesBp: [{ min: 10, max: 10, rateBp: 0 }] };
    expect(() => assertRateTable(empty)).toThrow(/empty/);
  });
});

describe('reward / penalty = receivables × Σ rates', () => {
  it('a typical month: −0.1 % of 3,000,000 = −3,000', () => {
    // rates: DSO 45.0 → 0; collection 8500 → 0; share → 0; bad/receivables 100 → 0; bad/sales 120 → −20;
    // take-up 2500 → +10; Σ = −10 bp; 3,000,000 × −10 / 10000 = −3,000
    const a = assessSalespersonMonth(typical);
    expect(a.totalRateBp).toBe(-10);
    expect(a.rewardPenaltyMinor).toBe(-3_000);
  });

  it('a good month', () => {
    // DSO 1,000,000 ÷ 1,500,000 × 31 = 20.7 → +50; collection 1,960,000 ÷ 2,000,000 = 9800 → +30;
    // share 1,000,000 ÷ 10,000,000 = 1000 → 0; no bad debts: 0 bp → +20 and +10;
    // take-up 480,000 ÷ 800,000 = 6000 → +20; Σ = 50 + 30 + 0 + 20 + 10 + 20 = 130 bp
    // 1,000,000 × 130 / 10000 = 13,000
    const a = assessSalespersonMonth({
      receivablesMinor: 1_000_000,
      creditSalesMinor: 1_500_000,
      daysInPeriod: 31,
      collectedMinor: 1_960_000,
      contractAmountMinor: 2_000_000,
      companyReceivablesMinor: 10_000_000,
      badDebtsMinor: 0,
      salesMinor: 1_800_000,
      discountOfferedMinor: 800_000,
      paidWithDiscountMinor: 480_000,
    });
    expect(a.rates).toEqual({
      averageCollectionPeriodDays: 50,
      collectionRatioBp: 30,
      receivablesShareBp: 0,
      badDebtToReceivablesBp: 20,
      badDebtToSalesBp: 10,
      discountTakeUpBp: 20,
    });
    expect(a.totalRateBp).toBe(130);
    expect(a.rewardPenaltyMinor).toBe(13_000);
  });

  it('DSO above the ceiling and no discount offered', () => {
    // DSO 3,010,000 ÷ 1,000,000 × 30 = 90.3 > 90 → −60; collection 8500 → 0; bad/receivables 30,000 ÷ 3,010,000
    // = 99.67 → 100 bp → 0; bad/sales 120 → −20; no discount offered → 0; Σ = −80 bp
    // 3,010,000 × −80 / 10000 = −24,080
    const a = assessSalespersonMonth({
      ...typical,
      receivablesMinor: 3_010_000,
      creditSalesMinor: 1_000_000,
      discountOfferedMinor: 0,
      paidWithDiscountMinor: 0,
    });
    expect(a.metrics.averageCollectionPeriodDays).toBe(90.3);
    expect(a.metrics.badDebtToReceivablesBp).toBe(100);
    expect(a.totalRateBp).toBe(-80);
    expect(a.rewardPenaltyMinor).toBe(-24_080);
  });

  it('no receivables: nothing to pay or deduct', () => {
    // DSO 0.0 → +50 etc., but 0 × anything = 0
    const a = assessSalespersonMonth({ ...typical, receivablesMinor: 0 });
    expect(a.rewardPenaltyMinor).toBe(0);
  });

  it('no credit sales, no contracts, no sales: only the defined metrics count', () => {
    // DSO null → 0; collection null → 0; share 3,000,000 ÷ 12,000,000 → 0; bad/receivables 0 ÷ 3,000,000 = 0 → +20;
    // bad/sales null → 0; take-up 0 of 1,000,000 → 0 (never penalised); Σ = +20
    // 3,000,000 × 20 / 10000 = 6,000
    const a = assessSalespersonMonth({
      ...typical,
      creditSalesMinor: 0,
      contractAmountMinor: 0,
      collectedMinor: 0,
      salesMinor: 0,
      badDebtsMinor: 0,
      paidWithDiscountMinor: 0,
    });
    expect(a.totalRateBp).toBe(20);
    expect(a.rewardPenaltyMinor).toBe(6_000);
  });

  it('rounds half away from zero', () => {
    expect(rewardPenaltyMinor(50, 100)).toBe(1); // 50 × 100 / 10000 = 0.5 → 1
    expect(rewardPenaltyMinor(50, -100)).toBe(-1); // −0.5 → −1
    expect(rewardPenaltyMinor(149, -100)).toBe(-1); // −1.49 → −1
    expect(rewardPenaltyMinor(151, -100)).toBe(-2); // −1.51 → −2
    expect(rewardPenaltyMinor(12_345, -10)).toBe(-12); // −12.345 → −12
    expect(rewardPenaltyMinor(1_000, 0)).toBe(0);
  });

  it('refuses fractional rates and negative receivables', () => {
    expect(() => rewardPenaltyMinor(100, 1.5)).toThrow(/totalRateBp/);
    expect(() => rewardPenaltyMinor(-100, 10)).toThrow(/receivablesMinor/);
  });
});

describe('salesperson credit score (sales 30, feedback 20, collection 35, fulfilment 15)', () => {
  it('caps over-achievement and takes 10 points per complaint', () => {
    // sales 11000 bp → capped 100; feedback 90 − 2 × 10 = 70; collection 8750 → 87.5 → 88; fulfilment 9500 → 95
    // 30×100 + 20×70 + 35×88 + 15×95 = 3000 + 1400 + 3080 + 1425 = 8905 → 89.05 → 89
    const s = salespersonCreditScore({
      salesTargetAchievementBp: 11_000,
      customerFeedbackScore: 90,
      complaintCount: 2,
      collectionRatioBp: 8750,
      contractFulfilmentBp: 9500,
    });
    expect(s.factorScores).toEqual({
      sales: 100,
      customerFeedback: 70,
      collectionRecord: 88,
      contractFulfilment: 95,
    });
    expect(s.score).toBe(89);
  });

  it('feedback never below 0; the total rounds half up', () => {
    // sales 9000 → 90; feedback 90 − 12 × 10 → 0; collection 9000 → 90; fulfilment 10000 → 100
    // 30×90 + 20×0 + 35×90 + 15×100 = 2700 + 0 + 3150 + 1500 = 7350 → 73.5 → 74
    const s = salespersonCreditScore({
      salesTargetAchievementBp: 9000,
      customerFeedbackScore: 90,
      complaintCount: 12,
      collectionRatioBp: 9000,
      contractFulfilmentBp: 10_000,
    });
    expect(s.factorScores.customerFeedback).toBe(0);
    expect(s.score).toBe(74);
  });

  it('refuses weights not summing to 100 and feedback outside 0–100', () => {
    const inputs = {
      salesTargetAchievementBp: 9000,
      customerFeedbackScore: 90,
      complaintCount: 0,
      collectionRatioBp: 9000,
      contractFulfilmentBp: 9000,
    };
    expect(() =>
      salespersonCreditScore(inputs, {
        sales: 30,
        customerFeedback: 20,
        collectionRecord: 35,
        contractFulfilment: 10,
      }),
    ).toThrow(/sum to 100, got 95/);
    expect(() => salespersonCreditScore({ ...inputs, customerFeedbackScore: 101 })).toThrow(
      /customerFeedbackScore/,
    );
  });
});

describe('salesperson limit usage (warning at 80 %, blocked at 100 %)', () => {
  it.each([
    [0, 'ok'],
    [799_999, 'ok'], // 79.9999 %
    [800_000, 'warning'], // exactly 80 %
    [999_999, 'warning'],
    [1_000_000, 'blocked'], // exactly 100 %
    [1_200_000, 'blocked'],
  ] as const)('%i of 1,000,000 → %s', (outstanding, usage) => {
    expect(limitUsage(outstanding, 1_000_000)).toBe(usage);
  });

  it('compares exactly, without rounding the percentage', () => {
    // 80 % of 999 = 799.2: 799 is below it, 800 above
    expect(limitUsage(799, 999)).toBe('ok');
    expect(limitUsage(800, 999)).toBe('warning');
  });

  it('a company warning level of 90 %', () => {
    expect(limitUsage(850_000, 1_000_000, 9000)).toBe('ok');
    expect(limitUsage(900_000, 1_000_000, 9000)).toBe('warning');
  });

  it('a zero limit allows nothing', () => {
    expect(limitUsage(0, 0)).toBe('blocked');
  });

  it('refuses a warning level outside 1–10000 bp', () => {
    expect(() => limitUsage(1, 10, 0)).toThrow(/warnBp/);
    expect(() => limitUsage(1, 10, 10_001)).toThrow(/warnBp/);
  });
});
