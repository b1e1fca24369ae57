/**
 * Worked examples several tests share, in fen: the marginal analysis's cash and n/30 options
 * (price 100.00, unit variable cost 60.00, fixed cost 100,000.00, required return 10 %) with
 * their figures worked out by hand, a customer's financial figures that score well, and a
 * salesperson's month for the assessment.
 */
import type { CreditTermOption } from '../../domain/marginal-analysis.js';

export const CASH_OPTION: CreditTermOption = {
  label: 'cash',
  termDays: 0,
  yearlyVolumeUnits: 10_000,
  unitPriceMinor: 10_000,
  unitVariableCostMinor: 6_000,
  creditCostMinor: 0,
  badDebtRateBp: 0,
};

export const N30_OPTION: CreditTermOption = {
  label: 'n/30',
  termDays: 30,
  yearlyVolumeUnits: 12_000,
  unitPriceMinor: 10_000,
  unitVariableCostMinor: 6_000,
  creditCostMinor: 500_000,
  badDebtRateBp: 100,
};

/** The worked example's fixed cost and required return. */
export const ANALYSIS_BASE = { fixedCostMinor: 10_000_000, requiredReturnBp: 1000 };

/**
 * CASH_OPTION analysed: sales 10,000 × 10,000 = 100,000,000; variable 10,000 × 6,000 = 60,000,000;
 * profit = 100,000,000 − 60,000,000 − 10,000,000 − 0 − 0 = 30,000,000; the base, gain 0.
 */
export const CASH_FIGURES = {
  label: 'cash',
  termDays: 0,
  salesMinor: 100_000_000,
  variableCostMinor: 60_000_000,
  fixedCostMinor: 10_000_000,
  creditCostMinor: 0,
  badDebtLossMinor: 0,
  profitMinor: 30_000_000,
  gainMinor: 0,
  capitalTiedUpMinor: 0,
  opportunityCostMinor: 0,
  netGainMinor: 0,
  withinMaxTerm: true,
};

/**
 * N30_OPTION analysed: sales 12,000 × 10,000 = 120,000,000; variable 12,000 × 6,000 = 72,000,000;
 * bad debt 120,000,000 × 1 % = 1,200,000; profit = 120,000,000 − 72,000,000 − 10,000,000 − 500,000
 * − 1,200,000 = 36,300,000; gain over cash 6,300,000; capital = 30 × 82,500,000 / 360 = 6,875,000;
 * opportunity = 687,500; net = 5,612,500.
 */
export const N30_FIGURES = {
  label: 'n/30',
  termDays: 30,
  salesMinor: 120_000_000,
  variableCostMinor: 72_000_000,
  fixedCostMinor: 10_000_000,
  creditCostMinor: 500_000,
  badDebtLossMinor: 1_200_000,
  profitMinor: 36_300_000,
  gainMinor: 6_300_000,
  capitalTiedUpMinor: 6_875_000,
  opportunityCostMinor: 687_500,
  netGainMinor: 5_612_500,
  withinMaxTerm: true,
};

/**
 * A customer's facts as `POST /v1/customers/:id/facts` takes them (dated `asOf`): sound finances, a good
 * credit report, a low-risk industry. Its payment behaviour is creditflow's own record, never entered.
 */
export const goodCustomerFacts = (asOf: string) => [
  { factor: 'currentRatioBp', value: 20_000, asOf, document: 'audited statements' },
  { factor: 'debtRatioBp', value: 4_000, asOf, document: 'audited statements' },
  { factor: 'profitMarginBp', value: 1_000, asOf, document: 'audited statements' },
  { factor: 'creditReportScore', value: 90, asOf, document: 'agency report' },
  { factor: 'industryRisk', value: 'low', asOf, document: 'sector review' },
];

/**
 * A salesperson's March 2031, worked out by hand (the book the assessment workflow test seeds):
 * receivables at 03-31 10,000.00 + 2,000.00; credit sales of two receivables; collected
 * 3,000.00 + 1,980.00; contract amount due in March; one bad debt; the discount offered and taken.
 */
export const MARCH_ASSESSMENT_FIGURES = {
  receivablesMinor: 1_200_000,
  creditSalesMinor: 1_200_000,
  collectedMinor: 498_000,
  contractAmountMinor: 700_000,
  badDebtsMinor: 100_000,
  salesMinor: 1_200_000,
  discountOfferedMinor: 200_000,
  paidWithDiscountMinor: 200_000,
  daysInPeriod: 31,
};
