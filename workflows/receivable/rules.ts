/**
 * Pure receivable rules the workflow applies: discount, payment and decision
 * validation, step instants. Kept apart from the workflow so they are tested directly.
 */

import { ApplicationFailure } from '@temporalio/common';
import {
  addDays,
  type CalendarDate,
  type DateWindow,
  DEFAULT_DATE_WINDOW,
  daysBetween,
  instantAt,
  isCalendarDate,
  outsideDateWindow,
} from '../../domain/calendar.js';
import { formatMoney } from '../../domain/format.js';
import type { Policy } from '../../domain/policy.js';
import { OPEN_STAGES } from '../../domain/receivable-stages.js';
import type { DebtorNoticeStep, SalespersonTaskStep } from '../correspondence/contract.js';
import type {
  ApplicationDecision,
  Approver,
  CreditApplication,
  PaymentInput,
  ReceivableInput,
  ReceivableOutcome,
  ReceivableReceipt,
  ReceivableRunPolicy,
  ReceivableState,
  Stage,
  TimelineStep,
  ValidReasonInput,
} from './contract.js';

/** Cash discount in minor units: rate × amount, rounded half up to the minor unit. */
export function cashDiscountMinor(amountMinor: number, rateBp: number): number {
  return Math.floor((amountMinor * rateBp + 5000) / 10000);
}

/** A receivable takes payments while it is open (issued, not closed). */
export const OPEN_FOR_PAYMENT: readonly Stage[] = OPEN_STAGES;

/** Why a payment cannot be applied, or null. Used by the update validator. */
export function paymentRefusal(state: ReceivableState, p: PaymentInput, today: CalendarDate): string | null {
  if (!OPEN_FOR_PAYMENT.includes(state.stage))
    return `receivable ${state.receivableId} takes no payments in stage ${state.stage}`;
  if (typeof p.paymentId !== 'string' || p.paymentId.trim() === '') return 'paymentId: required';
  if (state.paymentIds.includes(p.paymentId)) return null; // a retry: answered with the current balance
  if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor <= 0)
    return 'amountMinor: must be a positive integer count of minor units';
  if (typeof p.paidOn !== 'string' || !isCalendarDate(p.paidOn))
    return 'paidOn: must be a calendar date YYYY-MM-DD';
  if (p.paidOn > today) return `paidOn: ${p.paidOn} is in the future (today is ${today})`;
  if (state.issueDate && p.paidOn < state.issueDate)
    return `paidOn: ${p.paidOn} is before the issue date ${state.issueDate}`;
  // Inside the discount window too, the most is the whole balance: a debtor who pays in
  // full has paid what is owed (the discount is not taken), never an overpayment.
  const max = state.outstandingMinor;
  if (p.amountMinor > max)
    return `amountMinor: ${p.amountMinor} exceeds the ${max} that settles this receivable (overpayment refused)`;
  return null;
}

/**
 * Why a payment conflicts with where the receivable stands (answered 409), or null: a
 * receivable that takes no payments in its stage, or a payment id already applied with
 * another amount or date (a retry must be the same payment).
 */
export function paymentConflict(state: ReceivableState, p: PaymentInput): string | null {
  if (!OPEN_FOR_PAYMENT.includes(state.stage))
    return `receivable ${state.receivableId} is ${state.stage}: it takes no payments`;
  const first = state.paymentResults?.[p.paymentId];
  if (first && (first.amountMinor !== p.amountMinor || first.paidOn !== p.paidOn))
    return samePaymentIdConflict(p.paymentId, first, p);
  return null;
}

/** The 409 message for a payment id sent again with another amount or date. */
export function samePaymentIdConflict(
  paymentId: string,
  first: { amountMinor: number; paidOn: string },
  again: { amountMinor: number; paidOn: string },
): string {
  return `paymentId: ${paymentId} was already applied with amountMinor ${first.amountMinor} and paidOn ${first.paidOn} (this request says ${again.amountMinor} and ${again.paidOn}); a retry must send the same payment`;
}

/**
 * Applies a valid payment to the balance: returns the discount granted, whether it
 * settles, and the part of the offered discount the debtor did not take. Inside the
 * window, payments reaching the discounted amount settle; what was paid above it is
 * the discount not taken (a payment of the full amount takes none of it).
 */
export function applyPayment(
  state: ReceivableState,
  p: PaymentInput,
): { discountMinor: number; settled: boolean; discountNotTakenMinor: number } {
  const paid = state.paidMinor + p.amountMinor;
  const inWindow =
    state.discountLastDay !== null && state.discountedMinor !== null && p.paidOn <= state.discountLastDay;
  const approved = state.approvedMinor ?? 0;
  if (inWindow && state.discountedMinor !== null && paid >= state.discountedMinor) {
    const discountMinor = Math.max(0, approved - paid);
    return {
      discountMinor,
      settled: true,
      discountNotTakenMinor: approved - state.discountedMinor - discountMinor,
    };
  }
  return { discountMinor: 0, settled: paid >= approved, discountNotTakenMinor: 0 };
}

/**
 * Whether a late debtor is "local" (the salesperson visits at due+1) or "elsewhere" (a
 * collection notice goes out at once): by the company's home regions, or, for regional
 * sales teams, by the salesperson's own region.
 */
export function isLocalDebtor(
  policy: Pick<Policy['receivable'], 'homeRegions' | 'localDebtor'>,
  debtorRegion: string | undefined,
  salespersonRegion: string | undefined,
): boolean {
  if (!debtorRegion) return false;
  if (policy.localDebtor === 'salesperson-region') return debtorRegion === salespersonRegion;
  return policy.homeRegions.includes(debtorRegion);
}

/**
 * What a timeline step before +30 tells the debtor and the salesperson (docs/correspondence.md):
 * the due−7 reminder and a phone task; at due+1 a visit for a local debtor, a collection notice
 * for one elsewhere, and a late-reason request either way; the +7 second notice; the +15
 * warning letter.
 */
export function stepCorrespondence(
  step: Exclude<TimelineStep, 'legal'>,
  policy: Pick<Policy['receivable'], 'homeRegions' | 'localDebtor'>,
  checks: ReceivableState['checks'],
): { debtorNotice?: DebtorNoticeStep; salespersonTasks?: SalespersonTaskStep[] } {
  switch (step) {
    case 'reminder':
      return { debtorNotice: 'reminder', salespersonTasks: ['phone-task'] };
    case 'dueCheck':
      return isLocalDebtor(policy, checks?.counterparty?.region, checks?.salesperson?.region)
        ? { salespersonTasks: ['visit-task', 'late-reason-request'] }
        : { debtorNotice: 'collection-notice', salespersonTasks: ['late-reason-request'] };
    case 'secondNotice':
      return { debtorNotice: 'second-notice' };
    case 'warning':
      return { debtorNotice: 'warning-letter' };
  }
}

/** The stage a receivable stands in once `step` is the last timeline step taken. */
export const STAGE_AFTER: Record<Exclude<TimelineStep, 'legal'>, Stage> = {
  reminder: 'reminded',
  dueCheck: 'overdue',
  secondNotice: 'second-notice',
  warning: 'credit-desk',
};

export interface ExtensionReplan {
  /** Steps taken before whose day, from the new due date, is still ahead: they run again when due. */
  again: TimelineStep[];
  stepsTaken: TimelineStep[];
  stage: Stage;
  owner: ReceivableState['owner'];
  /** This receivable's supply block is no longer justified: it is not 15 or more days overdue. */
  liftSupply: boolean;
}

/**
 * An agreed extension re-plans the timeline from the new due date (`state` carries it):
 * each step already taken whose instant now lies after `now` is planned again, and the
 * stage and owner are those of the last step still taken. A proposed legal escalation
 * stands (a manager confirms or holds it), so with the legal step taken nothing is
 * planned again; the supply block of this receivable is lifted either way.
 */
export function replanAfterExtension(
  state: ReceivableState,
  policy: ReceivableRunPolicy,
  now: number,
): ExtensionReplan {
  const liftSupply = state.supplyStopped && stepInstant(state, policy, 'warning') > now;
  const unchanged = {
    again: [],
    stepsTaken: state.stepsTaken,
    stage: state.stage,
    owner: state.owner,
    liftSupply,
  };
  if (state.stepsTaken.includes('legal')) return unchanged;
  const again = state.stepsTaken.filter((s) => stepInstant(state, policy, s) > now);
  if (again.length === 0) return unchanged;
  const kept = state.stepsTaken.filter((s) => !again.includes(s));
  const last = kept.at(-1) as Exclude<TimelineStep, 'legal'> | undefined;
  return {
    again,
    stepsTaken: kept,
    stage: last ? STAGE_AFTER[last] : 'issued',
    owner: kept.includes('warning') ? 'credit-desk' : 'salesperson',
    liftSupply,
  };
}

export function stepOffsetDays(policy: ReceivableRunPolicy, step: TimelineStep): number {
  const t = policy.receivable.timeline;
  switch (step) {
    case 'reminder':
      return t.reminderDays;
    case 'dueCheck':
      return t.dueCheckDays;
    case 'secondNotice':
      return t.secondNoticeDays;
    case 'warning':
      return t.warningDays;
    case 'legal':
      return t.legalDays;
  }
}

/** The calendar day a step falls on: due date + offset + days escalation stood paused. */
export function stepDay(
  state: ReceivableState,
  policy: ReceivableRunPolicy,
  step: TimelineStep,
): CalendarDate {
  if (!state.dueDate) throw new Error('receivable has no due date');
  const pause = step === 'reminder' ? 0 : state.pausedDays;
  return addDays(state.dueDate, stepOffsetDays(policy, step) + pause);
}

export function stepInstant(state: ReceivableState, policy: ReceivableRunPolicy, step: TimelineStep): number {
  return businessInstant(stepDay(state, policy, step), policy);
}

/** The policy's business time of day (e.g. 09:00) on `date`, in the company's time zone. */
export function businessInstant(date: CalendarDate, policy: ReceivableRunPolicy): number {
  const r = policy.receivable;
  return instantAt(date, r.businessHour, policy.timeZone, r.businessMinute ?? 0);
}

export function daysOverdue(state: ReceivableState, today: CalendarDate): number {
  if (!state.dueDate) return 0;
  return Math.max(0, daysBetween(state.dueDate, today));
}

export function legalAction(policy: ReceivableRunPolicy, outstandingMinor: number) {
  return {
    terminateCooperation: outstandingMinor >= policy.receivable.legal.terminateCooperationMinor,
    litigation: outstandingMinor >= policy.receivable.legal.litigationMinor,
  };
}

/** An amount for the Temporal UI's summary: the one formatter (domain/format.js), never a sign of its own. */
export function formatMinor(minor: number, currency: string): string {
  try {
    return formatMoney(minor, currency, 'en');
  } catch {
    return `${minor} ${currency} minor units`;
  }
}

/** A new receivable's state, before its first activity. */
export function initialState(input: ReceivableInput): ReceivableState {
  return newReceivableState(input.application, input.policy.version, 0);
}

/**
 * The state a new receivable's run holds while it is filed: the initial state, published once.
 * The filing's activity writes it as the receivable's first snapshot, so the checks' record
 * after it carries only what the checks changed (docs/performance.md).
 */
export function filedState(application: CreditApplication, policyVersion: string): ReceivableState {
  return newReceivableState(application, policyVersion, 1);
}

function newReceivableState(
  a: CreditApplication,
  policyVersion: string,
  stateVersion: number,
): ReceivableState {
  return {
    receivableId: a.receivableId,
    application: a,
    policyVersion,
    stage: 'applied',
    stateVersion,
    checks: null,
    votes: {},
    approvalDeadline: null,
    rejectionReason: null,
    approvedMinor: null,
    approvedTermDays: null,
    issueDate: null,
    dueDate: null,
    discountLastDay: null,
    discountedMinor: null,
    outstandingMinor: 0,
    paidMinor: 0,
    discountMinor: 0,
    writtenOffMinor: 0,
    settledOn: null,
    paymentIds: [],
    stepsTaken: [],
    owner: 'salesperson',
    validReason: null,
    pausedDays: 0,
    lateReasons: [],
    legal: null,
    supplyStopped: false,
    gradeAfterDowngrade: null,
  };
}

/**
 * The receivable's summary line in the Temporal Web UI: its run's current details (and, in runs
 * started before `snapshot-at-filing-no-memo`, its memo).
 */
export function receivableSummary(state: ReceivableState): string {
  const c = state.checks?.counterparty;
  return [
    `Receivable ${state.receivableId}`,
    c ? `${c.name} (${c.id})` : state.application.counterpartyId,
    `${formatMinor(state.outstandingMinor, state.application.currency)} outstanding`,
    state.dueDate ? `due ${state.dueDate}` : `requested ${state.application.requestedTermDays} days`,
    `stage ${state.stage}`,
    state.validReason ? `paused: ${state.validReason.kind}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** What an Update that changed the receivable answers (ReceivableReceipt). */
export function receiptOf(s: ReceivableState): ReceivableReceipt {
  return {
    receivableId: s.receivableId,
    stateVersion: s.stateVersion,
    stage: s.stage,
    outstandingMinor: s.outstandingMinor,
  };
}

/** How a closed receivable ended: its run's result (ReceivableOutcome). */
export function outcomeOf(s: ReceivableState): ReceivableOutcome {
  return {
    receivableId: s.receivableId,
    stateVersion: s.stateVersion,
    stage: s.stage,
    rejectionReason: s.rejectionReason,
    approvedMinor: s.approvedMinor,
    dueDate: s.dueDate,
    paidMinor: s.paidMinor,
    discountMinor: s.discountMinor,
    writtenOffMinor: s.writtenOffMinor,
    outstandingMinor: s.outstandingMinor,
    settledOn: s.settledOn,
    paymentIds: s.paymentIds,
    stepsTaken: s.stepsTaken,
  };
}

// ---- Update validation: pure, so validators and the handlers share one rule ----

/** Refuses an Update from its validator: nothing reaches history. */
export function refuse(message: string | null): void {
  if (message) throw ApplicationFailure.nonRetryable(message, 'ValidationError');
}

/** The failure type of a refusal that conflicts with the receivable's state (the API answers 409). */
export const CONFLICT_ERROR = 'ConflictError';

/** Refuses an Update that conflicts with where the receivable stands: nothing reaches history. */
export function refuseConflict(message: string | null): void {
  if (message) throw ApplicationFailure.nonRetryable(message, CONFLICT_ERROR);
}

/** The application's outcome once decided: a rejection by anyone, a manager's word, or both departments' approval. */
export function decisionOutcome(state: ReceivableState): ApplicationDecision | null {
  const { finance, marketing, manager } = state.votes;
  const rejection = [finance, marketing, manager].find((v) => v && !v.approve);
  if (rejection) return rejection;
  if (manager?.approve) {
    return {
      ...manager,
      approvedAmountMinor:
        manager.approvedAmountMinor ?? finance?.approvedAmountMinor ?? state.application.amountMinor,
      approvedTermDays:
        manager.approvedTermDays ?? finance?.approvedTermDays ?? state.application.requestedTermDays,
    };
  }
  if (finance?.approve && marketing?.approve) return finance;
  return null;
}

const APPROVERS: readonly Approver[] = ['finance', 'marketing', 'manager'];

/** A person's act needs the credential that authenticated it: the API sets `actor`, never the body. */
export function actorRefusal(u: { actor?: { credentialId?: unknown } }): string | null {
  const id = u.actor?.credentialId;
  return typeof id === 'string' && id !== '' ? null : 'actor: the authenticated credential is required';
}

export function validateDecision(
  state: ReceivableState,
  d: ApplicationDecision,
  policy: Pick<Policy['receivable'], 'lateVotesCount'> = {},
): void {
  if (!APPROVERS.includes(d.department)) refuse(`department: unknown department '${String(d.department)}'`);
  if (state.stage !== 'applied' && state.stage !== 'awaiting-approval' && state.stage !== 'manager-review')
    refuse(`the application is not awaiting a decision (stage ${state.stage})`);
  if (d.department === 'manager' && state.stage !== 'manager-review')
    refuse('a manager decides only once the approval deadline has passed');
  // Once escalated, the manager decides, unless the policy lets late departmental votes count.
  if (d.department !== 'manager' && state.stage === 'manager-review' && !policy.lateVotesCount)
    refuse(
      `the approval deadline has passed: a manager decides this application now (stage ${state.stage}, policy lateVotesCount false)`,
    );
  if (state.votes[d.department]) refuse(`${d.department} has already decided this application`);
  if (typeof d.approve !== 'boolean') refuse('approve: must be true or false');
  refuse(actorRefusal(d));
  if (!d.approve && !d.reason?.trim()) refuse('reason: a rejection needs a reason');
  const needsTerms =
    d.approve &&
    (d.department === 'finance' || (d.department === 'manager' && !state.votes.finance?.approve));
  if (needsTerms || d.approvedAmountMinor !== undefined) {
    const amount = d.approvedAmountMinor;
    if (amount === undefined || !Number.isSafeInteger(amount) || amount <= 0)
      refuse('approvedAmountMinor: finance fixes the approved amount, a positive integer of minor units');
    else if (amount > state.application.amountMinor)
      refuse(`approvedAmountMinor: ${amount} exceeds the ${state.application.amountMinor} applied for`);
  }
  if (needsTerms || d.approvedTermDays !== undefined) {
    const term = d.approvedTermDays;
    if (term === undefined || !Number.isInteger(term) || term < 1 || term > 365)
      refuse('approvedTermDays: finance fixes the term, 1 to 365 days');
  }
}

/**
 * `window`: the policy's date window (absent from policies recorded before it existed). An agreed
 * date beyond it is refused here, before the timeline would compute steps from it.
 */
export function validateValidReason(
  state: ReceivableState,
  r: ValidReasonInput,
  today: string,
  window: DateWindow = DEFAULT_DATE_WINDOW,
): void {
  const tooFarAhead = (field: string, date: CalendarDate) => {
    const problem = outsideDateWindow(date, today, { daysAhead: window.daysAhead });
    return problem && `${field}: ${problem}`;
  };
  if (!OPEN_FOR_PAYMENT.includes(state.stage))
    refuse(`receivable is ${state.stage}: no valid reason applies`);
  refuse(actorRefusal(r));
  if (!r.reason?.trim()) refuse('reason: required');
  if (state.validReason && r.kind !== 'extension')
    refuse(`a ${state.validReason.kind} already holds escalation since ${state.validReason.since}`);
  if (r.kind === 'extension') {
    if (!isCalendarDate(r.newDueDate)) refuse('newDueDate: must be a calendar date YYYY-MM-DD');
    else if (state.dueDate && r.newDueDate <= state.dueDate)
      refuse(`newDueDate: ${r.newDueDate} must be later than the current due date ${state.dueDate}`);
    else if (r.newDueDate <= today) refuse(`newDueDate: ${r.newDueDate} must be after today (${today})`);
    else refuse(tooFarAhead('newDueDate', r.newDueDate));
  } else if (r.kind === 'promise') {
    if (!isCalendarDate(r.promisedBy)) refuse('promisedBy: must be a calendar date YYYY-MM-DD');
    else if (r.promisedBy < today) refuse(`promisedBy: ${r.promisedBy} is already past`);
    else refuse(tooFarAhead('promisedBy', r.promisedBy));
  } else if (r.kind !== 'dispute') {
    refuse(`kind: unknown valid reason '${String((r as { kind: unknown }).kind)}'`);
  }
}
