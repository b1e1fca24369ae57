/**
 * Calendar dates ('YYYY-MM-DD') in the company's time zone and the instants at
 * which a timed step fires. Pure and deterministic: safe inside workflow code.
 */
import { formatDateTime, wallClock } from './format.js';

export type CalendarDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isCalendarDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

function toUtcDays(date: CalendarDate): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`not a calendar date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

function fromUtcDays(days: number): CalendarDate {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromUtcDays(toUtcDays(date) + days);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return toUtcDays(to) - toUtcDays(from);
}

/** The calendar date in `timeZone` at the instant `epochMs`. */
export function localDate(epochMs: number, timeZone: string): CalendarDate {
  return wallClock(epochMs, timeZone).date;
}

/** The instant of `hour`:`minute` local time on `date` in `timeZone` (epoch ms). */
export function instantAt(date: CalendarDate, hour: number, timeZone: string, minute = 0): number {
  const naive = toUtcDays(date) * DAY_MS + hour * 3_600_000 + minute * 60_000;
  // Offset of the zone at (about) that instant; a second pass settles DST edges.
  let guess = naive;
  for (let i = 0; i < 2; i++) {
    const w = wallClock(guess, timeZone);
    const shown = toUtcDays(w.date) * DAY_MS + w.hour * 3_600_000 + w.minute * 60_000 + w.second * 1000;
    guess += naive - shown;
  }
  return guess;
}

/** 'YYYY-MM-DD HH:mm' in `timeZone`, for people (the one date formatter, domain/format.js). */
export const localDateTime = formatDateTime;

/**
 * How far from today a date a person enters may lie, in days (the policy's `dates`): back for
 * what happened (a payment, an invoice's issue), ahead for what is agreed (a promise to pay, a
 * new due date). Keeps every timeline a workflow computes inside the calendar.
 */
export interface DateWindow {
  daysBack: number;
  daysAhead: number;
}

/** About five years back, two years ahead. */
export const DEFAULT_DATE_WINDOW: DateWindow = { daysBack: 1827, daysAhead: 731 };

/** Why `date` lies outside the window around `today` (a message naming the bound), or null; an absent side is not checked. */
export function outsideDateWindow(
  date: CalendarDate,
  today: CalendarDate,
  window: Partial<DateWindow> = DEFAULT_DATE_WINDOW,
): string | null {
  const { daysBack, daysAhead } = window;
  const earliest = daysBack === undefined ? null : addDays(today, -daysBack);
  const latest = daysAhead === undefined ? null : addDays(today, daysAhead);
  if (earliest && date < earliest)
    return `${date} is more than ${daysBack} days back (the earliest is ${earliest})`;
  if (latest && date > latest)
    return `${date} is more than ${daysAhead} days ahead (the latest is ${latest})`;
  return null;
}
