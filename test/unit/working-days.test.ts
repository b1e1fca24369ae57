/** The working-day calendar: China's official days, the company's entries, the shift rule, years without data. */
import { isWorkday } from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import {
  type CalendarPolicy,
  calendarOf,
  calendarWarnings,
  DEFAULT_CALENDAR,
  dayStatus,
  exceptionalDays,
  hasHolidayData,
  isWorkingDay,
  shiftToWorkingDay,
  withEntry,
  withoutEntry,
  yearsWithHolidayData,
  yearWarning,
} from '../../domain/working-days.js';
import { type PolicyError, resolvePolicy } from '../../infra/policy.js';
import { workingCalendar } from '../../infra/working-days.js';

const cn = (over: Partial<CalendarPolicy> = {}) => workingCalendar({ ...DEFAULT_CALENDAR, ...over });

describe('working days (China 2026 from chinese-days)', () => {
  it('agrees with the package on Spring Festival and National Day 2026', () => {
    for (const d of [
      '2026-02-13',
      '2026-02-14',
      '2026-02-16',
      '2026-02-24',
      '2026-02-28',
      '2026-10-01',
      '2026-10-10',
    ])
      expect(isWorkingDay(cn(), d), d).toBe(isWorkday(d));
  });

  it('Spring Festival: 2026-02-15…23 off, Saturday 02-14 and 02-28 make-up working days', () => {
    expect(dayStatus(cn(), '2026-02-16')).toEqual({
      date: '2026-02-16',
      working: false,
      source: 'registry',
      name: '春节 Spring Festival',
    });
    expect(dayStatus(cn(), '2026-02-14')).toMatchObject({ working: true, source: 'registry' });
    expect(dayStatus(cn(), '2026-02-28')).toMatchObject({ working: true, source: 'registry' });
    expect(dayStatus(cn(), '2026-03-07')).toEqual({ date: '2026-03-07', working: false, source: 'weekend' });
    expect(dayStatus(cn(), '2026-03-09')).toEqual({ date: '2026-03-09', working: true, source: 'weekday' });
  });

  it('next, previous and as-is around National Day 2026', () => {
    expect(shiftToWorkingDay(cn(), '2026-10-03').date).toBe('2026-10-08');
    expect(shiftToWorkingDay(cn(), '2026-10-03', 'previous').date).toBe('2026-09-30');
    expect(shiftToWorkingDay(cn(), '2026-10-03', 'as-is').date).toBe('2026-10-03');
    expect(shiftToWorkingDay(cn({ nonWorkingDay: 'previous' }), '2026-10-05').date).toBe('2026-09-30');
    // A working day stays; the make-up Saturday is one.
    expect(shiftToWorkingDay(cn(), '2026-10-10')).toMatchObject({
      planned: '2026-10-10',
      date: '2026-10-10',
    });
    expect(shiftToWorkingDay(cn(), '2026-10-10').warning).toBeUndefined();
    // An ordinary weekend moves too.
    expect(shiftToWorkingDay(cn(), '2026-12-05').date).toBe('2026-12-07');
  });

  it('registry none: only weekends and the company entries count', () => {
    const none = cn({ registry: 'none' });
    expect(isWorkingDay(none, '2026-10-01')).toBe(true);
    expect(shiftToWorkingDay(none, '2026-10-03').date).toBe('2026-10-05');
    expect(yearsWithHolidayData(none)).toEqual([]);
  });
});

describe('company entries', () => {
  it('win over the registry and the week', () => {
    let policy = withEntry(DEFAULT_CALENDAR, {
      date: '2026-10-08',
      kind: 'holiday',
      name: 'Company closure',
    });
    policy = withEntry(policy, { date: '2026-10-03', kind: 'workday', name: 'Stock-taking Saturday' });
    expect(dayStatus(cn(policy), '2026-10-08')).toMatchObject({ working: false, source: 'company' });
    expect(shiftToWorkingDay(cn(policy), '2026-10-04').date).toBe('2026-10-09');
    expect(shiftToWorkingDay(cn(policy), '2026-10-04', 'previous').date).toBe('2026-10-03');
    // Removing an entry gives the day back to the registry.
    expect(isWorkingDay(cn(withoutEntry(policy, '2026-10-08')), '2026-10-08')).toBe(true);
    // Setting a date again replaces its entry.
    const again = withEntry(policy, { date: '2026-10-08', kind: 'workday', name: 'open after all' });
    expect(again.entries.filter((e) => e.date === '2026-10-08')).toHaveLength(1);
    expect(again.entries.map((e) => e.date)).toEqual(['2026-10-03', '2026-10-08']);
  });

  it('give a year without registry data its holidays', () => {
    const policy = withEntry(DEFAULT_CALENDAR, { date: '2027-02-08', kind: 'holiday', name: '春节 2027' });
    expect(hasHolidayData(cn(), 2027)).toBe(false);
    expect(hasHolidayData(cn(policy), 2027)).toBe(true);
    expect(isWorkingDay(cn(policy), '2027-02-08')).toBe(false);
  });
});

describe('years without holiday data', () => {
  it('2027 falls back to weekends only, with a warning', () => {
    expect(isWorkday('2027-10-01')).toBe(true); // the package knows nothing of 2027
    expect(hasHolidayData(cn(), 2026)).toBe(true);
    expect(hasHolidayData(cn(), 2027)).toBe(false);
    const s = shiftToWorkingDay(cn(), '2027-10-02'); // a Saturday
    expect(s.date).toBe('2027-10-04');
    // The day says what; the year's warning (health, policy, calendar) says why and what to do.
    expect(s.warning).toBe('no holiday data for 2027: only weekends count as non-working days');
    expect(yearWarning(cn(), 2027)).toMatch(
      /^no holiday data for 2027: the CN registry .* PUT \/v1\/calendar\/days/,
    );
    expect(shiftToWorkingDay(cn(), '2027-10-01')).toMatchObject({ date: '2027-10-01' });
    expect(calendarWarnings(cn(), '2026-12-05')).toEqual([
      expect.stringMatching(/^no holiday data for 2027/),
    ]);
    expect(calendarWarnings(cn(), '2027-03-01')).toHaveLength(2);
    expect(calendarWarnings(cn(), '2025-03-01')).toEqual([]);
  });
});

describe('a year of exceptional days', () => {
  it('lists non-working weekdays and make-up working days with their source', () => {
    const policy = withEntry(DEFAULT_CALENDAR, {
      date: '2026-12-31',
      kind: 'holiday',
      name: 'Year-end closure',
    });
    const days = exceptionalDays(cn(policy), 2026);
    expect(days.find((d) => d.date === '2026-02-16')).toEqual({
      date: '2026-02-16',
      kind: 'holiday',
      source: 'registry',
      name: '春节 Spring Festival',
    });
    expect(days.find((d) => d.date === '2026-02-28')).toMatchObject({ kind: 'workday', source: 'registry' });
    expect(days.find((d) => d.date === '2026-02-15')).toBeUndefined(); // a Sunday off anyway
    expect(days.at(-1)).toEqual({
      date: '2026-12-31',
      kind: 'holiday',
      source: 'company',
      name: 'Year-end closure',
    });
    expect(days.filter((d) => d.source === 'registry' && d.kind === 'workday').map((d) => d.date)).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    expect(exceptionalDays(cn(), 2027)).toEqual([]);
  });
});

describe('the policy calendar', () => {
  it('policies stored before it mean China, next working day, no entries', () => {
    expect(calendarOf(DEFAULT_POLICY)).toEqual({ registry: 'CN', nonWorkingDay: 'next', entries: [] });
    expect(resolvePolicy({ calendar: { nonWorkingDay: 'as-is' } }).calendar).toEqual({
      registry: 'CN',
      nonWorkingDay: 'as-is',
      entries: [],
    });
  });

  it('bad entries are refused naming the field', () => {
    const fields = (override: unknown) => {
      try {
        resolvePolicy(override);
        return [];
      } catch (err) {
        return (err as PolicyError).fields.map((f) => f.path);
      }
    };
    expect(fields({ calendar: { nonWorkingDay: 'later' } })).toEqual(['calendar.nonWorkingDay']);
    expect(fields({ calendar: { entries: [{ date: '2026-02-30', kind: 'holiday', name: 'x' }] } })).toEqual([
      'calendar.entries.0.date',
    ]);
    expect(
      fields({
        calendar: {
          entries: [
            { date: '2026-05-06', kind: 'holiday', name: 'a' },
            { date: '2026-05-06', kind: 'workday', name: 'b' },
          ],
        },
      }),
    ).toEqual(['calendar.entries.1.date']);
  });
});
