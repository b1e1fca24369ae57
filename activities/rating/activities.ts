/**
 * The dealer rating cycles' activities (docs/domain.md §2): the month's performance results, the
 * quarter's figures gathered from PostgreSQL, the result written to the dealer
 * (grade, limit, term; one transaction with its credit-record event), the dealer's
 * e-mail, and the manager's continuation decision. Every write has a key, so a
 * re-run of a month or quarter changes nothing and sends nothing twice.
 */
import type { Actor, SystemActor } from '../../domain/actor.js';
import type { Policy } from '../../domain/policy.js';
import { type CreditGrade, type IndicatorValues, monthlyPerformance } from '../../domain/rating.js';
import {
  type DealerQuarterFigures,
  indicatorsOf,
  missingIndicators,
  previousQuarter,
  quarterMonths,
} from '../../domain/rating-cycle.js';
import { quarterRange } from '../../domain/salesperson-review.js';
import type { Mailer } from '../../infra/mail.js';
import { readPolicyInForce } from '../../infra/policy.js';
import { createMessageRenderer, type MessageRenderer } from '../../operations/correspondence/render.js';
import type { Operations } from '../../operations/index.js';
import type { ContinuationDecisionToApply, RatedOutcome } from '../../operations/rating.js';
import type { Store } from '../../store/index.js';
import type { DealerRow } from '../../store/rating.js';
import type { AppliedRating } from '../../workflows/rating/contract.js';
import { mapConcurrently } from '../shared/concurrency.js';

export interface RatingActivityDeps {
  store: Store;
  operations: Operations;
  mailer: Mailer;
  company: { name: string; managers: string[] };
  /** Writes the messages: the company's templates in force when sent (default: stored, else shipped). */
  renderer?: MessageRenderer;
}

/**
 * Dealers of a batch mailed at once. Kept well under the worker's PostgreSQL pool
 * (DATABASE_POOL_SIZE, default 10).
 */
const DEALERS_IN_FLIGHT = 4;

export function createRatingActivities(deps: RatingActivityDeps) {
  const { store, operations, mailer, company } = deps;
  const { pool, rating: q, effects } = store;
  const renderer = deps.renderer ?? createMessageRenderer({ stored: store.templates });

  return {
    /** The policy version in force now, for a scheduled run (its schedule carries none). */
    policyInForce: (): Promise<Policy> => readPolicyInForce(pool),

    /** Scores every dealer with a complete month and stores the result; the month's figures only. */
    async computeMonthlyPerformance(a: {
      month: string;
      policy: Policy;
      dealerIds: string[] | null;
    }): Promise<{
      scored: number;
      changed: number;
      incomplete: { dealerId: string; missing: string[] }[];
    }> {
      const ids = await q.dealersScoredIn(a.month, a.dealerIds);
      const values = await q.performanceValues(ids, [a.month]);
      let scored = 0;
      let changed = 0;
      const incomplete: { dealerId: string; missing: string[] }[] = [];
      for (const dealerId of ids) {
        const v = values.get(dealerId)?.[a.month];
        const missing = missingIndicators(indicatorsOf(a.policy.rating).performance, v);
        if (missing.length || !v) {
          incomplete.push({ dealerId, missing });
          continue;
        }
        const result = monthlyPerformance(
          v,
          a.policy.rating.thresholds.performance,
          indicatorsOf(a.policy.rating).performance,
        );
        scored++;
        const isNew = await q.upsertMonthlyPerformance({
          month: a.month,
          dealerId,
          scores: { ...result.scores },
          total: result.total,
          grade: result.grade,
          policyVersion: a.policy.version,
        });
        if (isNew) changed++;
      }
      return { scored, changed, incomplete };
    },

    /** Dealers to rate for the quarter (joined by its last day), in id order. */
    async listDealersForRating(a: { quarter: string; dealerIds: string[] | null }): Promise<string[]> {
      return q.dealerIdsJoinedBy(quarterRange(a.quarter).last, a.dealerIds);
    },

    /** Everything the pure rules need for each dealer of a batch. */
    async gatherRatingInputs(a: { quarter: string; dealerIds: string[] }): Promise<DealerQuarterFigures[]> {
      const dealers = await q.dealers(a.dealerIds);
      const ids = dealers.map((d) => d.id);
      const [performance, conduct, sales, previous] = await Promise.all([
        q.performanceValues(ids, quarterMonths(a.quarter)),
        q.conductValues(ids, a.quarter),
        q.sales(ids, a.quarter),
        q.ratingGrades(ids, previousQuarter(a.quarter)),
      ]);
      return dealers.map((d) => ({
        dealerId: d.id,
        joinedOn: d.joinedOn,
        monthly: (performance.get(d.id) ?? {}) as Record<string, IndicatorValues>,
        conduct: conduct.get(d.id)?.[a.quarter] ?? null,
        salesMinor: sales.get(d.id) ?? null,
        previousGrade: previous.get(d.id) ?? null,
      }));
    },

    /**
     * Writes each rated dealer's result: the rating row, and the new grade, limit and term on the counterparty
     * (locked), with a 'grade-set-by-quarterly-rating' record naming the previous values — one transaction for
     * the batch (operations/rating.ts), each dealer keyed by quarter, dealer and the result's digest. A re-run
     * with the same results writes nothing.
     */
    async applyQuarterlyRatings(a: {
      quarter: string;
      policyVersion: string;
      outcomes: RatedOutcome[];
      /** Who started the cycle; absent for a cycle started before actors were recorded. */
      startedBy?: Actor | SystemActor;
    }): Promise<AppliedRating[]> {
      const applied = await operations.rating.applyQuarterlyRatings({
        quarter: a.quarter,
        policyVersion: a.policyVersion,
        outcomes: a.outcomes,
        startedBy: a.startedBy,
      });
      return a.outcomes.map((o, i): AppliedRating => {
        const r = o.rating;
        const written = applied[i] as (typeof applied)[number];
        return {
          dealerId: o.dealerId,
          grade: r.grade,
          previousGrade: o.previousGrade,
          gradeBefore: written.gradeBefore,
          creditLimitMinor: r.creditLimitMinor,
          creditTermDays: r.creditTermDays,
          eligible: r.eligibility.allowed,
          changed: written.fresh && written.profileChanged,
          gradeChanged: written.gradeChanged,
          decisionOpen: written.decisionOpen,
        };
      });
    },

    /** Tells each dealer whose grade changed, once per dealer and quarter. */
    async mailRatingResults(a: { quarter: string; ratings: AppliedRating[] }): Promise<{ mailed: number }> {
      const changed = a.ratings.filter((r) => r.gradeChanged);
      if (!changed.length) return { mailed: 0 };
      const dealers = new Map<string, DealerRow>(
        (await q.dealers(changed.map((r) => r.dealerId))).map((d) => [d.id, d]),
      );
      // A dealer's credit limit is in the policy's currency.
      const { currency } = await readPolicyInForce(pool);
      const sent = await mapConcurrently(changed, DEALERS_IN_FLIGHT, async (r) => {
        const d = dealers.get(r.dealerId);
        if (!d) return false;
        const key = `rating:${a.quarter}:${r.dealerId}:grade-mail`;
        let fresh = false;
        await effects.once(key, 'rating-grade-mail', null, async () => {
          fresh = true;
          const mail = await renderer.render('dealer-grade', d.language, {
            companyName: company.name,
            dealer: { name: d.name },
            quarter: a.quarter,
            grade: r.grade,
            gradeBefore: r.gradeBefore,
            creditLimitMinor: r.creditLimitMinor,
            creditTermDays: r.creditTermDays,
            currency,
          });
          return mailer.send({
            to: [d.email],
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            effectKey: key,
            kind: 'rating-grade',
          });
        });
        return fresh;
      });
      return { mailed: sent.filter(Boolean).length };
    },

    /** A task and an e-mail for the managers: two bad quarters in a row, decide by the deadline. */
    async openContinuationDecision(a: {
      quarter: string;
      dealerId: string;
      grade: CreditGrade;
      previousGrade: CreditGrade | null;
      deadline: string;
      deadlineDate: string;
      onDeadline: string;
    }): Promise<void> {
      const dealer = await q.getDealer(a.dealerId);
      const assignee = company.managers[0] ?? 'manager';
      await store.tasks.open({
        key: `rating:${a.quarter}:${a.dealerId}:continuation-decision`,
        kind: 'decide-dealer-continuation',
        assignee,
        dueOn: a.deadlineDate,
        detail: { quarter: a.quarter, dealerId: a.dealerId, grade: a.grade, previousGrade: a.previousGrade },
      });
      if (!company.managers.length) return;
      const key = `rating:${a.quarter}:${a.dealerId}:decision-request`;
      await effects.once(key, 'rating-decision-request', null, async () => {
        const mail = await renderer.render('continuation-decision', 'zh-CN', {
          companyName: company.name,
          quarter: a.quarter,
          dealerId: a.dealerId,
          dealerName: dealer?.name ?? a.dealerId,
          grade: a.grade,
          previousGrade: a.previousGrade,
          deadline: a.deadline,
          onDeadline: a.onDeadline,
        });
        return mailer.send({
          to: company.managers,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          effectKey: key,
          kind: 'rating-decision-request',
        });
      });
    },

    /**
     * Records the decision on the quarter's rating and carries it out: stop-supply or end-contract adds a supply
     * block with source `rating:<quarter>`; one transaction, once per dealer and quarter.
     */
    applyContinuationDecision: (a: ContinuationDecisionToApply): Promise<{ supplyStopped: boolean }> =>
      operations.rating.applyContinuationDecision(a),
  };
}

export type RatingActivities = ReturnType<typeof createRatingActivities>;
