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

// Each as a pattern too (and `format: date`), so the OpenAPI document states the format; the
// refinement then refuses what the pattern lets through (2025-02-30). Years are 1000–9999:
// the calendar arithmetic (Date.UTC) reads years 0–99 as 1900–1999.
const DATE_MESSAGE = 'must be a calendar date YYYY-MM-DD';
export const CalendarDate = z
  .string()
  .regex(/^[1-9]\d{3}-\d{2}-\d{2}$/, { message: DATE_MESSAGE, abort: true })
  .refine(isCalendarDate, DATE_MESSAGE)
  .meta({ format: 'date' });
export const Month = z
  .string()
  .regex(/^[1-9]\d{3}-(0[1-9]|1[0-2])$/, { message: 'must be a month YYYY-MM', abort: true })
  .refine(isMonth, 'must be a month YYYY-MM');
export const Quarter = z
  .string()
  .regex(/^[1-9]\d{3}-Q[1-4]$/, { message: 'must be a quarter YYYY-Qn', abort: true })
  .refine(isQuarter, 'must be a quarter YYYY-Qn');

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
 * Who acted is the authenticated credential (domain/actor.ts), never the body. The body
 * fields that once named the actor are refused by name (400), so an old client learns
 * why instead of having its name silently dropped.
 */
export function refusedActorFields<K extends string>(...keys: K[]) {
  const refused = z
    .never({
      error:
        'not accepted: the actor is the authenticated credential (send onBehalfOf to name whom you act for)',
    })
    .optional()
    .describe('Refused: who acted is taken from the credential');
  return Object.fromEntries(keys.map((k) => [k, refused])) as Record<K, typeof refused>;
}

/** A person keying someone else's decision names them here; stored apart, labelled unverified. */
export const OnBehalfOfBody = z
  .strictObject({ name: Person, note: Text.optional() })
  .describe(
    'Whom the credential acts for (e.g. a clerk keying a manager’s paper decision); recorded as unverified',
  );

/** An actor as answers show it: a credential (or, for a process acting by itself, `role: system`). */
export const ActorResponse = z.object({
  credentialId: z.string().nullable(),
  username: z.string(),
  name: z.string(),
  role: z.string(),
  onBehalfOf: z
    .object({ name: z.string(), note: z.string().optional(), verified: z.literal(false) })
    .optional(),
});
