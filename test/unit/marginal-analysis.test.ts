import { describe, expect, it } from 'vitest';
import {
  type CreditTermOption,
  type MarginalAnalysisInput,
  marginalAnalysis,
} from '../../domain/marginal-analysis.js';
import {
  ANALYSIS_BASE,
  CASH_FIGURES,
  CASH_OPTION,
  N30_FIGURES,
  N30_OPTION,
} from '../support/credit-examples.js';

// A worked example in fen: price 100.00, unit variable cost 60.00, fixed cost 100,000.00, required return 10 %.
const cash = CASH_OPTION;
const n30 = N30_OPTION;
const n60: CreditTermOption = {
  label: 'n/60',
  termDays: 60,
  yearlyVolumeUnits: 13_000,
  unitPriceMinor: 10_000,
  unitVariableCostMinor: 6_000,
  creditCostMinor: 1_200_000,
  badDebtRateBp: 200,
};
const worked: MarginalAnalysisInput = {
  options: [cash, n30, n60],
  ...ANALYSIS_BASE,
};

describe('marginal analysis — worked example', () => {
  const result = marginalAnalysis(worked);

  it('cash option: the base, gain 0', () => {
    // sales 10,000 × 10,000 = 100,000,000; variable 10,000 × 6,000 = 60,000,000
    // profit = 100,000,000 − 60,000,000 − 10,000,000 − 0 − 0 = 30,000,000
    expect(result.cashOption).toMatchObject(CASH_FIGURES);
  });

  it('n/30', () => {
    // sales 12,000 × 10,000 = 120,000,000; variable 12,000 × 6,000 = 72,000,000
    // bad debt 120,000,000 × 1 % = 1,200,000
    // profit = 120,000,000 − 72,000,000 − 10,000,000 − 500,000 − 1,200,000 = 36,300,000; gain = 6,300,000
    // capital = (120,000,000 / 360) × 30 × (72,000,000 + 10,000,000 + 500,000) / 120,000,000
    //         = 30 × 82,500,000 / 360 = 6,875,000
    // opportunity = 6,875,000 × 10 % = 687,500; net = 6,300,000 − 687,500 = 5,612,500
    expect(result.options[1]).toMatchObject(N30_FIGURES);
  });

  it('n/60, with rounding at the end only', () => {
    // sales 130,000,000; variable 78,000,000; bad debt 130,000,000 × 2 % = 2,600,000
    // profit = 130,000,000 − 78,000,000 − 10,000,000 − 1,200,000 − 2,600,000 = 38,200,000; gain = 8,200,000
    // capital = 60 × (78,000,000 + 10,000,000 + 1,200,000) / 360 = 89,200,000 / 6 = 14,866,666.67 → 14,866,667
    // opportunity = 14,866,666.67 × 10 % = 1,486,666.67 → 1,486,667
    // net = 8,200,000 − 1,486,666.67 = 6,713,333.33 → 6,713,333
    expect(result.options[2]).toMatchObject({
      profitMinor: 38_200_000,
      gainMinor: 8_200_000,
      capitalTiedUpMinor: 14_866_667,
      opportunityCostMinor: 1_486_667,
      netGainMinor: 6_713_333,
    });
  });

  it('recommends the highest net gain: n/60 (6,713,333 > 5,612,500 > 0)', () => {
    expect(result.recommended.label).toBe('n/60');
  });

  it('within the grade’s maximum term of 30 days: n/30', () => {
    const limited = marginalAnalysis({ ...worked, maxTermDays: 30 });
    expect(limited.recommended.label).toBe('n/30'); // n/30 exactly at the maximum is allowed
    expect(limited.options[2]?.withinMaxTerm).toBe(false);
    expect(limited.options[2]?.netGainMinor).toBe(6_713_333); // still reported
  });

  it('a maximum of 0 days leaves cash', () => {
    expect(marginalAnalysis({ ...worked, maxTermDays: 0 }).recommended.label).toBe('cash');
  });

  it('the cash option need not come first', () => {
    const reordered = marginalAnalysis({ ...worked, options: [n60, cash, n30] });
    expect(reordered.cashOption.label).toBe('cash');
    expect(reordered.options.map((o) => o.netGainMinor)).toEqual([6_713_333, 0, 5_612_500]);
  });
});

/** Cash sale of one unit at 1.00, no costs: the base of the small examples below. */
const ONE_UNIT_CASH: CreditTermOption = {
  label: 'cash',
  termDays: 0,
  yearlyVolumeUnits: 1,
  unitPriceMinor: 100,
  unitVariableCostMinor: 0,
  creditCostMinor: 0,
  badDebtRateBp: 0,
};

describe('marginal analysis — rounding half-up (ties away from zero), once per field', () => {
  // Fixed cost 180, required return 100 %.
  const base = ONE_UNIT_CASH;
  const result = marginalAnalysis({
    fixedCostMinor: 180,
    requiredReturnBp: 10_000,
    options: [
      base,
      { ...base, label: 'n/1', termDays: 1, unitPriceMinor: 150, badDebtRateBp: 100 },
      { ...base, label: 'n/3', termDays: 3 },
      { ...base, label: 'no sales', termDays: 30, yearlyVolumeUnits: 0 },
    ],
  });

  it('cash: profit 100 − 180 = −80', () => {
    expect(result.cashOption.profitMinor).toBe(-80);
  });

  it('positive halves round up', () => {
    // bad debt 150 × 1 % = 1.5 → 2
    // profit = 150 − 0 − 180 − 0 − 1.5 = −31.5 → −32 (away from zero)
    // gain = −31.5 − (−80) = 48.5 → 49
    // capital = 1 × (0 + 180 + 0) / 360 = 0.5 → 1; opportunity = 0.5 × 100 % = 0.5 → 1
    // net = 48.5 − 0.5 = 48 exactly
    expect(result.options[1]).toMatchObject({
      badDebtLossMinor: 2,
      profitMinor: -32,
      gainMinor: 49,
      capitalTiedUpMinor: 1,
      opportunityCostMinor: 1,
      netGainMinor: 48,
    });
  });

  it('negative halves round away from zero', () => {
    // gain 0 (same sales and costs as cash); capital = 3 × 180 / 360 = 1.5 → 2; opportunity 1.5 → 2
    // net = 0 − 1.5 = −1.5 → −2
    expect(result.options[2]).toMatchObject({
      gainMinor: 0,
      capitalTiedUpMinor: 2,
      opportunityCostMinor: 2,
      netGainMinor: -2,
    });
  });

  it('no sales: no receivables, so no capital tied up', () => {
    // profit = 0 − 0 − 180 = −180; gain = −180 − (−80) = −100; capital 0 (0 ÷ 0 taken as 0); net −100
    expect(result.options[3]).toMatchObject({
      salesMinor: 0,
      profitMinor: -180,
      gainMinor: -100,
      capitalTiedUpMinor: 0,
      opportunityCostMinor: 0,
      netGainMinor: -100,
    });
  });

  it('recommends n/1 (48 > 0 > −2 > −100)', () => {
    expect(result.recommended.label).toBe('n/1');
  });
});

describe('marginal analysis — ties go to the shorter term', () => {
  it('net gain 0 against cash 0 → cash, whatever the order', () => {
    // n/30: sales 230, credit cost 120, fixed 0, variable 0: profit 110; cash profit 100; gain 10
    // capital = 30 × (0 + 0 + 120) / 360 = 10; opportunity = 10 × 100 % = 10; net = 10 − 10 = 0
    const cashOption = ONE_UNIT_CASH;
    const term: CreditTermOption = {
      ...cashOption,
      label: 'n/30',
      termDays: 30,
      unitPriceMinor: 230,
      creditCostMinor: 120,
    };
    const result = marginalAnalysis({
      options: [term, cashOption],
      fixedCostMinor: 0,
      requiredReturnBp: 10_000,
    });
    expect(result.options[0]?.netGainMinor).toBe(0);
    expect(result.recommended.label).toBe('cash');
  });
});

describe('marginal analysis — invalid input names the field', () => {
  const bad = (patch: Partial<CreditTermOption>): MarginalAnalysisInput => ({
    ...worked,
    options: [cash, { ...n30, ...patch }],
  });

  it.each([
    [{ yearlyVolumeUnits: -5 }, /options\[1\]\.yearlyVolumeUnits must be a non-negative integer, got -5/],
    [{ unitPriceMinor: 10.5 }, /options\[1\]\.unitPriceMinor/],
    [{ unitVariableCostMinor: -1 }, /options\[1\]\.unitVariableCostMinor/],
    [{ creditCostMinor: Number.NaN }, /options\[1\]\.creditCostMinor/],
    [{ badDebtRateBp: 10_001 }, /options\[1\]\.badDebtRateBp must be at most 10000/],
    [{ termDays: -30 }, /options\[1\]\.termDays/],
    [{ label: '' }, /options\[1\]\.label/],
    [{ label: 'cash' }, /options\[1\]\.label "cash" is used twice/],
  ])('%o', (patch, message) => {
    expect(() => marginalAnalysis(bad(patch))).toThrow(message);
  });

  it('company-level fields', () => {
    expect(() => marginalAnalysis({ ...worked, fixedCostMinor: -1 })).toThrow(/fixedCostMinor/);
    expect(() => marginalAnalysis({ ...worked, requiredReturnBp: 1.5 })).toThrow(/requiredReturnBp/);
    expect(() => marginalAnalysis({ ...worked, maxTermDays: -1 })).toThrow(/maxTermDays/);
    expect(() => marginalAnalysis({ ...worked, options: [] })).toThrow(/options/);
  });

  it('exactly one cash option', () => {
    expect(() => marginalAnalysis({ ...worked, options: [n30, n60] })).toThrow(
      /exactly one cash option \(termDays 0\), found 0/,
    );
    expect(() => marginalAnalysis({ ...worked, options: [cash, { ...cash, label: 'cash 2' }] })).toThrow(
      /found 2/,
    );
  });
});
