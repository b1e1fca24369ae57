/**
 * The dealer rating's acts (docs/domain.md §2): a department's scores and sales for a period, a quarter's
 * result written to the dealer (grade, limit and term with its credit-record event), and a
 * manager's continuation decision carried out (a supply block on stop-supply or
 * end-contract). Routes and the rating workflows' activities call these; each write has a
 * key, so a re-run of a quarter changes nothing.
 */
import { createHash } from 'node:crypto';
import { type Actor, actorSource, type SystemActor } from '../domain/actor.js';
import { type CounterpartyProfile, QUARTERLY_RATING } from '../domain/credit-facts.js';
import type { DealerRatingPolicy } from '../domain/policy.js';
import { INDICATOR_MAX_SCORE, type IndicatorDefinition } from '../domain/rating.js';
import { type DealerQuarterOutcome, indicatorsOf, missingIndicators } from '../domain/rating-cycle.js';
import { canonicalJson } from '../store/credit-record.js';
import type { Store } from '../store/index.js';
import type { DealerRow, QuarterlyRatingRow } from '../store/rating.js';
import type { ContinuationDecision } from '../workflows/rating/contract.js';
import { OperationRefused, type RefusedField } from './refused.js';

export type RatedOutcome = Extract<DealerQuarterOutcome, { status: 'rated' }>;
export type Department = 'finance' | 'marketing';

/** What applying a dealer's quarterly result changed, kept with its key so a re-run answers the same. */
interface StoredRating {
  gradeBefore: string | null;
  profileChanged: boolean;
  gradeChanged: boolean;
}

/** A dealer's quarterly result as applied: whether this run wrote it, and whether a decision is still owed. */
export interface AppliedQuarterlyRating extends StoredRating {
  fresh: boolean;
  decisionOpen: boolean;
}

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

/**
 * Checks each submitted key against the indicator list: unknown keys and out-of-range scores are malformed;
 * a key another department owns is refused — each naming the field.
 */
function checkScores(
  indicators: readonly IndicatorDefinition[],
  department: Department,
  scores: Record<string, number>,
  what: string,
): void {
  const malformed: RefusedField[] = [];
  const foreign: RefusedField[] = [];
  for (const [key, value] of Object.entries(scores)) {
    const indicator = indicators.find((i) => i.key === key);
    const path = `scores.${key}`;
    if (!indicator) malformed.push({ path, message: `not a ${what} indicator` });
    else if (indicator.owner !== department)
      foreign.push({ path, message: `scored by ${indicator.owner}, not ${department}` });
    else if (indicator.measure === 'score' && value > INDICATOR_MAX_SCORE)
      malformed.push({ path, message: `a score from 0 to ${INDICATOR_MAX_SCORE}` });
  }
  const first = malformed[0];
  if (first) throw OperationRefused.invalid(`${first.path}: ${first.message}`, malformed);
  const f = foreign[0];
  if (f) throw OperationRefused.rejected(`${f.path}: ${f.message}`, foreign);
}

/** A manager's (or, at the deadline, the policy's) decision on a dealer with two bad quarters. */
export interface ContinuationDecisionToApply {
  quarter: string;
  dealerId: string;
  decision: ContinuationDecision;
  decidedBy: string;
  /** The manager's credential, or the deadline's system actor; absent on a decision from before actors. */
  actor?: Actor | SystemActor | undefined;
  reason: string;
  byDefault: boolean;
}

export function ratingOperations(store: Store) {
  const { pool, rating: q, creditRecord: records, effects } = store;

  return {
    /** The dealer `id`; an unknown id or a customer (only dealers are rated) is refused. */
    async ratedDealer(id: string): Promise<DealerRow> {
      const d = await q.getDealer(id);
      if (!d) throw OperationRefused.notFound(`dealer ${id}`);
      if (d.kind !== 'dealer')
        throw OperationRefused.rejected(`${id} is a customer: only dealers are rated`, [
          { path: 'id', message: 'not a dealer' },
        ]);
      return d;
    },

    /**
     * Stores a department's scores for a month (performance) or a quarter (conduct), each key checked
     * against the policy's indicators; answers the period's indicators still without a value.
     */
    async submitScores(s: {
      cycle: 'performance' | 'conduct';
      dealerId: string;
      period: string;
      department: Department;
      submittedBy: Actor;
      scores: Record<string, number>;
      rating: DealerRatingPolicy;
    }): Promise<{ missing: string[] }> {
      const indicators = indicatorsOf(s.rating)[s.cycle];
      checkScores(indicators, s.department, s.scores, s.cycle);
      const submission = {
        dealerId: s.dealerId,
        department: s.department,
        submittedBy: s.submittedBy,
        values: s.scores,
      };
      if (s.cycle === 'performance')
        await q.upsertPerformanceScores(pool, { ...submission, month: s.period });
      else await q.upsertConductScores(pool, { ...submission, quarter: s.period });
      const values =
        s.cycle === 'performance'
          ? await q.performanceValues([s.dealerId], [s.period])
          : await q.conductValues([s.dealerId], s.period);
      const all = values.get(s.dealerId)?.[s.period];
      return { missing: missingIndicators(indicators, all) };
    },

    async submitSales(s: {
      dealerId: string;
      quarter: string;
      salesMinor: number;
      department: Department;
      submittedBy: Actor;
    }): Promise<void> {
      await q.upsertSales(pool, s);
    },

    /** The quarter's rating of a dealer with a continuation decision open; refused when none is open. */
    async openContinuationDecision(quarter: string, dealerId: string): Promise<QuarterlyRatingRow> {
      const rating = await q.getQuarterlyRating(pool, quarter, dealerId);
      if (!rating) throw OperationRefused.notFound(`rating of dealer ${dealerId} for ${quarter}`);
      if (!rating.managerDecisionRequired)
        throw OperationRefused.rejected(
          `decision: dealer ${dealerId} is rated ${rating.grade} for ${quarter}, not two bad quarters in a row`,
          [{ path: 'decision', message: 'no decision is open for this dealer and quarter' }],
        );
      if (rating.decision)
        throw OperationRefused.conflict(
          `already decided: ${rating.decision} by ${rating.decidedBy}${rating.decidedByDefault ? ' (policy default at the deadline)' : ''}`,
        );
      return rating;
    },

    /**
     * Writes a batch of rated dealers' results: each one's rating row, and the new grade, limit and term on the
     * counterparty (locked), with a 'grade-set-by-quarterly-rating' record naming the previous values. One
     * transaction for the batch, each dealer keyed by quarter, dealer and the result's digest: a few round
     * trips a batch instead of a dozen a dealer. The quarterly result replaces whatever grade the dealer has
     * now (a +15 downgrade lowers it between ratings). A re-run with the same results writes nothing.
     */
    async applyQuarterlyRatings(a: {
      quarter: string;
      policyVersion: string;
      outcomes: readonly RatedOutcome[];
      /** Who started the cycle; absent for a cycle started before actors were recorded. */
      startedBy?: Actor | SystemActor | undefined;
    }): Promise<AppliedQuarterlyRating[]> {
      const keyed = a.outcomes.map((outcome) => {
        const digest = ratingDigest(outcome);
        return { outcome, digest, key: `rating:${a.quarter}:${outcome.dealerId}:apply:${digest}` };
      });
      const stored = await effects.allOnceInTransaction<StoredRating>(
        keyed.map((k) => k.key),
        'quarterly-rating',
        async (client, claimed) => {
          const toWrite = keyed.filter((k) => claimed.has(k.key));
          // Locked in id order, as every writer of several counterparties locks them.
          const before = await store.counterparties.lockProfiles(
            client,
            toWrite.map((k) => k.outcome.dealerId),
          );
          const unknown = toWrite.find((k) => !before.has(k.outcome.dealerId));
          if (unknown) throw new Error(`dealer ${unknown.outcome.dealerId} not found`);
          await q.upsertQuarterlyRatings(
            client,
            toWrite.map(({ outcome: o, digest }) => ({
              quarter: a.quarter,
              dealerId: o.dealerId,
              monthlyTotals: o.monthlyTotals,
              conductTotal: o.conductTotal,
              salesMinor: o.salesMinor,
              performanceGrade: o.rating.performanceGrade,
              conductGrade: o.rating.conductGrade,
              grade: o.rating.grade,
              previousGrade: o.previousGrade,
              creditLimitMinor: o.rating.creditLimitMinor,
              creditTermDays: o.rating.creditTermDays,
              eligible: o.rating.eligibility.allowed,
              eligibilityReason: o.rating.eligibility.reason ?? null,
              managerDecisionRequired: o.rating.managerDecisionRequired,
              digest,
              policyVersion: a.policyVersion,
            })),
          );
          const results = new Map<string, StoredRating>();
          for (const { outcome: o, key } of toWrite) {
            const d = before.get(o.dealerId) as CounterpartyProfile;
            results.set(key, {
              gradeBefore: d.creditGrade,
              profileChanged:
                d.creditGrade !== o.rating.grade ||
                d.creditLimitMinor !== o.rating.creditLimitMinor ||
                d.creditTermDays !== o.rating.creditTermDays,
              gradeChanged: d.creditGrade !== o.rating.grade,
            });
          }
          await q.setCreditProfiles(
            client,
            toWrite
              .filter((k) => results.get(k.key)?.profileChanged)
              .map(({ outcome: o }) => ({
                id: o.dealerId,
                grade: o.rating.grade,
                creditLimitMinor: o.rating.creditLimitMinor,
                creditTermDays: o.rating.creditTermDays,
              })),
          );
          await records.appendMany(
            client,
            toWrite.map(({ outcome: o, digest }) => {
              const d = before.get(o.dealerId) as CounterpartyProfile;
              const r = o.rating;
              return {
                subjectType: 'counterparty',
                subjectId: o.dealerId,
                eventType: 'grade-set-by-quarterly-rating',
                payload: {
                  quarter: a.quarter,
                  previous: {
                    grade: d.creditGrade,
                    creditLimitMinor: d.creditLimitMinor,
                    creditTermDays: d.creditTermDays,
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
              };
            }),
          );
          return results;
        },
      );
      // Read after the transaction: never a pooled query while the credit record's lock is held.
      const decisions = await q.quarterlyDecisions(
        pool,
        a.quarter,
        keyed.filter((k) => k.outcome.rating.managerDecisionRequired).map((k) => k.outcome.dealerId),
      );
      return keyed.map(({ outcome: o, key }) => {
        const done = stored.get(key);
        if (!done) throw new Error(`the quarterly rating of dealer ${o.dealerId} was not recorded`);
        return {
          fresh: done.fresh,
          ...done.result,
          decisionOpen: o.rating.managerDecisionRequired && decisions.get(o.dealerId) == null,
        };
      });
    },

    /**
     * Records the decision on the quarter's rating and carries it out: stop-supply or end-contract adds a supply
     * block with source `rating:<quarter>`; one transaction, once per dealer and quarter.
     */
    async applyContinuationDecision(a: ContinuationDecisionToApply): Promise<{ supplyStopped: boolean }> {
      return effects.onceInTransaction(
        `rating:${a.quarter}:${a.dealerId}:continuation-decision`,
        'rating-continuation-decision',
        null,
        async (client) => {
          const dealer = await q.lockDealer(client, a.dealerId);
          if (!dealer) throw new Error(`dealer ${a.dealerId} not found`);
          await q.recordDecision(client, a);
          await store.tasks.complete(
            client,
            `rating:${a.quarter}:${a.dealerId}:continuation-decision`,
            a.actor ? { doneBy: a.actor } : {},
          );
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
            const wasRunning =
              (await store.counterparties.addSupplyBlock(client, a.dealerId, source, why)) === true;
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

export type RatingOperations = ReturnType<typeof ratingOperations>;
