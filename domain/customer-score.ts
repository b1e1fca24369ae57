/**
 * docs/scores.md §1 The customer score from facts and behaviour — pure functions, no I/O.
 *
 * Two kinds of input: the payment behaviour creditflow computes from its own record
 * (domain/payment-behaviour.ts), and the facts it cannot know, entered by a person with their
 * date and source (financial statements, a credit report, feedback, contract fulfilment, the
 * industry's risk). A fact older than the policy's limit counts as missing, and the score says so.
 * Each factor is normalised to 0–100, weighted (weights sum to 100), and its contribution kept.
 */
import type { CalendarDate } from './calendar.js';
import {
  type ClassThresholds,
  type CustomerClass,
  classify,
  DEFAULT_CLASS_THRESHOLDS,
  DEFAULT_FACTOR_SCORER,
  type FactorScorer,
  type IndustryRisk,
  type LinearRange,
  linearScore,
} from './customer-class.js';
import { monthsBack, type PaymentBehaviour } from './payment-behaviour.js';

/** The facts a person enters for a customer, and their value's kind. */
export const CUSTOMER_FACT_KEYS = [
  'currentRatioBp',
  'debtRatioBp',
  'profitMarginBp',
  'operatingCashFlowRatioBp',
  'creditReportScore',
  'customerFeedbackScore',
  'contractFulfilmentBp',
  'industryRisk',
] as const;
export type CustomerFactKey = (typeof CUSTOMER_FACT_KEYS)[number];

/** The facts a person enters for a salesperson (the rest of their score comes from the record). */
export const SALESPERSON_FACT_KEYS = [
  'salesTargetAchievementBp',
  'customerFeedbackScore',
  'contractFulfilmentBp',
] as const;
export type SalespersonFactKey = (typeof SALESPERSON_FACT_KEYS)[number];

/** A fact as stored: its value, the day it speaks of, and where it came from. */
export interface ScoreFact {
  readonly factor: string;
  readonly value: number | string;
  /** The date of the document (the balance sheet's date, the report's date …). */
  readonly asOf: CalendarDate;
  /** The document it came from (e.g. "2025 audited statements", "Dun & Bradstreet report 2026-03"). */
  readonly document: string;
}

export const SCORE_FACTORS = [
  'currentRatio',
  'debtRatio',
  'profitability',
  'operatingCashFlow',
  'creditReport',
  'customerFeedback',
  'contractFulfilment',
  'transactionHistory',
  'onTimeRate',
  'averageDaysLate',
  'p90DaysLate',
  'lateTrend',
  'brokenPromises',
  'disputes',
  'writeOffs',
  'discountTakeUp',
  'industryRisk',
] as const;
export type ScoreFactor = (typeof SCORE_FACTORS)[number];

export type ScoreWeights = Readonly<Record<ScoreFactor, number>>;

/**
 * Default weights (sum 100): financial statements 30, credit report 15, feedback and contract
 * fulfilment 5 each, trading history 5; behaviour 37 (on-time rate 12, average days late 5, p90 days
 * late 5, trend 3, broken promises 3, disputes 2, write-offs 5, discount take-up 2); industry risk 3.
 */
export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = {
  currentRatio: 8,
  debtRatio: 8,
  profitability: 7,
  operatingCashFlow: 7,
  creditReport: 15,
  customerFeedback: 5,
  contractFulfilment: 5,
  transactionHistory: 5,
  onTimeRate: 12,
  averageDaysLate: 5,
  p90DaysLate: 5,
  lateTrend: 3,
  brokenPromises: 3,
  disputes: 2,
  writeOffs: 5,
  discountTakeUp: 2,
  industryRisk: 3,
};

/** Value → 0–100 for the behaviour factors and the facts the older scorer has no range for. */
export interface BehaviourScorer {
  readonly p90DaysLate: LinearRange;
  readonly lateTrendDays: LinearRange;
  readonly brokenPromises: LinearRange;
  readonly disputes: LinearRange;
  readonly writeOffRateBp: LinearRange;
  readonly discountTakeUpBp: LinearRange;
  readonly customerFeedbackScore: LinearRange;
  readonly contractFulfilmentBp: LinearRange;
}

/**
 * Defaults: p90 days late 90 → 0, 0 → 100; trend +30 days → 0, −10 → 100 (no change scores 25 points
 * short of full: only improvement earns full marks); broken promises 3 → 0; disputes 4 → 0;
 * write-offs 10 % of the amount due → 0; discount take-up −50 % → 0, 50 % → 100 (none taken is
 * neutral, 50); feedback 0–100 as it is; contract fulfilment 50 % → 0, 100 % → 100.
 */
export const DEFAULT_BEHAVIOUR_SCORER: BehaviourScorer = {
  p90DaysLate: { worst: 90, best: 0 },
  lateTrendDays: { worst: 30, best: -10 },
  brokenPromises: { worst: 3, best: 0 },
  disputes: { worst: 4, best: 0 },
  writeOffRateBp: { worst: 1000, best: 0 },
  discountTakeUpBp: { worst: -5000, best: 5000 },
  customerFeedbackScore: { worst: 0, best: 100 },
  contractFulfilmentBp: { worst: 5000, best: 10000 },
};

/** policy.customer.score: everything optional, so a policy stored before it still works. */
export interface CustomerScorePolicy {
  /** Months of record the behaviour looks back over. Default 12. */
  windowMonths?: number;
  /** A fact older than this many months counts as missing. Default 12. */
  factLimitMonths?: number;
  weights?: ScoreWeights;
  behaviourScorer?: BehaviourScorer;
  /** Scheduled refresh of every customer (time-driven decay): day of month, 05:00. Default 1. */
  scheduleDayOfMonth?: number;
  /** Early warning: a fall of `dropPoints` or more over the last `overRefreshes` refreshes, or a class drop. */
  warning?: { dropPoints: number; overRefreshes: number };
  /** Refresh-on-event debounce: the refresh waits this many seconds of quiet. Default 60. */
  debounceSeconds?: number;
}

export const DEFAULT_CUSTOMER_SCORE_POLICY: Required<CustomerScorePolicy> = {
  windowMonths: 12,
  factLimitMonths: 12,
  weights: DEFAULT_SCORE_WEIGHTS,
  behaviourScorer: DEFAULT_BEHAVIOUR_SCORER,
  scheduleDayOfMonth: 1,
  warning: { dropPoints: 10, overRefreshes: 3 },
  debounceSeconds: 60,
};

export const customerScorePolicy = (p: CustomerScorePolicy | undefined): Required<CustomerScorePolicy> => ({
  ...DEFAULT_CUSTOMER_SCORE_POLICY,
  ...(p ?? {}),
});

export type MissingWhy = 'none' | 'stale' | 'no-history';

export interface FactorContribution {
  readonly factor: ScoreFactor;
  readonly weight: number;
  /** The input as used (null when missing). */
  readonly value: number | string | null;
  /** 0–100. */
  readonly points: number;
  /** weight × points ÷ 100, in score points (2 decimals). */
  readonly contribution: number;
  /** Why the factor scored the neutral missing-data points. */
  readonly missing?: MissingWhy;
  /** For a fact: its date and document. */
  readonly source?: { asOf: CalendarDate; document: string };
}

export interface ScoreResult {
  readonly score: number;
  readonly customerClass: CustomerClass;
  readonly contributions: readonly FactorContribution[];
  /** The factors that scored as missing, and why. */
  readonly missing: readonly { factor: ScoreFactor; why: MissingWhy }[];
}

/** Facts by key, newest `asOf` first wins; stale ones (older than the limit) reported as such. */
export function currentFacts(
  facts: readonly ScoreFact[],
  today: CalendarDate,
  limitMonths: number,
): Map<string, { fact: ScoreFact; stale: boolean }> {
  const oldest = monthsBack(today, limitMonths);
  const out = new Map<string, { fact: ScoreFact; stale: boolean }>();
  for (const f of facts) {
    const seen = out.get(f.factor);
    if (!seen || f.asOf > seen.fact.asOf) out.set(f.factor, { fact: f, stale: f.asOf < oldest });
  }
  return out;
}

export function assertScoreWeights(weights: ScoreWeights): void {
  let sum = 0;
  for (const k of SCORE_FACTORS) {
    const w = weights[k];
    if (!Number.isSafeInteger(w) || w < 0) throw new Error(`weight ${k} must be a non-negative integer`);
    sum += w;
  }
  if (sum !== 100) throw new Error(`score weights must sum to 100, got ${sum}`);
}

/**
 * facts + behaviour + policy → score, class and each factor's contribution.
 * score = Σ(weight × points) ÷ 100, rounded half up once after the sum.
 */
export function scoreCustomer(input: {
  facts: readonly ScoreFact[];
  behaviour: PaymentBehaviour;
  tradingMonths: number;
  today: CalendarDate;
  policy?: CustomerScorePolicy;
  scorer?: FactorScorer;
  thresholds?: ClassThresholds;
}): ScoreResult {
  const p = customerScorePolicy(input.policy);
  const scorer = input.scorer ?? DEFAULT_FACTOR_SCORER;
  const bs = p.behaviourScorer;
  assertScoreWeights(p.weights);
  const facts = currentFacts(input.facts, input.today, p.factLimitMonths);
  const contributions: FactorContribution[] = [];
  const add = (
    factor: ScoreFactor,
    value: number | string | null,
    points: number | null,
    why: MissingWhy | undefined,
    source?: { asOf: CalendarDate; document: string },
  ) => {
    const pts = points ?? scorer.missingDataScore;
    const weight = p.weights[factor];
    contributions.push({
      factor,
      weight,
      value: points === null ? null : value,
      points: pts,
      contribution: Math.round(weight * pts) / 100,
      ...(points === null ? { missing: why ?? 'none' } : {}),
      ...(source ? { source } : {}),
    });
  };
  const fact = (factor: ScoreFactor, key: CustomerFactKey, range: LinearRange | null) => {
    const f = facts.get(key);
    if (!f) return add(factor, null, null, 'none');
    const source = { asOf: f.fact.asOf, document: f.fact.document };
    if (f.stale) return add(factor, f.fact.value, null, 'stale', source);
    if (key === 'industryRisk') {
      const pts = scorer.industryRisk[f.fact.value as IndustryRisk];
      return add(factor, f.fact.value, pts ?? null, pts === undefined ? 'none' : undefined, source);
    }
    const value = Number(f.fact.value);
    add(factor, value, range ? linearScore(value, range) : null, undefined, source);
  };
  const b = input.behaviour;
  const behaviour = (factor: ScoreFactor, value: number | null, range: LinearRange) =>
    add(factor, value, value === null ? null : linearScore(value, range), 'no-history');

  fact('currentRatio', 'currentRatioBp', scorer.currentRatioBp);
  fact('debtRatio', 'debtRatioBp', scorer.debtRatioBp);
  fact('profitability', 'profitMarginBp', scorer.profitMarginBp);
  fact('operatingCashFlow', 'operatingCashFlowRatioBp', scorer.operatingCashFlowRatioBp);
  fact('creditReport', 'creditReportScore', scorer.creditReportScale);
  fact('customerFeedback', 'customerFeedbackScore', bs.customerFeedbackScore);
  fact('contractFulfilment', 'contractFulfilmentBp', bs.contractFulfilmentBp);
  add(
    'transactionHistory',
    input.tradingMonths,
    linearScore(Math.max(0, input.tradingMonths), scorer.tradingMonths),
    undefined,
  );
  behaviour('onTimeRate', b.onTimeRateBp, scorer.onTimeRateBp);
  behaviour('averageDaysLate', b.averageDaysLate, scorer.averageDaysLate);
  behaviour('p90DaysLate', b.p90DaysLate, bs.p90DaysLate);
  behaviour('lateTrend', b.lateTrendDays, bs.lateTrendDays);
  // Counts are known from the record even when zero, but with nothing due they say nothing.
  const counted = b.receivablesDue > 0;
  behaviour('brokenPromises', counted ? b.brokenPromises : null, bs.brokenPromises);
  behaviour('disputes', counted ? b.disputes : null, bs.disputes);
  behaviour('writeOffs', b.writeOffRateBp, bs.writeOffRateBp);
  behaviour('discountTakeUp', b.discountTakeUpBp, bs.discountTakeUpBp);
  fact('industryRisk', 'industryRisk', null);

  const weighted = contributions.reduce((s, c) => s + c.weight * c.points, 0);
  const score = Math.floor((weighted + 50) / 100);
  return {
    score,
    customerClass: classify(score, input.thresholds ?? DEFAULT_CLASS_THRESHOLDS),
    contributions,
    missing: contributions
      .filter((c) => c.missing)
      .map((c) => ({ factor: c.factor, why: c.missing as MissingWhy })),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Early warning, once per episode

export type WarningReason = 'score-drop' | 'class-fall';

/**
 * Whether the latest refresh shows a worsening trend: the score fell `dropPoints` or more against
 * the score `overRefreshes` refreshes before (or the oldest kept), or the class got worse than the
 * one it stood in before. `history` is oldest first and includes the latest.
 */
export function worseningTrend(
  history: readonly { score: number; customerClass: CustomerClass }[],
  warning: { dropPoints: number; overRefreshes: number },
  /** The class the customer stood in before the latest refresh (set by hand, a downgrade or an earlier score); default: the previous refresh's. */
  classBefore?: CustomerClass | null,
): WarningReason[] {
  const n = history.length;
  const latest = history[n - 1];
  const previous = history[n - 2];
  if (!latest) return [];
  const reasons: WarningReason[] = [];
  if (previous) {
    const reference = history[Math.max(0, n - 1 - warning.overRefreshes)] ?? previous;
    if (reference.score - latest.score >= warning.dropPoints) reasons.push('score-drop');
  }
  const before = classBefore ?? previous?.customerClass;
  const rank = (c: CustomerClass) => ['A', 'B', 'C', 'D'].indexOf(c);
  if (before && rank(latest.customerClass) > rank(before)) reasons.push('class-fall');
  return reasons;
}

/**
 * An episode opens on the first refresh with a worsening trend (the only one that tells anyone) and
 * closes on the first refresh without one.
 */
export function warningEpisode(
  open: boolean,
  reasons: readonly WarningReason[],
): { open: boolean; tell: boolean } {
  if (reasons.length === 0) return { open: false, tell: false };
  return { open: true, tell: !open };
}

/** The task an early warning gives the credit desk and the customer's salespeople (My work in the staff workspace). */
export const SCORE_WARNING_TASK = 'review-score-warning';
