/**
 * How big money may get (docs/api.md, "Money"). Every amount is an integer of minor units (fen, cents);
 * one amount a person enters is at most MAX_AMOUNT_MINOR, so sums of many stay exact in PostgreSQL's
 * bigint. A figure the API answers is a JSON number, exact only up to 2^53 − 1: a sum that would go
 * beyond is answered as MAX_FIGURE_MINOR (saturated), never as a wrong number or an error.
 */

/** The largest single amount: 10^15 minor units (¥10 trillion). */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000;

/** The largest figure answered (2^53 − 1, at least nine of the largest amounts): sums stop here. */
export const MAX_FIGURE_MINOR = Number.MAX_SAFE_INTEGER;

/** a + b, saturated at MAX_FIGURE_MINOR (both non-negative and at most MAX_FIGURE_MINOR). */
export function addMinor(a: number, b: number): number {
  return Math.min(a + b, MAX_FIGURE_MINOR);
}

/** A SQL sum expression of money, saturated at MAX_FIGURE_MINOR (PostgreSQL sums bigint exactly, as numeric). */
export const cappedSql = (sum: string) => `LEAST(${sum}, ${MAX_FIGURE_MINOR})::bigint`;
