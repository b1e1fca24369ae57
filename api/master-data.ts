/**
 * The one counterparty and salesperson upsert, for `POST /v1/counterparties`,
 * `POST /v1/salespeople` and the counterparties import alike. Creation sets the
 * initial credit facts and records them, with the actor; an upsert of an existing
 * one changes only plain details (recorded too) and is refused when it would change
 * a credit fact — those change through their process (domain/credit-facts.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { CreditRecordQueries } from '../activities/credit-record/queries.js';
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
import { inTransaction } from '../infra/db.js';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** Who upserts, and why (`POST /v1/counterparties`, `import <importId>`). */
export interface UpsertBy {
  actor: Actor;
  reason: string;
}

/** An upsert that would change a credit fact: nothing of it was stored. */
export class CreditFactChangeRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

const PROFILE_COLUMNS = `kind, name, email, language, region, contact_name AS "contactName", joined_on AS "joinedOn",
  credit_grade AS "creditGrade", customer_class AS "customerClass", credit_limit_minor AS "creditLimitMinor",
  credit_term_days AS "creditTermDays"`;

/** A counterparty's profile, locked for the rest of the transaction. */
export async function lockCounterpartyProfile(
  client: PoolClient,
  id: string,
): Promise<CounterpartyProfile | undefined> {
  const { rows } = await client.query<CounterpartyProfile>(
    `SELECT ${PROFILE_COLUMNS} FROM counterparties WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0];
}

/** Sets the given columns (camelCase names of the profile) on a counterparty. */
export async function setCounterpartyFields(
  client: PoolClient,
  id: string,
  values: Record<string, unknown>,
): Promise<void> {
  const entries = Object.entries(values);
  if (!entries.length) return;
  const sets = entries.map(([k], i) => `${COLUMN[k]} = $${i + 2}`);
  await client.query(`UPDATE counterparties SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
    id,
    ...entries.map(([, v]) => v),
  ]);
}

const COLUMN: Record<string, string> = {
  name: 'name',
  email: 'email',
  language: 'language',
  region: 'region',
  contactName: 'contact_name',
  joinedOn: 'joined_on',
  creditGrade: 'credit_grade',
  customerClass: 'customer_class',
  creditLimitMinor: 'credit_limit_minor',
  creditTermDays: 'credit_term_days',
};

export function createMasterData(deps: { pool: Pool; records: CreditRecordQueries }) {
  const { pool, records } = deps;

  const recordChange = (
    client: PoolClient,
    subjectType: 'counterparty' | 'salesperson',
    id: string,
    eventType: string,
    change: Change | { before: null; after: Record<string, unknown> },
    by: UpsertBy,
    key: string,
  ) =>
    records.append(client, {
      subjectType,
      subjectId: id,
      eventType,
      payload: { ...change, actor: by.actor, reason: by.reason },
      source: actorSource(by.actor),
      idempotencyKey: key,
    });

  return {
    /** Creates the counterparty, or updates its details; throws CreditFactChangeRefused. */
    async upsertCounterparty(c: CounterpartyUpsert & { id: string }, by: UpsertBy): Promise<UpsertOutcome> {
      return inTransaction(pool, async (client) => {
        const initial: CounterpartyProfile = {
          kind: c.kind,
          name: c.name,
          email: c.email,
          language: c.language,
          region: c.region,
          contactName: c.contactName,
          joinedOn: c.joinedOn,
          creditGrade: c.creditGrade ?? null,
          customerClass: c.customerClass ?? null,
          creditLimitMinor: c.creditLimitMinor ?? 0,
          creditTermDays: c.creditTermDays ?? null,
        };
        const inserted = await client.query(
          `INSERT INTO counterparties (id, kind, name, email, language, region, contact_name, joined_on, credit_grade,
             customer_class, credit_limit_minor, credit_term_days)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
          [
            c.id,
            initial.kind,
            initial.name,
            initial.email,
            initial.language,
            initial.region,
            initial.contactName,
            initial.joinedOn,
            initial.creditGrade,
            initial.customerClass,
            initial.creditLimitMinor,
            initial.creditTermDays,
          ],
        );
        if (inserted.rowCount) {
          await recordChange(
            client,
            'counterparty',
            c.id,
            'counterparty-created',
            { before: null, after: { ...initial } },
            by,
            `counterparty:${c.id}:created`,
          );
          return 'created';
        }
        const existing = await lockCounterpartyProfile(client, c.id);
        if (!existing) throw new Error(`counterparty ${c.id} vanished`);
        const outcome = counterpartyUpsert(c.id, existing, c);
        if ('refused' in outcome) throw new CreditFactChangeRefused(outcome.refused);
        if (!changed(outcome.change)) return 'unchanged';
        await setCounterpartyFields(client, c.id, outcome.change.after);
        await recordChange(
          client,
          'counterparty',
          c.id,
          'counterparty-details-updated',
          outcome.change,
          by,
          `counterparty:${c.id}:details:${randomUUID()}`,
        );
        return 'updated';
      });
    },

    /** Creates the salesperson, or updates their details; throws CreditFactChangeRefused. */
    async upsertSalesperson(s: SalespersonUpsert & { id: string }, by: UpsertBy): Promise<UpsertOutcome> {
      return inTransaction(pool, async (client) => {
        const initial: SalespersonProfile = {
          name: s.name,
          email: s.email,
          region: s.region,
          phone: s.phone,
          creditLimitMinor: s.creditLimitMinor ?? null,
        };
        const inserted = await client.query(
          `INSERT INTO salespeople (id, name, email, region, phone, credit_limit_minor) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO NOTHING`,
          [s.id, initial.name, initial.email, initial.region, initial.phone, initial.creditLimitMinor],
        );
        if (inserted.rowCount) {
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
        const { rows } = await client.query<SalespersonProfile>(
          `SELECT name, email, region, phone, credit_limit_minor AS "creditLimitMinor" FROM salespeople
           WHERE id = $1 FOR UPDATE`,
          [s.id],
        );
        const existing = rows[0];
        if (!existing) throw new Error(`salesperson ${s.id} vanished`);
        const outcome = salespersonUpsert(s.id, existing, s);
        if ('refused' in outcome) throw new CreditFactChangeRefused(outcome.refused);
        if (!changed(outcome.change)) return 'unchanged';
        const entries = Object.entries(outcome.change.after);
        await client.query(
          `UPDATE salespeople SET ${entries.map(([k], i) => `${k} = $${i + 2}`).join(', ')}, updated_at = now()
           WHERE id = $1`,
          [s.id, ...entries.map(([, v]) => v)],
        );
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
