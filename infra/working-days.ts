/**
 * The registry of official calendars behind the policy's working-day calendar
 * (domain/working-days.ts): China's public holidays and make-up working days from the
 * `chinese-days` package (pinned by the lockfile; its data runs to the year of its release).
 * Read here, by activities and the API only: workflow code never imports the package (each
 * cached workflow would hold its own copy of the data), it asks an activity.
 */
import { createRequire } from 'node:module';
import type { CalendarDate } from '../domain/calendar.js';
import {
  type CalendarPolicy,
  type CalendarRegistry,
  NO_REGISTRY_DAYS,
  type RegistryDays,
  type WorkingCalendar,
} from '../domain/working-days.js';

interface ChineseDaysData {
  holidays: Record<CalendarDate, string>;
  workdays: Record<CalendarDate, string>;
}

/** 'Spring Festival,春节,4' → '春节 Spring Festival'. */
const nameOf = (raw: string): string => {
  const [en, zh] = raw.split(',');
  return zh && en ? `${zh} ${en}` : raw;
};

let china: RegistryDays | undefined;

/** China's official calendar (国务院办公厅 notices) as the `chinese-days` package ships it. */
export function chinaRegistryDays(): RegistryDays {
  if (china) return china;
  const require = createRequire(import.meta.url);
  const data = require('chinese-days/dist/chinese-days.json') as ChineseDaysData;
  const names = (days: Record<string, string>) =>
    Object.fromEntries(Object.entries(days).map(([d, raw]) => [d, nameOf(raw)]));
  const years = [...new Set(Object.keys(data.holidays).map((d) => Number(d.slice(0, 4))))].sort(
    (a, b) => a - b,
  );
  china = Object.freeze({ holidays: names(data.holidays), workdays: names(data.workdays), years });
  return china;
}

export function registryDays(registry: CalendarRegistry): RegistryDays {
  return registry === 'CN' ? chinaRegistryDays() : NO_REGISTRY_DAYS;
}

/** The policy's calendar with its registry's data: what domain/working-days.ts answers from. */
export function workingCalendar(policy: CalendarPolicy): WorkingCalendar {
  return { policy, registry: registryDays(policy.registry) };
}
