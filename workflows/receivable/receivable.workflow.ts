/**
 * One durable workflow per receivable (docs/domain.md §1): automatic checks, approval
 * by finance together with marketing, issue with cash-discount terms, then the
 * due-date timeline that runs by itself, with payments, valid reasons, legal
 * escalation and write-off arriving at any moment as Updates.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  ReceivableActivities,
  ReceivableRecord,
  ReceivableRef,
  TimelineStepInput,
} from '../../activities/receivable/activities.js';
import { systemActor } from '../../domain/actor.js';
import { addDays, daysBetween, instantAt, localDate } from '../../domain/calendar.js';
import { correspondencePolicy } from '../../domain/policy.js';
import type { DebtorNoticeStep, SalespersonTaskStep } from '../correspondence/contract.js';
import {
  type ApplicationDecision,
  type ApplicationNotice,
  type AutomaticCheckResult,
  actorOfUpdate,
  CLOSED_STAGES,
  checksOf,
  confirmLegalEscalation,
  decideApplication,
  endValidReason,
  getReceivable,
  NOTICE_ACTIVITY,
  type PaymentResult,
  type ReceivableActor,
  type ReceivableInput,
  type ReceivableOutcome,
  ReceivableSearch,
  type ReceivableState,
  recordLateReason,
  recordPayment,
  recordValidReason,
  TIMELINE_STEPS,
  type TimelineStep,
  type ValidReasonInput,
  type WorkingDayAnswer,
  writeOffBadDebt,
} from './contract.js';
import { createRecordedState } from './recorded-state.js';
import {
  actorRefusal,
  applyPayment,
  businessInstant,
  cashDiscountMinor,
  daysOverdue,
  decisionOutcome,
  initialState,
  isLocalDebtor,
  legalAction,
  OPEN_FOR_PAYMENT,
  outcomeOf,
  paymentConflict,
  paymentRefusal,
  receiptOf,
  receivableSummary,
  refuse,
  refuseConflict,
  replanAfterExtension,
  STAGE_AFTER,
  stepCorrespondence,
  stepDay,
  stepInstant,
  validateDecision,
  validateValidReason,
} from './rules.js';

const DAY_MS = 86_400_000;
/** Continue-as-new well before history gets heavy (many payments, a long dispute). */
const MAX_HISTORY_EVENTS = 4_000;

const ACTIVITY_OPTIONS = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
const acts = proxyActivities<ReceivableActivities>(ACTIVITY_OPTIONS);

/** How an application's record and notice read in the Web UI's activity summary. */
const NOTICE_SUMMARY: Record<ApplicationNotice, string> = {
  'approval-request': 'checks recorded, finance and marketing asked to approve',
  'approval-escalated': 'approval deadline passed, a manager asked to decide',
  'application-decision': 'rejection recorded, the salesperson told',
};

/** How a grouped notice reads in the Web UI's activity summary. */
const NOTICE_LABEL: Record<DebtorNoticeStep, string> = {
  reminder: 'due−7 payment reminder',
  'collection-notice': 'due+1 collection notice',
  'second-notice': '+7 second notice',
  'warning-letter': '+15 warning letter',
  'legal-notice': '+30 legal notice',
};

/**
 * The working-day calendar's answer: an activity (no I/O) that reads the registry's official
 * days, which workflow code never imports. A regular activity, not a local one: under the
 * time-skipping test server, with no workflow cache, a local activity's answer met evictions
 * (core logged "outgoing commands … only an eviction") and timeline tests run beside other
 * files stalled; asked once per planned day, the extra workflow task costs little.
 */
const calendarActs = proxyActivities<Pick<ReceivableActivities, 'workingDayFor'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const STEP_LABEL: Record<TimelineStep, string> = {
  reminder: 'due−7 payment reminder',
  dueCheck: 'due+1 payment check',
  secondNotice: '+7 second collection notice',
  warning: '+15 overdue warning letter and supply stop',
  legal: '+30 legal escalation',
};

export async function receivableWorkflow(
  input: ReceivableInput,
  carried?: ReceivableState,
): Promise<ReceivableOutcome> {
  const policy = input.policy;
  const tz = policy.timeZone;
  const state: ReceivableState = carried ?? initialState(input);
  const id = state.receivableId;
  const today = () => localDate(Date.now(), tz);
  const isClosed = () => CLOSED_STAGES.includes(state.stage);
  /** A timeline step's activities are running (the legal step's wait for a manager aside). */
  let stepRunning = false;

  /**
   * A first run started by this code (not one carried on): every change versioned in this file
   * applies to it, so it asks one patch, the newest, and none of the older ones, each of which
   * would cost its history a marker and a search-attribute write (TemporalChangeVersion). Runs
   * started before keep asking theirs.
   *
   * The newest, `snapshot-at-filing-no-memo` (docs/performance.md): the filing's activity
   * writes the receivable's first snapshot (`filedState`), so the checks' record carries only
   * what the checks changed; and the run's live summary line is its current details, which
   * cost the history nothing, where a memo written at every change did.
   *
   * The one before, `issued-in-one-activity` (docs/performance.md): an approved receivable's
   * record, the decision to the salesperson and the credit terms to the debtor are one activity,
   * where they were three side by side (each costing the history its events and a workflow task).
   *
   * The one before, `planned-correspondence` (docs/correspondence.md, "Planned items"): when the run
   * learns the working day of its next step, that step's notice and tasks are planned for their
   * readers' day, which sends them at the step's instant without waiting for the step. A run
   * carried on by continue-as-new does not plan; its steps queue their items when they fire.
   *
   * The one before, `application-in-two-activities` (docs/performance.md): a new receivable is
   * recorded and checked in one activity, and each record on the application's path sends its
   * notice in the same activity — two activities before the approvers decide, where there were four.
   */
  const filedWithSnapshot = !carried && patched('snapshot-at-filing-no-memo');
  const issuedInOne = filedWithSnapshot || (!carried && patched('issued-in-one-activity'));
  const planning = issuedInOne || (!carried && patched('planned-correspondence'));
  const current = planning || (!carried && patched('application-in-two-activities'));
  /**
   * Runs started since lean histories (docs/performance.md): activities carry what changed since
   * the recorded snapshot, a timeline step is one activity, and the Web UI's search attributes
   * and memo are written only when what they show changed, once per workflow task. Asked once,
   * at the start: a run keeps the mode it started with.
   */
  const lean = current || patched('lean-history');
  /** Whether a run has `change` (versioned before `application-in-two-activities`). */
  const has = (change: 'working-day-calendar' | 'extension-replans-timeline') => current || patched(change);
  const recorded = createRecordedState(() => state);

  const searchAttributes = () => [
    { key: ReceivableSearch.CounterpartyId, value: state.application.counterpartyId },
    { key: ReceivableSearch.SalespersonId, value: state.application.salespersonId },
    { key: ReceivableSearch.Stage, value: state.stage },
    { key: ReceivableSearch.OutstandingMinor, value: state.outstandingMinor },
    ...(state.dueDate
      ? [{ key: ReceivableSearch.DueDate, value: new Date(instantAt(state.dueDate, 0, tz)) }]
      : []),
    ...(grade() ? [{ key: ReceivableSearch.CreditGrade, value: grade() as string }] : []),
  ];
  /** The receivable in one line (stage, outstanding, due): the run's current details in the Web UI. */
  const summaryLine = () => receivableSummary(state);
  /** What the Web UI shows now: search attribute name → its value as JSON, and the memo's summary. */
  const shown = new Map<string, string>(
    workflowInfo()
      .typedSearchAttributes.getAll()
      .map((p) => [p.key.name, JSON.stringify(p.value)]),
  );
  let shownSummary = (workflowInfo().memo?.summary as string | undefined) ?? '';
  /**
   * No memo: first runs since `snapshot-at-filing-no-memo`, and runs carried on from them (a
   * carried run inherits its memo, and theirs had none). Their summary line is their current
   * details only.
   */
  const memoless = filedWithSnapshot || (carried !== undefined && workflowInfo().memo?.summary === undefined);
  setCurrentDetails(summaryLine());
  let showPending = false;
  /**
   * Writes what changed of the search attributes and of the memo (runs that keep one), and
   * sets the current details, which only a worker serves and the history does not keep.
   */
  const show = () => {
    showPending = false;
    const changed = searchAttributes().filter((a) => shown.get(a.key.name) !== JSON.stringify(a.value));
    if (changed.length > 0) {
      upsertSearchAttributes(changed);
      for (const a of changed) shown.set(a.key.name, JSON.stringify(a.value));
    }
    const summary = summaryLine();
    setCurrentDetails(summary);
    if (!memoless && summary !== shownSummary) {
      upsertMemo({ summary });
      shownSummary = summary;
    }
  };

  /** Publishes the state to the Web UI (search attributes, summary line) after every change. */
  const publish = () => {
    state.stateVersion += 1;
    if (lean) {
      // Once the workflow task's code has run (a microtask): several changes in one task, one write.
      if (!showPending) {
        showPending = true;
        void Promise.resolve().then(show);
      }
      return;
    }
    upsertSearchAttributes(searchAttributes());
    const summary = summaryLine();
    setCurrentDetails(summary);
    upsertMemo({ summary });
  };
  const grade = () =>
    state.gradeAfterDowngrade ??
    state.checks?.counterparty.creditGrade ??
    state.checks?.counterparty.customerClass ??
    null;

  /**
   * Writes a credit-record event and the PostgreSQL snapshot in one activity; `actor`
   * names who did it (a person's credential, or the system at a deadline).
   */
  const record = (event: string, detail: Record<string, unknown> = {}, actor?: ReceivableActor) =>
    writing((r) => acts.recordReceivableEvent({ ...r, ...recordOf(event, detail, actor) }));
  const recordOf = (
    event: string,
    detail: Record<string, unknown>,
    actor?: ReceivableActor,
  ): ReceivableRecord => ({
    event,
    detail,
    key: `${id}:${event}:${state.stateVersion}`,
    ...(actor ? { actor } : {}),
  });

  /** Records `event` and sends the application's `notice` that follows it: one activity in current runs, two before. */
  const recordAndNotify = async (
    event: string,
    detail: Record<string, unknown>,
    notice: ApplicationNotice,
    actor?: ReceivableActor,
  ) => {
    if (current) {
      await writing((r) =>
        acts.recordAndNotify.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: NOTICE_SUMMARY[notice] }, [
          { ...r, ...recordOf(event, detail, actor), notice },
        ]),
      );
      return;
    }
    await record(event, detail, actor);
    await acts[NOTICE_ACTIVITY[notice]](ref());
  };
  /** A new receivable's record and its automatic checks: one activity in current runs, two before. */
  const fileAndCheck = async (): Promise<AutomaticCheckResult> => {
    const file = () =>
      acts.fileAndCheckReceivable.executeWithOptions(
        {
          ...ACTIVITY_OPTIONS,
          summary: `${input.imported ? 'invoice imported' : 'application filed'}, automatic checks`,
        },
        [newReceivable()],
      );
    // The filing writes the state the run holds now (`filedState`) as the first snapshot: once
    // it completed, that counts as recorded, though the activity was not sent it. A filing that
    // says so laid the checks over that snapshot too: the checks' record need not send them.
    if (filedWithSnapshot)
      return checksOf(await writing(file, (r) => (r.checksInSnapshot ? { checks: checksOf(r) } : undefined)));
    if (current) return checksOf(await file());
    const n = lean ? newReceivable() : input;
    await (input.imported ? acts.recordImportedReceivable(n) : acts.recordApplication(n));
    return acts.runAutomaticChecks(input.application);
  };

  /** The receivable for an activity that reads it: whole, or what changed since the snapshot (lean). */
  const ref = (): ReceivableRef => (lean ? { changes: recorded.changes() } : { state: { ...state } });
  /**
   * Calls an activity that writes the snapshot; what it carried counts as recorded once it
   * completed, and what its answer says it wrote `besides`.
   */
  async function writing<T>(
    call: (r: ReceivableRef) => Promise<T>,
    besides?: (out: T) => Partial<ReceivableState> | undefined,
  ): Promise<T> {
    if (!lean) return call({ state: { ...state } });
    const w = recorded.write();
    try {
      const out = await call({ changes: w.changes });
      w.written(besides?.(out));
      return out;
    } catch (err) {
      w.abandoned();
      throw err;
    }
  }
  /** The working day of the next untaken step's planned day, when the state does not know it yet. */
  const nextWorkingDayQuestion = () => {
    const next = TIMELINE_STEPS.find((s) => !state.stepsTaken.includes(s));
    if (!lean || !next || !state.dueDate) return undefined;
    const date = stepDay(state, policy, next);
    if (state.workingDays?.[date]) return undefined;
    const items = next === 'legal' ? {} : stepItems(next);
    const plan =
      planning && (items.debtorNotice || items.salespersonTasks?.length)
        ? {
            ...items,
            gatherMinutes: correspondencePolicy(policy).gatherMinutes,
            timeZone: tz,
            businessHour: policy.receivable.businessHour,
            businessMinute: policy.receivable.businessMinute ?? 0,
          }
        : undefined;
    return { date, ...(policy.calendar ? { calendar: policy.calendar } : {}), ...(plan ? { plan } : {}) };
  };
  /** What a timeline step before +30 tells its readers (a pure rule). */
  const stepItems = (step: Exclude<TimelineStep, 'legal'>) =>
    stepCorrespondence(step, policy.receivable, state.checks);
  const keepWorkingDay = (
    question: { date: string } | undefined,
    answer: { workingDay?: WorkingDayAnswer } | undefined,
  ) => {
    if (question && answer?.workingDay)
      state.workingDays = { ...state.workingDays, [question.date]: answer.workingDay };
  };

  // ---- Update handlers ---------------------------------------------------------------

  setHandler(getReceivable, () => state);

  setHandler(
    decideApplication,
    async (d: ApplicationDecision) => {
      // A vote may arrive while the automatic checks still run: it waits for them.
      await condition(() => state.stage !== 'applied');
      if (state.stage !== 'awaiting-approval' && state.stage !== 'manager-review')
        refuse(`the application is no longer awaiting a decision (stage ${state.stage})`);
      if (state.votes[d.department]) refuse(`${d.department} has already decided this application`);
      state.votes[d.department] = d;
      publish();
      await record(`decision-${d.department}`, { ...d }, actorOfUpdate(d));
      // A deciding vote answers with the outcome: issued (with its due date) or rejected.
      if (decisionOutcome(state) !== null)
        await condition(() => state.stage !== 'awaiting-approval' && state.stage !== 'manager-review');
      return receiptOf(state);
    },
    { validator: (d) => validateDecision(state, d, policy.receivable) },
  );

  setHandler(
    recordPayment,
    async (p): Promise<PaymentResult> => {
      if (state.stage === 'applied') {
        // An imported invoice paid while it still joins the timeline: the payment
        // waits until it stands issued, then meets the same rules as any other.
        await condition(() => state.stage !== 'applied');
        refuseConflict(paymentConflict(state, p));
        refuse(paymentRefusal(state, p, today()));
      }
      if (state.paymentIds.includes(p.paymentId)) {
        // A retry answers what the payment first answered (kept since payments were).
        const first = state.paymentResults?.[p.paymentId];
        if (first) {
          const { outstandingMinor, discountMinor, settled } = first;
          return { paymentId: p.paymentId, outstandingMinor, discountMinor, settled, duplicate: true };
        }
        return {
          paymentId: p.paymentId,
          outstandingMinor: state.outstandingMinor,
          discountMinor: 0,
          settled: isClosed(),
          duplicate: true,
        };
      }
      const { discountMinor, settled, discountNotTakenMinor } = applyPayment(state, p);
      state.paymentIds.push(p.paymentId);
      state.paidMinor += p.amountMinor;
      state.discountMinor += discountMinor;
      state.outstandingMinor = settled ? 0 : state.outstandingMinor - p.amountMinor;
      if (settled) {
        state.stage = 'paid';
        state.settledOn = p.paidOn;
      }
      state.paymentResults ??= {};
      state.paymentResults[p.paymentId] = {
        amountMinor: p.amountMinor,
        paidOn: p.paidOn,
        outstandingMinor: state.outstandingMinor,
        discountMinor,
        settled,
      };
      publish();
      await writing((r) =>
        acts.recordPaymentReceived({
          ...r,
          payment: p,
          discountMinor,
          ...(discountNotTakenMinor > 0 ? { discountNotTakenMinor } : {}),
        }),
      );
      return {
        paymentId: p.paymentId,
        outstandingMinor: state.outstandingMinor,
        discountMinor,
        settled,
        duplicate: false,
      };
    },
    {
      validator: (p) => {
        refuse(actorRefusal(p));
        if (input.imported && state.stage === 'applied') return;
        refuseConflict(paymentConflict(state, p));
        refuse(paymentRefusal(state, p, today()));
      },
    },
  );

  setHandler(
    recordValidReason,
    async (r: ValidReasonInput) => {
      if (r.kind === 'extension') {
        const previous = state.dueDate;
        state.dueDate = r.newDueDate;
        state.pausedDays = 0; // the new due date is the timeline's new anchor
        publish();
        await record(
          'extension-agreed',
          { previousDueDate: previous, newDueDate: r.newDueDate, reason: r.reason },
          actorOfUpdate(r),
        );
        const plan = replanAfterExtension(state, policy, Date.now());
        if ((plan.again.length > 0 || plan.liftSupply) && has('extension-replans-timeline'))
          await replanFromNewDueDate(actorOfUpdate(r));
      } else {
        state.validReason = {
          kind: r.kind,
          reason: r.reason,
          actor: actorOfUpdate(r),
          since: today(),
          ...(r.kind === 'promise' ? { promisedBy: r.promisedBy } : {}),
        };
        publish();
        await record(
          r.kind === 'dispute' ? 'dispute-recorded' : 'promise-to-pay-recorded',
          { ...r },
          actorOfUpdate(r),
        );
      }
      return receiptOf(state);
    },
    { validator: (r) => validateValidReason(state, r, today(), policy.dates) },
  );

  setHandler(
    endValidReason,
    async (e) => {
      await resumeEscalation('valid-reason-ended', { note: e.note }, actorOfUpdate(e));
      return receiptOf(state);
    },
    {
      validator: (end) => {
        refuse(actorRefusal(end));
        if (!state.validReason) throw new Error('no valid reason is holding escalation');
      },
    },
  );

  setHandler(
    recordLateReason,
    async (r) => {
      state.lateReasons.push({ reason: r.reason, actor: actorOfUpdate(r), on: today() });
      publish();
      await record('late-reason-recorded', { reason: r.reason }, actorOfUpdate(r));
      return receiptOf(state);
    },
    {
      validator: (r) => {
        refuse(actorRefusal(r));
        if (!OPEN_FOR_PAYMENT.includes(state.stage)) throw new Error(`receivable is ${state.stage}`);
        if (!r.reason?.trim()) throw new Error('reason: required');
      },
    },
  );

  setHandler(
    confirmLegalEscalation,
    async (c) => {
      if (state.legal) {
        state.legal.confirmed = c.proceed;
        state.legal.actor = actorOfUpdate(c);
        state.legal.note = c.note;
      }
      publish();
      return receiptOf(state);
    },
    {
      validator: (confirmation) => {
        refuse(actorRefusal(confirmation));
        if (state.stage !== 'legal-review' || !state.legal || state.legal.confirmed !== null)
          throw new Error(`no legal escalation awaits confirmation (stage ${state.stage})`);
      },
    },
  );

  setHandler(
    writeOffBadDebt,
    async (w) => {
      state.writtenOffMinor = state.outstandingMinor;
      state.outstandingMinor = 0;
      state.stage = 'written-off';
      state.settledOn = today();
      publish();
      await record(
        'written-off-as-bad-debt',
        { reason: w.reason, amountMinor: state.writtenOffMinor },
        actorOfUpdate(w),
      );
      return receiptOf(state);
    },
    {
      validator: (w) => {
        refuse(actorRefusal(w));
        if (!OPEN_FOR_PAYMENT.includes(state.stage))
          throw new Error(`receivable is ${state.stage}: nothing to write off`);
        if (!w.reason?.trim()) throw new Error('reason: required');
      },
    },
  );

  /**
   * After an agreed extension: lifts this receivable's supply block (no longer 15+ days
   * overdue) and plans again the steps whose day, from the new due date, is still ahead.
   */
  async function replanFromNewDueDate(actor: ReceivableActor) {
    // A step's e-mails or supply stop may be under way: let them finish, then re-plan.
    if (stepRunning) await condition(() => !stepRunning);
    const plan = replanAfterExtension(state, policy, Date.now());
    if (plan.liftSupply) {
      // Keyed by the round that stopped it; a later stop belongs to the next round.
      state.supplyStopped = false;
      publish();
      await acts.resumeSupply(ref());
    }
    if (plan.again.length > 0) {
      state.stepsTaken = plan.stepsTaken;
      state.stage = plan.stage;
      state.owner = plan.owner;
      state.timelineRound = (state.timelineRound ?? 0) + 1;
    }
    publish();
    await record(
      'timeline-replanned',
      {
        dueDate: state.dueDate,
        plannedAgain: plan.again,
        stage: state.stage,
        owner: state.owner,
        supplyLifted: plan.liftSupply,
      },
      actor,
    );
  }

  async function resumeEscalation(event: string, detail: Record<string, unknown>, actor: ReceivableActor) {
    const reason = state.validReason;
    if (!reason) return;
    state.pausedDays += Math.max(0, daysBetween(reason.since, today()));
    state.validReason = null;
    publish();
    await record(
      event,
      { ...detail, kind: reason.kind, since: reason.since, pausedDays: state.pausedDays },
      actor,
    );
  }

  // ---- Application and approval --------------------------------------------------------

  if (!carried && input.imported) await joinTimelineAsImported(input.imported);
  else if (!carried) {
    publish();
    const checks = await fileAndCheck();
    state.checks = checks;
    if (checks.hardRejection) {
      state.stage = 'rejected';
      state.rejectionReason = checks.hardRejection;
      publish();
      await recordAndNotify(
        'application-rejected',
        { by: 'automatic-checks', reason: checks.hardRejection },
        'application-decision',
      );
      return outcomeOf(state);
    }
    state.stage = 'awaiting-approval';
    const deadline = Date.now() + policy.receivable.approvalDeadlineDays * DAY_MS;
    state.approvalDeadline = new Date(deadline).toISOString();
    publish();
    await recordAndNotify(
      'automatic-checks-done',
      { recommendation: checks.recommendation, findings: checks.findings },
      'approval-request',
    );

    const decided = () => decisionOutcome(state) !== null;
    if (!(await condition(decided, Math.max(0, deadline - Date.now()), { summary: 'approval deadline' }))) {
      state.stage = 'manager-review';
      publish();
      await recordAndNotify(
        'approval-escalated-to-manager',
        { deadline: state.approvalDeadline },
        'approval-escalated',
        systemActor('approval-deadline'),
      );
      await condition(decided);
    }
    const outcome = decisionOutcome(state);
    if (!outcome?.approve) {
      state.stage = 'rejected';
      state.rejectionReason = outcome?.reason ?? 'rejected';
      publish();
      await recordAndNotify(
        'application-rejected',
        { by: outcome?.department, reason: state.rejectionReason },
        'application-decision',
        outcome ? actorOfUpdate(outcome) : undefined,
      );
      return outcomeOf(state);
    }

    // ---- Issued -------------------------------------------------------------------------
    const approved = outcome.approvedAmountMinor as number;
    const term = outcome.approvedTermDays as number;
    const issueDate = today();
    const discount = policy.receivable.cashDiscount;
    state.approvedMinor = approved;
    state.approvedTermDays = term;
    state.issueDate = issueDate;
    state.dueDate = addDays(issueDate, term);
    state.outstandingMinor = approved;
    if (discount.rateBp > 0 && discount.days > 0 && discount.days < term) {
      state.discountLastDay = addDays(issueDate, discount.days);
      state.discountedMinor = approved - cashDiscountMinor(approved, discount.rateBp);
    }
    state.stage = 'issued';
    publish();
    const issued = {
      approvedMinor: approved,
      termDays: term,
      dueDate: state.dueDate,
      discountLastDay: state.discountLastDay,
      discountedMinor: state.discountedMinor,
    };
    if (issuedInOne) {
      // One activity: the record (answering the first step's working day), then the two letters.
      const question = nextWorkingDayQuestion();
      const answer = await writing((r) =>
        acts.issueReceivable.executeWithOptions(
          {
            ...ACTIVITY_OPTIONS,
            summary: `issued, due ${state.dueDate}; decision to ${state.checks?.salesperson.name ?? state.application.salespersonId}, credit terms to ${state.checks?.counterparty.name ?? state.application.counterpartyId}`,
          },
          [
            {
              ...r,
              ...recordOf('receivable-issued', issued),
              ...(question ? { nextWorkingDay: question } : {}),
            },
          ],
        ),
      );
      keepWorkingDay(question, answer);
    } else if (lean) {
      // The record, the decision to the salesperson and the terms to the debtor, side by side;
      // the record also answers the first step's working day.
      const question = nextWorkingDayQuestion();
      const [answer] = await Promise.all([
        writing((r) =>
          acts.recordReceivableEvent({
            ...r,
            ...recordOf('receivable-issued', issued),
            ...(question ? { nextWorkingDay: question } : {}),
          }),
        ),
        acts.notifyApplicationDecision(ref()),
        acts.sendCreditTerms(ref()),
      ]);
      keepWorkingDay(question, answer);
    } else {
      await record('receivable-issued', issued);
      await acts.notifyApplicationDecision(ref());
      await acts.sendCreditTerms(ref());
    }
  }

  // ---- The due-date timeline -------------------------------------------------------------

  const historyLimit = input.continueAsNewAfterEvents ?? MAX_HISTORY_EVENTS;
  const historyTooLong = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit;
  while (!isClosed()) {
    if (historyTooLong()) {
      // Carry the whole state into a fresh run; updates in flight finish first.
      await condition(allHandlersFinished);
      if (showPending) show();
      if (!isClosed()) await continueAsNew<typeof receivableWorkflow>(input, state);
    }
    const watched = () =>
      `${state.stage}|${state.dueDate}|${state.validReason?.since ?? ''}|${state.validReason?.kind ?? ''}|${state.pausedDays}`;
    const before = watched();
    const changed = () => isClosed() || watched() !== before || historyTooLong();

    const reason = state.validReason;
    if (reason) {
      // Escalation stands still while a valid reason holds. A promise to pay lapses
      // the day after its date; a dispute lasts until finance ends it.
      if (reason.kind === 'promise' && reason.promisedBy) {
        const lapse = businessInstant(addDays(reason.promisedBy, 1), policy);
        const woke = await condition(changed, Math.max(0, lapse - Date.now()), {
          summary: 'promise to pay lapses',
        });
        if (!woke && !isClosed())
          await resumeEscalation(
            'promise-to-pay-broken',
            { promisedBy: reason.promisedBy },
            systemActor('promise-to-pay-lapsed'),
          );
      } else {
        await condition(changed);
      }
      continue;
    }

    const next = TIMELINE_STEPS.find((s) => !state.stepsTaken.includes(s));
    if (!next) {
      // Every step taken: the receivable waits for payment or a write-off.
      await condition(changed, '30 days', { summary: 'awaiting payment or write-off' });
      continue;
    }
    const at = await firingInstant(next, changed);
    if (at === null) continue;
    if (at > Date.now()) {
      const interrupted = await condition(changed, at - Date.now(), { summary: STEP_LABEL[next] });
      if (interrupted) continue;
    }
    if (isClosed()) break;
    stepRunning = next !== 'legal';
    await takeStep(next);
    stepRunning = false;
  }

  // ---- Closed ---------------------------------------------------------------------------
  await condition(allHandlersFinished);
  if (state.stage === 'paid') {
    await record('receivable-settled', {
      paidMinor: state.paidMinor,
      discountMinor: state.discountMinor,
      settledOn: state.settledOn,
    });
    if (state.supplyStopped) {
      await acts.resumeSupply(ref());
      state.supplyStopped = false;
      publish();
    }
  }
  if (showPending) show(); // before the run closes, not in a microtask after it
  return outcomeOf(state);

  /**
   * An invoice issued in the ERP joins the timeline where it stands: steps whose day
   * passed before the import are recorded as skipped, except the latest, which fires
   * now (a dealer 20 days overdue gets the warning letter, not a due−7 reminder).
   */
  async function joinTimelineAsImported(invoice: NonNullable<ReceivableInput['imported']>) {
    publish();
    // The checks' findings are for information: the credit was granted in the ERP.
    const checks = await fileAndCheck();
    state.checks = checks;
    const amount = input.application.amountMinor;
    state.approvedMinor = amount;
    state.approvedTermDays = daysBetween(invoice.issueDate, invoice.dueDate);
    state.issueDate = invoice.issueDate;
    state.dueDate = invoice.dueDate;
    state.paidMinor = invoice.paidMinor;
    state.outstandingMinor = amount - invoice.paidMinor;
    state.stage = 'issued';
    const passed = TIMELINE_STEPS.filter((s) => stepInstant(state, policy, s) <= Date.now());
    const skipped = passed.slice(0, -1);
    state.stepsTaken.push(...skipped);
    const due = passed.at(-1);
    if (due && has('working-day-calendar')) {
      // The step already due when the invoice arrives fires at once, whatever the calendar.
      const planned = stepDay(state, policy, due);
      state.workingDays = { ...state.workingDays, [planned]: { date: planned } };
    }
    publish();
    const question = nextWorkingDayQuestion();
    const answer = await writing((r) =>
      acts.recordReceivableEvent({
        ...r,
        ...recordOf('receivable-issued', {
          imported: true,
          source: invoice.source,
          approvedMinor: amount,
          paidBeforeImportMinor: invoice.paidMinor,
          issueDate: invoice.issueDate,
          dueDate: invoice.dueDate,
          skippedSteps: skipped,
          findings: checks.findings,
        }),
        ...(question ? { nextWorkingDay: question } : {}),
      }),
    );
    keepWorkingDay(question, answer);
  }

  /** A new receivable's first record needs the application, the policy's version and who filed it. */
  function newReceivable() {
    return {
      application: input.application,
      policyVersion: policy.version,
      ...(input.imported ? { imported: input.imported } : {}),
      ...(input.actor ? { actor: input.actor } : {}),
    };
  }

  /**
   * When `step` fires: its planned day, moved to a working day by the policy's calendar
   * (asked once per planned day and kept in the state), at the business time of day.
   * Histories from before the calendar fire on the planned day. Null when the receivable
   * changed while the calendar answered (the loop plans again).
   */
  async function firingInstant(step: TimelineStep, changed: () => boolean): Promise<number | null> {
    if (!has('working-day-calendar')) return stepInstant(state, policy, step);
    const planned = stepDay(state, policy, step);
    let answer = state.workingDays?.[planned];
    if (!answer) {
      answer = await calendarActs.workingDayFor({
        date: planned,
        ...(policy.calendar ? { calendar: policy.calendar } : {}),
      });
      state.workingDays = { ...state.workingDays, [planned]: answer };
      if (changed()) return null;
    }
    return businessInstant(answer.date, policy);
  }

  /** The calendar's word on the step just taken, for its credit-record event: planned and fired days. */
  function workingDayDetail(step: TimelineStep): Record<string, unknown> {
    if (!state.dueDate) return {};
    const planned = stepDay(state, policy, step);
    const answer = state.workingDays?.[planned];
    if (!answer) return {};
    return {
      plannedDay: planned,
      firedOn: today(),
      ...(answer.why ? { notAWorkingDay: answer.why } : {}),
      ...(answer.warning ? { calendarWarning: answer.warning } : {}),
    };
  }

  /**
   * The step's notice to the debtor and tasks for the salesperson, as items of their readers'
   * day (docs/correspondence.md): one activity, whose summary says what and to whom.
   */
  async function queueCorrespondence(
    debtorNotice?: DebtorNoticeStep,
    salespersonTasks: SalespersonTaskStep[] = [],
  ) {
    const c = state.checks?.counterparty;
    const sp = state.checks?.salesperson;
    const what = [
      ...(debtorNotice
        ? [`${NOTICE_LABEL[debtorNotice]} to ${c?.name ?? state.application.counterpartyId}`]
        : []),
      ...(salespersonTasks.length
        ? [`${salespersonTasks.join(', ')} for ${sp?.name ?? state.application.salespersonId}`]
        : []),
    ].join('; ');
    await acts.queueStepCorrespondence.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: what }, [
      {
        state: { ...state },
        day: today(),
        firedAt: new Date(Date.now()).toISOString(),
        gatherMinutes: correspondencePolicy(policy).gatherMinutes,
        timeZone: tz,
        ...(debtorNotice ? { debtorNotice } : {}),
        salespersonTasks,
      },
    ]);
  }
  /** Whether this run groups its notices (runs started before, replaying their history: no). */
  function grouped() {
    return patched('grouped-correspondence');
  }

  /**
   * A lean run's timeline step (docs/performance.md): its changes to the state and one activity
   * for all its effects and records, which also answers the next step's working day — one
   * workflow task when the timer fires, one when the activity completes. The +30 step waits
   * for a manager between its proposal and its one activity.
   */
  async function takeStepInOne(step: TimelineStep) {
    const calendarDetail = workingDayDetail(step);
    state.stepsTaken.push(step);
    const c = state.checks?.counterparty;
    const sp = state.checks?.salesperson;
    const debtorName = c?.name ?? state.application.counterpartyId;
    const salespersonName = sp?.name ?? state.application.salespersonId;
    let parts: Pick<
      TimelineStepInput,
      'debtorNotice' | 'salespersonTasks' | 'escalateToCreditDesk' | 'startLegalAction'
    > = {};
    const records: ReceivableRecord[] = [];
    switch (step) {
      case 'reminder':
        state.stage = STAGE_AFTER.reminder;
        parts = stepItems(step);
        break;
      case 'dueCheck':
        state.stage = STAGE_AFTER.dueCheck;
        parts = stepItems(step);
        break;
      case 'secondNotice':
        state.stage = STAGE_AFTER.secondNotice;
        parts = stepItems(step);
        break;
      case 'warning':
        state.stage = STAGE_AFTER.warning;
        state.owner = 'credit-desk';
        state.supplyStopped = true;
        parts = { escalateToCreditDesk: true, ...stepItems(step) };
        break;
      case 'legal': {
        const legal = await awaitLegalConfirmation();
        if (!legal) return;
        records.push(
          recordOf(
            legal.confirmed ? 'legal-escalation-confirmed' : 'legal-escalation-held',
            { ...legal },
            legal.actor ?? undefined,
          ),
        );
        if (legal.confirmed) parts = { startLegalAction: true, debtorNotice: 'legal-notice' };
        break;
      }
    }
    publish();
    records.push(recordOf(`step-${step}`, { daysOverdue: daysOverdue(state, today()), ...calendarDetail }));
    // A step's notice names the step ("+15 warning letter to 华东经销商"); without one, its label does.
    const what = [
      parts.debtorNotice ? `${NOTICE_LABEL[parts.debtorNotice]} to ${debtorName}` : STEP_LABEL[step],
      ...(parts.salespersonTasks?.length
        ? [`${parts.salespersonTasks.join(', ')} for ${salespersonName}`]
        : []),
      ...(parts.escalateToCreditDesk ? ['credit desk, supply stop, grade'] : []),
      ...(parts.startLegalAction ? ['legal action'] : []),
    ].join('; ');
    const question = nextWorkingDayQuestion();
    const result = await writing((r) =>
      acts.takeTimelineStep.executeWithOptions({ ...ACTIVITY_OPTIONS, summary: what }, [
        {
          receivable: (r as { changes: TimelineStepInput['receivable'] }).changes,
          step,
          day: today(),
          firedAt: new Date(Date.now()).toISOString(),
          gatherMinutes: correspondencePolicy(policy).gatherMinutes,
          timeZone: tz,
          ...parts,
          records,
          ...(question ? { nextWorkingDay: question } : {}),
        },
      ]),
    );
    keepWorkingDay(question, result);
    if (result.gradeAfterDowngrade !== undefined) {
      state.gradeAfterDowngrade = result.gradeAfterDowngrade;
      publish();
    }
  }

  /**
   * The +30 step: proposed to a manager, who confirms or holds it before the deadline, or the
   * policy decides. The stage is legal or credit-desk afterwards; null when the receivable
   * closed meanwhile.
   */
  async function awaitLegalConfirmation(): Promise<NonNullable<ReceivableState['legal']> | null> {
    const action = legalAction(policy, state.outstandingMinor);
    const deadline = Date.now() + policy.receivable.legal.confirmationDeadlineDays * DAY_MS;
    state.stage = 'legal-review';
    state.legal = {
      ...action,
      outstandingMinor: state.outstandingMinor,
      confirmBy: new Date(deadline).toISOString(),
      confirmed: null,
      actor: null,
      note: null,
    };
    publish();
    await acts.proposeLegalEscalation(ref());
    const legal = state.legal;
    const answered = await condition(
      () => legal.confirmed !== null || isClosed(),
      Math.max(0, deadline - Date.now()),
      { summary: 'manager confirms legal escalation' },
    );
    if (isClosed()) return null;
    if (!answered) {
      legal.confirmed = policy.receivable.legal.onDeadline === 'proceed';
      legal.actor = systemActor('legal-confirmation-deadline');
    }
    state.stage = legal.confirmed ? 'legal' : 'credit-desk';
    return legal;
  }

  async function takeStep(step: TimelineStep) {
    if (lean) return takeStepInOne(step);
    // Read as the step fires (the legal step records only once a manager has answered).
    const calendarDetail = workingDayDetail(step);
    state.stepsTaken.push(step);
    const snapshot = () => ref();
    switch (step) {
      case 'reminder':
        state.stage = STAGE_AFTER.reminder;
        publish();
        if (grouped()) {
          await queueCorrespondence('reminder', ['phone-task']);
          break;
        }
        await acts.sendPaymentReminder(snapshot());
        await acts.createPhoneTask(snapshot());
        break;
      case 'dueCheck': {
        state.stage = STAGE_AFTER.dueCheck;
        publish();
        const c = state.checks?.counterparty;
        // "Local" by the salesperson's own region is a later policy choice: versioned.
        const rule =
          policy.receivable.localDebtor === 'salesperson-region' && patched('local-debtor-policy')
            ? policy.receivable
            : { homeRegions: policy.receivable.homeRegions };
        const local = isLocalDebtor(rule, c?.region, state.checks?.salesperson.region);
        if (grouped()) {
          if (local) await queueCorrespondence(undefined, ['visit-task', 'late-reason-request']);
          else await queueCorrespondence('collection-notice', ['late-reason-request']);
          break;
        }
        if (local) await acts.createVisitTask(snapshot());
        else await acts.sendCollectionNotice(snapshot());
        await acts.requestLateReason(snapshot());
        break;
      }
      case 'secondNotice':
        state.stage = STAGE_AFTER.secondNotice;
        publish();
        if (grouped()) await queueCorrespondence('second-notice');
        else await acts.sendSecondCollectionNotice(snapshot());
        break;
      case 'warning': {
        state.stage = STAGE_AFTER.warning;
        state.owner = 'credit-desk';
        state.supplyStopped = true;
        publish();
        await acts.handOverToCreditDesk(snapshot());
        // One downgrade per episode: the receivable that stops a running supply lowers
        // the grade; others of the same counterparty, already stopped, do not again.
        const stop = await acts.stopSupply(snapshot());
        if (stop.supplyWasRunning) {
          const change = await acts.lowerCreditGrade(snapshot());
          state.gradeAfterDowngrade = change.after;
          publish();
        }
        if (grouped()) await queueCorrespondence('warning-letter');
        else await acts.sendOverdueWarningLetter(snapshot());
        break;
      }
      case 'legal': {
        const legal = await awaitLegalConfirmation();
        if (!legal) return;
        publish();
        await record(
          legal.confirmed ? 'legal-escalation-confirmed' : 'legal-escalation-held',
          { ...legal },
          legal.actor ?? undefined,
        );
        if (legal.confirmed) {
          await acts.startLegalAction(snapshot());
          // New: the debtor is told of the legal action, in the day's message.
          if (grouped()) await queueCorrespondence('legal-notice');
        }
        break;
      }
    }
    await record(`step-${step}`, { daysOverdue: daysOverdue(state, today()), ...calendarDetail });
  }
}
