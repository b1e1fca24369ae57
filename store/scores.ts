/**
 * SQL for the scores that keep themselves (docs/scores.md): the facts a person enters, the
 * record a customer's payment behaviour is computed from, the score history, and the receivables
 * the collections forecast and its backtest read.
 */
import type { Pool, PoolClient } from 'pg';
import { OPEN_STAGES } from '../domain/receivable-stages.js';

export interface StoredFact {
  id: string;
  subjectType: 'counterparty' | 'salesperson';
  subjectId: string;
  factor: string;
  value: number | string;
  asOf: string;
  document: string;
  actor: Record<string, unknown>;
  recordedAt: string;
}

export interface StoredScore {
  id: string;
  score: number;
  customerClass: 'A' | 'B' | 'C' | 'D';
  trigger: string | null;
  inputsDigest: string | null;
  contributions: unknown;
  warningOpen: boolean;
  scoredAt: string;
}

export function createScoreQueries(pool: Pool) {
  return {
    async insertFact(client: PoolClient, f: Omit<StoredFact, 'id' | 'recordedAt'>): Promise<StoredFact> {
      const { rows } = await client.query<StoredFact>(
        `INSERT INTO score_facts (subject_type, subject_id, factor, value, as_of, document, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id::text, subject_type AS "subjectType", subject_id AS "subjectId", factor, value,
                   as_of AS "asOf", document, actor, recorded_at AS "recordedAt"`,
        [
          f.subjectType,
          f.subjectId,
          f.factor,
          JSON.stringify(f.value),
          f.asOf,
          f.document,
          JSON.stringify(f.actor),
        ],
      );
      const row = rows[0] as StoredFact;
      return { ...row, recordedAt: new Date(row.recordedAt).toISOString() };
    },

    /** Every fact entered for the subject, newest document first. */
    async listFacts(subjectType: 'counterparty' | 'salesperson', subjectId: string): Promise<StoredFact[]> {
      const { rows } = await pool.query<StoredFact>(
        `SELECT id::text, subject_type AS "subjectType", subject_id AS "subjectId", factor, value,
                as_of AS "asOf", document, actor, recorded_at AS "recordedAt"
         FROM score_facts WHERE subject_type = $1 AND subject_id = $2 ORDER BY as_of DESC, id DESC`,
        [subjectType, subjectId],
      );
      return rows.map((r) => ({ ...r, recordedAt: new Date(r.recordedAt).toISOString() }));
    },

    /**
     * The counterparty's issued receivables due or settled since `from`, their payments, and the
     * broken promises and disputes on them since `from` (their day in `timeZone`).
     */
    async behaviourRecord(counterpartyId: string, from: string, timeZone: string) {
      const receivables = await pool.query<{
        id: string;
        currency: string;
        amountMinor: number;
        issueDate: string;
        dueDate: string;
        writtenOffMinor: number;
        settledOn: string | null;
        /** The valid reason holding its escalation (dispute, promise), if any. */
        pausedBy: string | null;
      }>(
        `SELECT id, currency, COALESCE(approved_minor, requested_minor) AS "amountMinor", issue_date AS "issueDate",
                due_date AS "dueDate", written_off_minor AS "writtenOffMinor", settled_on AS "settledOn",
                paused_by AS "pausedBy"
         FROM receivables
         WHERE counterparty_id = $1 AND issue_date IS NOT NULL AND due_date IS NOT NULL
           AND (due_date >= $2 OR settled_on >= $2 OR settled_on IS NULL)
         ORDER BY id`,
        [counterpartyId, from],
      );
      const ids = receivables.rows.map((r) => r.id);
      const payments = await pool.query<{
        receivableId: string;
        amountMinor: number;
        discountMinor: number;
        paidOn: string;
      }>(
        `SELECT receivable_id AS "receivableId", amount_minor AS "amountMinor", discount_minor AS "discountMinor",
                paid_on AS "paidOn"
         FROM payments WHERE receivable_id = ANY($1) ORDER BY paid_on, id`,
        [ids],
      );
      const events = await pool.query<{ kind: 'promise-broken' | 'dispute'; on: string }>(
        `SELECT CASE WHEN c.event_type = 'promise-to-pay-broken' THEN 'promise-broken' ELSE 'dispute' END AS kind,
                to_char(c.recorded_at AT TIME ZONE $3, 'YYYY-MM-DD') AS "on"
         FROM credit_records c JOIN receivables r ON r.id = c.subject_id
         WHERE c.subject_type = 'receivable' AND r.counterparty_id = $1
           AND c.event_type IN ('promise-to-pay-broken', 'dispute-recorded')
           AND c.recorded_at >= $2::date - interval '1 day'
         ORDER BY c.seq`,
        [counterpartyId, from, timeZone],
      );
      return { receivables: receivables.rows, payments: payments.rows, events: events.rows };
    },

    /** The customer's last `n` scores, oldest first. */
    async recentScores(counterpartyId: string, n: number, client?: PoolClient): Promise<StoredScore[]> {
      const { rows } = await (client ?? pool).query<StoredScore>(
        `SELECT * FROM (
           SELECT id::text, score, class AS "customerClass", trigger, inputs_digest AS "inputsDigest",
                  contributions, warning_open AS "warningOpen", scored_at AS "scoredAt"
           FROM customer_scores WHERE counterparty_id = $1 ORDER BY id DESC LIMIT $2) s
         ORDER BY id::bigint`,
        [counterpartyId, n],
      );
      return rows.map((r) => ({ ...r, scoredAt: new Date(r.scoredAt).toISOString() }));
    },

    async insertScore(
      client: PoolClient,
      s: {
        counterpartyId: string;
        score: number;
        customerClass: string;
        factorScores: Record<string, number>;
        trigger: string;
        inputsDigest: string;
        contributions: unknown;
        warningOpen: boolean;
      },
    ): Promise<string> {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO customer_scores (counterparty_id, score, class, factor_scores, trigger, inputs_digest, contributions, warning_open)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text`,
        [
          s.counterpartyId,
          s.score,
          s.customerClass,
          JSON.stringify(s.factorScores),
          s.trigger,
          s.inputsDigest,
          JSON.stringify(s.contributions),
          s.warningOpen,
        ],
      );
      return rows[0]?.id as string;
    },

    /** Every customer, in id order (the scheduled refresh). */
    async customerIds(): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(
        "SELECT id FROM counterparties WHERE kind = 'customer' ORDER BY id",
      );
      return rows.map((r) => r.id);
    },

    /** The salespeople who sell to the counterparty (to tell them of an early warning). */
    async salespeopleOf(counterpartyId: string): Promise<{ id: string; name: string; email: string }[]> {
      const { rows } = await pool.query<{ id: string; name: string; email: string }>(
        `SELECT DISTINCT s.id, s.name, s.email FROM salespeople s JOIN receivables r ON r.salesperson_id = s.id
         WHERE r.counterparty_id = $1 ORDER BY s.id`,
        [counterpartyId],
      );
      return rows;
    },

    /** The salesperson's latest assessed month's metrics; undefined before the first assessment. */
    async latestAssessment(
      salespersonId: string,
    ): Promise<{ month: string; metrics: Record<string, number | null> } | undefined> {
      const { rows } = await pool.query<{ month: string; metrics: Record<string, number | null> }>(
        `SELECT month, metrics FROM salesperson_assessments WHERE salesperson_id = $1 ORDER BY month DESC LIMIT 1`,
        [salespersonId],
      );
      return rows[0];
    },

    /** Open receivables with what is outstanding and the valid reason holding them (the forecast). */
    async openReceivables(filter: { salespersonId?: string | undefined }) {
      const { rows } = await pool.query<{
        id: string;
        counterpartyId: string;
        salespersonId: string;
        currency: string;
        dueDate: string;
        outstandingMinor: number;
        validReason: { kind: 'dispute' | 'promise'; promisedBy?: string } | null;
      }>(
        `SELECT id, counterparty_id AS "counterpartyId", salesperson_id AS "salespersonId", currency,
                due_date AS "dueDate", outstanding_minor AS "outstandingMinor", state->'validReason' AS "validReason"
         FROM receivables
         WHERE stage = ANY($1) AND outstanding_minor > 0 AND due_date IS NOT NULL
           AND ($2::text IS NULL OR salesperson_id = $2)
         ORDER BY id`,
        [[...OPEN_STAGES], filter.salespersonId ?? null],
      );
      return rows;
    },

    /** Issued receivables since `from` (issue date or still open) and their payments: the backtest's history and the forecast's distribution. */
    async history(from: string) {
      const receivables = await pool.query<{
        id: string;
        counterpartyId: string;
        salespersonId: string;
        currency: string;
        amountMinor: number;
        issueDate: string;
        dueDate: string;
        writtenOffMinor: number;
        settledOn: string | null;
      }>(
        `SELECT id, counterparty_id AS "counterpartyId", salesperson_id AS "salespersonId", currency,
                COALESCE(approved_minor, requested_minor) AS "amountMinor", issue_date AS "issueDate", due_date AS "dueDate",
                written_off_minor AS "writtenOffMinor", settled_on AS "settledOn"
         FROM receivables
         WHERE issue_date IS NOT NULL AND due_date IS NOT NULL AND stage <> 'rejected'
           AND (settled_on IS NULL OR settled_on >= $1)
         ORDER BY id`,
        [from],
      );
      const payments = await pool.query<{
        receivableId: string;
        amountMinor: number;
        discountMinor: number;
        paidOn: string;
      }>(
        `SELECT p.receivable_id AS "receivableId", p.amount_minor AS "amountMinor", p.discount_minor AS "discountMinor",
                p.paid_on AS "paidOn"
         FROM payments p JOIN receivables r ON r.id = p.receivable_id
         WHERE r.settled_on IS NULL OR r.settled_on >= $1
         ORDER BY p.paid_on, p.id`,
        [from],
      );
      return { receivables: receivables.rows, payments: payments.rows };
    },
  };
}

export type ScoreQueries = ReturnType<typeof createScoreQueries>;
