/**
 * Bulk seeding through the data layer (store/bulk.ts: one statement per table,
 * generate_series), so setup stays out of the figures.
 */
import { createBulkSeeding } from '../store/bulk.js';
import type { Pool } from '../store/db.js';

/** Dealers `<prefix>-D<i>` (i = 1…count), long-standing, grade AA with room for credit. */
export const seedDealers = (pool: Pool, prefix: string, count: number, grade = 'AA'): Promise<string[]> =>
  createBulkSeeding(pool).dealers(prefix, count, grade);

/** Salespeople `<prefix>-S<i>` without a receivables limit (no early warnings mixed into the figures). */
export const seedSalespeople = (pool: Pool, prefix: string, count: number): Promise<string[]> =>
  createBulkSeeding(pool).salespeople(prefix, count);

/**
 * A quarter's complete figures for each dealer: 12 performance scores in each of its
 * three months, the 8 conduct scores and the sales, spread so the dealers land on every grade.
 */
export const seedRatingFigures = (
  pool: Pool,
  dealerIds: string[],
  quarter: string,
  months: readonly string[],
): Promise<void> => createBulkSeeding(pool).ratingFigures(dealerIds, quarter, months);
