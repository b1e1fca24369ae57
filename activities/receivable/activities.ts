/**
 * The receivable workflow's activities: the automatic checks, the credit record,
 * and every external effect of the timeline (e-mails, tasks, supply stop, grade
 * change), each idempotent by a key per receivable and step.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { actorSource, describeActor } from '../../domain/actor.js';
import { type AutomaticCheckDecision, automaticCheckDecision } from '../../domain/automatic-checks.js';
import { addDays, daysBetween, instantAt, localDate, localDateTime } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import { type WebhookEvent, type WebhookEventType, webhookEventForRecord } from '../../domain/webhooks.js';
import { type CalendarPolicy, calendarOf, shiftToWorkingDay } from '../../domain/working-days.js';
import type { Config } from '../../infra/config.js';
import type { Mailer } from '../../infra/mail.js';
import type { CreditflowMetrics } from '../../infra/metrics.js';
import { createPolicyLookup, type PolicyLookup } from '../../infra/policy.js';
import { workingCalendar } from '../../infra/working-days.js';
import type { ReceivableMailContext, ReceivableMailKind } from '../../operations/correspondence/kinds.js';
import { createMessageRenderer, type MessageRenderer } from '../../operations/correspondence/render.js';
import type { Operations } from '../../operations/index.js';
import type { Store } from '../../store/index.js';
import type {
  CorrespondenceInput,
  CorrespondenceItem,
  DebtorNoticeStep,
  SalespersonTaskStep,
} from '../../workflows/correspondence/contract.js';
import {
  type ApplicationNotice,
  type AutomaticCheckResult,
  actorOfUpdate,
  type CreditApplication,
  type FilingResult,
  type NamedInBodyFields,
  type PaymentInput,
  type ReceivableActor,
  type ReceivableInput,
  type ReceivableState,
  receivableWorkflowId,
  type TimelineStep,
  type WorkingDayAnswer,
} from '../../workflows/receivable/contract.js';
import { laidOver, type ReceivableChanges } from '../../workflows/receivable/recorded-state.js';
import { filedState } from '../../workflows/receivable/rules.js';
import {
  addToReaderDay,
  type CorrespondenceActivityDeps,
  createCorrespondenceActivities,
  planForReaderDay,
} from '../correspondence/activities.js';
import { refreshScoreOnBehaviour } from '../scores/signal.js';

export interface ReceivableActivityDeps {
  /** The data layer (store/index.ts) and the business operations over it, built once per process. */
  store: Store;
  operations: Operations;
  mailer: Mailer;
  /** Who the mails come from and go to inside the company (infra/config.ts). */
  company: Config['company'];

  /**
   * Resolves the policy version each workflow recorded: activities use that version, never
   * the worker's own. Default: the versions stored in PostgreSQL (infra/policy.ts).
   */
  policies?: PolicyLookup;
  clock?: () => Date;
  /** Counts timeline steps fired (infra/metrics.ts); tests may leave it out. */
  metrics?: Pick<CreditflowMetrics, 'stepFired'>;
  /**
   * Writes the messages: the company's templates in force when a message is sent
   * (operations/correspondence/render.ts). Default: the stored versions, else the shipped files.
   */
  renderer?: MessageRenderer;
  /** PDF letters attached to a debtor's message (seam 3); none when unset. */
  letters?: CorrespondenceActivityDeps['letters'];
  /** Temporal client for signal-with-start; default: the worker's client in the activity context. */
  client?: CorrespondenceActivityDeps['client'];
}

/**
 * The receivable an activity acts on: the whole state (runs started before narrow inputs,
 * replaying their history), or only what changed since the snapshot in PostgreSQL, which
 * the activity reads for the rest (workflows/receivable/recorded-state.ts).
 */
export type ReceivableRef = { state: ReceivableState } | { changes: ReceivableChanges };

/** A new receivable's first record: what it needs of the workflow's input (the policy by version). */
export interface NewReceivable {
  application: CreditApplication;
  policyVersion: string;
  imported?: ReceivableInput['imported'];
  actor?: ReceivableInput['actor'];
}

/** A credit-record event the workflow writes with its snapshot. */
export interface ReceivableRecord {
  event: string;
  detail: Record<string, unknown>;
  key: string;
  /** Who did it; absent for the workflow's own steps. */
  actor?: ReceivableActor;
}

/**
 * A whole timeline step in one activity (docs/performance.md): its e-mails and tasks queued
 * for their readers' day, the +15 step's hand-over, supply stop and grade, the +30 step's
 * legal action, then its credit-record events with the snapshot; and the working day the next
 * step's planned day fires on, so the workflow needs no second activity before its timer.
 */
export interface TimelineStepInput extends StepItems {
  receivable: ReceivableChanges;
  step: TimelineStep;
  /** +15: hand over to the credit desk, stop supply, lower the grade if supply was running. */
  escalateToCreditDesk?: boolean;
  /** +30 confirmed: terminate cooperation as the legal action says. */
  startLegalAction?: boolean;
  records: ReceivableRecord[];
  nextWorkingDay?: NextWorkingDayQuestion;
}

/**
 * The working day the next step's planned day fires on, asked of the activity that records;
 * with `plan` (runs since `planned-correspondence`), that step's items are planned for it.
 */
export interface NextWorkingDayQuestion {
  date: string;
  calendar?: CalendarPolicy;
  plan?: NextStepPlan;
}

/**
 * What an activity that records an event receives: the receivable's changes, the event, and the
 * next step's working day to answer when the workflow does not know it yet.
 */
export type RecordInput = ReceivableRef & ReceivableRecord & { nextWorkingDay?: NextWorkingDayQuestion };

/** What the next step will tell its readers, and when on its day it fires. */
export interface NextStepPlan
  extends Pick<StepItems, 'gatherMinutes' | 'timeZone' | 'debtorNotice' | 'salespersonTasks'> {
  businessHour: number;
  businessMinute: number;
}

export interface TimelineStepResult {
  /** +15: the grade after this receivable's stop (unchanged when supply was already stopped). */
  gradeAfterDowngrade?: string | null;
  workingDay?: WorkingDayAnswer;
}

/** What a timeline step tells the debtor and the salesperson, as items of their readers' day. */
export interface StepItems {
  /** The local date the step fired on, and when. */
  day: string;
  firedAt: string;
  gatherMinutes: number;
  timeZone: string;
  debtorNotice?: DebtorNoticeStep;
  salespersonTasks?: SalespersonTaskStep[];
}

/** A step's items, with the whole state (runs from before lean histories). */
export interface StepCorrespondence extends StepItems {
  state: ReceivableState;
}

type StateArg = ReceivableRef;

/** The salesperson's early warning the checks call for, with the policy's warning level. */
type EarlyWarning = NonNullable<AutomaticCheckDecision['limitWarning']> & { warningBp: number };

/** How an actor reads in a webhook or a letter; a name from an old request body reads as given. */
const describe = (a: ReceivableActor) => (a.role === 'named-in-body' ? a.name : describeActor(a));
/** The credit record's `source` for an act: `credential:<id>`, `system:<what>`, or an old body's name. */
const sourceOf = (a: ReceivableActor) => (a.role === 'named-in-body' ? a.name : actorSource(a));

/**
 * The suffix of a timeline effect's key: after an agreed extension re-planned steps
 * already taken, their e-mails, tasks and supply stop happen again, under new keys.
 */
const round = (s: ReceivableState) => (s.timelineRound ? `#${s.timelineRound}` : '');

/**
 * "Now" for an activity is when the workflow scheduled it: the same clock the
 * workflow's timers run on (so time-skipping tests and real runs agree).
 */
function activityClock(): Date {
  try {
    return new Date(Context.current().info.currentAttemptScheduledTimestampMs);
  } catch {
    return new Date(); // outside an activity (direct calls in tests)
  }
}

/** The policy version a new receivable's input names (the whole policy in runs from before narrow inputs). */
const policyVersionOf = (input: ReceivableInput | NewReceivable) =>
  'policy' in input ? input.policy.version : input.policyVersion;

/** The task (by its key's step) a person's recorded act answers. */
const TASK_ANSWERED_BY: Record<string, string> = {
  'late-reason-recorded': 'late-reason',
  'legal-escalation-confirmed': 'legal-confirmation',
  'legal-escalation-held': 'legal-confirmation',
};

export function createReceivableActivities(deps: ReceivableActivityDeps) {
  const { store, operations, mailer, company } = deps;
  const clock = deps.clock ?? activityClock;
  const q = store.receivables;
  const effects = store.effects;
  const policies = deps.policies ?? createPolicyLookup(store.policy);
  const renderer = deps.renderer ?? createMessageRenderer({ stored: store.templates });
  /** The policy the workflow recorded (its state carries the version). */
  const policyOf = (s: { policyVersion: string }) => policies.byVersion(s.policyVersion);
  const today = (p: Policy) => localDate(clock().getTime(), p.timeZone);

  /** The webhook event for a receivable at this moment; `id` is stable across activity retries. */
  function webhookEvent(
    s: ReceivableState,
    policy: Policy,
    type: WebhookEventType,
    id: string,
    days?: unknown,
    actor?: ReceivableActor,
  ): WebhookEvent {
    const legal = type.startsWith('receivable.legal') && s.legal ? s.legal : null;
    return {
      id,
      type,
      occurredAt: clock().toISOString(),
      data: {
        receivableId: s.receivableId,
        counterpartyId: s.application.counterpartyId,
        salespersonId: s.application.salespersonId,
        stage: s.stage,
        outstandingMinor: s.outstandingMinor,
        currency: s.application.currency,
        dueDate: s.dueDate,
        daysOverdue:
          typeof days === 'number'
            ? days
            : s.dueDate
              ? Math.max(0, daysBetween(s.dueDate, today(policy)))
              : 0,
        ...(legal
          ? {
              legal: {
                terminateCooperation: legal.terminateCooperation,
                litigation: legal.litigation,
                confirmBy: legal.confirmBy,
                confirmed: legal.confirmed,
                decidedBy: legal.actor ? describe(legal.actor) : null,
              },
            }
          : {}),
        ...(actor ? { actor } : {}),
      },
    };
  }

  function contextFor(s: ReceivableState, policy: Policy): ReceivableMailContext {
    const c = s.checks?.counterparty;
    const sp = s.checks?.salesperson;
    const desk = s.owner === 'credit-desk';
    const daysOverdue = s.dueDate ? Math.max(0, daysBetween(s.dueDate, today(policy))) : undefined;
    return {
      companyName: company.name,
      receivableId: s.receivableId,
      counterpartyName: c?.name ?? s.application.counterpartyId,
      salespersonName: sp?.name ?? s.application.salespersonId,
      currency: s.application.currency,
      amountMinor: s.approvedMinor ?? s.application.amountMinor,
      outstandingMinor: s.outstandingMinor,
      ...(s.issueDate ? { issueDate: s.issueDate } : {}),
      ...(s.dueDate ? { dueDate: s.dueDate } : {}),
      ...(daysOverdue !== undefined ? { daysOverdue } : {}),
      ...(s.discountLastDay && s.discountedMinor !== null
        ? {
            discount: {
              rateBp: policy.receivable.cashDiscount.rateBp,
              days: policy.receivable.cashDiscount.days,
              lastDay: s.discountLastDay,
              discountedMinor: s.discountedMinor,
              netDays: s.approvedTermDays ?? s.application.requestedTermDays,
            },
          }
        : {}),
      contact: desk
        ? { name: `${company.name} credit desk`, email: company.creditDesk[0] ?? 'credit-desk' }
        : {
            name: sp?.name ?? s.application.salespersonId,
            email: sp?.email ?? '',
            ...(sp?.phone ? { phone: sp.phone } : {}),
          },
      requestedTermDays: s.application.requestedTermDays,
      ...(s.approvedTermDays !== null ? { approvedTermDays: s.approvedTermDays } : {}),
      ...(s.stage === 'rejected' || s.approvedMinor !== null
        ? {
            decision: {
              approved: s.stage !== 'rejected',
              ...(s.rejectionReason ? { reason: s.rejectionReason } : {}),
            },
          }
        : {}),
      ...(s.checks
        ? { recommendation: { verdict: s.checks.recommendation, findings: s.checks.findings } }
        : {}),
      ...(s.approvalDeadline
        ? { deadline: localDateTime(Date.parse(s.approvalDeadline), policy.timeZone) }
        : {}),
      ...(s.legal
        ? {
            legalAction: {
              terminateCooperation: s.legal.terminateCooperation,
              litigation: s.legal.litigation,
            },
            deadline: localDateTime(Date.parse(s.legal.confirmBy), policy.timeZone),
          }
        : {}),
      // The grade as the checks saw it, and as it stands after this receivable's +15 step
      // (unchanged when another receivable's stop already lowered it this episode).
      gradeBefore: c?.creditGrade ?? c?.customerClass ?? '—',
      gradeAfter: s.gradeAfterDowngrade ?? c?.creditGrade ?? c?.customerClass ?? '—',
    };
  }

  /** Sends one receivable e-mail exactly once per key. */
  async function sendOnce(
    s: ReceivableState,
    step: string,
    kind: ReceivableMailKind,
    to: string[],
    opts: {
      cc?: string[];
      language?: string;
      context?: Partial<ReceivableMailContext>;
      /** To the debtor: the message carries the link to its own page (docs/workspace.md). */
      toDebtor?: boolean;
    } = {},
  ): Promise<{ messageId: string }> {
    const key = `${s.receivableId}:${step}${round(s)}`;
    return effects.once(key, step, s.receivableId, async () => {
      const language = opts.language ?? s.checks?.counterparty.language ?? 'zh-CN';
      const portalLink = opts.toDebtor
        ? await operations.portal.portalLinkFor(s.application.counterpartyId)
        : undefined;
      // The template in force now, when the message is sent.
      const mail = await renderer.render(kind, language, {
        ...contextFor(s, await policyOf(s)),
        ...(portalLink ? { portalLink } : {}),
        ...opts.context,
      });
      return mailer.send({
        to: to.filter(Boolean),
        ...(opts.cc ? { cc: opts.cc.filter(Boolean) } : {}),
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        effectKey: key,
        kind,
      });
    });
  }

  const debtor = (s: ReceivableState) => [s.checks?.counterparty.email ?? ''];
  const salesperson = (s: ReceivableState) => [s.checks?.salesperson.email ?? ''];

  /** Supply to a counterparty stopped or resumed: the credit desk and finance are told, the salesperson copied. */
  const tellSupplyChange = (s: ReceivableState, kind: 'supply-stopped' | 'supply-resumed') =>
    sendOnce(s, kind, kind, [...company.creditDesk, ...company.financeApprovers], {
      cc: salesperson(s),
      language: 'zh-CN',
    });

  async function task(s: ReceivableState, step: string, kind: string, dueOn: string | null) {
    await store.tasks.open({
      key: `${s.receivableId}:${step}${round(s)}`,
      kind,
      assignee: s.checks?.salesperson.email ?? s.application.salespersonId,
      receivableId: s.receivableId,
      dueOn,
      detail: { outstandingMinor: s.outstandingMinor, dueDate: s.dueDate },
    });
  }

  /** The version the receivable's workflow recorded (its row is written before its checks run). */
  async function recordedPolicy(receivableId: string): Promise<Policy> {
    const policyVersion = await q.policyVersionOf(receivableId);
    if (policyVersion === undefined) throw new Error(`receivable ${receivableId} is not recorded yet`);
    return policyOf({ policyVersion });
  }

  /**
   * The receivable's row, its first snapshot (the state its run holds while filing:
   * `filedState`, with the checks when they ran first) and its first credit-record event,
   * together (once per id).
   */
  async function recordNewReceivable(
    input: ReceivableInput | NewReceivable,
    event: { eventType: string; payload: Record<string, unknown>; source: string },
    checks: AutomaticCheckResult | null,
  ): Promise<void> {
    const app = input.application;
    await operations.receivableRecord.recordNew(
      { ...filedState(app, policyVersionOf(input)), checks },
      receivableWorkflowId(app.receivableId),
      {
        ...event,
        idempotencyKey: `${app.receivableId}:${event.eventType}`,
      },
    );
  }

  const correspondence = createCorrespondenceActivities({
    store,
    mailer,
    company,
    renderer,
    portalLinkFor: (counterpartyId) => operations.portal.portalLinkFor(counterpartyId),
    ...(deps.letters ? { letters: deps.letters } : {}),
    ...(deps.client ? { client: deps.client } : {}),
  });

  /** The per-receivable task behind a salesperson's task item (store/tasks.ts keeps them per receivable). */
  async function openTaskFor(s: ReceivableState, t: SalespersonTaskStep, day: string) {
    if (t === 'phone-task') await task(s, 'phone-task', 'phone-debtor', s.dueDate);
    else if (t === 'visit-task') await task(s, 'visit-task', 'visit-debtor', day);
    else await task(s, 'late-reason', 'record-late-reason', addDays(day, 3));
  }

  /** The step's items for their readers' days: the debtor's notice, then each salesperson's task. */
  function stepEntries(
    s: ReceivableState,
    c: StepItems,
  ): { input: CorrespondenceInput; item: CorrespondenceItem }[] {
    const cp = s.checks?.counterparty;
    const sp = s.checks?.salesperson;
    const base = { day: c.day, gatherMinutes: c.gatherMinutes, timeZone: c.timeZone };
    const item = (step: CorrespondenceItem['step']): CorrespondenceItem => ({
      itemKey: `${s.receivableId}:${step}${round(s)}`,
      receivableId: s.receivableId,
      step,
      round: s.timelineRound ?? 0,
      day: c.day,
      firedAt: c.firedAt,
    });
    const entries: { input: CorrespondenceInput; item: CorrespondenceItem }[] = [];
    if (c.debtorNotice)
      entries.push({
        input: {
          ...base,
          audience: 'debtor',
          partyId: s.application.counterpartyId,
          partyName: cp?.name ?? s.application.counterpartyId,
        },
        item: item(c.debtorNotice),
      });
    for (const t of c.salespersonTasks ?? [])
      entries.push({
        input: {
          ...base,
          audience: 'salesperson',
          partyId: s.application.salespersonId,
          partyName: sp?.name ?? s.application.salespersonId,
        },
        item: item(t),
      });
    return entries;
  }

  /** The step's items join their readers' day by signal-with-start; the tasks open per receivable. */
  async function queueItems(s: ReceivableState, c: StepItems): Promise<void> {
    for (const t of c.salespersonTasks ?? []) await openTaskFor(s, t, c.day);
    const client = deps.client ?? Context.current().client;
    for (const e of stepEntries(s, c)) await addToReaderDay(client, store, e.input, e.item);
  }

  /**
   * The next step's notice and tasks, planned for their readers' day: the working day it fires
   * on, at the business time (docs/correspondence.md, "Planned items"). The day sends them then;
   * the step, when it fires, finds them sent or still queued. Planned on the snapshot just
   * recorded: a change to its due date or paused days, or a valid reason, withdraws them.
   */
  async function planNextStep(s: ReceivableState, plan: NextStepPlan, date: string): Promise<void> {
    if (!s.dueDate) return;
    const at = new Date(instantAt(date, plan.businessHour, plan.timeZone, plan.businessMinute));
    const client = deps.client ?? Context.current().client;
    const basis = { dueDate: s.dueDate, pausedDays: s.pausedDays };
    const entries = stepEntries(s, { ...plan, day: date, firedAt: at.toISOString() });
    for (const e of entries) await planForReaderDay(client, store, e.input, e.item, at, basis);
  }

  /**
   * The receivable as the workflow holds it: given whole (runs from before narrow inputs), or
   * the snapshot in PostgreSQL with the fields that changed since laid over it.
   */
  async function stateOf(ref: ReceivableRef): Promise<ReceivableState> {
    if ('state' in ref) return ref.state;
    const recorded = await q.getReceivableState(ref.changes.receivableId);
    return laidOver(recorded, ref.changes);
  }

  /** The next step's working day; asked to, its items planned for that day. */
  async function answerNextWorkingDay(
    s: ReceivableState,
    q: NextWorkingDayQuestion,
  ): Promise<WorkingDayAnswer> {
    const answer = workingDayOf(q);
    if (q.plan) await planNextStep(s, q.plan, answer.date);
    return answer;
  }

  /**
   * A credit-record event with the snapshot and, asked for, the next step's working day (its
   * items planned): the receivable as recorded, and the answer for the workflow.
   */
  async function recordAnswering(e: RecordInput) {
    const state = await stateOf(e);
    await recordOne(state, e);
    const answer = e.nextWorkingDay
      ? { workingDay: await answerNextWorkingDay(state, e.nextWorkingDay) }
      : undefined;
    return { state, answer };
  }

  /** The working day a step planned for `date` fires on; no I/O (the registry is in memory). */
  function workingDayOf(w: { date: string; calendar?: CalendarPolicy }): WorkingDayAnswer {
    const calendar = calendarOf(w);
    const shifted = shiftToWorkingDay(workingCalendar(calendar), w.date);
    const s = shifted.plannedStatus;
    const why = s.working ? undefined : s.source === 'weekend' ? 'weekend' : (s.name ?? s.source);
    return {
      date: shifted.date,
      ...(why ? { why } : {}),
      ...(shifted.warning ? { warning: shifted.warning } : {}),
    };
  }

  /** Writes one credit-record event and the snapshot of `state` in one transaction. */
  async function recordOne(state: ReceivableState, e: ReceivableRecord): Promise<void> {
    // Looked up before the transaction: inside it, the chain's lock is held while a lookup
    // would wait for a pool connection that lock's other waiters hold.
    const type = webhookEventForRecord(e.event);
    const policy = type ? await policyOf(state) : undefined;
    // The task this act answers is done, and names who did it.
    const answered = TASK_ANSWERED_BY[e.event];
    const added = await operations.receivableRecord.recordEvent({
      state: state,
      record: {
        eventType: e.event,
        payload: {
          ...e.detail,
          ...(e.actor ? { actor: e.actor } : {}),
          stage: state.stage,
          outstandingMinor: state.outstandingMinor,
        },
        source: e.actor ? sourceOf(e.actor) : 'workflow',
        idempotencyKey: e.key,
      },
      ...(answered && e.actor
        ? { answers: { taskKey: `${state.receivableId}:${answered}`, doneBy: e.actor } }
        : {}),
      // The record's key is the event id, so a retry enqueues nothing new.
      ...(type && policy
        ? { webhook: webhookEvent(state, policy, type, e.key, e.detail.daysOverdue, e.actor) }
        : {}),
    });
    // A step's record ends the step: counted once, a retried activity finds it already there.
    if (added && e.event.startsWith('step-')) deps.metrics?.stepFired(e.event.slice('step-'.length));
    // A change of the customer's payment behaviour refreshes its score (docs/scores.md).
    await refreshScoreOnBehaviour(store, {
      counterpartyId: state.application.counterpartyId,
      receivableId: state.receivableId,
      event: e.event,
      policy: async () => policy ?? policyOf(state),
    });
  }

  /** The +15 step hands the receivable to the credit desk, the salesperson copied. */
  async function handOver(state: ReceivableState): Promise<void> {
    await sendOnce(state, 'credit-desk-handover', 'credit-desk-handover', company.creditDesk, {
      cc: salesperson(state),
      language: 'zh-CN',
    });
  }

  /** Stops supply to the counterparty (this receivable's block) and tells sales, finance and the desk. */
  async function stopSupplyFor(state: ReceivableState): Promise<{ supplyWasRunning: boolean }> {
    const cp = state.application.counterpartyId;
    const result = await operations.supply.stopForOverdueReceivable({
      receivableId: state.receivableId,
      counterpartyId: cp,
      dueDate: state.dueDate,
      outstandingMinor: state.outstandingMinor,
      effectKey: `${state.receivableId}:supply-stop${round(state)}`,
      recordKey: `${state.receivableId}:supply-stopped${round(state)}`,
    });
    if (result.supplyWasRunning) {
      await tellSupplyChange(state, 'supply-stopped');
    }
    return result;
  }

  /** Lowers the counterparty's grade (dealer) or class (customer) one step, once per receivable. */
  async function lowerGradeFor(
    state: ReceivableState,
  ): Promise<{ before: string | null; after: string | null }> {
    const cp = state.application.counterpartyId;
    return operations.creditFacts.lowerGradeForOverdueReceivable({
      receivableId: state.receivableId,
      counterpartyId: cp,
      effectKey: `${state.receivableId}:grade-lowered${round(state)}`,
      recordKey: `${state.receivableId}:grade-lowered${round(state)}`,
    });
  }

  async function startLegalFor(state: ReceivableState): Promise<void> {
    if (state.legal?.terminateCooperation) {
      await operations.supply.terminateCooperation({
        receivableId: state.receivableId,
        counterpartyId: state.application.counterpartyId,
        litigation: state.legal?.litigation ?? false,
        effectKey: `${state.receivableId}:cooperation-terminated`,
        recordKey: `${state.receivableId}:cooperation-terminated`,
      });
    }
  }

  /** The approved terms to the debtor, the salesperson in copy; once per receivable. */
  async function sendCreditTermsFor(state: ReceivableState) {
    await sendOnce(state, 'credit-terms', 'credit-terms', debtor(state), {
      toDebtor: true,
      cc: salesperson(state),
    });
  }

  /** An application's notice to the people who act on it next, once per receivable and kind. */
  async function sendApplicationNotice(state: ReceivableState, notice: ApplicationNotice) {
    const to = {
      'approval-request': [...company.financeApprovers, ...company.marketingApprovers],
      'approval-escalated': company.managers,
      'application-decision': salesperson(state),
    }[notice];
    await sendOnce(state, notice, notice, to, { language: 'zh-CN' });
  }

  /** A credit application's first record: the application as filed, and who filed it. */
  async function recordFiledApplication(
    input: ReceivableInput | NewReceivable,
    checks: AutomaticCheckResult | null = null,
  ): Promise<void> {
    const app = input.application;
    await recordNewReceivable(
      input,
      {
        eventType: 'application-filed',
        payload: {
          ...app,
          policyVersion: policyVersionOf(input),
          ...(input.actor ? { actor: input.actor } : {}),
        },
        source: input.actor ? actorSource(input.actor) : 'workflow',
      },
      checks,
    );
  }

  /** An ERP invoice joining creditflow: its row and the record of where it came from. */
  async function recordImportedInvoice(
    input: ReceivableInput | NewReceivable,
    checks: AutomaticCheckResult | null = null,
  ): Promise<void> {
    const invoice = input.imported;
    if (!invoice) throw ApplicationFailure.nonRetryable('not an imported receivable', 'ValidationError');
    await recordNewReceivable(
      input,
      {
        eventType: 'receivable-imported',
        // The source stays the import; who ran it is the record's actor.
        payload: {
          ...input.application,
          ...invoice,
          policyVersion: policyVersionOf(input),
          ...(input.actor ? { actor: input.actor } : {}),
        },
        source: invoice.source,
      },
      checks,
    );
  }

  /**
   * The automatic checks (docs/domain.md §1.1): the dealer's and the salesperson's limits under
   * the receivable's policy (read beside the parties' figures), and the salesperson's early
   * warning when they call for one, which the caller sends (`sendEarlyWarning`) once it has
   * recorded what it must.
   */
  async function automaticChecks(
    app: CreditApplication,
    policyOfRun: () => Promise<Policy>,
  ): Promise<{ checks: AutomaticCheckResult; earlyWarning?: EarlyWarning }> {
    const [c, sp] = await Promise.all([
      store.counterparties.get(app.counterpartyId),
      store.salespeople.getSalesperson(app.salespersonId),
    ]);
    if (!c)
      throw ApplicationFailure.nonRetryable(
        `counterpartyId: unknown counterparty ${app.counterpartyId}`,
        'ValidationError',
      );
    if (!sp)
      throw ApplicationFailure.nonRetryable(
        `salespersonId: unknown salesperson ${app.salespersonId}`,
        'ValidationError',
      );
    const [exposure, spOutstanding, policy] = await Promise.all([
      q.counterpartyExposure(c.id, app.receivableId),
      q.salespersonOutstanding(sp.id, app.receivableId),
      policyOfRun(),
    ]);
    const decision = automaticCheckDecision({
      application: app,
      counterparty: c,
      salesperson: sp,
      exposureMinor: exposure,
      salespersonOutstandingMinor: spOutstanding,
      today: today(policy),
      limitWarningBp: policy.salesperson.limitWarningBp,
    });
    const checks: AutomaticCheckResult = {
      hardRejection: decision.hardRejection,
      recommendation: decision.recommendation,
      findings: decision.findings,
      counterparty: {
        id: c.id,
        name: c.name,
        email: c.email,
        kind: c.kind,
        language: c.language,
        region: c.region,
        creditGrade: c.creditGrade,
        customerClass: c.customerClass,
      },
      salesperson: { id: sp.id, name: sp.name, email: sp.email, region: sp.region, phone: sp.phone },
      creditLimitMinor: c.creditLimitMinor,
      exposureMinor: exposure,
      availableMinor: decision.availableMinor,
      salespersonLimitMinor: sp.creditLimitMinor ?? 0,
      salespersonOutstandingMinor: spOutstanding,
      maxTermDays: c.creditTermDays,
    };
    const warning = decision.limitWarning;
    return warning
      ? { checks, earlyWarning: { ...warning, warningBp: policy.salesperson.limitWarningBp } }
      : { checks };
  }

  /**
   * The early warning (docs/domain.md §5): the salesperson and the managers hear once, keyed per
   * salesperson and application, so a retried check does not send it again.
   */
  async function sendEarlyWarning(
    app: CreditApplication,
    sp: AutomaticCheckResult['salesperson'],
    warning: EarlyWarning,
  ): Promise<void> {
    const key = `salesperson:${sp.id}:limit-warning:${app.receivableId}`;
    await effects.once(key, 'salesperson-limit-warning', app.receivableId, async () => {
      const mail = await renderer.render('salesperson-limit-warning', 'zh-CN', {
        salesperson: { id: sp.id, name: sp.name },
        receivableId: app.receivableId,
        amountMinor: app.amountMinor,
        ...warning,
        currency: app.currency,
      });
      return mailer.send({
        to: [sp.email],
        cc: company.managers,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        effectKey: key,
        kind: 'salesperson-limit-warning',
      });
    });
  }

  return {
    /**
     * The working day a timeline step planned for `date` fires on, by the calendar of the
     * workflow's policy (absent: the defaults) and the registry's official days. No I/O; the
     * workflow keeps the answer in its state.
     */
    async workingDayFor(q: { date: string; calendar?: CalendarPolicy }): Promise<WorkingDayAnswer> {
      return workingDayOf(q);
    },

    ...correspondence,

    /**
     * A timeline step's notice to the debtor and tasks for the salesperson (docs/correspondence.md):
     * the tasks are opened per receivable, and each item joins its reader's day by
     * signal-with-start; the day's correspondence workflow sends them as one message.
     */
    async queueStepCorrespondence(c: StepCorrespondence): Promise<void> {
      await queueItems(c.state, c);
    },

    async recordApplication(input: ReceivableInput | NewReceivable): Promise<void> {
      await recordFiledApplication(input);
    },

    async recordImportedReceivable(input: ReceivableInput | NewReceivable): Promise<void> {
      await recordImportedInvoice(input);
    },

    async runAutomaticChecks(app: CreditApplication): Promise<AutomaticCheckResult> {
      const { checks, earlyWarning } = await automaticChecks(app, () => recordedPolicy(app.receivableId));
      if (earlyWarning) await sendEarlyWarning(app, checks.salesperson, earlyWarning);
      return checks;
    },

    /**
     * A new receivable's first activity (runs from `application-in-two-activities`): the
     * automatic checks under the policy it is filed with, then its record — the application
     * filed, or the ERP invoice imported — with the checks in its first snapshot, then the
     * salesperson's early warning when the checks call for one.
     */
    async fileAndCheckReceivable(n: NewReceivable): Promise<FilingResult> {
      const { checks, earlyWarning } = await automaticChecks(n.application, () =>
        policyOf({ policyVersion: policyVersionOf(n) }),
      );
      await (n.imported ? recordImportedInvoice(n, checks) : recordFiledApplication(n, checks));
      // After the record, so that a filing does not wait for the mail server.
      if (earlyWarning) await sendEarlyWarning(n.application, checks.salesperson, earlyWarning);
      // In the filing's snapshot, the checks need not travel in the workflow's next record.
      return { ...checks, checksInSnapshot: true };
    },

    /** A credit-record event with the snapshot; asked for, the working day of the next planned step. */
    async recordReceivableEvent(e: RecordInput): Promise<{ workingDay?: WorkingDayAnswer } | undefined> {
      return (await recordAnswering(e)).answer;
    },

    /** A whole timeline step (TimelineStepInput): effects first, then its records with the snapshot. */
    async takeTimelineStep(t: TimelineStepInput): Promise<TimelineStepResult> {
      let state = await stateOf({ changes: t.receivable });
      const result: TimelineStepResult = {};
      if (t.escalateToCreditDesk) {
        await handOver(state);
        // One downgrade per episode: the receivable that stops a running supply lowers the grade.
        const stop = await stopSupplyFor(state);
        if (stop.supplyWasRunning) {
          const change = await lowerGradeFor(state);
          state = { ...state, gradeAfterDowngrade: change.after };
          result.gradeAfterDowngrade = change.after;
        }
      }
      if (t.startLegalAction) await startLegalFor(state);
      if (t.debtorNotice || t.salespersonTasks?.length) await queueItems(state, t);
      for (const r of t.records) await recordOne(state, r);
      if (t.nextWorkingDay) result.workingDay = await answerNextWorkingDay(state, t.nextWorkingDay);
      return result;
    },

    async recordPaymentReceived(
      e: ReceivableRef & {
        payment: PaymentInput & NamedInBodyFields;
        discountMinor: number;
        /** Paid inside the discount window above the discounted amount: the discount not taken. */
        discountNotTakenMinor?: number;
      },
    ) {
      const s = await stateOf(e);
      await operations.receivableRecord.recordPayment(
        s,
        {
          id: e.payment.paymentId,
          amountMinor: e.payment.amountMinor,
          discountMinor: e.discountMinor,
          paidOn: e.payment.paidOn,
        },
        {
          eventType: 'payment-received',
          payload: {
            ...e.payment,
            discountMinor: e.discountMinor,
            ...(e.discountNotTakenMinor ? { discountNotTakenMinor: e.discountNotTakenMinor } : {}),
            outstandingMinor: s.outstandingMinor,
            settled: s.stage === 'paid',
          },
          // The credential that recorded it (a payment scheduled before the actor existed: its typed name).
          source: sourceOf(actorOfUpdate(e.payment)),
          idempotencyKey: `${s.receivableId}:payment:${e.payment.paymentId}`,
        },
      );
      await refreshScoreOnBehaviour(store, {
        counterpartyId: s.application.counterpartyId,
        receivableId: s.receivableId,
        event: 'payment-received',
        policy: () => policyOf(s),
      });
      await sendOnce(s, `receipt:${e.payment.paymentId}`, 'payment-received', debtor(s), {
        toDebtor: true,
        context: { paymentMinor: e.payment.amountMinor },
      });
    },

    async notifyApprovers(ref: StateArg) {
      await sendApplicationNotice(await stateOf(ref), 'approval-request');
    },

    async escalateApprovalToManager(ref: StateArg) {
      await sendApplicationNotice(await stateOf(ref), 'approval-escalated');
    },

    async notifyApplicationDecision(ref: StateArg) {
      await sendApplicationNotice(await stateOf(ref), 'application-decision');
    },

    /**
     * A credit-record event with the snapshot, then the notice it calls for: the approvers asked,
     * the manager told of a lapsed deadline, the salesperson told of a rejection. One activity
     * where runs from before `application-in-two-activities` took two.
     */
    async recordAndNotify(
      e: ReceivableRef & ReceivableRecord & { notice: ApplicationNotice },
    ): Promise<void> {
      const state = await stateOf(e);
      await recordOne(state, e);
      await sendApplicationNotice(state, e.notice);
    },

    async sendCreditTerms(ref: StateArg) {
      await sendCreditTermsFor(await stateOf(ref));
    },

    /**
     * The approved receivable issued (runs from `issued-in-one-activity`): its record with the
     * snapshot, the first step's working day (its items planned), the decision to the salesperson
     * and the credit terms to the debtor. Each part is keyed, so a retry repeats none of them.
     */
    async issueReceivable(e: RecordInput): Promise<{ workingDay?: WorkingDayAnswer } | undefined> {
      const { state, answer } = await recordAnswering(e);
      await sendApplicationNotice(state, 'application-decision');
      await sendCreditTermsFor(state);
      return answer;
    },

    async sendPaymentReminder(ref: StateArg) {
      const state = await stateOf(ref);
      await sendOnce(state, 'reminder', 'payment-reminder', debtor(state), { toDebtor: true });
    },

    async createPhoneTask(ref: StateArg) {
      const state = await stateOf(ref);
      await task(state, 'phone-task', 'phone-debtor', state.dueDate);
      await sendOnce(state, 'phone-task', 'phone-task', salesperson(state), { language: 'zh-CN' });
    },

    async createVisitTask(ref: StateArg) {
      const state = await stateOf(ref);
      await task(state, 'visit-task', 'visit-debtor', today(await policyOf(state)));
      await sendOnce(state, 'visit-task', 'visit-task', salesperson(state), { language: 'zh-CN' });
    },

    async sendCollectionNotice(ref: StateArg) {
      const state = await stateOf(ref);
      await sendOnce(state, 'collection-notice', 'collection-notice', debtor(state), {
        toDebtor: true,
        cc: salesperson(state),
      });
    },

    async requestLateReason(ref: StateArg) {
      const state = await stateOf(ref);
      await task(state, 'late-reason', 'record-late-reason', addDays(today(await policyOf(state)), 3));
      await sendOnce(state, 'late-reason-request', 'late-reason-request', salesperson(state), {
        language: 'zh-CN',
      });
    },

    async sendSecondCollectionNotice(ref: StateArg) {
      const state = await stateOf(ref);
      await sendOnce(state, 'second-notice', 'second-collection-notice', debtor(state), {
        toDebtor: true,
        cc: salesperson(state),
      });
    },

    async handOverToCreditDesk(ref: StateArg) {
      await handOver(await stateOf(ref));
    },

    async sendOverdueWarningLetter(ref: StateArg) {
      const state = await stateOf(ref);
      await sendOnce(state, 'warning-letter', 'overdue-warning-letter', debtor(state), {
        toDebtor: true,
        cc: [...company.creditDesk, ...salesperson(state)],
      });
    },

    /** Stops supply to the counterparty (this receivable's block) and tells sales, finance and the desk. */
    async stopSupply(ref: StateArg): Promise<{ supplyWasRunning: boolean }> {
      return stopSupplyFor(await stateOf(ref));
    },

    /** Lifts this receivable's block; supply resumes when no other receivable blocks it. */
    async resumeSupply(ref: StateArg): Promise<{ supplyResumed: boolean }> {
      const state = await stateOf(ref);
      const cp = state.application.counterpartyId;
      const result = await operations.supply.liftReceivableBlock(
        {
          receivableId: state.receivableId,
          counterpartyId: cp,
          effectKey: `${state.receivableId}:supply-resume${round(state)}`,
          recordKey: `${state.receivableId}:supply-unblocked${round(state)}`,
        },
        // The workflow's last change, after its final record: no longer stopping supply.
        { ...state, supplyStopped: false },
      );
      if (result.supplyResumed) {
        await tellSupplyChange(state, 'supply-resumed');
      }
      return result;
    },

    /** Lowers the counterparty's grade (dealer) or class (customer) one step, once per receivable. */
    async lowerCreditGrade(ref: StateArg): Promise<{ before: string | null; after: string | null }> {
      return lowerGradeFor(await stateOf(ref));
    },

    async proposeLegalEscalation(ref: StateArg) {
      const state = await stateOf(ref);
      const policy = await policyOf(state);
      // The +30 step is published now, when the escalation is proposed: the workflow
      // records the step only after the manager's answer, published on its own. The
      // snapshot too: the receivable may stand in legal review for days.
      await operations.receivableRecord.publish(
        state,
        webhookEvent(state, policy, 'receivable.legal', `${state.receivableId}:legal-escalation-proposed`),
      );
      await store.tasks.open({
        key: `${state.receivableId}:legal-confirmation`,
        kind: 'confirm-legal-escalation',
        assignee: company.managers[0] ?? 'manager',
        receivableId: state.receivableId,
        dueOn: state.legal ? localDate(Date.parse(state.legal.confirmBy), policy.timeZone) : null,
        detail: { ...state.legal },
      });
      await sendOnce(state, 'legal-escalation', 'legal-escalation', company.managers, {
        cc: company.creditDesk,
        language: 'zh-CN',
      });
    },

    async startLegalAction(ref: StateArg) {
      await startLegalFor(await stateOf(ref));
    },
  };
}

export type ReceivableActivities = ReturnType<typeof createReceivableActivities>;
