/**
 * The one counterparty and salesperson upsert, for `POST /v1/counterparties`,
 * `POST /v1/salespeople` and the counterparties import alike. Creation sets the
 * initial credit facts and records them, with the actor; an upsert of an existing
 * one changes only plain details (recorded too) and is refused when it would change
 * a credit fact — those change through their process (domain/credit-facts.ts).
 */
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { type Actor, actorSource } from '../domain/actor.js';
import {
  type Change,
  type CounterpartyProfile,
  type CounterpartyUpsert,
  changed,
  counterpartyUpsert,
  type Refusal,
  type SalespersonProfile,
  type SalespersonUpsert,
  salespersonUpsert,
} from '../domain/credit-facts.js';
import type { CreditRecordInput } from '../store/credit-record.js';
import type { Store } from '../store/index.js';
import { OperationRefused } from './refused.js';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** Who upserts, and why (`POST /v1/counterparties`, `import <importId>`). */
export interface UpsertBy {
  actor: Actor;
  reason: string;
}

/**
 * An upsert that would change a credit fact: nothing of it was stored. A conflict naming the
 * field and the process through which it does change.
 */
const creditFactChangeRefused = ({ field, message }: Refusal) =>
  OperationRefused.conflict(`${field}: ${message}`, [{ path: field, message }], 'credit_fact_change_refused');

/** A new counterparty as created: credit facts left out are none, and a limit of 0. */
const initialProfile = (c: CounterpartyUpsert): CounterpartyProfile => ({
  kind: c.kind,
  name: c.name,
  email: c.email,
  language: c.language,
  region: c.region,
  contactName: c.contactName,
  ...(c.address != null ? { address: c.address } : {}),
  joinedOn: c.joinedOn,
  creditGrade: c.creditGrade ?? null,
  customerClass: c.customerClass ?? null,
  creditLimitMinor: c.creditLimitMinor ?? 0,
  creditTermDays: c.creditTermDays ?? null,
});
const createdKey = (id: string) => `counterparty:${id}:created`;
const detailsKey = (id: string) => `counterparty:${id}:details:${randomUUID()}`;

/** The credit record of a creation or a detail change: before, after, actor and reason. */
function fact(
  subjectType: 'counterparty' | 'salesperson',
  id: string,
  eventType: string,
  change: Change | { before: null; after: Record<string, unknown> },
  by: UpsertBy,
  key: string,
): CreditRecordInput {
  return {
    subjectType,
    subjectId: id,
    eventType,
    payload: { ...change, actor: by.actor, reason: by.reason },
    source: actorSource(by.actor),
    idempotencyKey: key,
  };
}

export function createMasterData(store: Store) {
  const records = store.creditRecord;

  const recordChange = (client: PoolClient, ...args: Parameters<typeof fact>) =>
    records.append(client, fact(...args));

  /**
   * Several counterparties (distinct ids) in one transaction, for imports: each its own
   * outcome or refusal (a refused one writes nothing); any other failure fails them all.
   */
  async function upsertCounterparties(
    rows: readonly (CounterpartyUpsert & { id: string })[],
    by: UpsertBy,
  ): Promise<(UpsertOutcome | Refusal)[]> {
    // Set-based, in id order (so two batches lock the same rows in the same order).
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const initial = new Map(sorted.map((c) => [c.id, initialProfile(c)]));
    return store.transaction(async (client) => {
      const created = await store.counterparties.upsert(
        client,
        sorted.map((c) => ({ id: c.id, ...(initial.get(c.id) as CounterpartyProfile) })),
        'keep',
      );
      const existing = await store.counterparties.lockProfiles(
        client,
        sorted.filter((c) => !created.has(c.id)).map((c) => c.id),
      );
      const facts: CreditRecordInput[] = [];
      const outcomes = new Map<string, UpsertOutcome | Refusal>();
      for (const c of sorted) {
        if (created.has(c.id)) {
          const after = { ...initial.get(c.id) };
          facts.push(
            fact('counterparty', c.id, 'counterparty-created', { before: null, after }, by, createdKey(c.id)),
          );
          outcomes.set(c.id, 'created');
          continue;
        }
        const profile = existing.get(c.id);
        if (!profile) throw new Error(`counterparty ${c.id} vanished`);
        const outcome = counterpartyUpsert(c.id, profile, c);
        if ('refused' in outcome) outcomes.set(c.id, outcome.refused);
        else if (!changed(outcome.change)) outcomes.set(c.id, 'unchanged');
        else {
          await store.counterparties.setFields(client, c.id, outcome.change.after);
          facts.push(
            fact('counterparty', c.id, 'counterparty-details-updated', outcome.change, by, detailsKey(c.id)),
          );
          outcomes.set(c.id, 'updated');
        }
      }
      await records.appendMany(client, facts);
      return rows.map((c) => outcomes.get(c.id) as UpsertOutcome | Refusal);
    });
  }

  return {
    /** Creates the counterparty, or updates its details; throws an OperationRefused conflict. */
    async upsertCounterparty(c: CounterpartyUpsert & { id: string }, by: UpsertBy): Promise<UpsertOutcome> {
      const [result] = await upsertCounterparties([c], by);
      if (typeof result === 'object') throw creditFactChangeRefused(result);
      return result as UpsertOutcome;
    },

    upsertCounterparties,

    /** Creates the salesperson, or updates their details; throws an OperationRefused conflict. */
    async upsertSalesperson(s: SalespersonUpsert & { id: string }, by: UpsertBy): Promise<UpsertOutcome> {
      return store.transaction(async (client) => {
        const initial: SalespersonProfile = {
          name: s.name,
          email: s.email,
          region: s.region,
          phone: s.phone,
          creditLimitMinor: s.creditLimitMinor ?? null,
        };
        if (await store.salespeople.insertSalesperson(client, { id: s.id, ...initial })) {
          await recordChange(
            client,
            'salesperson',
            s.id,
            'salesperson-created',
            { before: null, after: { ...initial } },
            by,
            `salesperson:${s.id}:created`,
          );
          return 'created';
        }
        const existing = await store.salespeople.lockSalespersonProfile(client, s.id);
        if (!existing) throw new Error(`salesperson ${s.id} vanished`);
        const outcome = salespersonUpsert(s.id, existing, s);
        if ('refused' in outcome) throw creditFactChangeRefused(outcome.refused);
        if (!changed(outcome.change)) return 'unchanged';
        await store.salespeople.setSalespersonFields(client, s.id, outcome.change.after);
        await recordChange(
          client,
          'salesperson',
          s.id,
          'salesperson-details-updated',
          outcome.change,
          by,
          `salesperson:${s.id}:details:${randomUUID()}`,
        );
        return 'updated';
      });
    },
  };
}

export type MasterData = ReturnType<typeof createMasterData>;

/**
 * Upserts counterparties as they come, in batches: while one batch's transaction runs, the
 * rows arriving meanwhile wait and go together in the next. Every creation is a credit record
 * on one hash chain (one writer at a time), so a bulk import pays the chain's lock per batch,
 * not per row. Rows in flight must have distinct ids (the import applies one id at a time).
 */
export function counterpartyBatcher(masterData: MasterData, by: UpsertBy, maxBatch = 100) {
  const queue: {
    row: CounterpartyUpsert & { id: string };
    settle: (r: { ok: UpsertOutcome | Refusal } | { error: unknown }) => void;
  }[] = [];
  let draining = false;
  const drain = async () => {
    draining = true;
    while (queue.length) {
      const batch = queue.splice(0, maxBatch);
      try {
        const results = await masterData.upsertCounterparties(
          batch.map((b) => b.row),
          by,
        );
        for (const [i, b] of batch.entries()) b.settle({ ok: results[i] as UpsertOutcome | Refusal });
      } catch (error) {
        for (const b of batch) b.settle({ error });
      }
    }
    draining = false;
  };
  return (row: CounterpartyUpsert & { id: string }): Promise<UpsertOutcome | Refusal> =>
    new Promise((resolve, reject) => {
      queue.push({ row, settle: (r) => ('error' in r ? reject(r.error) : resolve(r.ok)) });
      if (!draining) void drain();
    });
}
