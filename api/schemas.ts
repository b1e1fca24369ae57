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
