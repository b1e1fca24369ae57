/**
 * The working-day calendar over HTTP: a year's official and company days, the company's entries
 * set and removed (each a new policy version by the admin's credential), bad input named, and
 * the warning for a year without holiday data on /health and in the policy view.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { type System, systemPerFile } from '../support/system.js';

const system = systemPerFile({ poolSize: 3, policyStore: true });
const call: System['call'] = (...args) => system.call(...args);

const thisYear = Number(localDate(Date.now(), DEFAULT_POLICY.timeZone).slice(0, 4));

describe('calendar API', () => {
  it("lists 2026's Spring Festival and National Day from China's official calendar", async () => {
    const res = await call('GET', '/v1/calendar?year=2026');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      year: 2026,
      registry: 'CN',
      nonWorkingDay: 'next',
      hasHolidayData: true,
    });
    expect(res.body.warning).toBeUndefined();
    const days = res.body.days as { date: string; kind: string; source: string; name: string }[];
    expect(days).toContainEqual({
      date: '2026-02-16',
      kind: 'holiday',
      source: 'registry',
      name: '春节 Spring Festival',
    });
    expect(days).toContainEqual({
      date: '2026-02-28',
      kind: 'workday',
      source: 'registry',
      name: '春节 Spring Festival',
    });
    expect(days).toContainEqual({
      date: '2026-10-10',
      kind: 'workday',
      source: 'registry',
      name: '国庆节 National Day',
    });
    expect(
      days.filter((d) => d.date >= '2026-10-01' && d.date <= '2026-10-07' && d.kind === 'holiday'),
    ).toHaveLength(5); // the weekdays of 10-01…07
  });

  it('a year without data says so: weekends only', async () => {
    const res = await call('GET', '/v1/calendar?year=2027');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ year: 2027, hasHolidayData: false, days: [] });
    expect(res.body.yearsWithHolidayData).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i)); // 2004…2026
    expect(res.body.warning).toMatch(/^no holiday data for 2027/);
  });

  it('refuses bad input naming the field', async () => {
    const year = await call('GET', '/v1/calendar?year=20x6');
    expect(year.status).toBe(400);
    expect(year.body.error?.fields?.map((f) => f.path)).toEqual(['query.year']);
    const date = await call('PUT', '/v1/calendar/days/2027-02-30', { kind: 'holiday', name: 'x' });
    expect(date.status).toBe(400);
    expect(date.body.error?.fields?.map((f) => f.path)).toEqual(['params.date']);
    const kind = await call('PUT', '/v1/calendar/days/2027-02-08', { kind: 'closed', name: 'x' });
    expect(kind.status).toBe(400);
    expect(kind.body.error?.fields?.map((f) => f.path)).toEqual(['kind']);
    const name = await call('PUT', '/v1/calendar/days/2027-02-08', { kind: 'holiday', name: ' ' });
    expect(name.status).toBe(400);
    expect(name.body.error?.fields?.map((f) => f.path)).toEqual(['name']);
    expect((await call('DELETE', '/v1/calendar/days/2027-13-01')).status).toBe(400);
  });

  it('only an admin changes the calendar', async () => {
    const res = await call(
      'PUT',
      '/v1/calendar/days/2027-02-08',
      { kind: 'holiday', name: '春节' },
      'finance',
    );
    expect(res.status).toBe(403);
    expect((await call('GET', '/v1/calendar?year=2027', undefined, 'finance')).status).toBe(200);
  });

  it("the company's entries make new policy versions by the admin, keep the rest of the policy, and end the warning", async () => {
    const before = await call('GET', '/health');
    expect(before.status).toBe(200);
    expect(before.body.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^no holiday data for ${thisYear + 1}`))]),
    );
    const view = await call('GET', '/v1/policy');
    expect(view.body.warnings).toEqual(before.body.warnings);
    expect(view.body.calendar).toEqual({ registry: 'CN', nonWorkingDay: 'next', entries: [] });

    // A policy change of its own first: the calendar's versions keep it.
    const version = `acme-${randomUUID().slice(0, 6)}`;
    expect(
      (await call('PUT', '/v1/policy', { document: { version, receivable: { businessHour: 10 } } })).status,
    ).toBe(201);

    const put = await call('PUT', `/v1/calendar/days/${thisYear + 1}-10-01`, {
      kind: 'holiday',
      name: '国庆节',
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ year: thisYear + 1, hasHolidayData: true });
    expect(put.body.warning).toBeUndefined();
    expect(put.body.days).toEqual([
      { date: `${thisYear + 1}-10-01`, kind: 'holiday', source: 'company', name: '国庆节' },
    ]);
    expect(put.body.policyVersion).toMatch(new RegExp(`^${version}\\+calendar-`));
    // A Saturday worked, and this year's closure (so neither year lacks data).
    expect(
      (await call('PUT', `/v1/calendar/days/${thisYear + 1}-10-09`, { kind: 'workday', name: '调休' }))
        .status,
    ).toBe(201);
    expect(
      (
        await call('PUT', `/v1/calendar/days/${thisYear}-12-31`, {
          kind: 'holiday',
          name: 'Year-end closure',
        })
      ).status,
    ).toBe(201);

    const policy = (await call('GET', '/v1/policy')).body;
    expect(policy.receivable).toMatchObject({ businessHour: 10 });
    expect(policy.calendar).toMatchObject({
      entries: [
        { date: `${thisYear}-12-31`, kind: 'holiday', name: 'Year-end closure' },
        { date: `${thisYear + 1}-10-01`, kind: 'holiday', name: '国庆节' },
        { date: `${thisYear + 1}-10-09`, kind: 'workday', name: '调休' },
      ],
    });
    expect(policy.warnings).toEqual([]);
    expect((await call('GET', '/health')).body.warnings).toBeUndefined();

    const versions = (await call('GET', '/v1/policy/versions')).body.items as {
      version: string;
      changedByActor: { role: string } | null;
    }[];
    const last = versions.at(-1);
    expect(last?.version).toBe(policy.version);
    expect(last?.changedByActor).toMatchObject({ role: 'admin' });

    // Removing an entry: the official calendar (here: none) applies again.
    const del = await call('DELETE', `/v1/calendar/days/${thisYear + 1}-10-01`);
    expect(del.status).toBe(200);
    expect(del.body.days).toEqual([
      { date: `${thisYear + 1}-10-09`, kind: 'workday', source: 'company', name: '调休' },
    ]);
    const again = await call('DELETE', `/v1/calendar/days/${thisYear + 1}-10-01`);
    expect(again.status).toBe(404);
  });
});
