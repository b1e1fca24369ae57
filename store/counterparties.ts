/**
 * SQL for counterparties (dealers and customers): their profile and credit facts, the one
 * counterparty upsert, supply blocks, and customer scores.
 */
import type { Pool, PoolClient } from 'pg';
import type { CounterpartyProfile } from '../domain/credit-facts.js';
import { setColumns } from './db.js';
import { oneRow } from './sql.js';

export interface CounterpartyRow {
  id: string;
  name: string;
  kind: 'dealer' | 'customer';
  email: string;
  /** A language tag ('zh-CN', 'en', or one the company added templates for). */
  language: string;
  region: string;
  contactName: string | null;
  /** The postal address letters are sent to. */
  address: string | null;
  creditGrade: string | null;
  customerClass: string | null;
  creditLimitMinor: number;
  creditTermDays: number | null;
  joinedOn: string;
  supplyStopped: boolean;
}

/** A counterparty as stored: its id and profile (every credit fact named). */
export type CounterpartyRecord = CounterpartyProfile & { id: string };

const COUNTERPARTY_COLUMNS = `c.id, c.name, c.kind, c.email, c.language, c.region, c.contact_name AS "contactName", c.address,
  c.credit_grade AS "creditGrade", c.customer_class AS "customerClass", c.credit_limit_minor AS "creditLimitMinor",
  c.credit_term_days AS "creditTermDays", c.joined_on AS "joinedOn",
  EXISTS (SELECT 1 FROM supply_blocks b WHERE b.counterparty_id = c.id) AS "supplyStopped"`;

const PROFILE_COLUMNS = `kind, name, email, language, region, contact_name AS "contactName", address, joined_on AS "joinedOn",
  credit_grade AS "creditGrade", customer_class AS "customerClass", credit_limit_minor AS "creditLimitMinor",
  credit_term_days AS "creditTermDays"`;

/** The column of each profile field (camelCase) that may be set. */
const COLUMN: Record<string, string> = {
  name: 'name',
  email: 'email',
  language: 'language',
  region: 'region',
  contactName: 'contact_name',
  address: 'address',
  joinedOn: 'joined_on',
  creditGrade: 'credit_grade',
  customerClass: 'customer_class',
  creditLimitMinor: 'credit_limit_minor',
  creditTermDays: 'credit_term_days',
};

export function createCounterpartyQueries(pool: Pool) {
  /**
   * The one counterparty upsert. Inserts the counterparties not stored yet; an existing one is
   * left as it is (`existing: 'keep'`, the API and imports: their changes go through the credit
   * facts' rules) or overwritten (`'overwrite'`, seeding test and local data only: no credit
   * record). Returns the ids it created.
   */
  async function upsert(
    db: Pool | PoolClient,
    rows: readonly CounterpartyRecord[],
    existing: 'keep' | 'overwrite',
  ): Promise<Set<string>> {
    const column = <K extends keyof CounterpartyRecord>(k: K) => rows.map((c) => c[k]);
    const onConflict =
      existing === 'keep'
        ? 'DO NOTHING'
        : `DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, email = EXCLUDED.email,
           language = EXCLUDED.language, region = EXCLUDED.region, contact_name = EXCLUDED.contact_name, address = EXCLUDED.address,
           credit_grade = EXCLUDED.credit_grade, customer_class = EXCLUDED.customer_class,
           credit_limit_minor = EXCLUDED.credit_limit_minor, credit_term_days = EXCLUDED.credit_term_days,
           joined_on = EXCLUDED.joined_on, updated_at = now()`;
    const { rows: written } = await db.query<{ id: string; created: boolean }>(
      `INSERT INTO counterparties (id, kind, name, email, language, region, contact_name, joined_on, credit_grade,
         customer_class, credit_limit_minor, credit_term_days, address)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::date[], $9::text[], $10::text[], $11::bigint[], $12::int[], $13::text[])
       ON CONFLICT (id) ${onConflict} RETURNING id, (xmax = 0) AS created`,
      [
        column('id'),
        column('kind'),
        column('name'),
        column('email'),
        column('language'),
        column('region'),
        column('contactName'),
        column('joinedOn'),
        column('creditGrade'),
        column('customerClass'),
        column('creditLimitMinor'),
        column('creditTermDays'),
        rows.map((c) => c.address ?? null),
      ],
    );
    return new Set(written.filter((r) => r.created).map((r) => r.id));
  }

  return {
    async get(id: string): Promise<CounterpartyRow | undefined> {
      return oneRow<CounterpartyRow>(
        pool,
        `SELECT ${COUNTERPARTY_COLUMNS} FROM counterparties c WHERE c.id = $1`,
        [id],
      );
    },

    /** The counterparty, locked for the rest of the transaction. */
    async lock(client: PoolClient, id: string): Promise<CounterpartyRow | undefined> {
      return oneRow<CounterpartyRow>(
        client,
        `SELECT ${COUNTERPARTY_COLUMNS} FROM counterparties c WHERE c.id = $1 FOR UPDATE`,
        [id],
      );
    },

    /** The profiles of these counterparties, locked in id order for the rest of the transaction. */
    async lockProfiles(
      client: PoolClient,
      ids: readonly string[],
    ): Promise<Map<string, CounterpartyProfile>> {
      const found = new Map<string, CounterpartyProfile>();
      if (!ids.length) return found;
      const { rows } = await client.query<CounterpartyRecord>(
        `SELECT id, ${PROFILE_COLUMNS} FROM counterparties WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
        [ids],
      );
      for (const { id, ...profile } of rows) found.set(id, profile);
      return found;
    },

    upsert,

    /**
     * Inserts or overwrites one counterparty with no credit record: for seeding test and local
     * data only. The API and imports go through operations/master-data.ts, which records every credit fact.
     */
    async upsertCounterparty(c: CounterpartyRecord): Promise<{ created: boolean }> {
      const created = await upsert(pool, [c], 'overwrite');
      return { created: created.has(c.id) };
    },

    /** Sets the given profile fields (camelCase names) on a counterparty. */
    async setFields(client: PoolClient, id: string, values: Record<string, unknown>): Promise<void> {
      await setColumns(client, 'counterparties', COLUMN, id, values);
    },

    /**
     * Adds a supply block (one per source: a receivable, a manager's credential, a terminated
     * cooperation), or renews its reason. Returns whether supply was running until now;
     * undefined when there is no such counterparty.
     */
    async addSupplyBlock(
      client: PoolClient,
      counterpartyId: string,
      source: string,
      reason: string,
    ): Promise<boolean | undefined> {
      // Serialise the counterparty's blocks so "was it the first?" has one answer.
      const locked = await client.query('SELECT 1 FROM counterparties WHERE id = $1 FOR UPDATE', [
        counterpartyId,
      ]);
      if (locked.rowCount === 0) return undefined;
      const before = await client.query('SELECT 1 FROM supply_blocks WHERE counterparty_id = $1 LIMIT 1', [
        counterpartyId,
      ]);
      await client.query(
        `INSERT INTO supply_blocks (counterparty_id, source, reason) VALUES ($1, $2, $3)
         ON CONFLICT (counterparty_id, source) DO UPDATE SET reason = EXCLUDED.reason`,
        [counterpartyId, source, reason],
      );
      return before.rowCount === 0;
    },

    /**
     * Removes one source's block, or every block (`source` null). Returns the sources lifted
     * and whether supply is running now; undefined when there is no such counterparty.
     */
    async removeSupplyBlocks(
      client: PoolClient,
      counterpartyId: string,
      source: string | null,
    ): Promise<{ lifted: string[]; running: boolean } | undefined> {
      const locked = await client.query('SELECT 1 FROM counterparties WHERE id = $1 FOR UPDATE', [
        counterpartyId,
      ]);
      if (locked.rowCount === 0) return undefined;
      const removed = await client.query<{ source: string }>(
        'DELETE FROM supply_blocks WHERE counterparty_id = $1 AND ($2::text IS NULL OR source = $2) RETURNING source',
        [counterpartyId, source],
      );
      const left = await client.query('SELECT 1 FROM supply_blocks WHERE counterparty_id = $1 LIMIT 1', [
        counterpartyId,
      ]);
      return { lifted: removed.rows.map((r) => r.source).sort(), running: left.rowCount === 0 };
    },

    /** Stores a customer's score; returns its id and every score of the customer, oldest first. */
    async addScore(
      client: PoolClient,
      s: {
        counterpartyId: string;
        score: number;
        customerClass: string;
        factorScores: Record<string, number>;
      },
    ): Promise<{ scoreId: string; history: number[] }> {
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO customer_scores (counterparty_id, score, class, factor_scores) VALUES ($1, $2, $3, $4)
         RETURNING id`,
        [s.counterpartyId, s.score, s.customerClass, JSON.stringify(s.factorScores)],
      );
      const history = await client.query<{ score: number }>(
        'SELECT score FROM customer_scores WHERE counterparty_id = $1 ORDER BY id',
        [s.counterpartyId],
      );
      return { scoreId: inserted.rows[0]?.id as string, history: history.rows.map((r) => r.score) };
    },
  };
}

export type CounterpartyQueries = ReturnType<typeof createCounterpartyQueries>;
