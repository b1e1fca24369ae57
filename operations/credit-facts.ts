/**
 * The acts that change a counterparty's credit facts outside an upsert, each recorded with
 * before, after, who and why: the +15 downgrade of a receivable 15+ days overdue, a
 * manager's credit override, and a customer's score (domain/credit-facts.ts says which
 * process may change which fact).
 */
import { randomUUID } from 'node:crypto';
import { type Actor, actorSource } from '../domain/actor.js';
import {
  type Change,
  changed,
  counterpartyOverride,
  OVERDUE_DOWNGRADE,
  overdueDowngrade,
  type Refusal,
} from '../domain/credit-facts.js';
import {
  type CustomerClass,
  type CustomerCreditScore,
  type EarlyWarning,
  earlyWarning,
} from '../domain/customer-class.js';
import type { Policy } from '../domain/policy.js';
import type { Store } from '../store/index.js';

/** Why a customer score was not stored. */
export type ScoreRefusal = { unknown: true } | { dealer: true };

export function createCreditFactOperations(store: Store) {
  const { counterparties, creditRecord } = store;
  return {
    /**
     * The +15 downgrade: the counterparty's grade (dealer) or class (customer) one step worse,
     * once per `effectKey`; a retry answers what the first run did.
     */
    async lowerGradeForOverdueReceivable(act: {
      receivableId: string;
      counterpartyId: string;
      effectKey: string;
      recordKey: string;
    }): Promise<{ before: string | null; after: string | null }> {
      return store.effects.onceInTransaction(
        act.effectKey,
        'grade-lowered',
        act.receivableId,
        async (client) => {
          const c = await counterparties.lock(client, act.counterpartyId);
          if (!c) return { before: null, after: null };
          const { field, before, after } = overdueDowngrade(c);
          if (after) await counterparties.setFields(client, act.counterpartyId, { [field]: after });
          await creditRecord.append(client, {
            subjectType: 'counterparty',
            subjectId: act.counterpartyId,
            eventType: 'grade-lowered',
            payload: {
              before,
              after,
              reason: `receivable ${act.receivableId} 15+ days overdue without a valid reason`,
              receivableId: act.receivableId,
              actor: OVERDUE_DOWNGRADE,
            },
            source: actorSource(OVERDUE_DOWNGRADE),
            idempotencyKey: act.recordKey,
          });
          return { before, after };
        },
      );
    },

    /**
     * A manager's override of grade, class, limit or term, with a reason. Undefined when there is
     * no such counterparty; a refusal when the values do not fit it; `changed: false` (nothing
     * recorded) when every value is already so.
     */
    async override(
      counterpartyId: string,
      values: Parameters<typeof counterpartyOverride>[2],
      reason: string,
      actor: Actor,
    ): Promise<{ refused: Refusal } | { changed: boolean; change: Change } | undefined> {
      return store.transaction(async (client) => {
        const existing = (await counterparties.lockProfiles(client, [counterpartyId])).get(counterpartyId);
        if (!existing) return undefined;
        const outcome = counterpartyOverride(counterpartyId, existing, values);
        if ('refused' in outcome) return outcome;
        const { before, after } = outcome.change;
        if (!changed(outcome.change)) return { changed: false, change: outcome.change };
        await counterparties.setFields(client, counterpartyId, after);
        await creditRecord.append(client, {
          subjectType: 'counterparty',
          subjectId: counterpartyId,
          eventType: 'credit-override',
          payload: { before, after, actor, reason },
          source: actorSource(actor),
          idempotencyKey: `counterparty:${counterpartyId}:credit-override:${randomUUID()}`,
        });
        return { changed: true, change: outcome.change };
      });
    },

    /**
     * Stores a customer's score (§3): the class on the counterparty, a row of score history and a
     * credit-record event (the factors, the score, the class before and after, the early warning
     * over the whole history, why, and who), together.
     */
    async recordCustomerScore(
      counterpartyId: string,
      s: {
        result: CustomerCreditScore;
        factors: Record<string, unknown>;
        note: string | undefined;
        policy: Policy;
        actor: Actor;
      },
    ): Promise<ScoreRefusal | { previousClass: CustomerClass | null; warning: EarlyWarning }> {
      const { result, policy, actor } = s;
      const t = policy.customer.thresholds;
      return store.transaction(async (client) => {
        // The row lock orders concurrent scorings of one customer: history ids follow scoring order.
        const c = await counterparties.lock(client, counterpartyId);
        if (!c) return { unknown: true };
        if (c.kind !== 'customer') return { dealer: true };
        const previousClass = (c.customerClass as CustomerClass | null) ?? null;
        const { scoreId, history } = await counterparties.addScore(client, {
          counterpartyId,
          score: result.score,
          customerClass: result.customerClass,
          factorScores: result.factorScores,
        });
        await counterparties.setFields(client, counterpartyId, { customerClass: result.customerClass });
        const warning = earlyWarning(history, { thresholds: t });
        await creditRecord.append(client, {
          subjectType: 'counterparty',
          subjectId: counterpartyId,
          eventType: 'class-set-by-score',
          payload: {
            score: result.score,
            factorScores: result.factorScores,
            factors: s.factors,
            previousClass,
            customerClass: result.customerClass,
            reason: `weighted score ${result.score} → class ${result.customerClass} (A ≥ ${t.a}, B ≥ ${t.b}, C ≥ ${t.c})${s.note ? `: ${s.note}` : ''}`,
            earlyWarning: warning.reasons,
            policyVersion: policy.version,
            actor,
          },
          source: actorSource(actor),
          idempotencyKey: `customer-score:${scoreId}`,
        });
        return { previousClass, warning };
      });
    },
  };
}

export type CreditFactOperations = ReturnType<typeof createCreditFactOperations>;
