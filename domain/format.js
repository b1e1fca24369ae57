/**
 * How creditflow shows money, dates and text to people: the one formatter behind the mails, the reports,
 * the CSV files and the dashboard (docs/domain.md §1).
 *
 * Plain, dependency-free JavaScript on purpose: the API serves this very file to the dashboard's browser
 * script (GET /dashboard/format.js), so the browser and the server share one implementation instead of two
 * that drift apart. Types are in format.d.ts beside it.
 *
 * Money is an integer count of the currency's minor unit (fen, cents). It is split into major and minor
 * units in BigInt arithmetic and handed to Intl as an exact decimal string, so no amount is ever rounded
 * through a binary fraction, however large.
 */

// ---------------------------------------------------------------------------------------------------------
// Money

/**
 * The company's convention for the bare signs several currencies share: ¥ is the renminbi and $ the US
 * dollar. Another currency whose narrow sign is one of these (the yen, the Hong Kong dollar…) is shown
 * with its qualified sign as Chinese usage writes it: JP¥, HK$.
 */
const SIGN_OWNERS = { '¥': 'CNY', $: 'USD' };
/** The locale whose qualified signs (JP¥, HK$) the company uses. */
const COMPANY_LOCALE = 'zh-CN';

const numberFormats = new Map();
function numberFormat(locale, currency, currencyDisplay) {
  const key = `${locale}|${currency}|${currencyDisplay}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay });
    numberFormats.set(key, f);
  }
  return f;
}

const signOf = (f) => f.formatToParts(0).find((p) => p.type === 'currency')?.value ?? '';

/** An ISO 4217 code, upper case; a RangeError for anything else. */
export function currencyCode(currency) {
  const code = String(currency).trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new RangeError(`not an ISO 4217 currency code: '${currency}'`);
  return code;
}

/** How many decimals the currency's minor unit has (CNY 2, JPY 0, BHD 3), as Intl knows it. */
export function currencyDigits(currency) {
  return numberFormat('en', currencyCode(currency), 'code').resolvedOptions().maximumFractionDigits ?? 2;
}

/** The sign shown for the currency in `locale`: narrow (¥, $, €), but never one the company reads as another currency. */
function currencySign(code, locale) {
  const narrow = signOf(numberFormat(locale, code, 'narrowSymbol'));
  const owner = SIGN_OWNERS[narrow];
  if (owner === undefined || owner === code) return narrow;
  const qualified = signOf(numberFormat(COMPANY_LOCALE, code, 'symbol'));
  return qualified !== narrow ? qualified : `${code} `;
}

/** The exact decimal 'minor ÷ 10^digits' as a string, in integer arithmetic: -123456, 2 → '-1234.56'. */
function decimalString(minor, digits) {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const scale = 10n ** BigInt(digits);
  const fraction = digits > 0 ? `.${String(abs % scale).padStart(digits, '0')}` : '';
  return `${negative ? '-' : ''}${abs / scale}${fraction}`;
}

/**
 * An integer amount of minor units for people: CNY 500000 → '¥5,000.00' (in 'zh-CN' and in 'en' alike:
 * never 'CN¥'), USD → '$1,234.56', JPY 123456 → 'JP¥123,456', BHD → 'BHD 1,234.567', -5 → '-¥0.05'.
 * `minor` is a safe integer or a bigint (a sum beyond 2^53 stays exact); anything else is a RangeError.
 */
export function formatMoney(minor, currency, locale = COMPANY_LOCALE) {
  const isInteger = typeof minor === 'bigint' || (typeof minor === 'number' && Number.isSafeInteger(minor));
  if (!isInteger) {
    throw new RangeError(`formatMoney: amount must be an integer count of minor units, got ${String(minor)}`);
  }
  const code = currencyCode(currency);
  const digits = currencyDigits(code);
  const sign = currencySign(code, locale);
  return numberFormat(locale, code, 'narrowSymbol')
    .formatToParts(decimalString(BigInt(minor), digits))
    .map((p) => (p.type === 'currency' ? sign : p.type === 'literal' ? p.value.replace(/\s/g, ' ') : p.value))
    .join('');
}

/** The amount in major units as a plain number, for a chart's axis only; people read formatMoney. */
export function chartUnits(minor, currency) {
  return minor / 10 ** currencyDigits(currency);
}

// ---------------------------------------------------------------------------------------------------------
// Percentages

const percentFormats = new Map();
/**
 * Basis points for people, in the language: 100 → '1%', 150 → '1.5%', 25 → '0.25%', -110 → '-1.1%'
 * (the exact decimal bp ÷ 100 handed to Intl as a string: never rounded through a binary fraction).
 */
export function formatPercent(bp, locale = COMPANY_LOCALE) {
  if (typeof bp !== 'number' || !Number.isSafeInteger(bp)) {
    throw new RangeError(`formatPercent: basis points must be an integer, got ${String(bp)}`);
  }
  let f = percentFormats.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
    percentFormats.set(locale, f);
  }
  // bp ÷ 10000 as an exact decimal string
  return f.format(decimalString(BigInt(bp), 4));
}

/**
 * A count of days for people: '16 天' in Chinese (as the company writes it, with a space), '1 day' / '16 days'
 * in English, and as Intl writes a day unit in any other language.
 */
export function formatDays(n, locale = COMPANY_LOCALE) {
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new RangeError(`formatDays: a count of days must be an integer, got ${String(n)}`);
  }
  const lang = String(locale).toLowerCase();
  if (lang === 'zh' || lang.startsWith('zh-')) return `${n} 天`;
  if (lang === 'en' || lang.startsWith('en-')) return `${n} day${n === 1 ? '' : 's'}`;
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'long' }).format(n);
}

// ---------------------------------------------------------------------------------------------------------
// Dates

const clocks = new Map();
function clock(timeZone) {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    clocks.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at the instant `epochMs`: its calendar date 'YYYY-MM-DD' and time of day. */
export function wallClock(epochMs, timeZone) {
  const parts = Object.fromEntries(
    clock(timeZone)
      .formatToParts(new Date(epochMs))
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date for people, in Chinese and English alike as the company writes it: 'YYYY-MM-DD' (no 12/01 that
 * one reader takes for December and another for January). A calendar date is shown as it is; an instant
 * (epoch ms) as its calendar date in the company's time zone.
 */
export function formatDate(value, timeZone) {
  if (typeof value === 'number') return wallClock(value, timeZone).date;
  if (!CALENDAR_DATE.test(value)) throw new RangeError(`not a YYYY-MM-DD date: '${value}'`);
  return value;
}

/**
 * A calendar date written out as a formal letter dates itself, in the reader's language (Intl):
 * 2026年4月30日, 30 April 2026. Everywhere else a date reads 'YYYY-MM-DD' (formatDate).
 */
export function formatLetterDate(date, locale = 'zh-CN') {
  if (!CALENDAR_DATE.test(date)) throw new RangeError(`not a YYYY-MM-DD date: '${date}'`);
  const tag = locale === 'en' ? 'en-GB' : locale;
  return new Intl.DateTimeFormat(tag, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${date}T00:00:00Z`));
}

/** An instant for people: 'YYYY-MM-DD HH:mm' on the wall clock of the company's time zone. */
export function formatDateTime(epochMs, timeZone) {
  const w = wallClock(epochMs, timeZone);
  return `${w.date} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------
// HTML

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe inside HTML (element content and quoted attribute values): every interpolated value goes through it. */
export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}
