/**
 * The credit policy: every number docs/domain.md marks as a *default*. A company
 * changes these without touching code (a policy file or PUT /v1/policy, docs/domain.md §9);
 * each workflow records the policy version it started under.
 *
 * Plain data and types only: imported by workflow code.
 */

import { type DateWindow, DEFAULT_DATE_WINDOW } from './calendar.js';
import {
  type ClassPolicyTable,
  type ClassThresholds,
  DEFAULT_CLASS_POLICIES,
  DEFAULT_CLASS_THRESHOLDS,
  DEFAULT_FACTOR_SCORER,
  DEFAULT_FACTOR_WEIGHTS,
  type FactorScorer,
  type FactorWeights,
} from './customer-class.js';
import type { CustomerScorePolicy } from './customer-score.js';
import type { PortalPolicy } from './portal.js';
import {
  DEFAULT_CONDUCT_INDICATORS,
  DEFAULT_PERFORMANCE_INDICATORS,
  DEFAULT_RATING_POLICY,
  type IndicatorDefinition,
  type RatingPolicy,
} from './rating.js';
import {
  type AssessmentBaselines,
  DEFAULT_BASELINES,
  DEFAULT_LIMIT_WARNING_BP,
  DEFAULT_RATE_TABLE,
  DEFAULT_SALESPERSON_CREDIT_WEIGHTS,
  type RateTable,
  type SalespersonCreditWeights,
} from './salesperson-assessment.js';
import type { CalendarPolicy } from './working-days.js';

export type Department = 'finance' | 'marketing';

export interface ReceivablePolicy {
  /** Calendar offsets from the due date, in days, of each timed step. */
  timeline: {
    reminderDays: number; // due − 7
    dueCheckDays: number; // due + 1
    secondNoticeDays: number; // + 7
    warningDays: number; // + 15
    legalDays: number; // + 30
  };
  /** Local hour (0–23) at which a timed step fires on its day. */
  businessHour: number;
  /** Minute past that hour (0–59); policies stored before it existed mean :00. */
  businessMinute?: number;
  approvalDeadlineDays: number;
  /** Cash-discount terms: `rateBp` off when paid within `days` of issue (1/10 n/30). */
  cashDiscount: { rateBp: number; days: number };
  defaultTermDays: number;
  /** Regions where the salesperson visits a late debtor instead of sending a notice. */
  homeRegions: string[];
  /**
   * Which debtor is "local" (a visit at due+1) rather than "elsewhere" (a collection
   * notice at once): one in `homeRegions` (the company's home regions), or one in the
   * salesperson's own region (regional sales teams). Policies stored before it: home regions.
   */
  localDebtor?: 'home-regions' | 'salesperson-region';
  /**
   * Once the approval deadline has passed and a manager is asked, whether a late finance
   * and marketing pair may still decide (true) or only the manager decides (false).
   */
  lateVotesCount?: boolean;
  legal: {
    /** Outstanding at or above this ends cooperation. */
    terminateCooperationMinor: number;
    /** Outstanding at or above this also goes to court. */
    litigationMinor: number;
    confirmationDeadlineDays: number;
    /** What happens when the manager does not confirm in time. */
    onDeadline: 'proceed' | 'hold';
  };
}

/** Dealer rating (docs/domain.md §2): grade thresholds, grade → credit-sales ratio and term, the two-bad-quarters decision. */
export interface DealerRatingPolicy extends RatingPolicy {
  /** The 12 monthly performance indicators (the 12th: customers lost) and who scores each. */
  performanceIndicators: readonly IndicatorDefinition[];
  /** The 8 quarterly conduct indicators (the first two count violations). */
  conductIndicators: readonly IndicatorDefinition[];
  /** Days a manager has to decide on a dealer with two bad quarters in a row. */
  twoBadQuartersDecisionDays: number;
  /** What happens when that decision is not made in time. */
  onTwoBadQuartersDeadline: 'stop-supply' | 'continue';
}

/** Customer classification (docs/domain.md §3): weights, class thresholds and per-class policies. */
export interface CustomerClassPolicy {
  weights: FactorWeights;
  /** How each factor's raw value maps to 0–100. */
  scorer: FactorScorer;
  thresholds: ClassThresholds;
  classes: ClassPolicyTable;
  /** Scores that keep themselves (docs/scores.md); policies stored before it use the defaults. */
  score?: CustomerScorePolicy;
}

/** Salespeople (docs/domain.md §4, §5): finance's baselines, marketing's rate table, the limit warning level, credit weights. */
export interface SalespersonPolicy {
  baselines: AssessmentBaselines;
  rateTable: RateTable;
  /** Limit usage (basis points) at which the salesperson and managers are warned; 100 % is the hard stop. */
  limitWarningBp: number;
  creditWeights: SalespersonCreditWeights;
  /** The salesperson's score (docs/scores.md): a fact older than this many months counts as missing. Default 12. */
  score?: { factLimitMonths?: number };
}

/**
 * Grouped correspondence (docs/correspondence.md): a debtor's notices and a salesperson's
 * tasks of one working day go as one message, gathered for `gatherMinutes` from the first.
 */
export interface CorrespondencePolicy {
  /** Minutes a day's message gathers items from its first one before it is sent (default 10). */
  gatherMinutes: number;
}

export const DEFAULT_CORRESPONDENCE: CorrespondencePolicy = { gatherMinutes: 10 };

export interface Policy {
  version: string;
  timeZone: string;
  currency: string;
  /** How far back and ahead a date a person enters may lie; policies stored before it existed use the default. */
  dates?: DateWindow;
  /**
   * The working-day calendar timeline steps fire by (domain/working-days.ts); policies
   * stored before it: China's calendar, the next working day, no company entries (calendarOf).
   */
  calendar?: CalendarPolicy;
  receivable: ReceivablePolicy;
  rating: DealerRatingPolicy;
  customer: CustomerClassPolicy;
  salesperson: SalespersonPolicy;
  /** The monthly statements of account (docs/letters.md); policies without it: day 1. */
  statements?: StatementPolicy;
  /** Policies stored before it existed: the default (DEFAULT_CORRESPONDENCE). */
  correspondence?: CorrespondencePolicy;
  /** The debtor portal (domain/portal.ts); policies stored before it existed use DEFAULT_PORTAL_POLICY. */
  portal?: PortalPolicy;
}

export interface StatementPolicy {
  /** The day of the month (1–28) on which every counterparty with open items gets last month's statement. */
  dayOfMonth: number;
}

/** The statement day in force under `policy` (older policies have none: the 1st). */
export const statementDay = (policy: Policy): number => policy.statements?.dayOfMonth ?? 1;

export const DEFAULT_POLICY: Policy = {
  version: 'default-2026.1',
  timeZone: 'Asia/Shanghai',
  currency: 'CNY',
  dates: DEFAULT_DATE_WINDOW,
  receivable: {
    timeline: { reminderDays: -7, dueCheckDays: 1, secondNoticeDays: 7, warningDays: 15, legalDays: 30 },
    businessHour: 9,
    businessMinute: 0,
    approvalDeadlineDays: 3,
    cashDiscount: { rateBp: 100, days: 10 },
    defaultTermDays: 30,
    homeRegions: ['Shanghai'],
    localDebtor: 'home-regions',
    lateVotesCount: false,
    legal: {
      terminateCooperationMinor: 0,
      litigationMinor: 5_000_000, // ¥50,000.00
      confirmationDeadlineDays: 5,
      onDeadline: 'proceed',
    },
  },
  rating: {
    ...DEFAULT_RATING_POLICY,
    performanceIndicators: DEFAULT_PERFORMANCE_INDICATORS,
    conductIndicators: DEFAULT_CONDUCT_INDICATORS,
    twoBadQuartersDecisionDays: 7,
    onTwoBadQuartersDeadline: 'stop-supply',
  },
  customer: {
    weights: DEFAULT_FACTOR_WEIGHTS,
    scorer: DEFAULT_FACTOR_SCORER,
    thresholds: DEFAULT_CLASS_THRESHOLDS,
    classes: DEFAULT_CLASS_POLICIES,
  },
  salesperson: {
    baselines: DEFAULT_BASELINES,
    rateTable: DEFAULT_RATE_TABLE,
    limitWarningBp: DEFAULT_LIMIT_WARNING_BP,
    creditWeights: DEFAULT_SALESPERSON_CREDIT_WEIGHTS,
  },
};

/** The date window in force under `policy` (older policies have none: the default). */
export const dateWindow = (policy: Policy): DateWindow => policy.dates ?? DEFAULT_DATE_WINDOW;

/** The grouping of correspondence under `policy` (older policies have none: the default). */
export const correspondencePolicy = (policy: Pick<Policy, 'correspondence'>): CorrespondencePolicy =>
  policy.correspondence ?? DEFAULT_CORRESPONDENCE;
