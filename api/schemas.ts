/** The zod building blocks every route shares: ids, money, dates, periods, people, text. */
import { z } from 'zod';
import { isCalendarDate } from '../domain/calendar.js';
import { isMonth, isQuarter } from '../domain/salesperson-review.js';

export const Id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - only');

/** A positive amount in minor units (fen/cents). */
export const Minor = z
  .number()
  .int('must be an integer count of minor units')
  .positive()
  .max(Number.MAX_SAFE_INTEGER);
/** An amount in minor units that may be zero. */
export const MinorOrZero = z
  .number()
  .int('must be an integer count of minor units')
  .min(0)
  .max(Number.MAX_SAFE_INTEGER);

export const CalendarDate = z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD');
export const Month = z.string().refine(isMonth, 'must be a month YYYY-MM');
export const Quarter = z.string().refine(isQuarter, 'must be a quarter YYYY-Qn');

/** Who did it, as the person names themself in the record. */
export const Person = z.string().trim().min(1).max(200);
export const Text = z.string().trim().min(1).max(2000);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first text PostgreSQL cannot store — a NUL character, or a lone UTF-16
 * surrogate (no UTF-8 form: jsonb refuses it, text columns would keep U+FFFD) — in a value or
 * its keys; null when there is none. Checked before any schema, so every route refuses it as 400.
 */
export function unstorableText(value: unknown, path: string[] = []): string[] | null {
  const bad = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);
  if (typeof value === 'string') return bad(value) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const found = bad(k) ? [...path, k] : unstorableText(v, [...path, k]);
    if (found) return found;
  }
  return null;
}

/**
 * A body field that once named the actor (`decidedBy`, `recordedBy`…). The actor is the
 * authenticated credential now; zod would drop the field silently, so it is refused with
 * a 400 naming it, and a client still sending it learns why.
 */
export const RefusedActorField = (field: string) =>
  z
    .never({
      error:
        'is not accepted: the actor is the authenticated credential (to note a person you act for, send onBehalfOf)',
    })
    .optional()
    .describe(`Refused: the actor is the authenticated credential, not ${field}`);

/** Someone the caller acts for (a clerk keying a manager's paper decision): stored apart, labelled unverified. */
export const OnBehalfOfBody = z
  .strictObject({
    name: Person.describe('The person the caller acts for'),
    note: Text.optional().describe('e.g. "paper decision of 3 March, ref. 17"'),
  })
  .optional()
  .describe(
    'Whom the caller acts for. Recorded beside the actor (the credential) as unverified: creditflow cannot prove it',
  );
