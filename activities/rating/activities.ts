/**
 * The dealer rating cycles' activities (§2): the month's performance results, the
 * quarter's figures gathered from PostgreSQL, the result written to the dealer
 * (grade, limit, term; one transaction with its credit-record event), the dealer's
 * e-mail, and the manager's continuation decision. Every write has a key, so a
 * re-run of a month or quarter changes nothing and sends nothing twice.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { type Actor, actorSource, type SystemActor } from '../../domain/actor.js';
import { QUARTERLY_RATING } from '../../domain/credit-facts.js';
import type { Policy } from '../../domain/policy.js';
import { type CreditGrade, type IndicatorValues, monthlyPerformance } from '../../domain/rating.js';
import {
  type DealerQuarterFigures,
  type DealerQuarterOutcome,
  indicatorsOf,
  missingIndicators,
  previousQuarter,
  quarterMonths,
} from '../../domain/rating-cycle.js';
import { quarterRange } from '../../domain/salesperson-review.js';
import type { Mailer } from '../../infra/mail.js';
import { readPolicyInForce } from '../../infra/policy.js';
import { canonicalJson, createCreditRecordQueries } from '../../store/credit-record.js';
import { createEffects } from '../../store/effects.js';
import { createRatingQueries, type DealerRow } from '../../store/rating.js';
import type { AppliedRating, ContinuationDecision } from '../../workflows/rating/contract.js';
import { mapConcurrently } from '../shared/concurrency.js';
import { continuationDecisionMail, gradeMail } from './mail.js';

export interface RatingActivityDeps {
  pool: Pool;
  mailer: Mailer;
  company: { name: string; managers: string[] };
}

type RatedOutcome = Extract<DealerQuarterOutcome, { status: 'rated' }>;

/**
 * Dealers of a batch written (and mailed) at once: their transactions overlap except
 * while extending the credit record's chain, which takes one writer at a time. Kept
 * well under the worker's PostgreSQL pool (DATABASE_POOL_SIZE, default 10).
 */
const DEALERS_IN_FLIGHT = 4;

/** The digest of a quarter's result: the same figures give the same digest, so a re-run applies nothing. */
export function ratingDigest(o: RatedOutcome): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        monthlyTotals: o.monthlyTotals,
        conductTotal: o.conductTotal,
        salesMinor: o.salesMinor,
        previousGrade: o.previousGrade,
        rating: o.rating,
      }),
    )
    .digest('hex')
    .slice(0, 16);
}

export function createRatingActivities(deps: RatingActivityDeps) {
  const { pool, mailer, company } = deps;
  const q = createRatingQueries(pool);
  const records = createCreditRecordQueries(pool);
  const effects = createEffects(pool);

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
        const isNew = await q.upsertMonthlyPerformance(pool, {
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
     * (locked), with a 'grade-set-by-quarterly-rating' record naming the previous values — one transaction per
     * dealer, keyed by quarter, dealer and the result's digest. The quarterly result replaces whatever grade the
     * dealer has now (a +15 downgrade lowers it between ratings). A re-run with the same result writes nothing.
     */
    async applyQuarterlyRatings(a: {
      quarter: string;
      policyVersion: string;
      outcomes: RatedOutcome[];
      /** Who started the cycle; absent for a cycle started before actors were recorded. */
      startedBy?: Actor | SystemActor;
    }): Promise<AppliedRating[]> {
      return mapConcurrently(a.outcomes, DEALERS_IN_FLIGHT, async (o): Promise<AppliedRating> => {
        const digest = ratingDigest(o);
        const r = o.rating;
        let fresh = false;
        const stored = await effects.onceInTransaction(
          `rating:${a.quarter}:${o.dealerId}:apply:${digest}`,
          'quarterly-rating',
          null,
          async (client) => {
            fresh = true;
            const before = await q.lockDealer(client, o.dealerId);
            if (!before) throw new Error(`dealer ${o.dealerId} not found`);
            await q.upsertQuarterlyRating(client, {
              quarter: a.quarter,
              dealerId: o.dealerId,
              monthlyTotals: o.monthlyTotals,
              conductTotal: o.conductTotal,
              salesMinor: o.salesMinor,
              performanceGrade: r.performanceGrade,
              conductGrade: r.conductGrade,
              grade: r.grade,
              previousGrade: o.previousGrade,
              creditLimitMinor: r.creditLimitMinor,
              creditTermDays: r.creditTermDays,
              eligible: r.eligibility.allowed,
              eligibilityReason: r.eligibility.reason ?? null,
              managerDecisionRequired: r.managerDecisionRequired,
              digest,
              policyVersion: a.policyVersion,
            });
            const profileChanged =
              before.creditGrade !== r.grade ||
              before.creditLimitMinor !== r.creditLimitMinor ||
              before.creditTermDays !== r.creditTermDays;
            if (profileChanged)
              await q.setCreditProfile(client, o.dealerId, {
                grade: r.grade,
                creditLimitMinor: r.creditLimitMinor,
                creditTermDays: r.creditTermDays,
              });
            await records.append(client, {
              subjectType: 'counterparty',
              subjectId: o.dealerId,
              eventType: 'grade-set-by-quarterly-rating',
              payload: {
                quarter: a.quarter,
                previous: {
                  grade: before.creditGrade,
                  creditLimitMinor: before.creditLimitMinor,
                  creditTermDays: before.creditTermDays,
                },
                grade: r.grade,
                performanceGrade: r.performanceGrade,
                conductGrade: r.conductGrade,
                creditLimitMinor: r.creditLimitMinor,
                creditTermDays: r.creditTermDays,
                quarterlySalesMinor: o.salesMinor,
                monthlyPerformanceTotals: o.monthlyTotals,
                conductTotal: o.conductTotal,
                reason: r.eligibility.allowed
                  ? `quarterly rating ${a.quarter}: ${r.performanceGrade} performance, ${r.conductGrade} conduct`
                  : `quarterly rating ${a.quarter}: ${r.eligibility.reason}`,
                policyVersion: a.policyVersion,
                // The grade is the rating process's act; who started the cycle is noted beside it.
                actor: QUARTERLY_RATING,
                ...(a.startedBy ? { startedBy: a.startedBy } : {}),
              },
              source: actorSource(QUARTERLY_RATING),
              idempotencyKey: `rating:${a.quarter}:${o.dealerId}:grade-set:${digest}`,
            });
            return {
              gradeBefore: before.creditGrade,
              profileChanged,
              gradeChanged: before.creditGrade !== r.grade,
            };
          },
        );
        const row = await q.getQuarterlyRating(pool, a.quarter, o.dealerId);
        return {
          dealerId: o.dealerId,
          grade: r.grade,
          previousGrade: o.previousGrade,
          gradeBefore: stored.gradeBefore,
          creditLimitMinor: r.creditLimitMinor,
          creditTermDays: r.creditTermDays,
          eligible: r.eligibility.allowed,
          changed: fresh && stored.profileChanged,
          gradeChanged: stored.gradeChanged,
          decisionOpen: r.managerDecisionRequired && row?.decision == null,
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
          const mail = gradeMail(company.name, d, { quarter: a.quarter, ...r }, currency);
          return mailer.send({ to: [d.email], ...mail, effectKey: key, kind: 'rating-grade' });
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
      await q.insertTask({
        key: `rating:${a.quarter}:${a.dealerId}:continuation-decision`,
        kind: 'decide-dealer-continuation',
        assignee,
        dueOn: a.deadlineDate,
        detail: { quarter: a.quarter, dealerId: a.dealerId, grade: a.grade, previousGrade: a.previousGrade },
      });
      if (!company.managers.length) return;
      const key = `rating:${a.quarter}:${a.dealerId}:decision-request`;
      await effects.once(key, 'rating-decision-request', null, () =>
        mailer.send({
          to: company.managers,
          ...continuationDecisionMail(company.name, { ...a, dealerName: dealer?.name ?? a.dealerId }),
          effectKey: key,
          kind: 'rating-decision-request',
        }),
      );
    },

    /**
     * Records the decision on the quarter's rating and carries it out: stop-supply or end-contract adds a supply
     * block with source `rating:<quarter>`; one transaction, once per dealer and quarter.
     */
    async applyContinuationDecision(a: {
      quarter: string;
      dealerId: string;
      decision: ContinuationDecision;
      decidedBy: string;
      /** The manager's credential, or the deadline's system actor; absent on a decision from before actors. */
      actor?: Actor | SystemActor;
      reason: string;
      byDefault: boolean;
    }): Promise<{ supplyStopped: boolean }> {
      return effects.onceInTransaction(
        `rating:${a.quarter}:${a.dealerId}:continuation-decision`,
        'rating-continuation-decision',
        null,
        async (client) => {
          const dealer = await q.lockDealer(client, a.dealerId);
          if (!dealer) throw new Error(`dealer ${a.dealerId} not found`);
          await q.recordDecision(client, a);
          await q.completeTask(client, `rating:${a.quarter}:${a.dealerId}:continuation-decision`, a.actor);
          // The supply block belongs to the rating (its source names the quarter); the records name the actor.
          const source = `rating:${a.quarter}`;
          const recordSource = a.actor ? actorSource(a.actor) : source;
          const actor = a.actor ? { actor: a.actor } : {};
          let supplyStopped = false;
          if (a.decision !== 'continue') {
            const why =
              a.decision === 'end-contract'
                ? `contract ended after two bad quarters (${a.quarter})`
                : `supply stopped after two bad quarters (${a.quarter})`;
            supplyStopped = true;
            const wasRunning = await q.addSupplyBlock(client, a.dealerId, source, why);
            await records.append(client, {
              subjectType: 'counterparty',
              subjectId: a.dealerId,
              eventType: 'supply-stopped',
              payload: { quarter: a.quarter, reason: why, supplyWasRunning: wasRunning, ...actor },
              source: recordSource,
              idempotencyKey: `rating:${a.quarter}:${a.dealerId}:supply-stopped`,
            });
          }
          await records.append(client, {
            subjectType: 'counterparty',
            subjectId: a.dealerId,
            eventType: 'continuation-decided',
            payload: {
              quarter: a.quarter,
              decision: a.decision,
              decidedBy: a.decidedBy,
              reason: a.reason,
              byDefault: a.byDefault,
              ...actor,
            },
            source: recordSource,
            idempotencyKey: `rating:${a.quarter}:${a.dealerId}:continuation-decided`,
          });
          return { supplyStopped };
        },
      );
    },
  };
}

export type RatingActivities = ReturnType<typeof createRatingActivities>;
