/** SQL for salespeople: the month's assessment inputs and table, limit proposals, quarterly reviews. */
import type { Pool, PoolClient } from 'pg';
import type { Actor } from '../domain/actor.js';
import type { SalespersonProfile } from '../domain/credit-facts.js';
import { cappedSql } from '../domain/money.js';
import type { AssessmentTableRow } from '../domain/salesperson-review.js';
import { setColumns } from './db.js';
import { MAX_SAFE_MINOR } from './receivables.js';
import { actorColumns, oneRow, upsertRow } from './sql.js';

export interface MonthFigures {
  salespersonId: string;
  salespersonName: string;
  email: string;
  receivablesMinor: number;
  creditSalesMinor: number;
  collectedMinor: number;
  contractAmountMinor: number;
  badDebtsMinor: number;
  discountOfferedMinor: number;
  paidWithDiscountMinor: number;
}

/**
 * A receivable's outstanding at the month's last day, rebuilt from the facts: approved amount − payments and
 * discounts dated up to that day − the write-off when it happened by then.
 */
const outstandingAtEnd = (last: string) => `GREATEST(0, r.approved_minor - COALESCE(pd.cleared, 0)
  - CASE WHEN r.stage = 'written-off' AND r.settled_on <= ${last} THEN r.written_off_minor ELSE 0 END)`;

/** Joins `pd.cleared`: payments and discounts of each receivable dated up to `last` (a bind parameter). */
const clearedBy = (
  last: string,
) => `LEFT JOIN (SELECT receivable_id, SUM(amount_minor + discount_minor) AS cleared
  FROM payments WHERE paid_on <= ${last} GROUP BY receivable_id) pd ON pd.receivable_id = r.id`;

export interface LimitProposalRow {
  id: string;
  salespersonId: string;
  previousLimitMinor: number | null;
  proposedLimitMinor: number;
  evaluation: string;
  /** A readable line for the actor (`李丽 (li, finance)`); older rows: the name their body gave. */
  proposedBy: string;
  /** The credential that proposed it; null on rows from before actors were recorded. */
  proposedByActor: Actor | null;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedByActor: Actor | null;
  decisionReason: string | null;
}

const PROPOSAL_COLUMNS = `id, salesperson_id AS "salespersonId", previous_limit_minor AS "previousLimitMinor",
  proposed_limit_minor AS "proposedLimitMinor", evaluation, proposed_by AS "proposedBy",
  proposed_by_actor AS "proposedByActor", status, decided_by AS "decidedBy", decided_by_actor AS "decidedByActor",
  decision_reason AS "decisionReason"`;

export interface ReviewRow {
  quarter: string;
  salespersonId: string;
  inputs: Record<string, unknown>;
  proposedActions: string[];
  proposedLimitMinor: number | null;
  reasons: string[];
  status: 'proposed' | 'decided';
  decidedActions: string[] | null;
  decidedLimitMinor: number | null;
  decidedBy: string | null;
  decidedByActor: Actor | null;
  decisionNote: string | null;
}

const REVIEW_COLUMNS = `quarter, salesperson_id AS "salespersonId", inputs, proposed_actions AS "proposedActions",
  proposed_limit_minor AS "proposedLimitMinor", reasons, status, decided_actions AS "decidedActions",
  decided_limit_minor AS "decidedLimitMinor", decided_by AS "decidedBy", decided_by_actor AS "decidedByActor",
  decision_note AS "decisionNote"`;

/** A salesperson as the credit rules see them. */
export interface SalespersonRow {
  id: string;
  name: string;
  email: string;
  region: string;
  phone: string | null;
  creditLimitMinor: number | null;
}

export function createSalespersonQueries(pool: Pool) {
  return {
    async getSalesperson(id: string): Promise<SalespersonRow | undefined> {
      return oneRow<SalespersonRow>(
        pool,
        `SELECT id, name, email, region, phone, credit_limit_minor AS "creditLimitMinor" FROM salespeople WHERE id = $1`,
        [id],
      );
    },

    /** Inserts or overwrites a salesperson with no credit record: for seeding test and local data only. */
    async upsertSalesperson(s: SalespersonRow): Promise<{ created: boolean }> {
      const { rows } = await pool.query<{ created: boolean }>(
        `INSERT INTO salespeople (id, name, email, region, phone, credit_limit_minor) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, region = EXCLUDED.region,
           phone = EXCLUDED.phone, credit_limit_minor = EXCLUDED.credit_limit_minor, updated_at = now()
         RETURNING (xmax = 0) AS created`,
        [s.id, s.name, s.email, s.region, s.phone, s.creditLimitMinor],
      );
      return { created: rows[0]?.created ?? false };
    },

    // The master data operations/master-data.ts keeps (one row per salesperson).

    /** Inserts a new salesperson; false when the id is taken. */
    async insertSalesperson(client: PoolClient, s: SalespersonRecord): Promise<boolean> {
      const inserted = await client.query(
        `INSERT INTO salespeople (id, name, email, region, phone, credit_limit_minor) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO NOTHING`,
        [s.id, s.name, s.email, s.region, s.phone, s.creditLimitMinor],
      );
      return (inserted.rowCount ?? 0) > 0;
    },

    /** A salesperson's profile, locked for the rest of the transaction. */
    async lockSalespersonProfile(client: PoolClient, id: string): Promise<SalespersonProfile | undefined> {
      return oneRow<SalespersonProfile>(
        client,
        `SELECT name, email, region, phone, credit_limit_minor AS "creditLimitMinor" FROM salespeople
         WHERE id = $1 FOR UPDATE`,
        [id],
      );
    },

    /** Sets the given profile fields (camelCase names) on a salesperson. */
    async setSalespersonFields(
      client: PoolClient,
      id: string,
      values: Record<string, unknown>,
    ): Promise<void> {
      await setColumns(client, 'salespeople', SALESPERSON_COLUMN, id, values);
    },

    /**
     * The month's figures per salesperson (all, or only `ids`). `discountDays`: a receivable whose term was
     * longer had the cash discount offered (as did any that took one).
     */
    async monthFigures(
      first: string,
      last: string,
      discountDays: number,
      ids: string[] | null,
    ): Promise<MonthFigures[]> {
      const offered = `(r.discount_minor > 0 OR ($3::int > 0 AND r.approved_term_days > $3::int))`;
      const { rows } = await pool.query<MonthFigures>(
        `SELECT s.id AS "salespersonId", s.name AS "salespersonName", s.email,
           ${cappedSql(`COALESCE(SUM(${outstandingAtEnd('$2')}) FILTER (WHERE r.issue_date <= $2), 0)`)} AS "receivablesMinor",
           ${cappedSql(`COALESCE(SUM(r.approved_minor) FILTER (WHERE r.issue_date BETWEEN $1 AND $2), 0)`)} AS "creditSalesMinor",
           ${cappedSql(`COALESCE(SUM(r.approved_minor) FILTER (WHERE r.due_date BETWEEN $1 AND $2), 0)`)} AS "contractAmountMinor",
           ${cappedSql(`COALESCE(SUM(r.written_off_minor) FILTER (WHERE r.stage = 'written-off' AND r.settled_on BETWEEN $1 AND $2), 0)`)} AS "badDebtsMinor",
           ${cappedSql(`COALESCE(SUM(r.approved_minor) FILTER (WHERE r.stage = 'paid' AND r.settled_on BETWEEN $1 AND $2 AND ${offered}), 0)`)} AS "discountOfferedMinor",
           ${cappedSql(`COALESCE(SUM(r.approved_minor) FILTER (WHERE r.stage = 'paid' AND r.settled_on BETWEEN $1 AND $2 AND r.discount_minor > 0), 0)`)} AS "paidWithDiscountMinor",
           ${cappedSql(`COALESCE((SELECT SUM(p.amount_minor) FROM payments p JOIN receivables r2 ON r2.id = p.receivable_id
              WHERE r2.salesperson_id = s.id AND p.paid_on BETWEEN $1 AND $2), 0)`)} AS "collectedMinor"
         FROM salespeople s
         LEFT JOIN receivables r ON r.salesperson_id = s.id AND r.approved_minor IS NOT NULL AND r.issue_date IS NOT NULL
         ${clearedBy('$2')}
         WHERE ($4::text[] IS NULL OR s.id = ANY($4))
         GROUP BY s.id ORDER BY s.id`,
        [first, last, discountDays, ids],
      );
      return rows;
    },

    /** The whole company's receivables outstanding at the month's last day. */
    async companyReceivables(last: string): Promise<number> {
      const { rows } = await pool.query<{ total: number }>(
        `SELECT ${cappedSql(`COALESCE(SUM(${outstandingAtEnd('$1')}), 0)`)} AS total
         FROM receivables r ${clearedBy('$1')}
         WHERE r.approved_minor IS NOT NULL AND r.issue_date IS NOT NULL AND r.issue_date <= $1`,
        [last],
      );
      return rows[0]?.total ?? 0;
    },

    /** Upserts one row; returns true when it was new or its values changed. */
    async upsertAssessment(
      client: PoolClient,
      month: string,
      row: AssessmentTableRow,
      policyVersion: string,
    ): Promise<boolean> {
      const inputs = {
        salespersonName: row.salespersonName,
        creditSalesMinor: row.creditSalesMinor,
        collectedMinor: row.collectedMinor,
        contractAmountMinor: row.contractAmountMinor,
        badDebtsMinor: row.badDebtsMinor,
        salesMinor: row.salesMinor,
        discountOfferedMinor: row.discountOfferedMinor,
        paidWithDiscountMinor: row.paidWithDiscountMinor,
        companyReceivablesMinor: row.companyReceivablesMinor,
        daysInPeriod: row.daysInPeriod,
      };
      const res = await client.query(
        upsertRow(
          'salesperson_assessments',
          [
            'month',
            'salesperson_id',
            'inputs',
            'metrics',
            'rates',
            'total_rate_bp',
            'receivables_minor',
            'reward_penalty_minor',
            'policy_version',
          ],
          ['month', 'salesperson_id'],
          { touch: 'computed_at', onlyWhenChanged: true },
        ),
        [
          month,
          row.salespersonId,
          JSON.stringify(inputs),
          JSON.stringify(row.metrics),
          JSON.stringify(row.rates),
          row.totalRateBp,
          row.receivablesMinor,
          row.rewardPenaltyMinor,
          policyVersion,
        ],
      );
      return (res.rowCount ?? 0) > 0;
    },

    /** The month's table (all salespeople, or only `ids`), ordered by salesperson id. */
    async assessmentTable(
      month: string,
      ids: string[] | null = null,
    ): Promise<(AssessmentTableRow & { policyVersion: string; computedAt: string })[]> {
      const { rows } = await pool.query(
        `SELECT salesperson_id, inputs, metrics, rates, total_rate_bp, receivables_minor, reward_penalty_minor,
           policy_version, computed_at
         FROM salesperson_assessments WHERE month = $1 AND ($2::text[] IS NULL OR salesperson_id = ANY($2))
         ORDER BY salesperson_id`,
        [month, ids],
      );
      return rows.map((r) => {
        const i = r.inputs as Record<string, unknown>;
        return {
          salespersonId: r.salesperson_id,
          salespersonName: i.salespersonName as string,
          receivablesMinor: Number(r.receivables_minor),
          creditSalesMinor: i.creditSalesMinor as number,
          collectedMinor: i.collectedMinor as number,
          contractAmountMinor: i.contractAmountMinor as number,
          badDebtsMinor: i.badDebtsMinor as number,
          salesMinor: i.salesMinor as number,
          discountOfferedMinor: i.discountOfferedMinor as number,
          paidWithDiscountMinor: i.paidWithDiscountMinor as number,
          companyReceivablesMinor: i.companyReceivablesMinor as number,
          daysInPeriod: i.daysInPeriod as number,
          metrics: r.metrics,
          rates: r.rates,
          totalRateBp: r.total_rate_bp,
          rewardPenaltyMinor: Number(r.reward_penalty_minor),
          policyVersion: r.policy_version,
          computedAt: (r.computed_at as Date).toISOString(),
        };
      });
    },

    /** Sum of the reward/penalty amounts of the months from `firstMonth` to `lastMonth`. */
    async rewardPenaltyBetween(
      salespersonId: string,
      firstMonth: string,
      lastMonth: string,
    ): Promise<number> {
      const { rows } = await pool.query<{ total: number }>(
        `SELECT COALESCE(SUM(reward_penalty_minor), 0)::bigint AS total FROM salesperson_assessments
         WHERE salesperson_id = $1 AND month BETWEEN $2 AND $3`,
        [salespersonId, firstMonth, lastMonth],
      );
      return rows[0]?.total ?? 0;
    },

    /** Outstanding of issued receivables plus pending applications: what the limit is measured against (saturated). */
    async outstanding(salespersonId: string): Promise<number> {
      const { rows } = await pool.query<{ outstanding: number }>(
        `SELECT LEAST(COALESCE(SUM(CASE WHEN stage IN ('applied', 'awaiting-approval', 'manager-review') THEN requested_minor
           ELSE outstanding_minor END), 0), ${MAX_SAFE_MINOR})::bigint AS outstanding
         FROM receivables WHERE salesperson_id = $1 AND stage NOT IN ('rejected', 'paid', 'written-off')`,
        [salespersonId],
      );
      return rows[0]?.outstanding ?? 0;
    },

    /** Credit-record events of a salesperson by type, recorded between two instants. */
    async recordCounts(salespersonId: string, from: string, to: string): Promise<Record<string, number>> {
      const { rows } = await pool.query<{ event_type: string; n: number }>(
        `SELECT event_type, COUNT(*)::int AS n FROM credit_records
         WHERE subject_type = 'salesperson' AND subject_id = $1 AND recorded_at >= $2 AND recorded_at < $3
         GROUP BY event_type`,
        [salespersonId, from, to],
      );
      return Object.fromEntries(rows.map((r) => [r.event_type, r.n]));
    },

    async lockSalesperson(
      client: PoolClient,
      id: string,
    ): Promise<{ creditLimitMinor: number | null } | undefined> {
      return oneRow<{ creditLimitMinor: number | null }>(
        client,
        'SELECT credit_limit_minor AS "creditLimitMinor" FROM salespeople WHERE id = $1 FOR UPDATE',
        [id],
      );
    },

    async setLimit(client: PoolClient, id: string, limitMinor: number): Promise<void> {
      await client.query('UPDATE salespeople SET credit_limit_minor = $2, updated_at = now() WHERE id = $1', [
        id,
        limitMinor,
      ]);
    },

    async insertLimitProposal(
      client: PoolClient,
      p: Omit<
        LimitProposalRow,
        'status' | 'proposedBy' | 'proposedByActor' | 'decidedBy' | 'decidedByActor' | 'decisionReason'
      >,
      proposedBy: Actor,
    ): Promise<void> {
      await client.query(
        `INSERT INTO salesperson_limit_proposals (id, salesperson_id, previous_limit_minor, proposed_limit_minor, evaluation, proposed_by, proposed_by_actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          p.id,
          p.salespersonId,
          p.previousLimitMinor,
          p.proposedLimitMinor,
          p.evaluation,
          ...actorColumns(proposedBy),
        ],
      );
    },

    async lockLimitProposal(
      client: PoolClient,
      salespersonId: string,
      id: string,
    ): Promise<LimitProposalRow | undefined> {
      return oneRow<LimitProposalRow>(
        client,
        `SELECT ${PROPOSAL_COLUMNS} FROM salesperson_limit_proposals WHERE id = $1 AND salesperson_id = $2 FOR UPDATE`,
        [id, salespersonId],
      );
    },

    async decideLimitProposal(
      client: PoolClient,
      id: string,
      d: { status: 'approved' | 'rejected'; decidedBy: Actor; reason: string },
    ): Promise<void> {
      await client.query(
        `UPDATE salesperson_limit_proposals SET status = $2, decided_by = $3, decided_by_actor = $4,
           decision_reason = $5, decided_at = now()
         WHERE id = $1`,
        [id, d.status, ...actorColumns(d.decidedBy), d.reason],
      );
    },

    async getLimitProposal(client: PoolClient, id: string): Promise<LimitProposalRow | undefined> {
      return oneRow<LimitProposalRow>(
        client,
        `SELECT ${PROPOSAL_COLUMNS} FROM salesperson_limit_proposals WHERE id = $1`,
        [id],
      );
    },

    async listLimitProposals(salespersonId: string): Promise<LimitProposalRow[]> {
      const { rows } = await pool.query<LimitProposalRow>(
        `SELECT ${PROPOSAL_COLUMNS} FROM salesperson_limit_proposals WHERE salesperson_id = $1 ORDER BY created_at, id`,
        [salespersonId],
      );
      return rows;
    },

    /** Stores a review proposal; a review already decided is left as it is. */
    async upsertReview(
      db: Pool | PoolClient,
      r: Pick<
        ReviewRow,
        'quarter' | 'salespersonId' | 'inputs' | 'proposedActions' | 'proposedLimitMinor' | 'reasons'
      >,
    ): Promise<void> {
      await db.query(
        upsertRow(
          'salesperson_reviews',
          ['quarter', 'salesperson_id', 'inputs', 'proposed_actions', 'proposed_limit_minor', 'reasons'],
          ['quarter', 'salesperson_id'],
          { touch: 'proposed_at', where: "salesperson_reviews.status = 'proposed'" },
        ),
        [
          r.quarter,
          r.salespersonId,
          JSON.stringify(r.inputs),
          JSON.stringify(r.proposedActions),
          r.proposedLimitMinor,
          JSON.stringify(r.reasons),
        ],
      );
    },

    async getReview(client: PoolClient | Pool, quarter: string, salespersonId: string, lock = false) {
      return oneRow<ReviewRow>(
        client,
        `SELECT ${REVIEW_COLUMNS} FROM salesperson_reviews WHERE quarter = $1 AND salesperson_id = $2${lock ? ' FOR UPDATE' : ''}`,
        [quarter, salespersonId],
      );
    },

    async listReviews(quarter: string, ids: string[] | null): Promise<ReviewRow[]> {
      const { rows } = await pool.query<ReviewRow>(
        `SELECT ${REVIEW_COLUMNS} FROM salesperson_reviews WHERE quarter = $1 AND ($2::text[] IS NULL OR salesperson_id = ANY($2))
         ORDER BY salesperson_id`,
        [quarter, ids],
      );
      return rows;
    },

    async decideReview(
      client: PoolClient,
      quarter: string,
      salespersonId: string,
      d: { actions: string[]; limitMinor: number | null; decidedBy: Actor; note: string },
    ): Promise<void> {
      await client.query(
        `UPDATE salesperson_reviews SET status = 'decided', decided_actions = $3, decided_limit_minor = $4,
           decided_by = $5, decided_by_actor = $6, decision_note = $7, decided_at = now()
         WHERE quarter = $1 AND salesperson_id = $2`,
        [
          quarter,
          salespersonId,
          JSON.stringify(d.actions),
          d.limitMinor,
          ...actorColumns(d.decidedBy),
          d.note,
        ],
      );
    },

    async salespersonIds(ids: string[] | null): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(
        'SELECT id FROM salespeople WHERE ($1::text[] IS NULL OR id = ANY($1)) ORDER BY id',
        [ids],
      );
      return rows.map((r) => r.id);
    },
  };
}

export type SalespersonQueries = ReturnType<typeof createSalespersonQueries>;

type SalespersonRecord = SalespersonProfile & { id: string };

const SALESPERSON_COLUMN: Record<string, string> = {
  name: 'name',
  email: 'email',
  region: 'region',
  phone: 'phone',
  creditLimitMinor: 'credit_limit_minor',
};
