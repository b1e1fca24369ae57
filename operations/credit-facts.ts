/**
 * The acts that change a counterparty's credit facts outside an upsert, each recorded with
 * before, after, who and why: the +15 downgrade of a receivable 15+ days overdue, a
 * manager's credit override (domain/credit-facts.ts says which process may change which
 * fact). A customer's score and class are operations/scores.ts's.
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
import type { Store } from '../store/index.js';

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
  };
}

export type CreditFactOperations = ReturnType<typeof createCreditFactOperations>;
