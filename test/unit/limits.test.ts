/** The bounds on what a person may enter (docs/limits.md): nesting, dates, amounts and their sums, CSV. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ImportFileError, readRecords } from '../../api/imports/records.js';
import { ROW_SPECS } from '../../api/imports/rows.js';
import { CalendarDate, Minor } from '../../api/schemas.js';
import { DEFAULT_DATE_WINDOW, outsideDateWindow } from '../../domain/calendar.js';
import { addMinor, MAX_AMOUNT_MINOR, MAX_FIGURE_MINOR } from '../../domain/money.js';
import { agingReport } from '../../domain/reports.js';
import { usageBp } from '../../domain/salesperson-review.js';
import { MAX_JSON_DEPTH, storableText, unstorableText } from '../../domain/text.js';
import type { ReceivableState } from '../../workflows/receivable/contract.js';
import { validateValidReason } from '../../workflows/receivable/rules.js';
import { testActor } from '../support/actors.js';

/** `{"a":{"a":…"leaf"…}}`, `depth` objects deep, parsed as the API parses a body. */
const nested = (depth: number, leaf = '"x"') =>
  JSON.parse(`${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`);

describe('nesting and unstorable text', () => {
  it('a body nested thousands deep is refused as a whole, without recursion', () => {
    expect(unstorableText({ id: 'D-1', extra: nested(8000) })).toEqual({
      path: [],
      message: `nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
    const deepArray = JSON.parse(`${'['.repeat(500_000)}${']'.repeat(500_000)}`);
    expect(unstorableText(deepArray)?.message).toMatch(/nested deeper/);
  });

  it('up to the limit is fine; a NUL or a lone surrogate is still named where it is', () => {
    expect(unstorableText(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(unstorableText(nested(MAX_JSON_DEPTH + 1))?.message).toMatch(/nested deeper/);
    expect(unstorableText({ a: 'ok', b: [1, { c: 'x\u0000y' }] })?.path).toEqual(['b', '1', 'c']);
    expect(unstorableText({ 'k\uD800': 1 })?.path).toEqual(['k\uD800']);
    // The first in document order, not the first found by the walk.
    expect(unstorableText({ a: { b: '\u0000' }, c: '\u0000' })?.path).toEqual(['a', 'b']);
  });

  it('storableText writes NUL and lone surrogates as escapes, and leaves pairs alone', () => {
    expect(storableText('id\u0000,x\uDC00,😀')).toBe('id\\u0000,x\\udc00,😀');
    expect(unstorableText(storableText('a\u0000\uD800b'))).toBeNull();
  });
});

describe('dates', () => {
  it('a calendar date lies between 1900 and 2999', () => {
    expect(CalendarDate.safeParse('2999-12-31').success).toBe(true);
    expect(CalendarDate.safeParse('1900-01-01').success).toBe(true);
    expect(CalendarDate.safeParse('9999-12-31').error?.issues.map((i) => i.message)).toEqual([
      'must be a date from 1900-01-01 to 2999-12-31',
    ]);
    expect(CalendarDate.safeParse('2026-02-30').error?.issues.map((i) => i.message)).toEqual([
      'must be a calendar date YYYY-MM-DD',
    ]);
  });

  it("the policy's window: days back and days ahead of today, each side on its own", () => {
    const w = { daysBack: 10, daysAhead: 5 };
    expect(outsideDateWindow('2026-01-01', '2026-01-11', w)).toBeNull();
    expect(outsideDateWindow('2025-12-31', '2026-01-11', w)).toBe(
      '2025-12-31 is more than 10 days back (the earliest is 2026-01-01)',
    );
    expect(outsideDateWindow('2026-01-17', '2026-01-11', w)).toBe(
      '2026-01-17 is more than 5 days ahead (the latest is 2026-01-16)',
    );
    expect(outsideDateWindow('1990-01-01', '2026-01-11', { daysAhead: 5 })).toBeNull();
    expect(DEFAULT_DATE_WINDOW).toEqual({ daysBack: 1827, daysAhead: 731 });
  });

  it("the receivable's Update validator refuses a promise or extension beyond the window (no task failure later)", () => {
    const state = {
      receivableId: 'R-1',
      stage: 'overdue',
      dueDate: '2026-01-01',
      validReason: null,
    } as unknown as ReceivableState;
    const today = '2026-01-10';
    const reason = { reason: 'cash flow', actor: testActor('finance', 'li') };
    const refusal = (r: object, window?: { daysBack: number; daysAhead: number }) => {
      try {
        validateValidReason(state, { ...reason, ...r } as never, today, window);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(refusal({ kind: 'promise', promisedBy: '9999-12-31' })).toBe(
      'promisedBy: 9999-12-31 is more than 731 days ahead (the latest is 2028-01-11)',
    );
    expect(refusal({ kind: 'extension', newDueDate: '9999-12-31' })).toMatch(
      /^newDueDate: .* 731 days ahead/,
    );
    expect(refusal({ kind: 'promise', promisedBy: '2028-01-11' })).toBeNull();
    expect(refusal({ kind: 'extension', newDueDate: '2026-02-01' }, { daysBack: 1, daysAhead: 7 })).toBe(
      'newDueDate: 2026-02-01 is more than 7 days ahead (the latest is 2026-01-17)',
    );
  });
});

describe('amounts and sums', () => {
  it('one amount is at most 10^15 minor units', () => {
    expect(Minor.safeParse(MAX_AMOUNT_MINOR).success).toBe(true);
    expect(Minor.safeParse(MAX_AMOUNT_MINOR + 1).error?.issues[0]?.message).toBe(
      'must be at most 1000000000000000 minor units',
    );
    expect(Minor.safeParse(Number.MAX_SAFE_INTEGER).success).toBe(false);
  });

  it('sums stop at 2^53 − 1 instead of turning inexact', () => {
    expect(addMinor(MAX_FIGURE_MINOR - 1, 1)).toBe(MAX_FIGURE_MINOR);
    expect(addMinor(MAX_FIGURE_MINOR, MAX_FIGURE_MINOR)).toBe(MAX_FIGURE_MINOR);
    const items = Array.from({ length: 12 }, (_, i) => ({
      key: 'D-1',
      name: 'D',
      currency: 'CNY',
      dueDate: `2026-01-${String(i + 1).padStart(2, '0')}`,
      outstandingMinor: MAX_AMOUNT_MINOR,
    }));
    const { rows, totals } = agingReport(items, '2026-03-01');
    expect(rows[0]?.totalMinor).toBe(MAX_FIGURE_MINOR);
    expect(totals[0]?.overdueOver30Minor).toBe(MAX_FIGURE_MINOR);
  });

  it('usage in basis points saturates too (10^15 on a limit of 1)', () => {
    expect(usageBp(MAX_AMOUNT_MINOR, 1)).toBe(MAX_FIGURE_MINOR);
    expect(usageBp(8_000, 10_000)).toBe(8_000);
  });
});

describe('CSV the parser refuses', () => {
  const read = async (csv: string) => {
    for await (const _ of readRecords(Readable.from([Buffer.from(csv)]), 'csv', ROW_SPECS.payments));
  };

  it('an opening quote inside a field fails the file, naming the body', async () => {
    for (const csv of ['a"b', 'paymentId,receivableId,amountMinor,paidOn\nP-1,R"1,5,2026-01-01\n']) {
      const err = await read(csv).catch((e) => e);
      expect(err).toBeInstanceOf(ImportFileError);
      expect(err.message).toMatch(/^the CSV cannot be read on: Invalid Opening Quote/);
      expect(err.fields).toEqual([{ path: 'body', message: expect.stringMatching(/Invalid Opening Quote/) }]);
    }
  });
});
