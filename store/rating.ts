/** SQL of the dealer rating cycles (docs/domain.md §2): submitted scores and sales, monthly and quarterly results. */
import type { Pool, PoolClient } from 'pg';
import type { Actor, SystemActor } from '../domain/actor.js';
import type { CreditGrade, IndicatorValues } from '../domain/rating.js';
import { actorColumns, onConflictUpdate, oneRow, upsertRow, upsertRows } from './sql.js';

export interface DealerRow {
  id: string;
  name: string;
  kind: 'dealer' | 'customer';
  email: string;
  /** A language tag ('zh-CN', 'en', or one the company added templates for). */
  language: string;
  joinedOn: string;
  creditGrade: string | null;
  creditLimitMinor: number;
  creditTermDays: number | null;
}

export interface QuarterlyRatingRow {
  quarter: string;
  dealerId: string;
  monthlyTotals: number[];
  conductTotal: number;
  salesMinor: number;
  performanceGrade: string;
  conductGrade: string;
  grade: CreditGrade;
  previousGrade: CreditGrade | null;
  creditLimitMinor: number;
  creditTermDays: number;
  eligible: boolean;
  eligibilityReason: string | null;
  managerDecisionRequired: boolean;
  decision: string | null;
  decidedBy: string | null;
  /** The credential (or, at the deadline, the policy) that decided; null on rows from before actors. */
  decidedByActor: Actor | SystemActor | null;
  decisionReason: string | null;
  decidedByDefault: boolean | null;
  digest: string;
  policyVersion: string;
}

const DEALER_COLUMNS = `id, name, kind, email, language, joined_on AS "joinedOn", credit_grade AS "creditGrade",
  credit_limit_minor AS "creditLimitMinor", credit_term_days AS "creditTermDays"`;

const RATING_COLUMNS = `quarter, dealer_id AS "dealerId", monthly_totals AS "monthlyTotals", conduct_total AS "conductTotal",
  sales_minor AS "salesMinor", performance_grade AS "performanceGrade", conduct_grade AS "conductGrade", grade,
  previous_grade AS "previousGrade", credit_limit_minor AS "creditLimitMinor", credit_term_days AS "creditTermDays",
  eligible, eligibility_reason AS "eligibilityReason", manager_decision_required AS "managerDecisionRequired",
  decision, decided_by AS "decidedBy", decided_by_actor AS "decidedByActor", decision_reason AS "decisionReason", decided_by_default AS "decidedByDefault",
  digest, policy_version AS "policyVersion"`;

type Db = Pool | PoolClient;

/** A quarterly result's columns, in the order upsertQuarterlyRatings binds them. */
const QUARTERLY_RATING_COLUMNS = [
  'quarter',
  'dealer_id',
  'monthly_totals',
  'conduct_total',
  'sales_minor',
  'performance_grade',
  'conduct_grade',
  'grade',
  'previous_grade',
  'credit_limit_minor',
  'credit_term_days',
  'eligible',
  'eligibility_reason',
  'manager_decision_required',
  'digest',
  'policy_version',
] as const;

/** 16 values a row: 500 rows stay far under PostgreSQL's 65,535 parameters a statement. */
const RATINGS_PER_STATEMENT = 500;

/** Who submitted a department's figures. */
const SUBMISSION_COLUMNS = ['department', 'submitted_by', 'submitted_by_actor'] as const;

interface ScoreSubmission {
  dealerId: string;
  department: string;
  submittedBy: Actor;
  values: IndicatorValues;
}

async function upsertScores(
  db: Db,
  table: 'dealer_performance_scores' | 'dealer_conduct_scores',
  periodColumn: 'month' | 'quarter',
  period: string,
  s: ScoreSubmission,
): Promise<void> {
  const entries = Object.entries(s.values);
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO ${table} (dealer_id, ${periodColumn}, indicator, value, department, submitted_by, submitted_by_actor)
     SELECT $1, $2, k, v, $3, $4, $5 FROM unnest($6::text[], $7::int[]) AS t(k, v)
     ${onConflictUpdate(table, ['dealer_id', periodColumn, 'indicator'], ['value', ...SUBMISSION_COLUMNS], { touch: 'submitted_at' })}`,
    [
      s.dealerId,
      period,
      s.department,
      ...actorColumns(s.submittedBy),
      entries.map(([k]) => k),
      entries.map(([, v]) => v),
    ],
  );
}

export function createRatingQueries(pool: Pool) {
  /** Values by dealer, then period, then indicator key. */
  const nest = (rows: { dealerId: string; period: string; indicator: string; value: number }[]) => {
    const out = new Map<string, Record<string, Record<string, number>>>();
    for (const r of rows) {
      const byPeriod = out.get(r.dealerId) ?? {};
      byPeriod[r.period] = { ...byPeriod[r.period], [r.indicator]: r.value };
      out.set(r.dealerId, byPeriod);
    }
    return out;
  };

  return {
    async getDealer(id: string): Promise<DealerRow | undefined> {
      return oneRow<DealerRow>(pool, `SELECT ${DEALER_COLUMNS} FROM counterparties WHERE id = $1`, [id]);
    },

    async dealers(ids: string[]): Promise<DealerRow[]> {
      const { rows } = await pool.query<DealerRow>(
        `SELECT ${DEALER_COLUMNS} FROM counterparties WHERE id = ANY($1) AND kind = 'dealer' ORDER BY id`,
        [ids],
      );
      return rows;
    },

    /** Dealers who had joined by `lastDay`, in id order; only `ids` when given. */
    async dealerIdsJoinedBy(lastDay: string, ids: string[] | null): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM counterparties WHERE kind = 'dealer' AND joined_on <= $1 AND ($2::text[] IS NULL OR id = ANY($2))
         ORDER BY id`,
        [lastDay, ids],
      );
      return rows.map((r) => r.id);
    },

    /** Stores a department's scores for a month (performance) or quarter (conduct), in one statement. */
    async upsertPerformanceScores(db: Db, s: ScoreSubmission & { month: string }): Promise<void> {
      await upsertScores(db, 'dealer_performance_scores', 'month', s.month, s);
    },

    async upsertConductScores(db: Db, s: ScoreSubmission & { quarter: string }): Promise<void> {
      await upsertScores(db, 'dealer_conduct_scores', 'quarter', s.quarter, s);
    },

    async upsertSales(
      db: Db,
      s: { dealerId: string; quarter: string; salesMinor: number; department: string; submittedBy: Actor },
    ): Promise<void> {
      await db.query(
        upsertRow(
          'dealer_quarterly_sales',
          ['dealer_id', 'quarter', 'sales_minor', ...SUBMISSION_COLUMNS],
          ['dealer_id', 'quarter'],
          { touch: 'submitted_at' },
        ),
        [s.dealerId, s.quarter, s.salesMinor, s.department, ...actorColumns(s.submittedBy)],
      );
    },

    /** Performance values per dealer and month ('YYYY-MM'). */
    async performanceValues(ids: string[], months: string[]) {
      const { rows } = await pool.query(
        `SELECT dealer_id AS "dealerId", month AS period, indicator, value FROM dealer_performance_scores
         WHERE dealer_id = ANY($1) AND month = ANY($2)`,
        [ids, months],
      );
      return nest(rows);
    },

    /** Dealers with any performance score in `month`; only `ids` when given. */
    async dealersScoredIn(month: string, ids: string[] | null): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT DISTINCT s.dealer_id AS id FROM dealer_performance_scores s JOIN counterparties c ON c.id = s.dealer_id
         WHERE s.month = $1 AND c.kind = 'dealer' AND ($2::text[] IS NULL OR s.dealer_id = ANY($2)) ORDER BY 1`,
        [month, ids],
      );
      return rows.map((r) => r.id);
    },

    async conductValues(ids: string[], quarter: string) {
      const { rows } = await pool.query(
        `SELECT dealer_id AS "dealerId", quarter AS period, indicator, value FROM dealer_conduct_scores
         WHERE dealer_id = ANY($1) AND quarter = $2`,
        [ids, quarter],
      );
      return nest(rows);
    },

    async sales(ids: string[], quarter: string): Promise<Map<string, number>> {
      const { rows } = await pool.query<{ dealerId: string; salesMinor: number }>(
        `SELECT dealer_id AS "dealerId", sales_minor AS "salesMinor" FROM dealer_quarterly_sales
         WHERE dealer_id = ANY($1) AND quarter = $2`,
        [ids, quarter],
      );
      return new Map(rows.map((r) => [r.dealerId, r.salesMinor]));
    },

    async ratingGrades(ids: string[], quarter: string): Promise<Map<string, CreditGrade>> {
      const { rows } = await pool.query<{ dealerId: string; grade: CreditGrade }>(
        `SELECT dealer_id AS "dealerId", grade FROM dealer_quarterly_ratings WHERE dealer_id = ANY($1) AND quarter = $2`,
        [ids, quarter],
      );
      return new Map(rows.map((r) => [r.dealerId, r.grade]));
    },

    /** Upserts a month's result; returns whether the row is new or its figures changed. */
    async upsertMonthlyPerformance(r: {
      month: string;
      dealerId: string;
      scores: Record<string, number>;
      total: number;
      grade: string;
      policyVersion: string;
    }): Promise<boolean> {
      // A new policy version alone is no change: only the figures count.
      const res = await pool.query(
        upsertRow(
          'dealer_monthly_performance',
          ['month', 'dealer_id', 'scores', 'total', 'grade', 'policy_version'],
          ['month', 'dealer_id'],
          { touch: 'computed_at', onlyWhenChanged: ['scores', 'total', 'grade'] },
        ),
        [r.month, r.dealerId, JSON.stringify(r.scores), r.total, r.grade, r.policyVersion],
      );
      return (res.rowCount ?? 0) > 0;
    },

    async monthlyPerformance(month: string, dealerId: string) {
      return oneRow<{ total: number; grade: string; scores: Record<string, number> }>(
        pool,
        'SELECT total, grade, scores FROM dealer_monthly_performance WHERE month = $1 AND dealer_id = $2',
        [month, dealerId],
      );
    },

    async lockDealer(client: PoolClient, id: string): Promise<DealerRow | undefined> {
      return oneRow<DealerRow>(
        client,
        `SELECT ${DEALER_COLUMNS} FROM counterparties WHERE id = $1 FOR UPDATE`,
        [id],
      );
    },

    /** Sets grade, limit and term on each dealer given, in one statement. */
    async setCreditProfiles(
      client: PoolClient,
      profiles: readonly { id: string; grade: string; creditLimitMinor: number; creditTermDays: number }[],
    ): Promise<void> {
      if (!profiles.length) return;
      await client.query(
        `UPDATE counterparties AS c
         SET credit_grade = p.grade, credit_limit_minor = p.credit_limit_minor, credit_term_days = p.credit_term_days,
             updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::integer[]) AS p(id, grade, credit_limit_minor, credit_term_days)
         WHERE c.id = p.id`,
        [
          profiles.map((p) => p.id),
          profiles.map((p) => p.grade),
          profiles.map((p) => p.creditLimitMinor),
          profiles.map((p) => p.creditTermDays),
        ],
      );
    },

    /** Writes a batch's quarterly results, a few hundred rows a statement; a recorded decision is kept. */
    async upsertQuarterlyRatings(
      client: PoolClient,
      results: readonly Omit<
        QuarterlyRatingRow,
        'decision' | 'decidedBy' | 'decidedByActor' | 'decisionReason' | 'decidedByDefault'
      >[],
    ): Promise<void> {
      for (let i = 0; i < results.length; i += RATINGS_PER_STATEMENT) {
        const part = results.slice(i, i + RATINGS_PER_STATEMENT);
        await client.query(
          upsertRows(
            'dealer_quarterly_ratings',
            QUARTERLY_RATING_COLUMNS,
            ['quarter', 'dealer_id'],
            part.length,
            {
              touch: 'computed_at',
            },
          ),
          part.flatMap((r) => [
            r.quarter,
            r.dealerId,
            JSON.stringify(r.monthlyTotals),
            r.conductTotal,
            r.salesMinor,
            r.performanceGrade,
            r.conductGrade,
            r.grade,
            r.previousGrade,
            r.creditLimitMinor,
            r.creditTermDays,
            r.eligible,
            r.eligibilityReason,
            r.managerDecisionRequired,
            r.digest,
            r.policyVersion,
          ]),
        );
      }
    },

    /** The recorded decision (or null) on each of these dealers' quarterly results. */
    async quarterlyDecisions(
      db: Db,
      quarter: string,
      dealerIds: readonly string[],
    ): Promise<Map<string, string | null>> {
      if (!dealerIds.length) return new Map();
      const { rows } = await db.query<{ dealerId: string; decision: string | null }>(
        'SELECT dealer_id AS "dealerId", decision FROM dealer_quarterly_ratings WHERE quarter = $1 AND dealer_id = ANY($2)',
        [quarter, dealerIds],
      );
      return new Map(rows.map((r) => [r.dealerId, r.decision]));
    },

    async getQuarterlyRating(
      db: Db,
      quarter: string,
      dealerId: string,
    ): Promise<QuarterlyRatingRow | undefined> {
      return oneRow<QuarterlyRatingRow>(
        db,
        `SELECT ${RATING_COLUMNS} FROM dealer_quarterly_ratings WHERE quarter = $1 AND dealer_id = $2`,
        [quarter, dealerId],
      );
    },

    /** Records the decision once; returns false when one was already recorded. */
    async recordDecision(
      client: PoolClient,
      d: {
        quarter: string;
        dealerId: string;
        decision: string;
        decidedBy: string;
        /** Absent only for a decision made before actors were recorded. */
        actor?: Actor | SystemActor;
        reason: string;
        byDefault: boolean;
      },
    ): Promise<boolean> {
      const res = await client.query(
        `UPDATE dealer_quarterly_ratings SET decision = $3, decided_by = $4, decided_by_actor = $5,
           decision_reason = $6, decided_by_default = $7, decided_at = now()
         WHERE quarter = $1 AND dealer_id = $2 AND decision IS NULL`,
        [
          d.quarter,
          d.dealerId,
          d.decision,
          d.decidedBy,
          d.actor ? JSON.stringify(d.actor) : null,
          d.reason,
          d.byDefault,
        ],
      );
      return (res.rowCount ?? 0) > 0;
    },
  };
}

export type RatingQueries = ReturnType<typeof createRatingQueries>;
