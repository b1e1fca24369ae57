/**
 * The working-day calendar the policy owns (docs/calendar.md): weekends, public holidays and
 * make-up working days (调休) from a registry of official calendars (China's, read by
 * infra/working-days.ts), and the company's own entries on top (closures, later years).
 * A timeline step whose day is not a working day moves to the next (or previous) working
 * day, or stays, as the policy says. Pure: the registry's data is handed in.
 */
import { addDays, type CalendarDate, isCalendarDate } from './calendar.js';

export type CalendarRegistry = 'CN' | 'none';
export type NonWorkingDayRule = 'next' | 'previous' | 'as-is';
export type CalendarEntryKind = 'holiday' | 'workday';

/** A company's own day: a closure or holiday (`holiday`), or a Saturday/Sunday worked (`workday`). */
export interface CalendarEntry {
  date: CalendarDate;
  kind: CalendarEntryKind;
  name: string;
}

export interface CalendarPolicy {
  /** Whose official calendar supplies public holidays and make-up days ('none': the company's entries only). */
  registry: CalendarRegistry;
  /** Where a step whose day is not a working day fires. */
  nonWorkingDay: NonWorkingDayRule;
  /** The company's entries; they win over the registry's day. */
  entries: CalendarEntry[];
}

/** Policies stored before the calendar existed: China's calendar, the next working day, no entries. */
export const DEFAULT_CALENDAR: CalendarPolicy = { registry: 'CN', nonWorkingDay: 'next', entries: [] };

export const calendarOf = (policy: { calendar?: CalendarPolicy }): CalendarPolicy =>
  policy.calendar ?? DEFAULT_CALENDAR;

/** One registry's official days: holidays (weekdays off) and make-up working days, each with its name. */
export interface RegistryDays {
  holidays: Readonly<Record<CalendarDate, string>>;
  workdays: Readonly<Record<CalendarDate, string>>;
  /** The years the registry has data for. */
  years: readonly number[];
}

export const NO_REGISTRY_DAYS: RegistryDays = { holidays: {}, workdays: {}, years: [] };

/** A calendar ready to answer: the policy's calendar with its registry's data. */
export interface WorkingCalendar {
  policy: CalendarPolicy;
  registry: RegistryDays;
}

export type DaySource = 'company' | 'registry' | 'weekend' | 'weekday';

export interface DayStatus {
  date: CalendarDate;
  working: boolean;
  /** What decided: a company entry, the registry, or the plain week. */
  source: DaySource;
  /** The holiday's or make-up day's name (company or registry); absent for plain days. */
  name?: string;
}

const yearOf = (date: CalendarDate) => Number(date.slice(0, 4));

/** Saturday or Sunday (the date is a calendar date, read in UTC: no zone shifts it). */
export function isWeekend(date: CalendarDate): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

/** The registry's data the policy's calendar uses (none when its registry is 'none'). */
const registryOf = (cal: WorkingCalendar): RegistryDays =>
  cal.policy.registry === 'none' ? NO_REGISTRY_DAYS : cal.registry;

/** Whether `date` is a working day, and what decided it: company entry, then registry, then the week. */
export function dayStatus(cal: WorkingCalendar, date: CalendarDate): DayStatus {
  const entry = findEntry(cal.policy, date);
  if (entry) return { date, working: entry.kind === 'workday', source: 'company', name: entry.name };
  const registry = registryOf(cal);
  const holiday = registry.holidays[date];
  if (holiday !== undefined) return { date, working: false, source: 'registry', name: holiday };
  const workday = registry.workdays[date];
  if (workday !== undefined) return { date, working: true, source: 'registry', name: workday };
  return isWeekend(date)
    ? { date, working: false, source: 'weekend' }
    : { date, working: true, source: 'weekday' };
}

export const isWorkingDay = (cal: WorkingCalendar, date: CalendarDate): boolean =>
  dayStatus(cal, date).working;

/** The last company entry for `date` (a date has at most one; the last written wins). */
function findEntry(policy: CalendarPolicy, date: CalendarDate): CalendarEntry | undefined {
  for (let i = policy.entries.length - 1; i >= 0; i--)
    if (policy.entries[i]?.date === date) return policy.entries[i];
  return undefined;
}

/** Longest run of non-working days searched before giving up (no real calendar comes near). */
export const MAX_SHIFT_DAYS = 60;

export interface ShiftedDay {
  /** The day the step was planned for. */
  planned: CalendarDate;
  /** The day it fires on. */
  date: CalendarDate;
  /** What the planned day is (a holiday's name, a weekend), when it is not a working day. */
  plannedStatus: DayStatus;
  /**
   * The planned day's year has no holiday data: weekends only (`dayWarning`; the year's full
   * warning, with what to do, is `yearWarning`).
   */
  warning?: string;
}

/**
 * The day a step planned for `date` fires on: the date itself when it is a working day or the
 * rule is 'as-is'; otherwise the next (or previous) working day. A calendar with no working
 * day within MAX_SHIFT_DAYS (a misconfigured one) leaves the date as it is.
 */
export function shiftToWorkingDay(
  cal: WorkingCalendar,
  date: CalendarDate,
  rule: NonWorkingDayRule = cal.policy.nonWorkingDay,
): ShiftedDay {
  if (!isCalendarDate(date)) throw new Error(`not a calendar date: ${date}`);
  const plannedStatus = dayStatus(cal, date);
  const warning = hasHolidayData(cal, yearOf(date)) ? undefined : dayWarning(yearOf(date));
  const base = { planned: date, plannedStatus, ...(warning ? { warning } : {}) };
  if (plannedStatus.working || rule === 'as-is') return { ...base, date };
  const step = rule === 'previous' ? -1 : 1;
  for (let i = 1; i <= MAX_SHIFT_DAYS; i++) {
    const candidate = addDays(date, step * i);
    if (isWorkingDay(cal, candidate)) return { ...base, date: candidate };
  }
  return { ...base, date };
}

/** The years with holiday data: the registry's (when the policy uses one) and any year with a company entry. */
export function yearsWithHolidayData(cal: WorkingCalendar): number[] {
  const years = new Set<number>(registryOf(cal).years);
  for (const e of cal.policy.entries) years.add(yearOf(e.date));
  return [...years].sort((a, b) => a - b);
}

export const hasHolidayData = (cal: WorkingCalendar, year: number): boolean =>
  yearsWithHolidayData(cal).includes(year);

/**
 * What a working day in a year without holiday data says of it. Short, because a receivable
 * keeps it with each working day it asks and its steps' records carry it; the year's warning
 * says why and what to do, once, where people plan (health, policy, calendar).
 */
export const dayWarning = (year: number): string =>
  `no holiday data for ${year}: only weekends count as non-working days`;

/** The warning for a year without holiday data (weekends only), or null. */
export function yearWarning(cal: WorkingCalendar, year: number): string | null {
  if (hasHolidayData(cal, year)) return null;
  const source =
    cal.policy.registry === 'none'
      ? 'the policy uses no official calendar and has no company entries for it'
      : `the ${cal.policy.registry} registry has no data for it and the policy has no company entries for it`;
  return `no holiday data for ${year}: ${source}; only weekends count as non-working days (add the year's holidays and make-up working days with PUT /v1/calendar/days/:date)`;
}

/** Warnings for the years people plan in now: this year and next. */
export function calendarWarnings(cal: WorkingCalendar, today: CalendarDate): string[] {
  const year = yearOf(today);
  return [year, year + 1].map((y) => yearWarning(cal, y)).filter((w): w is string => w !== null);
}

/** A day of a year's calendar that differs from the plain week: a weekday off or a weekend day worked. */
export interface ExceptionalDay {
  date: CalendarDate;
  kind: CalendarEntryKind;
  source: 'company' | 'registry';
  name: string;
}

/**
 * The year's days that are not as the week would have them (non-working weekdays, make-up
 * working days), and the company's entries even when they restate the week, date order.
 */
export function exceptionalDays(cal: WorkingCalendar, year: number): ExceptionalDay[] {
  const out: ExceptionalDay[] = [];
  let date = `${String(year).padStart(4, '0')}-01-01`;
  while (yearOf(date) === year) {
    const s = dayStatus(cal, date);
    const weekend = isWeekend(date);
    if (s.source === 'company' || (s.source === 'registry' && s.working === weekend))
      out.push({
        date,
        kind: s.working ? 'workday' : 'holiday',
        source: s.source as 'company' | 'registry',
        name: s.name ?? '',
      });
    date = addDays(date, 1);
  }
  return out;
}

/** Sets (replaces) the company's entry for a date: a new entries list, date order. */
export function withEntry(policy: CalendarPolicy, entry: CalendarEntry): CalendarPolicy {
  const entries = [...policy.entries.filter((e) => e.date !== entry.date), entry].sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
  );
  return { ...policy, entries };
}

/** Removes the company's entry for a date (the registry's day, or the week's, applies again). */
export function withoutEntry(policy: CalendarPolicy, date: CalendarDate): CalendarPolicy {
  return { ...policy, entries: policy.entries.filter((e) => e.date !== date) };
}
