/**
 * SQL for receivables, their payments and tasks. Counterparties are in store/counterparties.ts,
 * salespeople in store/salespeople.ts.
 */
import type { Pool, PoolClient } from 'pg';
import { OPEN_STAGES, PENDING_STAGES } from '../domain/receivable-stages.js';
import type { CreditApplication, ReceivableState } from '../workflows/receivable/contract.js';
import { oneRow } from './sql.js';

export interface ReceivableRow {
  id: string;
  workflowId: string;
  counterpartyId: string;
  salespersonId: string;
  currency: string;
  requestedMinor: number;
  requestedTermDays: number;
  approvedMinor: number | null;
  approvedTermDays: number | null;
  issueDate: string | null;
  dueDate: string | null;
  stage: string;
  owner: string;
  outstandingMinor: number;
  paidMinor: number;
  discountMinor: number;
  writtenOffMinor: number;
  pausedBy: string | null;
  policyVersion: string;
  settledOn: string | null;
}

/**
 * Every single amount is at most 2^53−1 minor units, but a sum of them may not be: exposure and
 * outstanding totals stop there (beyond any limit, and still a safe integer) instead of failing.
 */
export const MAX_SAFE_MINOR = Number.MAX_SAFE_INTEGER;

const RECEIVABLE_COLUMNS = `id, workflow_id AS "workflowId", counterparty_id AS "counterpartyId", salesperson_id AS "salespersonId",
  currency, requested_minor AS "requestedMinor", requested_term_days AS "requestedTermDays", approved_minor AS "approvedMinor",
  approved_term_days AS "approvedTermDays", issue_date AS "issueDate", due_date AS "dueDate", stage, owner,
  outstanding_minor AS "outstandingMinor", paid_minor AS "paidMinor", discount_minor AS "discountMinor",
  written_off_minor AS "writtenOffMinor", paused_by AS "pausedBy", policy_version AS "policyVersion", settled_on AS "settledOn"`;

/**
 * Whether a credit application's (or an imported invoice's) counterparty and salesperson
 * exist, and the counterparty's name for the workflow's summary: one round trip.
 */
export async function applicationParties(
  pool: Pool,
  counterpartyId: string,
  salespersonId: string,
): Promise<{ counterparty: boolean; salesperson: boolean; counterpartyName: string | null }> {
  const { rows } = await pool.query<{
    counterparty: boolean;
    salesperson: boolean;
    counterpartyName: string | null;
  }>(
    `SELECT EXISTS (SELECT 1 FROM counterparties WHERE id = $1) AS counterparty,
            EXISTS (SELECT 1 FROM salespeople WHERE id = $2) AS salesperson,
            (SELECT name FROM counterparties WHERE id = $1) AS "counterpartyName"`,
    [counterpartyId, salespersonId],
  );
  return rows[0] ?? { counterparty: false, salesperson: false, counterpartyName: null };
}

export function createReceivableQueries(pool: Pool) {
  /** Open receivables' outstanding plus pending applications' amounts of one party, but `exceptId`. */
  async function exposure(
    party: 'counterparty_id' | 'salesperson_id',
    id: string,
    exceptId: string,
  ): Promise<number> {
    const { rows } = await pool.query<{ exposure: number }>(
      `SELECT LEAST(COALESCE(SUM(CASE WHEN stage = ANY($3) THEN outstanding_minor ELSE requested_minor END), 0), ${MAX_SAFE_MINOR})::bigint AS exposure
       FROM receivables WHERE ${party} = $1 AND id <> $2 AND stage = ANY($4)`,
      [id, exceptId, [...OPEN_STAGES], [...OPEN_STAGES, ...PENDING_STAGES]],
    );
    return rows[0]?.exposure ?? 0;
  }

  return {
    /**
     * Whether a credit application's counterparty and salesperson are known, in one round trip
     * (the API's start path makes no other).
     */
    applicationParties: (counterpartyId: string, salespersonId: string) =>
      applicationParties(pool, counterpartyId, salespersonId),

    /**
     * Outstanding of the counterparty's issued receivables plus amounts of its pending
     * applications, other than `exceptId`; saturated at MAX_SAFE_MINOR.
     */
    counterpartyExposure: (counterpartyId: string, exceptId: string) =>
      exposure('counterparty_id', counterpartyId, exceptId),

    /** The same for the salesperson's receivables (what counts against their receivables limit). */
    salespersonOutstanding: (salespersonId: string, exceptId: string) =>
      exposure('salesperson_id', salespersonId, exceptId),

    /** The receivable's row as filed (once per id: a second insert does nothing). */
    async insertApplication(
      client: PoolClient | Pool,
      app: CreditApplication,
      workflowId: string,
      policyVersion: string,
    ): Promise<void> {
      await client.query(
        `INSERT INTO receivables (id, workflow_id, counterparty_id, salesperson_id, currency, requested_minor, requested_term_days, stage, policy_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'applied', $8) ON CONFLICT (id) DO NOTHING`,
        [
          app.receivableId,
          workflowId,
          app.counterpartyId,
          app.salespersonId,
          app.currency,
          app.amountMinor,
          app.requestedTermDays,
          policyVersion,
        ],
      );
    },

    /** The policy version the receivable's workflow recorded; undefined before its row is written. */
    async policyVersionOf(receivableId: string): Promise<string | undefined> {
      const { rows } = await pool.query<{ policyVersion: string }>(
        'SELECT policy_version AS "policyVersion" FROM receivables WHERE id = $1',
        [receivableId],
      );
      return rows[0]?.policyVersion;
    },

    /** Whether the salesperson has at least one receivable (any stage) with the counterparty. */
    async sellsTo(salespersonId: string, counterpartyId: string): Promise<boolean> {
      const { rows } = await pool.query<{ sells: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM receivables WHERE counterparty_id = $1 AND salesperson_id = $2) AS sells',
        [counterpartyId, salespersonId],
      );
      return rows[0]?.sells === true;
    },

    /** The salesperson's own receivable ids among `ids`. */
    async ownedBy(salespersonId: string, ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const { rows } = await pool.query<{ id: string }>(
        'SELECT id FROM receivables WHERE id = ANY($1) AND salesperson_id = $2',
        [ids, salespersonId],
      );
      return new Set(rows.map((r) => r.id));
    },

    /** Writes the workflow's latest snapshot; an older snapshot never overwrites a newer one. */
    async saveSnapshot(client: PoolClient | Pool, s: ReceivableState): Promise<void> {
      await client.query(
        `UPDATE receivables SET approved_minor = $2, approved_term_days = $3, issue_date = $4, due_date = $5, stage = $6,
           owner = $7, outstanding_minor = $8, paid_minor = $9, discount_minor = $10, written_off_minor = $11,
           paused_by = $12, settled_on = $13, state_version = $14, state = $15, updated_at = now()
         WHERE id = $1 AND state_version <= $14`,
        [
          s.receivableId,
          s.approvedMinor,
          s.approvedTermDays,
          s.issueDate,
          s.dueDate,
          s.stage,
          s.owner,
          s.outstandingMinor,
          s.paidMinor,
          s.discountMinor,
          s.writtenOffMinor,
          s.validReason?.kind ?? null,
          s.settledOn,
          s.stateVersion,
          JSON.stringify(s),
        ],
      );
    },

    /** The workflow's state as of its last recorded change; undefined before the first. */
    async getReceivableState(id: string): Promise<ReceivableState | undefined> {
      const { rows } = await pool.query<{ state: ReceivableState | null }>(
        'SELECT state FROM receivables WHERE id = $1',
        [id],
      );
      return rows[0]?.state ?? undefined;
    },

    /**
     * A payment already applied, with what it first answered (from its credit record,
     * written in the same transaction): a retry is answered from here, also once the
     * receivable is closed and its workflow takes no more Updates.
     */
    async getAppliedPayment(paymentId: string): Promise<
      | {
          receivableId: string;
          amountMinor: number;
          paidOn: string;
          discountMinor: number;
          outstandingMinor: number;
          settled: boolean;
        }
      | undefined
    > {
      const { rows } = await pool.query(
        `SELECT p.receivable_id AS "receivableId", p.amount_minor AS "amountMinor", p.paid_on AS "paidOn",
                p.discount_minor AS "discountMinor",
                (r.payload->>'outstandingMinor')::bigint AS "outstandingMinor",
                coalesce((r.payload->>'settled')::boolean, false) AS settled
         FROM payments p
         JOIN credit_records r ON r.idempotency_key = p.receivable_id || ':payment:' || p.id
         WHERE p.id = $1`,
        [paymentId],
      );
      return rows[0];
    },

    async insertPayment(
      client: PoolClient,
      p: { id: string; receivableId: string; amountMinor: number; discountMinor: number; paidOn: string },
    ): Promise<void> {
      await client.query(
        `INSERT INTO payments (id, receivable_id, amount_minor, discount_minor, paid_on) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING`,
        [p.id, p.receivableId, p.amountMinor, p.discountMinor, p.paidOn],
      );
    },

    async getReceivable(id: string): Promise<ReceivableRow | undefined> {
      return oneRow<ReceivableRow>(pool, `SELECT ${RECEIVABLE_COLUMNS} FROM receivables WHERE id = $1`, [id]);
    },

    /** The rows of receivables `ids` that exist, by id: one round trip. */
    async getReceivables(ids: readonly string[]): Promise<Map<string, ReceivableRow>> {
      if (ids.length === 0) return new Map();
      const { rows } = await pool.query<ReceivableRow>(
        `SELECT ${RECEIVABLE_COLUMNS} FROM receivables WHERE id = ANY($1::text[])`,
        [[...new Set(ids)]],
      );
      return new Map(rows.map((r) => [r.id, r]));
    },

    async listReceivables(filter: {
      counterpartyId?: string;
      salespersonId?: string;
      stage?: string;
      limit: number;
      offset: number;
    }): Promise<ReceivableRow[]> {
      const { rows } = await pool.query<ReceivableRow>(
        `SELECT ${RECEIVABLE_COLUMNS} FROM receivables
         WHERE ($1::text IS NULL OR counterparty_id = $1) AND ($2::text IS NULL OR salesperson_id = $2) AND ($3::text IS NULL OR stage = $3)
         ORDER BY created_at DESC, id LIMIT $4 OFFSET $5`,
        [
          filter.counterpartyId ?? null,
          filter.salespersonId ?? null,
          filter.stage ?? null,
          filter.limit,
          filter.offset,
        ],
      );
      return rows;
    },

    async listTasks(receivableId: string) {
      const { rows } = await pool.query(
        `SELECT kind, assignee, due_on AS "dueOn", status, detail FROM tasks WHERE receivable_id = $1 ORDER BY id`,
        [receivableId],
      );
      return rows as {
        kind: string;
        assignee: string;
        dueOn: string | null;
        status: string;
        detail: Record<string, unknown>;
      }[];
    },
  };
}

export type ReceivableQueries = ReturnType<typeof createReceivableQueries>;
