/**
 * SQL for statements of account: a counterparty's issued receivables and their payments as the
 * statement's arithmetic (domain/statement.ts) needs them, and the counterparties a monthly run
 * sends one to.
 */
import type { Pool } from 'pg';
import type { CalendarDate } from '../domain/calendar.js';
import type { StatementPayment, StatementReceivable } from '../domain/statement.js';

/** Issued: approved, with an issue and a due date. */
const ISSUED = 'r.approved_minor IS NOT NULL AND r.issue_date IS NOT NULL AND r.due_date IS NOT NULL';

export function createStatementQueries(pool: Pool) {
  return {
    /**
     * The receivables issued by `to` that were not settled before `from` (those show neither a balance
     * nor a movement), and their payments dated by `to`.
     */
    async facts(
      counterpartyId: string,
      from: CalendarDate,
      to: CalendarDate,
    ): Promise<{ receivables: StatementReceivable[]; payments: StatementPayment[] }> {
      const { rows: receivables } = await pool.query<StatementReceivable>(
        `SELECT r.id, r.currency, r.approved_minor AS "amountMinor", r.issue_date::text AS "issueDate",
           r.due_date::text AS "dueDate", r.stage, r.written_off_minor AS "writtenOffMinor",
           r.settled_on::text AS "settledOn"
         FROM receivables r
         WHERE r.counterparty_id = $1 AND ${ISSUED} AND r.issue_date <= $3
           AND (r.settled_on IS NULL OR r.settled_on >= $2)
         ORDER BY r.issue_date, r.id`,
        [counterpartyId, from, to],
      );
      if (!receivables.length) return { receivables, payments: [] };
      const { rows: payments } = await pool.query<StatementPayment>(
        `SELECT receivable_id AS "receivableId", paid_on::text AS "paidOn", amount_minor AS "amountMinor",
           discount_minor AS "discountMinor"
         FROM payments WHERE receivable_id = ANY($1) AND paid_on <= $2
         ORDER BY paid_on, id`,
        [receivables.map((r) => r.id), to],
      );
      return { receivables, payments };
    },

    /**
     * Up to `limit` counterparties, by id after `after`, with a receivable issued by `asOf` and not
     * settled by then (an item open at the end of `asOf`).
     */
    async withOpenItems(asOf: CalendarDate, after: string, limit: number): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT DISTINCT r.counterparty_id AS id FROM receivables r
         WHERE ${ISSUED} AND r.issue_date <= $1 AND (r.settled_on IS NULL OR r.settled_on > $1)
           AND r.stage NOT IN ('rejected') AND r.counterparty_id > $2
         ORDER BY 1 LIMIT $3`,
        [asOf, after, limit],
      );
      return rows.map((r) => r.id);
    },
  };
}

export type StatementQueries = ReturnType<typeof createStatementQueries>;
