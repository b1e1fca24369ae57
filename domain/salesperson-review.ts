/**
 * docs/domain.md §4 and §5 around the assessment functions: the month and quarter a run covers, the rows of
 * finance's monthly table (its CSV is in csv.ts), the limit-usage crossing that earns an early warning, and the
 * periodic (quarterly) review that proposes incentives or sanctions. Pure functions, no I/O: imported by workflow code.
 */
import { addDays, type CalendarDate, daysBetween } from './calendar.js';
import type { MetricKey } from './salesperson-assessment.js';

// ---------------------------------------------------------------------------------------------------------
// Periods

/** 'YYYY-MM' */
export type Month = string;
/** 'YYYY-Qn' */
export type Quarter = string;

export function isMonth(s: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

export function isQuarter(s: string): boolean {
  return /^\d{4}-Q[1-4]$/.test(s);
}

/** The month before the one `date` falls in: the month a run on the 1st assesses. */
export function previousMonth(date: CalendarDate): Month {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

function nextMonthFirst(month: Month): CalendarDate {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** First and last calendar day of a month, and its length in days. */
export function monthRange(month: Month): { first: CalendarDate; last: CalendarDate; days: number } {
  if (!isMonth(month)) throw new Error(`month must be YYYY-MM, got ${month}`);
  const first = `${month}-01`;
  const last = addDays(nextMonthFirst(month), -1);
  return { first, last, days: daysBetween(first, last) + 1 };
}

/** First and last calendar day of a quarter 'YYYY-Qn'. */
export function quarterRange(quarter: Quarter): { first: CalendarDate; last: CalendarDate } {
  if (!isQuarter(quarter)) throw new Error(`quarter must be YYYY-Qn, got ${quarter}`);
  const y = quarter.slice(0, 4);
  const q = Number(quarter.slice(6));
  const firstMonth = `${y}-${String((q - 1) * 3 + 1).padStart(2, '0')}`;
  const lastMonth = `${y}-${String(q * 3).padStart(2, '0')}`;
  return { first: monthRange(firstMonth).first, last: monthRange(lastMonth).last };
}

// ---------------------------------------------------------------------------------------------------------
// Limit usage crossing

/**
 * Whether an application crosses the warning level: usage before it was below `warnBp`, usage with it is at or
 * above `warnBp` and below 100 % (at 100 % the application is blocked instead). A person already above the
 * level is not warned again until usage has fallen below it. Compared exactly, in integers.
 */
export function crossesLimitWarning(
  outstandingBeforeMinor: number,
  applicationMinor: number,
  limitMinor: number,
  warnBp: number,
): boolean {
  if (limitMinor <= 0) return false;
  const before = BigInt(outstandingBeforeMinor) * 10000n;
  const after = BigInt(outstandingBeforeMinor + applicationMinor) * 10000n;
  const level = BigInt(limitMinor) * BigInt(warnBp);
  return before < level && after >= level && after < BigInt(limitMinor) * 10000n;
}

/**
 * Usage in basis points, rounded down (so 79.99 % never shows as 80 %); null without a limit. Saturated
 * at 2^53 − 1 like every figure answered (a 10^15 exposure on a limit of 1 would be 10^19 bp).
 */
export function usageBp(outstandingMinor: number, limitMinor: number | null): number | null {
  if (limitMinor === null || limitMinor <= 0) return null;
  const bp = (BigInt(outstandingMinor) * 10000n) / BigInt(limitMinor);
  return bp > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(bp);
}

// ---------------------------------------------------------------------------------------------------------
// Finance's monthly table as CSV

/** The month's figures in a salesperson's assessment row, in the table's order (minor units; days). */
export const ASSESSMENT_FIGURES = [
  'receivablesMinor',
  'creditSalesMinor',
  'collectedMinor',
  'contractAmountMinor',
  'badDebtsMinor',
  'salesMinor',
  'discountOfferedMinor',
  'paidWithDiscountMinor',
  'companyReceivablesMinor',
  'daysInPeriod',
] as const satisfies readonly (keyof AssessmentTableRow)[];

export interface AssessmentTableRow {
  salespersonId: string;
  salespersonName: string;
  receivablesMinor: number;
  creditSalesMinor: number;
  collectedMinor: number;
  contractAmountMinor: number;
  badDebtsMinor: number;
  salesMinor: number;
  discountOfferedMinor: number;
  paidWithDiscountMinor: number;
  companyReceivablesMinor: number;
  daysInPeriod: number;
  metrics: Record<MetricKey, number | null>;
  rates: Record<MetricKey, number>;
  totalRateBp: number;
  rewardPenaltyMinor: number;
}

// ---------------------------------------------------------------------------------------------------------
// Periodic review (*default* quarterly)

export type ReviewAction = 'bonus' | 'commendation' | 'warning' | 'demotion' | 'fine';

export interface ReviewInputs {
  /** Latest salesperson credit score 0–100; null when never scored. */
  readonly score: number | null;
  /** Credit-record events in the quarter. */
  readonly complaints: number;
  readonly violations: number;
  /** Sum of the quarter's monthly reward (+) / penalty (−) amounts. */
  readonly assessmentRewardPenaltyMinor: number;
  readonly limitMinor: number | null;
  /** Highest limit usage seen now, in bp; null without a limit. */
  readonly usageBp: number | null;
}

export interface ReviewThresholds {
  /** Score at or above which (no violations, at most `maxComplaintsForIncentive` complaints) a bonus is proposed. */
  readonly bonusScore: number;
  /** Score at or above which (no violations) a commendation is proposed. */
  readonly commendationScore: number;
  /** Score below which a warning is proposed. */
  readonly warningScore: number;
  /** Score below which a demotion is proposed. */
  readonly demotionScore: number;
  readonly maxComplaintsForIncentive: number;
  /** Violations at or above which a demotion is proposed. */
  readonly demotionViolations: number;
  /** Limit change proposed for an incentive (+) or a sanction (−), bp of the current limit. */
  readonly limitRaiseBp: number;
  readonly limitCutBp: number;
}

export const DEFAULT_REVIEW_THRESHOLDS: ReviewThresholds = {
  bonusScore: 85,
  commendationScore: 75,
  warningScore: 60,
  demotionScore: 45,
  maxComplaintsForIncentive: 1,
  demotionViolations: 2,
  limitRaiseBp: 1000,
  limitCutBp: 2000,
};

export interface ReviewProposal {
  readonly actions: readonly ReviewAction[];
  /** The limit the review proposes (rounded down to a whole yuan, 100 minor units); null = unchanged. */
  readonly proposedLimitMinor: number | null;
  readonly reasons: readonly string[];
}

/**
 * Incentives and sanctions from the score and the record:
 * - sanctions first: violations ≥ demotionViolations or score < demotionScore → demotion (limit cut);
 *   otherwise any violation or score < warningScore → warning (limit cut);
 *   a net assessment penalty over the quarter adds a fine (the penalty amount is the fine);
 * - otherwise incentives: score ≥ bonusScore with complaints ≤ max → bonus + commendation (limit raised);
 *   score ≥ commendationScore → commendation; a net assessment reward adds a bonus.
 * Without a score there is no incentive (nothing to base it on); sanctions from violations still apply.
 */
export function proposeReview(
  r: ReviewInputs,
  t: ReviewThresholds = DEFAULT_REVIEW_THRESHOLDS,
): ReviewProposal {
  const actions = new Set<ReviewAction>();
  const reasons: string[] = [];
  let limitChangeBp = 0;
  const demote = r.violations >= t.demotionViolations || (r.score !== null && r.score < t.demotionScore);
  const warn = !demote && (r.violations > 0 || (r.score !== null && r.score < t.warningScore));
  if (demote) {
    actions.add('demotion');
    limitChangeBp = -t.limitCutBp;
    reasons.push(
      r.violations >= t.demotionViolations
        ? `${r.violations} violations in the quarter`
        : `credit score ${r.score} below ${t.demotionScore}`,
    );
  } else if (warn) {
    actions.add('warning');
    limitChangeBp = -t.limitCutBp;
    reasons.push(
      r.violations > 0
        ? `${r.violations} violation in the quarter`
        : `credit score ${r.score} below ${t.warningScore}`,
    );
  }
  if (demote || warn) {
    if (r.assessmentRewardPenaltyMinor < 0) {
      actions.add('fine');
      reasons.push(`net assessment penalty ${r.assessmentRewardPenaltyMinor} over the quarter`);
    }
  } else if (r.score !== null) {
    if (r.score >= t.bonusScore && r.complaints <= t.maxComplaintsForIncentive) {
      actions.add('bonus');
      actions.add('commendation');
      limitChangeBp = t.limitRaiseBp;
      reasons.push(`credit score ${r.score} ≥ ${t.bonusScore}, ${r.complaints} complaint(s), no violations`);
    } else if (r.score >= t.commendationScore) {
      actions.add('commendation');
      reasons.push(`credit score ${r.score} ≥ ${t.commendationScore}, no violations`);
    }
    if (r.assessmentRewardPenaltyMinor > 0 && !actions.has('bonus')) {
      actions.add('bonus');
      reasons.push(`net assessment reward ${r.assessmentRewardPenaltyMinor} over the quarter`);
    }
  }
  const proposedLimitMinor =
    r.limitMinor !== null && limitChangeBp !== 0
      ? Number(((BigInt(r.limitMinor) * BigInt(10000 + limitChangeBp)) / 1_000_000n) * 100n)
      : null;
  if (proposedLimitMinor !== null)
    reasons.push(
      `limit ${r.limitMinor} → ${proposedLimitMinor} (${limitChangeBp > 0 ? '+' : ''}${limitChangeBp / 100} %)`,
    );
  const order: ReviewAction[] = ['bonus', 'commendation', 'warning', 'demotion', 'fine'];
  return { actions: order.filter((a) => actions.has(a)), proposedLimitMinor, reasons };
}
