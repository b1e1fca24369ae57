/** The zod building blocks every route shares: ids, money, dates, periods, people, text. */
import { z } from 'zod';
import { isCalendarDate, localDate, outsideDateWindow } from '../domain/calendar.js';
import { MAX_AMOUNT_MINOR } from '../domain/money.js';
import { dateWindow, type Policy } from '../domain/policy.js';
import { isMonth, isQuarter } from '../domain/salesperson-review.js';

export const Id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - only');

/** A positive amount in minor units (fen/cents), at most 10^15 (domain/money.ts). */
export const Minor = z
  .number()
  .int('must be an integer count of minor units')
  .positive()
  .max(MAX_AMOUNT_MINOR, `must be at most ${MAX_AMOUNT_MINOR} minor units`);
/** An amount in minor units that may be zero. */
export const MinorOrZero = z
  .number()
  .int('must be an integer count of minor units')
  .min(0)
  .max(MAX_AMOUNT_MINOR, `must be at most ${MAX_AMOUNT_MINOR} minor units`);

/** The largest PostgreSQL `integer`: row numbers, offsets and counts in a query string stay within it. */
export const PG_INT_MAX = 2_147_483_647;
/** A whole number from the query string, within a PostgreSQL `integer` (a bigger one is a 400, not a SQL error). */
export const QueryInt = (min: number, max = PG_INT_MAX) => z.coerce.number().int().min(min).max(max);

/** The calendar creditflow reckons in: any business date, and every timeline computed from one stays in it. */
export const FIRST_DATE = '1900-01-01';
export const LAST_DATE = '2999-12-31';
// A pattern too (and `format: date`), so the OpenAPI document states the format; the
// refinements then refuse what the pattern lets through (2025-02-30, 0999-01-01).
const DATE_MESSAGE = 'must be a calendar date YYYY-MM-DD';
export const CalendarDate = z
  .string()
  .regex(/^[1-9]\d{3}-\d{2}-\d{2}$/, { message: DATE_MESSAGE, abort: true })
  .refine(isCalendarDate, DATE_MESSAGE)
  .refine(
    (d) => !isCalendarDate(d) || (d >= FIRST_DATE && d <= LAST_DATE),
    `must be a date from ${FIRST_DATE} to ${LAST_DATE}`,
  )
  .meta({ format: 'date' });

/**
 * A date a person enters, also within the policy's window around today (docs/api.md, Limits): `back`
 * bounds how long ago something happened (a payment), `ahead` how far off an agreed date may be
 * (a promise to pay, a new due date). The other side is the business rule's (a payment in the
 * future, a promise already past: 422 from the receivable).
 */
export const DateInWindow = (policy: () => Policy, direction: 'back' | 'ahead') =>
  CalendarDate.superRefine((date, ctx) => {
    if (!isCalendarDate(date) || date < FIRST_DATE || date > LAST_DATE) return; // said once already
    const p = policy();
    const { daysBack, daysAhead } = dateWindow(p);
    const problem = outsideDateWindow(
      date,
      localDate(Date.now(), p.timeZone),
      direction === 'back' ? { daysBack } : { daysAhead },
    );
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const Month = z
  .string()
  .regex(/^[1-9]\d{3}-(0[1-9]|1[0-2])$/, { message: 'must be a month YYYY-MM', abort: true })
  .refine(isMonth, 'must be a month YYYY-MM');
export const Quarter = z
  .string()
  .regex(/^[1-9]\d{3}-Q[1-4]$/, { message: 'must be a quarter YYYY-Qn', abort: true })
  .refine(isQuarter, 'must be a quarter YYYY-Qn');

/** One field per key, each of a fresh `field()` schema: e.g. an integer per metric, per aging bucket. */
export function fieldPerKey<K extends string, S extends z.ZodType>(keys: readonly K[], field: () => S) {
  return Object.fromEntries(keys.map((k) => [k, field()])) as Record<K, S>;
}

/** Who did it, as the person names themself in the record. */
export const Person = z.string().trim().min(1).max(200);
export const Text = z.string().trim().min(1).max(2000);

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

/**
 * The body fields of an act: whom the credential acts for (when keying someone else's decision),
 * and the fields that once named the actor, refused by name.
 */
export function actorBodyFields<K extends string>(...refused: K[]) {
  return { onBehalfOf: OnBehalfOfBody.optional(), ...refusedActorFields(...refused) };
}

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
