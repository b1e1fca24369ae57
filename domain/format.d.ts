/** Types of format.js (plain JavaScript, because the dashboard's browser script loads the same file). */

/** An ISO 4217 code, upper case; a RangeError for anything else. */
export function currencyCode(currency: string): string;

/** How many decimals the currency's minor unit has (CNY 2, JPY 0, BHD 3). */
export function currencyDigits(currency: string): number;

/**
 * An integer amount of minor units for people: CNY 500000 → '¥5,000.00' in 'zh-CN' and 'en' alike,
 * USD → '$1,234.56', JPY → 'JP¥123,456'. A RangeError for a non-integer or a bad currency code.
 */
export function formatMoney(minor: number | bigint, currency: string, locale?: string): string;

/** The amount in major units as a plain number, for a chart's axis only. */
export function chartUnits(minor: number, currency: string): number;

/** Basis points for people in the language: 100 → '1%', 150 → '1.5%', 25 → '0.25%'. */
export function formatPercent(bp: number, locale?: string): string;

/** A count of days in the language: '16 天', '1 day', '16 days'. */
export function formatDays(n: number, locale?: string): string;

/** The wall clock in `timeZone` at the instant `epochMs`. */
export function wallClock(
  epochMs: number,
  timeZone: string,
): { date: string; hour: number; minute: number; second: number };

/** 'YYYY-MM-DD': a calendar date as it is, an instant (epoch ms) as its date in `timeZone`. */
export function formatDate(date: string): string;
export function formatDate(epochMs: number, timeZone: string): string;

/** A calendar date as a formal letter writes it, in `locale`: 2026年4月30日, 30 April 2026. */
export function formatLetterDate(date: string, locale?: string): string;

/** 'YYYY-MM-DD HH:mm' in `timeZone`. */
export function formatDateTime(epochMs: number, timeZone: string): string;

/** Text made safe inside HTML. */
export function escapeHtml(s: string): string;
