/**
 * The receivable workflow's contract: its id, task queue, updates, query and the
 * types they carry. Imported by workflows/, api/ and tests; nothing here does I/O.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, DebtorActor, SystemActor } from '../../domain/actor.js';
import type { CheckVerdict } from '../../domain/automatic-checks.js';
import type { CalendarDate } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import type { Stage } from '../../domain/receivable-stages.js';

export const RECEIVABLE_TASK_QUEUE = 'creditflow-receivables';
export const receivableWorkflowId = (receivableId: string) => `receivable:${receivableId}`;
export const RECEIVABLE_WORKFLOW_TYPE = 'receivableWorkflow';

/** Typed search attributes, so managers filter receivables in the Temporal Web UI. */
export const ReceivableSearch = {
  CounterpartyId: defineSearchAttributeKey('CounterpartyId', SearchAttributeType.KEYWORD),
  SalespersonId: defineSearchAttributeKey('SalespersonId', SearchAttributeType.KEYWORD),
  Stage: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD),
  DueDate: defineSearchAttributeKey('DueDate', SearchAttributeType.DATETIME),
  OutstandingMinor: defineSearchAttributeKey('OutstandingMinor', SearchAttributeType.INT),
  CreditGrade: defineSearchAttributeKey('CreditGrade', SearchAttributeType.KEYWORD),
} as const;

/** Where a receivable stands (domain/receivable-stages.ts). */
export { CLOSED_STAGES, STAGES, type Stage } from '../../domain/receivable-stages.js';

/** The timed steps after issue, in order. */
export const TIMELINE_STEPS = ['reminder', 'dueCheck', 'secondNotice', 'warning', 'legal'] as const;
export type TimelineStep = (typeof TIMELINE_STEPS)[number];

/** The e-mails of the application's path, sent to the company's own staff (in Chinese). */
export type ApplicationNotice = 'approval-request' | 'approval-escalated' | 'application-decision';

/**
 * The activity that sent each application notice on its own, in runs from before
 * `application-in-two-activities` (since then `recordAndNotify` sends it with its record).
 */
export const NOTICE_ACTIVITY = {
  'approval-request': 'notifyApprovers',
  'approval-escalated': 'escalateApprovalToManager',
  'application-decision': 'notifyApplicationDecision',
} as const satisfies Record<ApplicationNotice, string>;

export interface CreditApplication {
  receivableId: string;
  counterpartyId: string;
  salespersonId: string;
  amountMinor: number;
  currency: string;
  requestedTermDays: number;
  note?: string;
}

/**
 * An invoice already issued in the ERP, brought in by a bulk import: it skips the
 * application and approval and joins the timeline where it stands.
 */
export interface ImportedInvoice {
  issueDate: CalendarDate;
  dueDate: CalendarDate;
  /** Paid before the import (minor units); less than the application's amount. */
  paidMinor: number;
  /** Where it came from, e.g. `erp:import-42`. */
  source: string;
}

/**
 * The part of the policy a receivable's run reads: its timeline, approvals, discount, legal
 * thresholds, dates, calendar and correspondence window. The run keeps it for its whole life,
 * so a later policy never changes a receivable already filed; the rating, customer and
 * salesperson rules are other workflows' and stay out of every receivable's start event.
 */
export type ReceivableRunPolicy = Pick<
  Policy,
  'version' | 'timeZone' | 'currency' | 'dates' | 'calendar' | 'receivable' | 'correspondence'
>;

/** `policy` narrowed to what a receivable's run reads (runs started before it carry the whole policy). */
export const receivableRunPolicy = (policy: ReceivableRunPolicy): ReceivableRunPolicy => ({
  version: policy.version,
  timeZone: policy.timeZone,
  currency: policy.currency,
  receivable: policy.receivable,
  ...(policy.dates ? { dates: policy.dates } : {}),
  ...(policy.calendar ? { calendar: policy.calendar } : {}),
  ...(policy.correspondence ? { correspondence: policy.correspondence } : {}),
});

export interface ReceivableInput {
  application: CreditApplication;
  policy: ReceivableRunPolicy;
  /** Set for an imported invoice: amountMinor is the invoice amount. */
  imported?: ImportedInvoice;
  /** History length after which the run continues as new (default 4,000 events). */
  continueAsNewAfterEvents?: number;
  /** Who filed the application or ran the import (absent in runs started before it was recorded). */
  actor?: Actor;
}

export interface PartyContact {
  id: string;
  name: string;
  email: string;
}

export interface CounterpartyProfile extends PartyContact {
  kind: 'dealer' | 'customer';
  /** A language tag ('zh-CN', 'en', or one the company added templates for). */
  language: string;
  region: string;
  creditGrade: string | null;
  customerClass: string | null;
}

export interface SalespersonProfile extends PartyContact {
  region: string;
  phone: string | null;
}

export type { CheckVerdict } from '../../domain/automatic-checks.js';

export interface AutomaticCheckResult {
  /** Set when a hard rule forbids credit: the application is rejected at once. */
  hardRejection: string | null;
  recommendation: CheckVerdict;
  findings: string[];
  counterparty: CounterpartyProfile;
  salesperson: SalespersonProfile;
  creditLimitMinor: number;
  exposureMinor: number;
  availableMinor: number;
  salespersonLimitMinor: number;
  salespersonOutstandingMinor: number;
  /** Term (days) the counterparty's grade or class allows, if any. */
  maxTermDays: number | null;
}

/**
 * What the filing answers: the checks, and whether it laid them over the filing's snapshot
 * (filings since the checks were recorded there). Then no later record needs to send them.
 */
export type FilingResult = AutomaticCheckResult & { checksInSnapshot?: true };

/** The checks of a filing's answer, as the state keeps them. */
export function checksOf(r: FilingResult): AutomaticCheckResult {
  const { checksInSnapshot: _, ...checks } = r;
  return checks;
}

export type Approver = 'finance' | 'marketing' | 'manager';

/**
 * An act recorded before the actor was the credential: saved histories and runs
 * started then carry only the name the request body gave. Never created anew.
 */
export interface NamedInBody {
  credentialId: null;
  username: string;
  name: string;
  role: 'named-in-body';
}

/**
 * Who did something to a receivable: a credential, the workflow at a deadline, the debtor
 * through its portal link, or (old runs) a typed name.
 */
export type ReceivableActor = Actor | SystemActor | DebtorActor | NamedInBody;

/** The fields that named the actor in Update arguments before `actor`; old histories still hold them. */
export interface NamedInBodyFields {
  decidedBy?: string;
  recordedBy?: string;
}

/** The actor of an Update's arguments; for arguments from an old history, the name they carried. */
export function actorOfUpdate(u: { actor?: ReceivableActor } & NamedInBodyFields): ReceivableActor {
  if (u.actor) return u.actor;
  const name = u.decidedBy ?? u.recordedBy ?? 'unknown';
  return { credentialId: null, username: name, name, role: 'named-in-body' };
}

export interface ApplicationDecision {
  department: Approver;
  approve: boolean;
  /** The authenticated credential; the server sets it, never the request body. */
  actor: Actor;
  reason?: string;
  /** Required when finance (or a manager deciding alone) approves. */
  approvedAmountMinor?: number;
  approvedTermDays?: number;
}

export interface PaymentInput {
  paymentId: string;
  amountMinor: number;
  paidOn: CalendarDate;
  actor: Actor;
}

export interface PaymentResult {
  paymentId: string;
  outstandingMinor: number;
  discountMinor: number;
  settled: boolean;
  duplicate: boolean;
}

/** A payment as first applied and what it answered, kept so a retry answers the same. */
export interface AppliedPayment {
  amountMinor: number;
  paidOn: CalendarDate;
  outstandingMinor: number;
  discountMinor: number;
  settled: boolean;
}

/** A dispute or a promise may come from the debtor itself, through its portal link. */
export type ValidReasonInput =
  | { kind: 'dispute'; reason: string; actor: Actor | DebtorActor }
  | { kind: 'extension'; newDueDate: CalendarDate; reason: string; actor: Actor }
  | { kind: 'promise'; promisedBy: CalendarDate; reason: string; actor: Actor | DebtorActor };

export interface ValidReason {
  kind: 'dispute' | 'promise';
  reason: string;
  actor: ReceivableActor;
  since: CalendarDate;
  promisedBy?: CalendarDate;
}

export interface LegalEscalation {
  terminateCooperation: boolean;
  litigation: boolean;
  outstandingMinor: number;
  confirmBy: string; // ISO instant
  confirmed: boolean | null;
  /** The manager who confirmed or held it, or the system actor when the deadline passed. */
  actor: ReceivableActor | null;
  note: string | null;
}

/**
 * The working day a timeline step planned for a day fires on (the working-day calendar,
 * domain/working-days.ts), as the `workingDayFor` activity answered it once.
 */
export interface WorkingDayAnswer {
  /** The day the step fires on (the planned day when it is a working day or the policy says as-is). */
  date: CalendarDate;
  /** Why the planned day is not a working day (a holiday's name, 'weekend'); absent when it is one. */
  why?: string;
  /** The planned day's year has no holiday data: weekends only. */
  warning?: string;
}

export interface ReceivableState {
  receivableId: string;
  application: CreditApplication;
  policyVersion: string;
  stage: Stage;
  stateVersion: number;
  checks: AutomaticCheckResult | null;
  votes: Partial<Record<Approver, ApplicationDecision>>;
  approvalDeadline: string | null;
  rejectionReason: string | null;
  approvedMinor: number | null;
  approvedTermDays: number | null;
  issueDate: CalendarDate | null;
  dueDate: CalendarDate | null;
  discountLastDay: CalendarDate | null;
  discountedMinor: number | null;
  outstandingMinor: number;
  paidMinor: number;
  discountMinor: number;
  writtenOffMinor: number;
  settledOn: CalendarDate | null;
  /** Payment ids already applied, so a retried payment is not applied twice. */
  paymentIds: string[];
  /** Each payment as applied and its first answer (payments applied before it was kept: absent). */
  paymentResults?: Record<string, AppliedPayment>;
  stepsTaken: TimelineStep[];
  /**
   * How many times an agreed extension re-planned steps already taken (absent: never).
   * A re-planned step's effects (e-mails, tasks, supply stop) are keyed by it, so they happen again.
   */
  timelineRound?: number;
  owner: 'salesperson' | 'credit-desk';
  validReason: ValidReason | null;
  /** Days escalation stood still while a valid reason held; later steps move by this. */
  pausedDays: number;
  /**
   * Planned step day → the working day it fires on, as the calendar answered it (asked once
   * per planned day, kept so replays and later loops do not ask again). Absent before the
   * working-day calendar.
   */
  workingDays?: Record<CalendarDate, WorkingDayAnswer>;
  lateReasons: { reason: string; actor: ReceivableActor; on: CalendarDate }[];
  legal: LegalEscalation | null;
  supplyStopped: boolean;
  gradeAfterDowngrade: string | null;
}

/**
 * What an Update that changes the receivable answers: the version of the state it made and what a
 * reader sees first. Every answer stays in the history (and the Web UI), so it is not the whole
 * state: a reader takes that from the snapshot once it holds this version, or from
 * `getReceivable` (api/routes/receivables.ts). Workers from before answered with the whole
 * state, which has these fields too.
 */
export interface ReceivableReceipt {
  receivableId: string;
  stateVersion: number;
  stage: Stage;
  outstandingMinor: number;
}

/**
 * What a receivable's closed run answers, the Result a manager reads in the Web UI: how it ended
 * and the amounts that ended it. The whole state is the snapshot's (and the API's); workers from
 * before answered with it, which has these fields too.
 */
export type ReceivableOutcome = Pick<
  ReceivableState,
  | 'receivableId'
  | 'stateVersion'
  | 'stage'
  | 'rejectionReason'
  | 'approvedMinor'
  | 'dueDate'
  | 'paidMinor'
  | 'discountMinor'
  | 'writtenOffMinor'
  | 'outstandingMinor'
  | 'settledOn'
  | 'paymentIds'
  | 'stepsTaken'
>;

export const getReceivable = defineQuery<ReceivableState>('getReceivable');
export const decideApplication = defineUpdate<ReceivableReceipt, [ApplicationDecision]>('decideApplication');
export const recordPayment = defineUpdate<PaymentResult, [PaymentInput]>('recordPayment');
export const recordValidReason = defineUpdate<ReceivableReceipt, [ValidReasonInput]>('recordValidReason');
export const endValidReason = defineUpdate<ReceivableReceipt, [{ note: string; actor: Actor }]>(
  'endValidReason',
);
export const recordLateReason = defineUpdate<ReceivableReceipt, [{ reason: string; actor: Actor }]>(
  'recordLateReason',
);
export const confirmLegalEscalation = defineUpdate<
  ReceivableReceipt,
  [{ proceed: boolean; note: string; actor: Actor }]
>('confirmLegalEscalation');
export const writeOffBadDebt = defineUpdate<ReceivableReceipt, [{ reason: string; actor: Actor }]>(
  'writeOffBadDebt',
);
