/**
 * docs/domain.md §4 Salesperson receivable assessment (应收帐款考核, monthly) and §5 salesperson credit — pure functions, no I/O.
 *
 * Metrics for one salesperson-month, marketing's rate table (metric range → reward/penalty rate) and the
 * reward/penalty amount = the person's receivables × the sum of the rates. Baselines, rate tables, weights
 * and the usage warning level are *defaults*.
 *
 * Ratios and rates are basis points (10000 = 100 %). Metric ratios are rounded half up to a whole basis point
 * and the collection period half up to 0.1 day; the rate table is looked up with those rounded values, so the
 * band a person lands in is the one the month's table shows.
 */

export interface SalespersonMonthInput {
  /** The person's receivables outstanding at the end of the month. */
  readonly receivablesMinor: number;
  /** Credit sales in the period. */
  readonly creditSalesMinor: number;
  /** Days in the period (the month's length). */
  readonly daysInPeriod: number;
  /** Amount actually collected in the month. */
  readonly collectedMinor: number;
  /** This month's contract amount. */
  readonly contractAmountMinor: number;
  /** The whole company's receivables outstanding at the end of the month. */
  readonly companyReceivablesMinor: number;
  /** Bad debts written off in the month. */
  readonly badDebtsMinor: number;
  /** All sales in the month (cash and credit). */
  readonly salesMinor: number;
  /** Receivables settled this month on which the cash discount was offered. */
  readonly discountOfferedMinor: number;
  /** Of those, the part paid inside the discount window. */
  readonly paidWithDiscountMinor: number;
}

/** null = the metric has no denominator this month (nothing to assess). */
export interface SalespersonMetrics {
  /** DSO = receivables ÷ credit sales × days in period; days, one decimal; null without credit sales. */
  readonly averageCollectionPeriodDays: number | null;
  /** Collected ÷ this month's contract amount; may exceed 10000 (old debts collected); null without contracts. */
  readonly collectionRatioBp: number | null;
  /** The person's receivables ÷ the company's; null when the company has none. */
  readonly receivablesShareBp: number | null;
  /** Bad debts ÷ receivables; null without receivables. */
  readonly badDebtToReceivablesBp: number | null;
  /** Bad debts ÷ sales; null without sales. */
  readonly badDebtToSalesBp: number | null;
  /** Paid with discount ÷ offered the discount; null when no discount was offered. */
  readonly discountTakeUpBp: number | null;
}

export type MetricKey = keyof SalespersonMetrics;

export const METRIC_KEYS: readonly MetricKey[] = [
  'averageCollectionPeriodDays',
  'collectionRatioBp',
  'receivablesShareBp',
  'badDebtToReceivablesBp',
  'badDebtToSalesBp',
  'discountTakeUpBp',
];

/** n ÷ d rounded to the nearest integer, ties away from zero (half up for the non-negative metrics); d > 0. */
function divRoundHalfAwayFromZero(n: bigint, d: bigint): bigint {
  const magnitude = n < 0n ? -n : n;
  const q = (2n * magnitude + d) / (2n * d);
  return n < 0n ? -q : q;
}

function requireAmount(value: number, field: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${field} must be a non-negative integer, got ${String(value)}`);
  }
  return BigInt(value);
}

function ratioBp(numerator: bigint, denominator: bigint): number | null {
  if (denominator === 0n) return null;
  return Number(divRoundHalfAwayFromZero(numerator * 10000n, denominator));
}

export function salespersonMetrics(input: SalespersonMonthInput): SalespersonMetrics {
  const receivables = requireAmount(input.receivablesMinor, 'receivablesMinor');
  const creditSales = requireAmount(input.creditSalesMinor, 'creditSalesMinor');
  const days = requireAmount(input.daysInPeriod, 'daysInPeriod');
  if (days === 0n) throw new Error('daysInPeriod must be positive, got 0');
  const collected = requireAmount(input.collectedMinor, 'collectedMinor');
  const contract = requireAmount(input.contractAmountMinor, 'contractAmountMinor');
  const companyReceivables = requireAmount(input.companyReceivablesMinor, 'companyReceivablesMinor');
  const badDebts = requireAmount(input.badDebtsMinor, 'badDebtsMinor');
  const sales = requireAmount(input.salesMinor, 'salesMinor');
  const offered = requireAmount(input.discountOfferedMinor, 'discountOfferedMinor');
  const paidWithDiscount = requireAmount(input.paidWithDiscountMinor, 'paidWithDiscountMinor');
  if (receivables > companyReceivables) {
    throw new Error('receivablesMinor must not exceed companyReceivablesMinor');
  }
  if (paidWithDiscount > offered) {
    throw new Error('paidWithDiscountMinor must not exceed discountOfferedMinor');
  }
  const dsoTenths =
    creditSales === 0n ? null : divRoundHalfAwayFromZero(receivables * days * 10n, creditSales);
  return {
    averageCollectionPeriodDays: dsoTenths === null ? null : Number(dsoTenths) / 10,
    collectionRatioBp: ratioBp(collected, contract),
    receivablesShareBp: ratioBp(receivables, companyReceivables),
    badDebtToReceivablesBp: ratioBp(badDebts, receivables),
    badDebtToSalesBp: ratioBp(badDebts, sales),
    discountTakeUpBp: ratioBp(paidWithDiscount, offered),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Baselines (finance) and rate table (marketing)

/** Finance's company baselines, one per metric; the collection-period ceiling caps the DSO penalty. */
export interface AssessmentBaselines {
  readonly averageCollectionPeriodDays: number;
  /** The longest average collection period finance accepts; above it, the ceiling's rate applies. */
  readonly collectionPeriodCeilingDays: number;
  readonly collectionRatioBp: number;
  /** No natural company-wide baseline (it depends on head count); null = none. */
  readonly receivablesShareBp: number | null;
  readonly badDebtToReceivablesBp: number;
  readonly badDebtToSalesBp: number;
  readonly discountTakeUpBp: number;
}

/** Default baselines: DSO 45 days (ceiling 90), collection 80 %, bad debts 1 % of receivables and 0.5 % of sales, discount take-up 20 %. */
export const DEFAULT_BASELINES: AssessmentBaselines = {
  averageCollectionPeriodDays: 45,
  collectionPeriodCeilingDays: 90,
  collectionRatioBp: 8000,
  receivablesShareBp: null,
  badDebtToReceivablesBp: 100,
  badDebtToSalesBp: 50,
  discountTakeUpBp: 2000,
};

/** value in [min, max) → rateBp (+ reward, − penalty); max null = no upper end. */
export interface RateBand {
  readonly min: number;
  readonly max: number | null;
  readonly rateBp: number;
}

export type RateTable = Readonly<Record<MetricKey, readonly RateBand[]>>;

/**
 * Default rate table; each metric's neutral band (rate 0) starts at or around finance's default baseline.
 * Rates are small because they apply to the person's whole receivables.
 * - DSO: <30 +0.5 %, 30–45 +0.2 %, 45–60 0, 60–90 −0.3 %, ≥90 (the ceiling) −0.6 %;
 * - collection ratio: <60 % −0.5 %, 60–80 % −0.2 %, 80–95 % 0, ≥95 % +0.3 %;
 * - share of company receivables: no rate (reported only);
 * - bad debts ÷ receivables: 0 +0.2 %, up to 1 % 0, 1–3 % −0.3 %, ≥3 % −0.8 %;
 * - bad debts ÷ sales: 0 +0.1 %, up to 0.5 % 0, 0.5–2 % −0.2 %, ≥2 % −0.5 %;
 * - discount take-up: under 20 % −0.1 % (never applied to zero), 20–50 % +0.1 %, ≥50 % +0.2 %.
 */
export const DEFAULT_RATE_TABLE: RateTable = {
  averageCollectionPeriodDays: [
    { min: 0, max: 30, rateBp: 50 },
    { min: 30, max: 45, rateBp: 20 },
    { min: 45, max: 60, rateBp: 0 },
    { min: 60, max: 90, rateBp: -30 },
    { min: 90, max: null, rateBp: -60 },
  ],
  collectionRatioBp: [
    { min: 0, max: 6000, rateBp: -50 },
    { min: 6000, max: 8000, rateBp: -20 },
    { min: 8000, max: 9500, rateBp: 0 },
    { min: 9500, max: null, rateBp: 30 },
  ],
  receivablesShareBp: [{ min: 0, max: null, rateBp: 0 }],
  badDebtToReceivablesBp: [
    { min: 0, max: 1, rateBp: 20 },
    { min: 1, max: 101, rateBp: 0 },
    { min: 101, max: 300, rateBp: -30 },
    { min: 300, max: null, rateBp: -80 },
  ],
  badDebtToSalesBp: [
    { min: 0, max: 1, rateBp: 10 },
    { min: 1, max: 51, rateBp: 0 },
    { min: 51, max: 200, rateBp: -20 },
    { min: 200, max: null, rateBp: -50 },
  ],
  discountTakeUpBp: [
    { min: 0, max: 2000, rateBp: -10 },
    { min: 2000, max: 5000, rateBp: 10 },
    { min: 5000, max: null, rateBp: 20 },
  ],
};

/** Bands must be well formed and must not overlap, so every value has at most one rate. */
export function assertRateTable(table: RateTable): void {
  for (const metric of METRIC_KEYS) {
    const bands = [...table[metric]].sort((a, b) => a.min - b.min);
    bands.forEach((band, i) => {
      if (!Number.isFinite(band.min) || (band.max !== null && !(band.max > band.min))) {
        throw new Error(`rate table ${metric}: band [${band.min}, ${band.max}) is empty or malformed`);
      }
      if (!Number.isSafeInteger(band.rateBp))
        throw new Error(`rate table ${metric}: rateBp must be an integer`);
      const next = bands[i + 1];
      if (next !== undefined && (band.max === null || band.max > next.min)) {
        throw new Error(`rate table ${metric}: bands starting at ${band.min} and ${next.min} overlap`);
      }
    });
  }
}

function bandRate(bands: readonly RateBand[], value: number): number | undefined {
  return bands.find((b) => value >= b.min && (b.max === null || value < b.max))?.rateBp;
}

function requireBandRate(bands: readonly RateBand[], value: number, metric: MetricKey): number {
  const rate = bandRate(bands, value);
  if (rate === undefined) throw new Error(`rate table ${metric}: no band covers ${value}`);
  return rate;
}

export type MetricRates = Readonly<Record<MetricKey, number>>;

/**
 * The rate per metric:
 * - a metric without a value (null) earns 0;
 * - collection period: a DSO above the ceiling takes the ceiling's rate (the band containing the ceiling),
 *   i.e. the lookup uses min(DSO, ceiling) — bands beyond the ceiling never apply;
 * - discount take-up: zero is never penalised (a negative rate becomes 0); a positive take-up earns its band's rate.
 */
export function metricRates(
  metrics: SalespersonMetrics,
  table: RateTable = DEFAULT_RATE_TABLE,
  baselines: AssessmentBaselines = DEFAULT_BASELINES,
): MetricRates {
  const rates = Object.fromEntries(METRIC_KEYS.map((m) => [m, 0])) as Record<MetricKey, number>;
  for (const metric of METRIC_KEYS) {
    const value = metrics[metric];
    if (value === null) continue;
    if (metric === 'averageCollectionPeriodDays') {
      const capped = Math.min(value, baselines.collectionPeriodCeilingDays);
      rates[metric] = requireBandRate(table[metric], capped, metric);
    } else if (metric === 'discountTakeUpBp' && value === 0) {
      rates[metric] = Math.max(0, bandRate(table[metric], 0) ?? 0);
    } else {
      rates[metric] = requireBandRate(table[metric], value, metric);
    }
  }
  return rates;
}

/**
 * Reward (+) or penalty (−) = receivables × Σ rates ÷ 10000, in minor units,
 * rounded half away from zero (so a reward and the equal penalty have the same size).
 */
export function rewardPenaltyMinor(receivablesMinor: number, totalRateBp: number): number {
  const receivables = requireAmount(receivablesMinor, 'receivablesMinor');
  if (!Number.isSafeInteger(totalRateBp))
    throw new Error(`totalRateBp must be an integer, got ${totalRateBp}`);
  return Number(divRoundHalfAwayFromZero(receivables * BigInt(totalRateBp), 10000n));
}

export interface SalespersonAssessment {
  readonly metrics: SalespersonMetrics;
  readonly baselines: AssessmentBaselines;
  readonly rates: MetricRates;
  readonly totalRateBp: number;
  /** Paid with (+) or deducted from (−) commission. */
  readonly rewardPenaltyMinor: number;
}

/** One row of finance's monthly table. */
export function assessSalespersonMonth(
  input: SalespersonMonthInput,
  table: RateTable = DEFAULT_RATE_TABLE,
  baselines: AssessmentBaselines = DEFAULT_BASELINES,
): SalespersonAssessment {
  assertRateTable(table);
  const metrics = salespersonMetrics(input);
  const rates = metricRates(metrics, table, baselines);
  const totalRateBp = METRIC_KEYS.reduce((sum, m) => sum + rates[m], 0);
  return {
    metrics,
    baselines,
    rates,
    totalRateBp,
    rewardPenaltyMinor: rewardPenaltyMinor(input.receivablesMinor, totalRateBp),
  };
}

// ---------------------------------------------------------------------------------------------------------
// docs/domain.md §5 Salesperson credit

export interface SalespersonCreditInputs {
  /** Actual sales ÷ sales target, bp. */
  readonly salesTargetAchievementBp: number;
  /** Customer survey / feedback score, 0–100. */
  readonly customerFeedbackScore: number;
  /** Customer complaints in the period. */
  readonly complaintCount: number;
  /** Collection record: collected ÷ due, bp. */
  readonly collectionRatioBp: number;
  /** Contracts fulfilled ÷ contracts due, bp. */
  readonly contractFulfilmentBp: number;
}

export type SalespersonCreditFactor =
  | 'sales'
  | 'customerFeedback'
  | 'collectionRecord'
  | 'contractFulfilment';

/** Integer weights summing to 100. */
export type SalespersonCreditWeights = Readonly<Record<SalespersonCreditFactor, number>>;

/** Default: collection record weighs most (it is the credit risk), then sales, feedback, fulfilment. */
export const DEFAULT_SALESPERSON_CREDIT_WEIGHTS: SalespersonCreditWeights = {
  sales: 30,
  customerFeedback: 20,
  collectionRecord: 35,
  contractFulfilment: 15,
};

/** Default: each complaint takes 10 points off the feedback score (not below 0). */
export const DEFAULT_COMPLAINT_PENALTY_POINTS = 10;

export interface SalespersonCreditScore {
  readonly factorScores: Readonly<Record<SalespersonCreditFactor, number>>;
  /** Whole points 0–100. */
  readonly score: number;
}

/** bp → 0–100 points, capped at 100 % (over-achievement earns no extra), rounded half up. */
function bpToPoints(bp: number, field: string): number {
  if (!Number.isSafeInteger(bp) || bp < 0)
    throw new Error(`${field} must be a non-negative integer of bp, got ${bp}`);
  return Math.floor((Math.min(bp, 10000) + 50) / 100);
}

/**
 * Factor scores 0–100: sales = achievement (capped at 100 %); feedback = survey score − complaints × penalty;
 * collection record and contract fulfilment = their ratio (capped at 100 %).
 * score = Σ(weight × factor score) ÷ 100, rounded half up.
 */
export function salespersonCreditScore(
  inputs: SalespersonCreditInputs,
  weights: SalespersonCreditWeights = DEFAULT_SALESPERSON_CREDIT_WEIGHTS,
  complaintPenaltyPoints: number = DEFAULT_COMPLAINT_PENALTY_POINTS,
): SalespersonCreditScore {
  const factors: SalespersonCreditFactor[] = [
    'sales',
    'customerFeedback',
    'collectionRecord',
    'contractFulfilment',
  ];
  let weightSum = 0;
  for (const f of factors) {
    const w = weights[f];
    if (!Number.isSafeInteger(w) || w < 0)
      throw new Error(`weight ${f} must be a non-negative integer, got ${w}`);
    weightSum += w;
  }
  if (weightSum !== 100) throw new Error(`salesperson credit weights must sum to 100, got ${weightSum}`);
  const feedback = inputs.customerFeedbackScore;
  if (!Number.isInteger(feedback) || feedback < 0 || feedback > 100) {
    throw new Error(`customerFeedbackScore must be a whole number from 0 to 100, got ${feedback}`);
  }
  if (!Number.isSafeInteger(inputs.complaintCount) || inputs.complaintCount < 0) {
    throw new Error(`complaintCount must be a non-negative integer, got ${inputs.complaintCount}`);
  }
  if (!Number.isSafeInteger(complaintPenaltyPoints) || complaintPenaltyPoints < 0) {
    throw new Error(`complaintPenaltyPoints must be a non-negative integer, got ${complaintPenaltyPoints}`);
  }
  const factorScores: Record<SalespersonCreditFactor, number> = {
    sales: bpToPoints(inputs.salesTargetAchievementBp, 'salesTargetAchievementBp'),
    customerFeedback: Math.max(0, feedback - inputs.complaintCount * complaintPenaltyPoints),
    collectionRecord: bpToPoints(inputs.collectionRatioBp, 'collectionRatioBp'),
    contractFulfilment: bpToPoints(inputs.contractFulfilmentBp, 'contractFulfilmentBp'),
  };
  const weighted = factors.reduce((sum, f) => sum + weights[f] * factorScores[f], 0);
  return { factorScores, score: Math.floor((weighted + 50) / 100) };
}

export type LimitUsage = 'ok' | 'warning' | 'blocked';

export const DEFAULT_LIMIT_WARNING_BP = 8000;

/**
 * The salesperson's credit-limit usage: blocked at ≥ 100 % (the hard stop), warning at ≥ warnBp, else ok.
 * Compared exactly (outstanding × 10000 against limit × level). A zero limit is always blocked: no credit may be
 * outstanding under it.
 */
export function limitUsage(
  outstandingMinor: number,
  limitMinor: number,
  warnBp: number = DEFAULT_LIMIT_WARNING_BP,
): LimitUsage {
  const outstanding = requireAmount(outstandingMinor, 'outstandingMinor');
  const limit = requireAmount(limitMinor, 'limitMinor');
  if (!Number.isSafeInteger(warnBp) || warnBp <= 0 || warnBp > 10000) {
    throw new Error(`warnBp must be an integer from 1 to 10000, got ${warnBp}`);
  }
  if (outstanding >= limit) return 'blocked';
  if (outstanding * 10000n >= limit * BigInt(warnBp)) return 'warning';
  return 'ok';
}
