/**
 * The dealer rating cycles (docs/domain.md §2).
 *
 * - monthlyPerformanceWorkflow: the month's 12 performance scores per dealer → total and A/B/C, stored.
 * - quarterlyRatingWorkflow: every dealer in batches (ratingBatchWorkflow children, ids derived from the
 *   quarter and batch), each batch gathering the figures, rating them with the pure rules and writing grade,
 *   limit and term; then, for dealers with two bad quarters in a row, a dealerDecisionWorkflow child each that
 *   waits for a manager's Update until the policy's deadline.
 *
 * Every write is keyed, so a re-run of a quarter changes nothing, e-mails nobody twice and reports 0 changed.
 */
import {
  allHandlersFinished,
  condition,
  executeChild,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RatingActivities } from '../../activities/rating/activities.js';
import { describeActor, systemActor } from '../../domain/actor.js';
import { addDays, localDate } from '../../domain/calendar.js';
import { chunk, previousQuarter, quarterOf, rateDealerQuarter } from '../../domain/rating-cycle.js';
import { BATCH_ACTIVITY_OPTIONS, monthlyRunPeriod } from '../shared/periodic-run.js';
import {
  type ContinuationDecisionInput,
  type DealerDecisionInput,
  type DealerDecisionOutcome,
  type DealerDecisionState,
  dealerDecisionWorkflowId,
  decideDealerContinuation,
  getDealerDecision,
  getRatingProgress,
  type LegacyContinuationDecisionInput,
  type MonthlyPerformanceInput,
  type MonthlyPerformanceResult,
  type QuarterlyRatingInput,
  type QuarterlyRatingResult,
  RATING_BATCH_SIZE,
  type RatingBatchInput,
  type RatingBatchResult,
  type RatingProgress,
  RatingSearch,
  ratingBatchWorkflowId,
  SKIPPED_LISTED,
} from './contract.js';

const acts = proxyActivities<RatingActivities>(BATCH_ACTIVITY_OPTIONS);

/** Rating batches run side by side (each a child workflow of RATING_BATCH_SIZE dealers). */
const RATING_BATCHES_AT_ONCE = 3;

export async function monthlyPerformanceWorkflow(
  input: MonthlyPerformanceInput,
): Promise<MonthlyPerformanceResult> {
  const { policy, month } = await monthlyRunPeriod(input, acts.policyInForce);
  const r = await acts.computeMonthlyPerformance({
    month,
    policy,
    dealerIds: input.dealerIds ?? null,
  });
  return { month, ...r };
}

export async function quarterlyRatingWorkflow(input: QuarterlyRatingInput): Promise<QuarterlyRatingResult> {
  const startedAt = Date.now();
  const policy = input.policy ?? (await acts.policyInForce());
  const quarter = input.quarter ?? previousQuarter(quarterOf(localDate(startedAt, policy.timeZone)));
  const progress: RatingProgress = {
    quarter,
    stage: 'listing',
    total: 0,
    done: 0,
    changed: 0,
    skipped: 0,
    decisionsPending: 0,
  };
  setHandler(getRatingProgress, () => progress);
  const publish = () => {
    const percent = progress.total === 0 ? 100 : Math.floor((progress.done * 100) / progress.total);
    upsertSearchAttributes([{ key: RatingSearch.RatingProgressPercent, value: percent }]);
  };
  publish();

  const ids = await acts.listDealersForRating({ quarter, dealerIds: input.dealerIds ?? null });
  progress.total = ids.length;
  progress.stage = 'rating';
  publish();

  const parentId = workflowInfo().workflowId;
  let rated = 0;
  const skipped: { dealerId: string; reason: string }[] = [];
  const open: RatingBatchResult['decisionsOpen'] = [];
  const batches = chunk(ids, input.batchSize ?? RATING_BATCH_SIZE);
  // A batch alternates between the worker (rating, e-mails) and PostgreSQL (figures, writes):
  // a few side by side keep both cores busy. Runs from before did one at a time.
  const atOnce = patched('rating-batches-side-by-side') ? RATING_BATCHES_AT_ONCE : 1;
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const i = next++;
      const dealerIds = batches[i] as string[];
      const r = await executeChild(ratingBatchWorkflow, {
        workflowId: ratingBatchWorkflowId(parentId, i + 1),
        args: [{ quarter, policy, dealerIds, ...(input.startedBy ? { startedBy: input.startedBy } : {}) }],
      });
      rated += r.rated;
      skipped.push(...r.skipped.slice(0, Math.max(0, SKIPPED_LISTED - skipped.length)));
      open.push(...r.decisionsOpen);
      progress.done += dealerIds.length;
      progress.changed += r.changed;
      progress.skipped += r.skipped.length;
      publish();
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, batches.length) }, lane));
  // Side by side, batches finish in any order: decisions in the dealers' order, as before.
  if (atOnce > 1) {
    const order = new Map(ids.map((id, i) => [id, i]));
    open.sort((a, b) => (order.get(a.dealerId) ?? 0) - (order.get(b.dealerId) ?? 0));
  }

  progress.stage = open.length ? 'awaiting-decisions' : 'done';
  progress.decisionsPending = open.length;
  const decisions = await Promise.all(
    open.map(async (r): Promise<DealerDecisionOutcome> => {
      const s = await executeChild(dealerDecisionWorkflow, {
        workflowId: dealerDecisionWorkflowId(quarter, r.dealerId),
        args: [
          {
            quarter,
            dealerId: r.dealerId,
            grade: r.grade,
            previousGrade: r.previousGrade,
            policy,
          },
        ],
      });
      progress.decisionsPending--;
      return {
        dealerId: r.dealerId,
        decision: s.decision ?? 'continue',
        decidedBy: s.decidedBy ?? '',
        decidedByActor: s.decidedByActor ?? null,
        byDefault: s.byDefault,
      };
    }),
  );
  progress.stage = 'done';
  return {
    quarter,
    total: ids.length,
    rated,
    changed: progress.changed,
    skippedCount: progress.skipped,
    skipped,
    decisions,
  };
}

/** One batch: figures from PostgreSQL → the pure rules (here, in the history) → writes → dealers' e-mails. */
export async function ratingBatchWorkflow(input: RatingBatchInput): Promise<RatingBatchResult> {
  const figures = await acts.gatherRatingInputs({ quarter: input.quarter, dealerIds: input.dealerIds });
  const outcomes = figures.map((f) => rateDealerQuarter(input.quarter, f, input.policy.rating));
  const found = new Set(figures.map((f) => f.dealerId));
  const skipped = [
    ...input.dealerIds
      .filter((id) => !found.has(id))
      .map((dealerId) => ({ dealerId, reason: 'not a dealer' })),
    ...outcomes.flatMap((o) => (o.status === 'skipped' ? [{ dealerId: o.dealerId, reason: o.reason }] : [])),
  ];
  const toApply = outcomes.flatMap((o) => (o.status === 'rated' ? [o] : []));
  const rated = toApply.length
    ? await acts.applyQuarterlyRatings({
        quarter: input.quarter,
        policyVersion: input.policy.version,
        outcomes: toApply,
        ...(input.startedBy ? { startedBy: input.startedBy } : {}),
      })
    : [];
  const { mailed } = await acts.mailRatingResults({ quarter: input.quarter, ratings: rated });
  return {
    rated: rated.length,
    changed: rated.filter((r) => r.changed).length,
    mailed,
    skipped,
    decisionsOpen: rated
      .filter((r) => r.decisionOpen)
      .map((r) => ({ dealerId: r.dealerId, grade: r.grade, previousGrade: r.previousGrade })),
  };
}

const DECISIONS = ['continue', 'stop-supply', 'end-contract'] as const;

function validateDecision(
  state: DealerDecisionState,
  d: ContinuationDecisionInput | LegacyContinuationDecisionInput,
): void {
  if (state.decision !== null)
    throw new Error(
      `decision: already decided (${state.decision} by ${state.decidedBy}${state.byDefault ? ', by the policy default at the deadline' : ''})`,
    );
  if (!d || !(DECISIONS as readonly string[]).includes(d.decision))
    throw new Error(`decision: must be one of ${DECISIONS.join(', ')}`);
  // The API puts the credential here; a name alone proves nothing and is no longer taken.
  if (!d.actor || typeof d.actor.credentialId !== 'string' || !d.actor.credentialId)
    throw new Error('actor: the authenticated credential is required');
  if (typeof d.reason !== 'string' || !d.reason.trim()) throw new Error('reason: required');
}

/**
 * Two bad quarters in a row: a manager decides — continue, stop supply or end the contract — by
 * policy.rating.twoBadQuartersDecisionDays; when that lapses, policy.rating.onTwoBadQuartersDeadline applies.
 */
export async function dealerDecisionWorkflow(input: DealerDecisionInput): Promise<DealerDecisionState> {
  const rating = input.policy.rating;
  // The deadline counts from when the decision was opened (the child's start).
  const deadlineMs = workflowInfo().startTime.getTime() + rating.twoBadQuartersDecisionDays * 86_400_000;
  const state: DealerDecisionState = {
    quarter: input.quarter,
    dealerId: input.dealerId,
    grade: input.grade,
    previousGrade: input.previousGrade,
    deadline: new Date(deadlineMs).toISOString(),
    decision: null,
    decidedBy: null,
    decidedByActor: null,
    reason: null,
    decidedAt: null,
    byDefault: false,
    applied: false,
  };
  const apply = async () => {
    await acts.applyContinuationDecision({
      quarter: state.quarter,
      dealerId: state.dealerId,
      decision: state.decision ?? 'continue',
      decidedBy: state.decidedBy ?? '',
      ...(state.decidedByActor ? { actor: state.decidedByActor } : {}),
      reason: state.reason ?? '',
      byDefault: state.byDefault,
    });
    state.applied = true;
  };
  setHandler(getDealerDecision, () => state);
  setHandler(
    decideDealerContinuation,
    async (d) => {
      state.decision = d.decision;
      // An Update from before actors (replayed) carries only the name it was given.
      state.decidedBy = d.actor ? describeActor(d.actor) : d.decidedBy.trim();
      state.decidedByActor = d.actor ?? null;
      state.reason = d.reason.trim();
      state.decidedAt = new Date(Date.now()).toISOString();
      await apply();
      return state;
    },
    { validator: (d) => validateDecision(state, d) },
  );
  await acts.openContinuationDecision({
    quarter: input.quarter,
    dealerId: input.dealerId,
    grade: input.grade,
    previousGrade: input.previousGrade,
    deadline: state.deadline,
    deadlineDate: addDays(localDate(Date.now(), input.policy.timeZone), rating.twoBadQuartersDecisionDays),
    onDeadline: rating.onTwoBadQuartersDeadline,
  });
  const decided = await condition(() => state.decision !== null, Math.max(0, deadlineMs - Date.now()), {
    summary: 'manager decision deadline',
  });
  if (!decided) {
    state.decision = rating.onTwoBadQuartersDeadline;
    state.decidedBy = 'policy';
    state.decidedByActor = systemActor('rating-decision-deadline');
    state.reason = `no decision by ${state.deadline}: policy default (${rating.onTwoBadQuartersDeadline})`;
    state.decidedAt = new Date(Date.now()).toISOString();
    state.byDefault = true;
    await apply();
  }
  await condition(() => state.applied && allHandlersFinished());
  return state;
}
