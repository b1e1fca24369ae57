/**
 * docs/domain.md §3 Customer classification (客户分类) and scoring — pure functions, no I/O.
 *
 * Each factor is normalised to 0–100 by a scorer, the factors are weighted (weights sum to 100) into a
 * 0–100 customer credit score, and the score maps to class A/B/C/D. Every scorer range, weight,
 * threshold and class policy below is a *default*.
 *
 * Ratios are basis points (10000 = 100 %, so a current ratio of 1.5 is 15000).
 */

export type CustomerClass = 'A' | 'B' | 'C' | 'D';
export const CUSTOMER_CLASSES: readonly CustomerClass[] = ['A', 'B', 'C', 'D'];

/** One class worse (the automatic downgrade at +15 days overdue); D stays D, an unknown class has none. */
export function lowerClassOneStep(cls: string | null): CustomerClass | null {
  const i = cls ? CUSTOMER_CLASSES.indexOf(cls as CustomerClass) : -1;
  return i >= 0 ? (CUSTOMER_CLASSES[Math.min(i + 1, CUSTOMER_CLASSES.length - 1)] ?? null) : null;
}

export type IndustryRisk = 'low' | 'medium' | 'high';

/** Raw inputs. `null` = no data yet (e.g. a new customer without payment history or credit report). */
export interface CustomerCreditFactors {
  /** 流动比率: current assets ÷ current liabilities, bp. */
  readonly currentRatioBp: number | null;
  /** 资产负债率: total liabilities ÷ total assets, bp. */
  readonly debtRatioBp: number | null;
  /** Net profit margin, bp (may be negative). */
  readonly profitMarginBp: number | null;
  /** Operating cash flow ÷ current liabilities, bp (may be negative). */
  readonly operatingCashFlowRatioBp: number | null;
  /** Third-party credit report score on the agency's own scale (see scorer.creditReportScale). */
  readonly creditReportScore: number | null;
  /** Transaction history: months the customer has traded with the company. */
  readonly tradingMonths: number;
  /** Payment behaviour: share of invoices paid by their due date, bp. */
  readonly onTimeRateBp: number | null;
  /** Payment behaviour: average days late of late payments. */
  readonly averageDaysLate: number | null;
  readonly industryRisk: IndustryRisk;
}

export type FactorKey =
  | 'currentRatio'
  | 'debtRatio'
  | 'profitability'
  | 'operatingCashFlow'
  | 'creditReport'
  | 'transactionHistory'
  | 'onTimeRate'
  | 'averageDaysLate'
  | 'industryRisk';

export const FACTOR_KEYS: readonly FactorKey[] = [
  'currentRatio',
  'debtRatio',
  'profitability',
  'operatingCashFlow',
  'creditReport',
  'transactionHistory',
  'onTimeRate',
  'averageDaysLate',
  'industryRisk',
];

/** Integer weights per factor, summing to 100. */
export type FactorWeights = Readonly<Record<FactorKey, number>>;

/**
 * Default weights: financial statements 40 (10 each), credit report 20, transaction history 10,
 * payment behaviour 25 (on-time rate 15, days late 10), industry risk 5.
 * Payment behaviour and the report carry most weight: they are the company's own and an independent view.
 */
export const DEFAULT_FACTOR_WEIGHTS: FactorWeights = {
  currentRatio: 10,
  debtRatio: 10,
  profitability: 10,
  operatingCashFlow: 10,
  creditReport: 20,
  transactionHistory: 10,
  onTimeRate: 15,
  averageDaysLate: 10,
  industryRisk: 5,
};

/** A straight line between the value scoring 0 and the value scoring 100, clamped; `worst` may exceed `best`. */
export interface LinearRange {
  readonly worst: number;
  readonly best: number;
}

export interface FactorScorer {
  readonly currentRatioBp: LinearRange;
  readonly debtRatioBp: LinearRange;
  readonly profitMarginBp: LinearRange;
  readonly operatingCashFlowRatioBp: LinearRange;
  /** The agency's scale: `worst` is its riskiest score, `best` its safest. */
  readonly creditReportScale: LinearRange;
  readonly tradingMonths: LinearRange;
  readonly onTimeRateBp: LinearRange;
  readonly averageDaysLate: LinearRange;
  readonly industryRisk: Readonly<Record<IndustryRisk, number>>;
  /** Score for a factor with no data: neutral, neither reward nor punish the unknown. */
  readonly missingDataScore: number;
}

/**
 * Default scorers (value → 0 … value → 100, linear between, clamped outside):
 * - current ratio 0.5 → 0, 2.0 → 100;
 * - debt ratio 90 % → 0, 40 % → 100;
 * - profit margin −5 % → 0, 15 % → 100;
 * - operating cash flow ÷ current liabilities 0 → 0, 40 % → 100;
 * - credit report 0 → 0, 100 → 100 (an agency on 0–100; set the scale for others, e.g. 300–850);
 * - trading months 0 → 0, 36 → 100 (three years of history earns full marks);
 * - on-time rate 50 % → 0, 100 % → 100 (paying only half on time is already the worst);
 * - average days late 60 → 0, 0 → 100;
 * - industry risk low 100, medium 60, high 20;
 * - missing data 50.
 */
export const DEFAULT_FACTOR_SCORER: FactorScorer = {
  currentRatioBp: { worst: 5000, best: 20000 },
  debtRatioBp: { worst: 9000, best: 4000 },
  profitMarginBp: { worst: -500, best: 1500 },
  operatingCashFlowRatioBp: { worst: 0, best: 4000 },
  creditReportScale: { worst: 0, best: 100 },
  tradingMonths: { worst: 0, best: 36 },
  onTimeRateBp: { worst: 5000, best: 10000 },
  averageDaysLate: { worst: 60, best: 0 },
  industryRisk: { low: 100, medium: 60, high: 20 },
  missingDataScore: 50,
};

/**
 * Value → 0–100 along a straight line, clamped, rounded half up to a whole point.
 * Computed as floor((2·num + den) ÷ (2·den)) so integer inputs round exactly (no 49.999… surprises).
 */
export function linearScore(value: number, range: LinearRange): number {
  if (!Number.isFinite(value)) throw new Error(`score input must be a finite number, got ${value}`);
  if (range.worst === range.best) throw new Error('scorer range: worst and best must differ');
  let num = (value - range.worst) * 100;
  let den = range.best - range.worst;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  num = Math.min(100 * den, Math.max(0, num));
  return Math.floor((2 * num + den) / (2 * den));
}

function assertNonNegative(value: number, field: string): void {
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${field} must be a non-negative number, got ${value}`);
}

/** Each factor normalised to a whole 0–100 score. */
export function factorScores(
  factors: CustomerCreditFactors,
  scorer: FactorScorer = DEFAULT_FACTOR_SCORER,
): Record<FactorKey, number> {
  const orMissing = (value: number | null, range: LinearRange): number =>
    value === null ? scorer.missingDataScore : linearScore(value, range);
  if (factors.currentRatioBp !== null) assertNonNegative(factors.currentRatioBp, 'currentRatioBp');
  if (factors.debtRatioBp !== null) assertNonNegative(factors.debtRatioBp, 'debtRatioBp');
  if (factors.onTimeRateBp !== null) {
    assertNonNegative(factors.onTimeRateBp, 'onTimeRateBp');
    if (factors.onTimeRateBp > 10000)
      throw new Error(`onTimeRateBp must be at most 10000, got ${factors.onTimeRateBp}`);
  }
  if (factors.averageDaysLate !== null) assertNonNegative(factors.averageDaysLate, 'averageDaysLate');
  assertNonNegative(factors.tradingMonths, 'tradingMonths');
  const industry = scorer.industryRisk[factors.industryRisk];
  if (industry === undefined)
    throw new Error(`industryRisk must be low, medium or high, got ${factors.industryRisk}`);
  return {
    currentRatio: orMissing(factors.currentRatioBp, scorer.currentRatioBp),
    debtRatio: orMissing(factors.debtRatioBp, scorer.debtRatioBp),
    profitability: orMissing(factors.profitMarginBp, scorer.profitMarginBp),
    operatingCashFlow: orMissing(factors.operatingCashFlowRatioBp, scorer.operatingCashFlowRatioBp),
    creditReport: orMissing(factors.creditReportScore, scorer.creditReportScale),
    transactionHistory: linearScore(factors.tradingMonths, scorer.tradingMonths),
    onTimeRate: orMissing(factors.onTimeRateBp, scorer.onTimeRateBp),
    averageDaysLate: orMissing(factors.averageDaysLate, scorer.averageDaysLate),
    industryRisk: industry,
  };
}

export function assertFactorWeights(weights: FactorWeights): void {
  let sum = 0;
  for (const key of FACTOR_KEYS) {
    const w = weights[key];
    if (!Number.isSafeInteger(w) || w < 0)
      throw new Error(`weight ${key} must be a non-negative integer, got ${w}`);
    sum += w;
  }
  if (sum !== 100) throw new Error(`factor weights must sum to 100, got ${sum}`);
}

/** score ≥ a → A; ≥ b → B; ≥ c → C; else D. */
export interface ClassThresholds {
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

export const DEFAULT_CLASS_THRESHOLDS: ClassThresholds = { a: 80, b: 65, c: 50 };

export function classify(
  score: number,
  thresholds: ClassThresholds = DEFAULT_CLASS_THRESHOLDS,
): CustomerClass {
  if (!(thresholds.a > thresholds.b && thresholds.b > thresholds.c)) {
    throw new Error(
      `class thresholds must fall A > B > C, got ${thresholds.a}/${thresholds.b}/${thresholds.c}`,
    );
  }
  if (score >= thresholds.a) return 'A';
  if (score >= thresholds.b) return 'B';
  if (score >= thresholds.c) return 'C';
  return 'D';
}

export interface CustomerCreditScore {
  readonly factorScores: Readonly<Record<FactorKey, number>>;
  /** Whole points 0–100. */
  readonly score: number;
  readonly customerClass: CustomerClass;
}

/** score = Σ(weight × factor score) ÷ 100, rounded half up to a whole point (once, after the sum). */
export function customerCreditScore(
  factors: CustomerCreditFactors,
  options: {
    readonly weights?: FactorWeights;
    readonly scorer?: FactorScorer;
    readonly thresholds?: ClassThresholds;
  } = {},
): CustomerCreditScore {
  const weights = options.weights ?? DEFAULT_FACTOR_WEIGHTS;
  assertFactorWeights(weights);
  const scores = factorScores(factors, options.scorer ?? DEFAULT_FACTOR_SCORER);
  let weighted = 0;
  for (const key of FACTOR_KEYS) weighted += weights[key] * scores[key];
  // weighted is an integer (integer weights × whole scores), so the half-up rounding is exact.
  const score = Math.floor((weighted + 50) / 100);
  return {
    factorScores: scores,
    score,
    customerClass: classify(score, options.thresholds ?? DEFAULT_CLASS_THRESHOLDS),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Class policies

export interface ClassPolicy {
  /** False for D: cash or prepayment only. */
  readonly creditAllowed: boolean;
  /** Multiplier on the counterparty's base limit (e.g. the rating's limit), bp. */
  readonly limitMultiplierBp: number;
  /** Longest credit term the class may get, days. */
  readonly maxTermDays: number;
  /** How often the score is refreshed on schedule (besides refreshes on payment-behaviour changes), days. */
  readonly reviewIntervalDays: number;
  readonly paymentTerms: 'credit' | 'cash-or-prepayment';
}

export type ClassPolicyTable = Readonly<Record<CustomerClass, ClassPolicy>>;

/** Default policies: A lowest risk, highest limit and longest term; D trades cash or prepayment only. */
export const DEFAULT_CLASS_POLICIES: ClassPolicyTable = {
  A: {
    creditAllowed: true,
    limitMultiplierBp: 12000,
    maxTermDays: 60,
    reviewIntervalDays: 180,
    paymentTerms: 'credit',
  },
  B: {
    creditAllowed: true,
    limitMultiplierBp: 10000,
    maxTermDays: 45,
    reviewIntervalDays: 90,
    paymentTerms: 'credit',
  },
  C: {
    creditAllowed: true,
    limitMultiplierBp: 6000,
    maxTermDays: 30,
    reviewIntervalDays: 30,
    paymentTerms: 'credit',
  },
  D: {
    creditAllowed: false,
    limitMultiplierBp: 0,
    maxTermDays: 0,
    reviewIntervalDays: 30,
    paymentTerms: 'cash-or-prepayment',
  },
};

/** The class's limit: base × multiplier, rounded down to the minor unit; 0 when the class gets no credit. */
export function classLimitMinor(
  baseLimitMinor: number,
  customerClass: CustomerClass,
  policies: ClassPolicyTable = DEFAULT_CLASS_POLICIES,
): number {
  if (!Number.isSafeInteger(baseLimitMinor) || baseLimitMinor < 0) {
    throw new Error(`baseLimitMinor must be a non-negative integer, got ${baseLimitMinor}`);
  }
  const policy = policies[customerClass];
  if (!policy.creditAllowed) return 0;
  if (!Number.isSafeInteger(policy.limitMultiplierBp) || policy.limitMultiplierBp < 0) {
    throw new Error(`limitMultiplierBp for class ${customerClass} must be a non-negative integer`);
  }
  return Number((BigInt(baseLimitMinor) * BigInt(policy.limitMultiplierBp)) / 10000n);
}

// ---------------------------------------------------------------------------------------------------------
// Early warning

export interface EarlyWarningOptions {
  /** Warn when the latest score is this many points (or more) below the score two refreshes earlier. Default 10. */
  readonly dropPoints?: number;
  readonly thresholds?: ClassThresholds;
}

export type EarlyWarningReason = 'score-drop' | 'class-fall';

export interface EarlyWarning {
  readonly warning: boolean;
  readonly reasons: readonly EarlyWarningReason[];
  /** Points lost over the last two refreshes (negative when the score rose); null with fewer than two scores. */
  readonly drop: number | null;
}

export const DEFAULT_EARLY_WARNING_DROP_POINTS = 10;

/**
 * A worsening trend raises an early warning. `scores` are the customer's scores oldest first, the latest last.
 * - score-drop: latest ≤ (the score two refreshes before it) − dropPoints; with only two scores, the older one;
 * - class-fall: the latest score's class is worse than the previous score's class.
 */
export function earlyWarning(scores: readonly number[], options: EarlyWarningOptions = {}): EarlyWarning {
  const dropPoints = options.dropPoints ?? DEFAULT_EARLY_WARNING_DROP_POINTS;
  if (!(dropPoints > 0)) throw new Error(`dropPoints must be positive, got ${dropPoints}`);
  scores.forEach((s, i) => {
    if (!Number.isFinite(s)) throw new Error(`scores[${i}] must be a finite number, got ${s}`);
  });
  const n = scores.length;
  const latest = scores[n - 1];
  const previous = scores[n - 2];
  if (latest === undefined || previous === undefined) return { warning: false, reasons: [], drop: null };
  const reference = scores[Math.max(0, n - 3)] ?? previous;
  const drop = reference - latest;
  const reasons: EarlyWarningReason[] = [];
  if (drop >= dropPoints) reasons.push('score-drop');
  const thresholds = options.thresholds ?? DEFAULT_CLASS_THRESHOLDS;
  const rank = (c: CustomerClass) => CUSTOMER_CLASSES.indexOf(c);
  if (rank(classify(latest, thresholds)) > rank(classify(previous, thresholds))) reasons.push('class-fall');
  return { warning: reasons.length > 0, reasons, drop };
}
