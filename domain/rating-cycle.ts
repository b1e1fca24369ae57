/**
 * docs/domain.md §2: the dealer rating *cycles* around the rules in rating.ts: which quarter a run covers, how long a dealer
 * has been one, and one dealer's quarter from the figures the departments entered. Pure functions, no I/O:
 * imported by workflow code.
 */
import type { CalendarDate } from './calendar.js';
import {
  type CreditGrade,
  DEFAULT_CONDUCT_INDICATORS,
  DEFAULT_PERFORMANCE_INDICATORS,
  type IndicatorDefinition,
  type IndicatorValues,
  monthlyPerformance,
  type QuarterlyRating,
  quarterlyConduct,
  quarterlyRating,
  type RatingPolicy,
} from './rating.js';
import { isQuarter, type Month, type Quarter } from './salesperson-review.js';

// ---------------------------------------------------------------------------------------------------------
// Quarters

/** The quarter 'YYYY-Qn' a calendar date falls in. */
export function quarterOf(date: CalendarDate): Quarter {
  return `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;
}

/** A quarter as a running number (year × 4 + quarter − 1), so quarters subtract. */
export function quarterOrdinal(quarter: Quarter): number {
  if (!isQuarter(quarter)) throw new Error(`quarter must be YYYY-Qn, got ${quarter}`);
  return Number(quarter.slice(0, 4)) * 4 + Number(quarter.slice(6)) - 1;
}

export function previousQuarter(quarter: Quarter): Quarter {
  const n = quarterOrdinal(quarter) - 1;
  return `${Math.floor(n / 4)}-Q${(n % 4) + 1}`;
}

/** The three months 'YYYY-MM' of a quarter, in order. */
export function quarterMonths(quarter: Quarter): [Month, Month, Month] {
  const n = quarterOrdinal(quarter);
  const y = Math.floor(n / 4);
  const first = (n % 4) * 3 + 1;
  const m = (k: number) => `${y}-${String(first + k).padStart(2, '0')}`;
  return [m(0), m(1), m(2)];
}

/**
 * The dealer's quarter number for `quarter`: 1 = the quarter they joined in, 2 = the next, …; 0 or less: they
 * had not joined yet.
 */
export function dealerQuarterNumber(joinedOn: CalendarDate, quarter: Quarter): number {
  return quarterOrdinal(quarter) - quarterOrdinal(quarterOf(joinedOn)) + 1;
}

/**
 * The rating of `ratedQuarter` runs on the first day of the next quarter and sets the limit and term the dealer
 * trades on *in that next quarter*; the new-dealer rule (no credit in the first quarter, only AA/AB/BA/BB in the
 * second) therefore applies to the next quarter's number. A dealer who joined in Q1 is rated for Q1 on 1 April
 * and that result is their second quarter's credit: only AA, AB, BA and BB get any. Their first quarter has no
 * rating yet and the receivable's automatic checks refuse credit in it.
 */
export function creditQuarterNumber(joinedOn: CalendarDate, ratedQuarter: Quarter): number {
  return dealerQuarterNumber(joinedOn, ratedQuarter) + 1;
}

/** Splits `items` into consecutive batches of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isSafeInteger(size) || size < 1)
    throw new Error(`batch size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Scores as entered

/** Which keys a department may submit: finance the first 8 performance indicators, marketing the last 4. */
export function performanceKeysOf(
  department: 'finance' | 'marketing',
  indicators: readonly IndicatorDefinition[] = DEFAULT_PERFORMANCE_INDICATORS,
): string[] {
  return indicators.filter((i) => i.owner === department).map((i) => i.key);
}

/** The policy's indicator lists; a policy recorded before they were part of it means the defaults. */
export function indicatorsOf(
  policy: RatingPolicy & {
    performanceIndicators?: readonly IndicatorDefinition[];
    conductIndicators?: readonly IndicatorDefinition[];
  },
) {
  return {
    performance: policy.performanceIndicators ?? DEFAULT_PERFORMANCE_INDICATORS,
    conduct: policy.conductIndicators ?? DEFAULT_CONDUCT_INDICATORS,
  };
}

/** The keys of `values` that are missing from a full set of `indicators`. */
export function missingIndicators(
  indicators: readonly { key: string }[],
  values: IndicatorValues | undefined,
): string[] {
  return indicators.filter((i) => values?.[i.key] === undefined).map((i) => i.key);
}

// ---------------------------------------------------------------------------------------------------------
// One dealer's quarter

export interface DealerQuarterFigures {
  dealerId: string;
  joinedOn: CalendarDate;
  /** Performance values as entered, per month of the quarter (months without any entry may be absent). */
  monthly: Record<Month, IndicatorValues>;
  /** Conduct values as entered for the quarter; null when none. */
  conduct: IndicatorValues | null;
  /** Finance's figure of the quarter's sales; null when not entered. */
  salesMinor: number | null;
  /** The previous quarter's rating grade (not the live grade, which a +15 downgrade may have lowered). */
  previousGrade: CreditGrade | null;
}

export type DealerQuarterOutcome =
  | {
      dealerId: string;
      status: 'rated';
      months: Month[];
      monthlyTotals: number[];
      conductTotal: number;
      salesMinor: number;
      previousGrade: CreditGrade | null;
      creditQuarterNumber: number;
      rating: QuarterlyRating;
    }
  | { dealerId: string; status: 'skipped'; reason: string };

/**
 * One dealer's quarterly rating from the figures entered. Every month of the quarter the dealer belonged to
 * must be complete (all 12 performance indicators), and the conduct scores and sales must be entered; otherwise
 * the dealer is skipped with the reason, never rated on silently missing figures.
 */
export function rateDealerQuarter(
  quarter: Quarter,
  f: DealerQuarterFigures,
  policy: RatingPolicy & {
    performanceIndicators?: readonly IndicatorDefinition[];
    conductIndicators?: readonly IndicatorDefinition[];
  },
): DealerQuarterOutcome {
  const indicators = indicatorsOf(policy);
  const skip = (reason: string): DealerQuarterOutcome => ({
    dealerId: f.dealerId,
    status: 'skipped',
    reason,
  });
  if (dealerQuarterNumber(f.joinedOn, quarter) < 1) return skip(`joined on ${f.joinedOn}, after ${quarter}`);
  const joinedMonth = f.joinedOn.slice(0, 7);
  const months = quarterMonths(quarter).filter((m) => m >= joinedMonth);
  for (const m of months) {
    const missing = missingIndicators(indicators.performance, f.monthly[m]);
    if (missing.length) return skip(`performance scores for ${m} incomplete: missing ${missing.join(', ')}`);
  }
  const missingConduct = missingIndicators(indicators.conduct, f.conduct ?? undefined);
  if (missingConduct.length)
    return skip(`conduct scores for ${quarter} incomplete: missing ${missingConduct.join(', ')}`);
  if (f.salesMinor === null) return skip(`sales for ${quarter} not entered`);
  try {
    const monthlyTotals = months.map(
      (m) =>
        monthlyPerformance(f.monthly[m] ?? {}, policy.thresholds.performance, indicators.performance).total,
    );
    const conductTotal = quarterlyConduct(
      f.conduct ?? {},
      policy.thresholds.conduct,
      indicators.conduct,
    ).total;
    const creditQuarter = creditQuarterNumber(f.joinedOn, quarter);
    const rating = quarterlyRating(
      {
        monthlyPerformanceTotals: monthlyTotals,
        conductTotal,
        quarterlySalesMinor: f.salesMinor,
        quarterIndexSinceJoining: creditQuarter,
        previousGrade: f.previousGrade,
      },
      policy,
    );
    return {
      dealerId: f.dealerId,
      status: 'rated',
      months,
      monthlyTotals,
      conductTotal,
      salesMinor: f.salesMinor,
      previousGrade: f.previousGrade,
      creditQuarterNumber: creditQuarter,
      rating,
    };
  } catch (err) {
    return skip((err as Error).message);
  }
}
