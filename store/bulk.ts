/**
 * Bulk writes and counts for seeding many rows at once — the benchmark's dealers,
 * salespeople and rating figures (one statement per table, generate_series), and the
 * hand-made receivable books the report tests read — so set-up stays out of the
 * figures. Never used by the API or the activities: what they write goes through the
 * table families' own modules, with their credit records.
 */
import { DEFAULT_CONDUCT_INDICATORS, DEFAULT_PERFORMANCE_INDICATORS } from '../domain/rating.js';
import { inTransaction, type Pool } from './db.js';
import type { ReceivableRow } from './receivables.js';

/** A receivable row as the workflow leaves it in PostgreSQL (snapshot columns only). */
export type ReceivableSeedRow = Omit<ReceivableRow, 'workflowId' | 'owner' | 'pausedBy'>;

export function createBulkSeeding(pool: Pool) {
  return {
    /** Dealers `<prefix>-D<i>` (i = 1…count), long-standing, graded `grade` with room for credit. */
    async dealers(prefix: string, count: number, grade = 'AA'): Promise<string[]> {
      await pool.query(
        `INSERT INTO counterparties (id, name, kind, email, language, region, credit_grade, credit_limit_minor, credit_term_days, joined_on)
         SELECT $1 || '-D' || i, 'Bench dealer ' || $1 || '-' || i, 'dealer', lower($1) || '-d' || i || '@dealer.test',
                CASE WHEN i % 2 = 0 THEN 'en' ELSE 'zh-CN' END, 'Hangzhou', $3, 100000000000, 90, DATE '2020-01-15'
         FROM generate_series(1, $2::int) AS i`,
        [prefix, count, grade],
      );
      return Array.from({ length: count }, (_, i) => `${prefix}-D${i + 1}`);
    },

    /** Salespeople `<prefix>-S<i>` without a receivables limit. */
    async salespeople(prefix: string, count: number): Promise<string[]> {
      await pool.query(
        `INSERT INTO salespeople (id, name, email, region, phone, credit_limit_minor)
         SELECT $1 || '-S' || i, 'Bench seller ' || i, lower($1) || '-s' || i || '@company.test', 'Shanghai', '+86 21 5555 0000', NULL
         FROM generate_series(1, $2::int) AS i`,
        [prefix, count],
      );
      return Array.from({ length: count }, (_, i) => `${prefix}-S${i + 1}`);
    },

    /**
     * A quarter's complete figures for each dealer: every performance score in each of its
     * months, the conduct scores and the sales, submitted by `submittedBy`. Values are
     * spread by a hash of dealer, period and indicator (scores 2–5, counts 0–3), so the
     * dealers land on every grade.
     */
    async ratingFigures(
      dealerIds: string[],
      quarter: string,
      months: readonly string[],
      submittedBy = 'bench',
    ): Promise<void> {
      const perf = DEFAULT_PERFORMANCE_INDICATORS;
      const conduct = DEFAULT_CONDUCT_INDICATORS;
      const value = (measure: string) =>
        `CASE WHEN x.measure = 'score' THEN 2 + abs(hashtext(d || p || x.k)) % 4 ELSE abs(hashtext(d || p || x.k)) % ${measure} END`;
      await pool.query(
        `INSERT INTO dealer_performance_scores (dealer_id, month, indicator, value, department, submitted_by)
         SELECT d, p, x.k, ${value('4')}, x.dept, $6
         FROM unnest($1::text[]) AS d, unnest($2::text[]) AS p,
              unnest($3::text[], $4::text[], $5::text[]) AS x(k, dept, measure)`,
        [
          dealerIds,
          months,
          perf.map((i) => i.key),
          perf.map((i) => i.owner),
          perf.map((i) => i.measure),
          submittedBy,
        ],
      );
      await pool.query(
        `INSERT INTO dealer_conduct_scores (dealer_id, quarter, indicator, value, department, submitted_by)
         SELECT d, p, x.k, ${value('3')}, x.dept, $6
         FROM unnest($1::text[]) AS d, unnest(ARRAY[$2::text]) AS p,
              unnest($3::text[], $4::text[], $5::text[]) AS x(k, dept, measure)`,
        [
          dealerIds,
          quarter,
          conduct.map((i) => i.key),
          conduct.map((i) => i.owner),
          conduct.map((i) => i.measure),
          submittedBy,
        ],
      );
      await pool.query(
        `INSERT INTO dealer_quarterly_sales (dealer_id, quarter, sales_minor, department, submitted_by)
         SELECT d, $2, 100000000 + abs(hashtext(d)) % 900000000, 'finance', $3 FROM unnest($1::text[]) AS d`,
        [dealerIds, quarter, submittedBy],
      );
    },

    /** Receivables written as their workflows would have left them (no workflow runs them), in one transaction. */
    async receivables(rows: readonly ReceivableSeedRow[]): Promise<void> {
      await inTransaction(pool, async (client) => {
        for (const r of rows)
          await client.query(
            `INSERT INTO receivables (id, workflow_id, counterparty_id, salesperson_id, currency, requested_minor,
               requested_term_days, approved_minor, approved_term_days, issue_date, due_date, stage, outstanding_minor,
               paid_minor, discount_minor, written_off_minor, settled_on, policy_version)
             VALUES ($1, 'receivable:' || $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
            [
              r.id,
              r.counterpartyId,
              r.salespersonId,
              r.currency,
              r.requestedMinor,
              r.requestedTermDays,
              r.approvedMinor,
              r.approvedTermDays,
              r.issueDate,
              r.dueDate,
              r.stage,
              r.outstandingMinor,
              r.paidMinor,
              r.discountMinor,
              r.writtenOffMinor,
              r.settledOn,
              r.policyVersion,
            ],
          );
      });
    },

    /** How many receivables whose id starts with `prefix` stand at `stage` (their snapshot). */
    async receivablesAtStage(prefix: string, stage: string): Promise<number> {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM receivables WHERE id LIKE $1 AND stage = $2',
        [`${prefix}%`, stage],
      );
      return rows[0]?.n ?? 0;
    },

    /** How many effects whose key matches the LIKE pattern `keyPattern` are done. */
    async effectsDone(keyPattern: string): Promise<number> {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM effects WHERE key LIKE $1 AND status = 'done'`,
        [keyPattern],
      );
      return rows[0]?.n ?? 0;
    },

    /** Checkpoints PostgreSQL has completed so far (pg_stat_checkpointer from 17, pg_stat_bgwriter before). */
    async checkpoints(): Promise<number> {
      const sum = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
      return sum('SELECT num_timed + num_requested AS n FROM pg_stat_checkpointer').catch(() =>
        sum('SELECT checkpoints_timed + checkpoints_req AS n FROM pg_stat_bgwriter').catch(() => Number.NaN),
      );
    },

    /** What PostgreSQL's autovacuum is doing now ("VACUUM public.effects"), if anything. */
    async autovacuum(): Promise<string[]> {
      const { rows } = await pool
        .query<{ q: string }>(
          `SELECT regexp_replace(query, '^autovacuum: ', '') AS q FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND query <> ''`,
        )
        .catch(() => ({ rows: [] as { q: string }[] }));
      return rows.map((r) => r.q);
    },
  };
}

export type BulkSeeding = ReturnType<typeof createBulkSeeding>;
