/** Bulk seeding in PostgreSQL (one statement per table, generate_series), so setup stays out of the figures. */
import type { Pool } from 'pg';
import { DEFAULT_CONDUCT_INDICATORS, DEFAULT_PERFORMANCE_INDICATORS } from '../domain/rating.js';

/** Dealers `<prefix>-D<i>` (i = 1…count), long-standing, grade AA with room for credit. */
export async function seedDealers(
  pool: Pool,
  prefix: string,
  count: number,
  grade = 'AA',
): Promise<string[]> {
  await pool.query(
    `INSERT INTO counterparties (id, name, kind, email, language, region, credit_grade, credit_limit_minor, credit_term_days, joined_on)
     SELECT $1 || '-D' || i, 'Bench dealer ' || $1 || '-' || i, 'dealer', lower($1) || '-d' || i || '@dealer.test',
            CASE WHEN i % 2 = 0 THEN 'en' ELSE 'zh-CN' END, 'Hangzhou', $3, 100000000000, 90, DATE '2020-01-15'
     FROM generate_series(1, $2::int) AS i`,
    [prefix, count, grade],
  );
  return Array.from({ length: count }, (_, i) => `${prefix}-D${i + 1}`);
}

/** Salespeople `<prefix>-S<i>` without a receivables limit (no early warnings mixed into the figures). */
export async function seedSalespeople(pool: Pool, prefix: string, count: number): Promise<string[]> {
  await pool.query(
    `INSERT INTO salespeople (id, name, email, region, phone, credit_limit_minor)
     SELECT $1 || '-S' || i, 'Bench seller ' || i, lower($1) || '-s' || i || '@company.test', 'Shanghai', '+86 21 5555 0000', NULL
     FROM generate_series(1, $2::int) AS i`,
    [prefix, count],
  );
  return Array.from({ length: count }, (_, i) => `${prefix}-S${i + 1}`);
}

/**
 * A quarter's complete figures for each dealer: 12 performance scores in each of its
 * three months, the 8 conduct scores and the sales. Values are spread by a hash of
 * dealer, period and indicator, so the dealers land on every grade.
 */
export async function seedRatingFigures(
  pool: Pool,
  dealerIds: string[],
  quarter: string,
  months: readonly string[],
): Promise<void> {
  const perf = DEFAULT_PERFORMANCE_INDICATORS;
  const conduct = DEFAULT_CONDUCT_INDICATORS;
  // Scores 2–5 mostly (so grades spread over A/B/C), counts 0–3.
  const value = (measure: string) =>
    `CASE WHEN x.measure = 'score' THEN 2 + abs(hashtext(d || p || x.k)) % 4 ELSE abs(hashtext(d || p || x.k)) % ${measure} END`;
  await pool.query(
    `INSERT INTO dealer_performance_scores (dealer_id, month, indicator, value, department, submitted_by)
     SELECT d, p, x.k, ${value('4')}, x.dept, 'bench'
     FROM unnest($1::text[]) AS d, unnest($2::text[]) AS p,
          unnest($3::text[], $4::text[], $5::text[]) AS x(k, dept, measure)`,
    [dealerIds, months, perf.map((i) => i.key), perf.map((i) => i.owner), perf.map((i) => i.measure)],
  );
  await pool.query(
    `INSERT INTO dealer_conduct_scores (dealer_id, quarter, indicator, value, department, submitted_by)
     SELECT d, p, x.k, ${value('3')}, x.dept, 'bench'
     FROM unnest($1::text[]) AS d, unnest(ARRAY[$2::text]) AS p,
          unnest($3::text[], $4::text[], $5::text[]) AS x(k, dept, measure)`,
    [
      dealerIds,
      quarter,
      conduct.map((i) => i.key),
      conduct.map((i) => i.owner),
      conduct.map((i) => i.measure),
    ],
  );
  await pool.query(
    `INSERT INTO dealer_quarterly_sales (dealer_id, quarter, sales_minor, department, submitted_by)
     SELECT d, $2, 100000000 + abs(hashtext(d)) % 900000000, 'finance', 'bench' FROM unnest($1::text[]) AS d`,
    [dealerIds, quarter],
  );
}
