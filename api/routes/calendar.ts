/**
 * The working-day calendar the policy owns (docs/calendar.md): a year's public holidays and
 * make-up working days (调休) from China's official calendar and the company's own entries,
 * and the company's entries set and removed one day at a time. Each change is a new policy
 * version, stored through the policy store with the admin's credential, like PUT /v1/policy.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type CalendarDate, localDate } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import {
  type CalendarPolicy,
  calendarOf,
  calendarWarnings,
  exceptionalDays,
  hasHolidayData,
  withEntry,
  withoutEntry,
  yearsWithHolidayData,
  yearWarning,
} from '../../domain/working-days.js';
import type { PolicyStore } from '../../infra/policy.js';
import { workingCalendar } from '../../infra/working-days.js';
import { OperationRefused } from '../../operations/refused.js';
import { actorOf, authenticated } from '../auth.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { ROLES } from '../roles.js';
import { CalendarDate as CalendarDateParam } from '../schemas.js';

const Year = z.coerce
  .number()
  .int('must be a whole year')
  .min(1900)
  .max(2999)
  .describe('The year (YYYY); this year in the company time zone when absent');

const DayParam = z.object({ date: CalendarDateParam.describe('The day, YYYY-MM-DD') });

const Day = z.object({
  date: z.string(),
  kind: z
    .enum(['holiday', 'workday'])
    .describe('holiday: a weekday off; workday: a weekend day worked (调休)'),
  source: z.enum(['registry', 'company']).describe("China's official calendar, or the company's own entry"),
  name: z.string(),
});

const CalendarYear = z.object({
  year: z.number().int(),
  registry: z.enum(['CN', 'none']),
  nonWorkingDay: z.enum(['next', 'previous', 'as-is']),
  hasHolidayData: z.boolean(),
  yearsWithHolidayData: z
    .array(z.number().int())
    .describe("Every year with holiday data: the registry's and those with a company entry"),
  warning: z.string().optional().describe('Present when the year has no holiday data: weekends only'),
  days: z
    .array(Day)
    .describe("The year's non-working weekdays and make-up working days, and the company's entries"),
  policyVersion: z.string(),
});

const EntryBody = z.object({
  kind: z
    .enum(['holiday', 'workday'])
    .describe('holiday: the company does not work that day; workday: it does'),
  name: z.string().trim().min(1).max(100).describe('What the day is, e.g. 国庆节 2027 or Stock-taking'),
});

/** The calendar of `policy` for `year`, as GET /v1/calendar answers it. */
export function calendarYear(policy: Policy, year: number): z.infer<typeof CalendarYear> {
  const calendar = calendarOf(policy);
  const cal = workingCalendar(calendar);
  const warning = yearWarning(cal, year);
  return {
    year,
    registry: calendar.registry,
    nonWorkingDay: calendar.nonWorkingDay,
    hasHolidayData: hasHolidayData(cal, year),
    yearsWithHolidayData: yearsWithHolidayData(cal),
    ...(warning ? { warning } : {}),
    days: exceptionalDays(cal, year),
    policyVersion: policy.version,
  };
}

/** Warnings for this year and next (a year without holiday data), for /health and the policy view. */
export function policyCalendarWarnings(policy: Policy, now = Date.now()): string[] {
  return calendarWarnings(workingCalendar(calendarOf(policy)), localDate(now, policy.timeZone));
}

/** A version name for the policy with its calendar changed: the version it came from, marked. */
function calendarVersion(from: string): string {
  const root = from.split('+calendar-')[0]?.slice(0, 40) ?? 'policy';
  return `${root}+calendar-${randomUUID().slice(0, 8)}`;
}

export function calendarRoutes(deps: { store: PolicyStore; now?: () => number }): AnyRoute[] {
  const now = deps.now ?? Date.now;

  /** Stores the policy in force with its calendar changed, as a new version by `actor`. */
  const change = async (
    principal: Parameters<typeof authenticated>[0],
    edit: (calendar: CalendarPolicy) => CalendarPolicy,
    date: CalendarDate,
  ) => {
    const current = await deps.store.refresh();
    const next = {
      ...current,
      version: calendarVersion(current.version),
      calendar: edit(calendarOf(current)),
    };
    const stored = await deps.store.replace(next, actorOf(authenticated(principal)));
    return calendarYear(stored, Number(date.slice(0, 4)));
  };

  return [
    defineRoute({
      method: 'GET',
      path: '/v1/calendar',
      summary:
        "A year's working-day calendar: public holidays, make-up working days (调休), the company's entries",
      tag: 'policy',
      roles: ROLES,
      query: z.object({ year: Year.optional() }),
      response: CalendarYear,
      handler: async ({ query }) => {
        const policy = deps.store.current();
        return calendarYear(policy, query.year ?? Number(localDate(now(), policy.timeZone).slice(0, 4)));
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/v1/calendar/days/:date',
      summary:
        "Set the company's own entry for a day (a closure, or a weekend day worked): a new policy version",
      tag: 'policy',
      roles: ['admin'],
      params: DayParam,
      body: EntryBody,
      response: CalendarYear,
      status: 201,
      handler: async ({ params, body, principal }) =>
        reply(
          201,
          await change(
            principal,
            (c) => withEntry(c, { date: params.date, kind: body.kind, name: body.name }),
            params.date,
          ),
        ),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/calendar/days/:date',
      summary:
        "Remove the company's own entry for a day (the official calendar applies again): a new policy version",
      tag: 'policy',
      roles: ['admin'],
      params: DayParam,
      response: CalendarYear,
      handler: async ({ params, principal }) => {
        const entries = calendarOf(await deps.store.refresh()).entries;
        if (!entries.some((e) => e.date === params.date))
          throw OperationRefused.notFound(`a company calendar entry for ${params.date}`);
        return change(principal, (c) => withoutEntry(c, params.date), params.date);
      },
    }),
  ];
}
