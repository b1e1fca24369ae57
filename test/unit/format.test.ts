/** The one formatter of money, dates and HTML text (domain/format.js), in both of the company's languages. */
import { describe, expect, it } from 'vitest';
import {
  chartUnits,
  currencyDigits,
  escapeHtml,
  formatDate,
  formatDateTime,
  formatDays,
  formatMoney,
  formatPercent,
  wallClock,
} from '../../domain/format.js';
import { MAX_AMOUNT_MINOR, MAX_FIGURE_MINOR } from '../../domain/money.js';

const LOCALES = ['zh-CN', 'en'] as const;

describe('formatMoney', () => {
  it.each(LOCALES)('shows the renminbi as ¥ with grouping and two decimals in %s, never CN¥', (locale) => {
    expect(formatMoney(500_000, 'CNY', locale)).toBe('¥5,000.00');
    expect(formatMoney(500_000, 'cny', locale)).toBe('¥5,000.00');
    expect(formatMoney(0, 'CNY', locale)).toBe('¥0.00');
    expect(formatMoney(-5, 'CNY', locale)).toBe('-¥0.05');
    expect(formatMoney(-123_456, 'CNY', locale)).not.toContain('CN¥');
  });

  it.each(LOCALES)('is exact for the largest amounts, in integer arithmetic (%s)', (locale) => {
    expect(formatMoney(999_999_999_999_999, 'CNY', locale)).toBe('¥9,999,999,999,999.99');
    expect(formatMoney(MAX_AMOUNT_MINOR, 'CNY', locale)).toBe('¥10,000,000,000,000.00');
    expect(formatMoney(MAX_FIGURE_MINOR, 'CNY', locale)).toBe('¥90,071,992,547,409.91');
    expect(formatMoney(-999_999_999_999_999, 'USD', locale)).toBe('-$9,999,999,999,999.99');
    // A bigint sum beyond 2^53 stays exact to the fen.
    expect(formatMoney(12_345_678_901_234_567_891n, 'CNY', locale)).toBe('¥123,456,789,012,345,678.91');
  });

  it.each(LOCALES)('takes the currency from the data, with its own minor unit (%s)', (locale) => {
    expect(formatMoney(123_456, 'USD', locale)).toBe('$1,234.56');
    expect(formatMoney(100_000_000, 'EUR', locale)).toBe('€1,000,000.00');
    expect(formatMoney(123_456, 'GBP', locale)).toBe('£1,234.56');
    // ¥ and $ are the renminbi's and the US dollar's: the yen and the Hong Kong dollar are qualified.
    expect(formatMoney(123_456, 'JPY', locale)).toBe('JP¥123,456');
    expect(formatMoney(123_456, 'HKD', locale)).toBe('HK$1,234.56');
    expect(formatMoney(-1_234_567, 'BHD', locale)).toBe('-BHD 1,234.567');
    expect(formatMoney(123_456, 'CHF', locale)).toBe('CHF 1,234.56');
  });

  it('refuses what is not an integer of minor units, and what is not a currency code', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])
      expect(() => formatMoney(bad, 'CNY', 'en')).toThrow(RangeError);
    expect(() => formatMoney(1, 'RMB¥', 'en')).toThrow(RangeError);
    expect(() => formatMoney(1, '', 'en')).toThrow(RangeError);
  });

  it('knows each currency’s minor unit, and scales for charts only', () => {
    expect([currencyDigits('CNY'), currencyDigits('JPY'), currencyDigits('BHD')]).toEqual([2, 0, 3]);
    expect(chartUnits(123_456, 'CNY')).toBe(1234.56);
    expect(chartUnits(123_456, 'JPY')).toBe(123_456);
  });
});

describe('dates', () => {
  it('shows a calendar date as the company writes it, in both languages: YYYY-MM-DD', () => {
    expect(formatDate('2026-12-01')).toBe('2026-12-01');
    expect(() => formatDate('1/12/2026')).toThrow(RangeError);
  });

  it('shows an instant on the wall clock of the company’s time zone', () => {
    const instant = Date.parse('2026-12-31T16:30:00Z'); // 00:30 on 1 January in Shanghai
    expect(formatDate(instant, 'Asia/Shanghai')).toBe('2027-01-01');
    expect(formatDate(instant, 'Europe/London')).toBe('2026-12-31');
    expect(formatDateTime(instant, 'Asia/Shanghai')).toBe('2027-01-01 00:30');
    expect(wallClock(instant, 'Asia/Shanghai')).toEqual({
      date: '2027-01-01',
      hour: 0,
      minute: 30,
      second: 0,
    });
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in element content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;',
    );
    expect(escapeHtml('华东商贸')).toBe('华东商贸');
  });
});

describe('formatPercent and formatDays', () => {
  it.each(LOCALES)('basis points as a percentage, exactly, in %s', (locale) => {
    expect([100, 150, 25, -110, 0, 12_345].map((bp) => formatPercent(bp, locale))).toEqual([
      '1%',
      '1.5%',
      '0.25%',
      '-1.1%',
      '0%',
      '123.45%',
    ]);
    expect(() => formatPercent(1.5, locale)).toThrow(RangeError);
  });

  it('a count of days as each language writes it', () => {
    expect(formatDays(16, 'zh-CN')).toBe('16 天');
    expect(formatDays(16, 'en')).toBe('16 days');
    expect(formatDays(1, 'en')).toBe('1 day');
    expect(formatDays(3, 'fr')).toBe(
      new Intl.NumberFormat('fr', { style: 'unit', unit: 'day', unitDisplay: 'long' }).format(3),
    );
    expect(() => formatDays(Number.NaN, 'en')).toThrow(RangeError);
  });
});
