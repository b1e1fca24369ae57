/**
 * The automatic credit checks' decision on an application (domain.md §2): the hard rules
 * that forbid credit outright (supply stopped, class D, a dealer's first quarter or a grade
 * that gets no credit yet, a salesperson at 100 % of the receivables limit), the available
 * limit, the salesperson's limit and its early warning, and the requested term against the
 * term the grade allows. Pure: the activity gathers the facts and sends the warning mail.
 */
import type { CalendarDate } from './calendar.js';
import { type CreditGrade, creditEligibility } from './rating.js';
import { dealerQuarterNumber, quarterOf } from './rating-cycle.js';
import { crossesLimitWarning } from './salesperson-review.js';

export type CheckVerdict = 'approve' | 'review' | 'reject';

/** What the checks read: the application, its counterparty and salesperson, and their figures now. */
export interface AutomaticCheckFacts {
  application: { amountMinor: number; requestedTermDays: number };
  counterparty: {
    name: string;
    kind: 'dealer' | 'customer';
    creditGrade: string | null;
    customerClass: string | null;
    creditLimitMinor: number;
    creditTermDays: number | null;
    joinedOn: CalendarDate;
    supplyStopped: boolean;
  };
  salesperson: { name: string; creditLimitMinor: number | null };
  /** The counterparty's other receivables: open ones' outstanding plus pending ones' amounts. */
  exposureMinor: number;
  /** The same for the salesperson's other receivables. */
  salespersonOutstandingMinor: number;
  /** Today in the company's time zone. */
  today: CalendarDate;
  /** The salesperson's early-warning level, basis points of the limit (policy). */
  limitWarningBp: number;
}

export interface AutomaticCheckDecision {
  /** The first hard rule that forbids credit: the application is rejected at once. */
  hardRejection: string | null;
  recommendation: CheckVerdict;
  /** Every finding, in the order checked. */
  findings: string[];
  availableMinor: number;
  /**
   * Set when this application takes the salesperson from below the warning level to at or
   * above it (and below 100 %), and nothing forbids it: they and the managers hear of it.
   */
  limitWarning: { afterMinor: number; limitMinor: number; usagePercent: number } | null;
}

export function automaticCheckDecision(f: AutomaticCheckFacts): AutomaticCheckDecision {
  const { application: app, counterparty: c, salesperson: sp } = f;
  const exposure = f.exposureMinor;
  const spOutstanding = f.salespersonOutstandingMinor;
  const findings: string[] = [];
  let hardRejection: string | null = null;
  const hard = (reason: string) => {
    hardRejection ??= reason;
    findings.push(reason);
  };
  if (c.supplyStopped) hard(`supply to ${c.name} is stopped: a receivable is 15 or more days overdue`);
  if (c.kind === 'customer' && c.customerClass === 'D') hard(`${c.name} is class D: cash or prepayment only`);
  if (c.kind === 'dealer') {
    const quarter = dealerQuarterNumber(c.joinedOn, quarterOf(f.today));
    if (quarter <= 1) hard('new dealer: no credit in the first quarter');
    else if (!c.creditGrade) hard(`dealer ${c.name} has no credit grade yet`);
    else {
      const eligibility = creditEligibility({
        quarterIndexSinceJoining: quarter,
        grade: c.creditGrade as CreditGrade,
      });
      if (!eligibility.allowed) hard(eligibility.reason ?? 'no credit allowed this quarter');
    }
  }
  const spLimit = sp.creditLimitMinor;
  if (spLimit !== null && spOutstanding >= spLimit)
    hard(
      `salesperson ${sp.name} has reached 100 % of the receivables limit (${spOutstanding} of ${spLimit})`,
    );

  const available = Math.max(0, c.creditLimitMinor - exposure);
  let recommendation: CheckVerdict = 'approve';
  if (app.amountMinor > available) {
    recommendation = 'reject';
    findings.push(
      `amount ${app.amountMinor} exceeds the available limit ${available} (limit ${c.creditLimitMinor} − exposure ${exposure})`,
    );
  } else {
    findings.push(`within the available limit: ${available} of ${c.creditLimitMinor}`);
  }
  if (spLimit !== null && spOutstanding + app.amountMinor > spLimit) {
    recommendation = 'reject';
    findings.push(
      `would take salesperson ${sp.name} over the receivables limit (${spOutstanding + app.amountMinor} of ${spLimit})`,
    );
  } else if (spLimit !== null && (spOutstanding + app.amountMinor) * 10000 >= spLimit * f.limitWarningBp) {
    findings.push(
      `salesperson ${sp.name} would use ${Math.floor(((spOutstanding + app.amountMinor) * 100) / spLimit)} % of the receivables limit`,
    );
  }
  // The early warning (§5): only when nothing forbids the application.
  const limitWarning =
    !hardRejection &&
    spLimit !== null &&
    crossesLimitWarning(spOutstanding, app.amountMinor, spLimit, f.limitWarningBp)
      ? {
          afterMinor: spOutstanding + app.amountMinor,
          limitMinor: spLimit,
          usagePercent: Math.floor(((spOutstanding + app.amountMinor) * 100) / spLimit),
        }
      : null;
  if (c.creditTermDays !== null && app.requestedTermDays > c.creditTermDays) {
    if (recommendation === 'approve') recommendation = 'review';
    findings.push(
      `requested term ${app.requestedTermDays} days exceeds the ${c.creditTermDays} days the grade allows`,
    );
  }
  return {
    hardRejection,
    recommendation: hardRejection ? 'reject' : recommendation,
    findings,
    availableMinor: available,
    limitWarning,
  };
}
