/**
 * docs/domain.md §7 reports: the pure arithmetic behind them — aging buckets, DSO by month, the
 * grade distribution's fixed order, month ranges (their CSV is written by csv.ts). The SQL
 * that feeds them is in store/reports.ts; nothing here does I/O.
 */
import { AGING_BUCKET_DEFINITIONS, type AgingColumn, agingColumn } from './aging.js';
import { type CalendarDate, daysBetween } from './calendar.js';
import { CUSTOMER_CLASSES } from './customer-class.js';
import { addMinor } from './money.js';
import { CREDIT_GRADES } from './rating.js';
import { isMonth, type Month, monthRange } from './salesperson-review.js';

// ---------------------------------------------------------------------------------------------------------
// Aging: the buckets are domain/aging.ts's, the one definition /metrics uses as well.

/** Outstanding amounts of one group (counterparty, salesperson or region) due on one date. */
export interface OutstandingByDueDate {
  key: string;
  name: string;
  currency: string;
  dueDate: CalendarDate;
  outstandingMinor: number;
}

export type AgingRow = { key: string; name: string; currency: string; totalMinor: number } & Record<
  AgingColumn,
  number
>;

function emptyAging(key: string, name: string, currency: string): AgingRow {
  const buckets = Object.fromEntries(AGING_BUCKET_DEFINITIONS.map((b) => [b.column, 0]));
  return { key, name, currency, ...buckets, totalMinor: 0 } as AgingRow;
}

function requireMinor(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${field} must be a non-negative integer of minor units, got ${String(value)}`);
  return value;
}

/**
 * Buckets outstanding amounts by days overdue on `asOf`: one row per group and currency (amounts in
 * different currencies are never added), ordered by key then currency, and one total row per currency.
 */
export function agingReport(
  items: readonly OutstandingByDueDate[],
  asOf: CalendarDate,
): { rows: AgingRow[]; totals: AgingRow[] } {
  const rows = new Map<string, AgingRow>();
  const totals = new Map<string, AgingRow>();
  for (const item of items) {
    const amount = requireMinor(item.outstandingMinor, 'outstandingMinor');
    if (amount === 0) continue;
    const bucket = agingColumn(item.dueDate, asOf);
    const id = JSON.stringify([item.key, item.currency]);
    let row = rows.get(id);
    if (!row) {
      row = emptyAging(item.key, item.name, item.currency);
      rows.set(id, row);
    }
    let total = totals.get(item.currency);
    if (!total) {
      total = emptyAging('total', 'total', item.currency);
      totals.set(item.currency, total);
    }
    // Saturating: a total beyond 2^53 − 1 is answered as that (domain/money.ts), never inexact.
    for (const r of [row, total]) {
      r[bucket] = addMinor(r[bucket], amount);
      r.totalMinor = addMinor(r.totalMinor, amount);
    }
  }
  const byKeyThenCurrency = (a: AgingRow, b: AgingRow) =>
    a.key === b.key ? compare(a.currency, b.currency) : compare(a.key, b.key);
  return {
    rows: [...rows.values()].sort(byKeyThenCurrency),
    totals: [...totals.values()].sort(byKeyThenCurrency),
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------
// DSO by month

/**
 * A month as a DSO period: its first day, its end (the month's last day, or `today` for the month still
 * running) and its length in days up to that end.
 */
export interface MonthPeriod {
  month: Month;
  first: CalendarDate;
  last: CalendarDate;
  days: number;
}

/** The months from `from` to `to` inclusive, oldest first; the month containing `today` ends today. */
export function monthPeriods(from: Month, to: Month, today: CalendarDate): MonthPeriod[] {
  if (!isMonth(from)) throw new Error(`from must be YYYY-MM, got ${from}`);
  if (!isMonth(to)) throw new Error(`to must be YYYY-MM, got ${to}`);
  if (from > to) throw new Error(`from ${from} is after to ${to}`);
  const out: MonthPeriod[] = [];
  for (let m = from; m <= to; m = nextMonth(m)) {
    const range = monthRange(m);
    if (range.first > today) break;
    const last = range.last > today ? today : range.last;
    out.push({ month: m, first: range.first, last, days: daysBetween(range.first, last) + 1 });
  }
  return out;
}

export function nextMonth(month: Month): Month {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The month `n` months before `month` (n ≥ 0). */
export function monthsBefore(month: Month, n: number): Month {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 - n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Whole months from `from` to `to`, counting both ends (2025-01 to 2025-03 is 3). */
export function monthSpan(from: Month, to: Month): number {
  const ordinal = (m: Month) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7));
  return ordinal(to) - ordinal(from) + 1;
}

export const DSO_FORMULA =
  'DSO = receivables outstanding at the period end ÷ credit sales issued in the period × days in the period; ' +
  'the period is the calendar month (up to today for the running month); days, one decimal, half up; ' +
  'null when the period has no credit sales';

/**
 * Days sales outstanding of one period: receivables ÷ credit sales × days, rounded half up to one decimal;
 * null without credit sales. Computed in integers, so large amounts stay exact.
 */
export function dsoDays(receivablesMinor: number, creditSalesMinor: number, days: number): number | null {
  const receivables = BigInt(requireMinor(receivablesMinor, 'receivablesMinor'));
  const sales = BigInt(requireMinor(creditSalesMinor, 'creditSalesMinor'));
  if (!Number.isSafeInteger(days) || days <= 0) throw new Error(`days must be positive, got ${days}`);
  if (sales === 0n) return null;
  const tenths = (2n * receivables * BigInt(days) * 10n + sales) / (2n * sales);
  return Number(tenths) / 10;
}

export interface DsoFigures {
  month: Month;
  currency: string;
  receivablesMinor: number;
  creditSalesMinor: number;
}

export interface DsoRow extends DsoFigures {
  periodEnd: CalendarDate;
  days: number;
  dsoDays: number | null;
}

/**
 * One row per period and currency, oldest first: the figures with their DSO. A period without any
 * receivable still shows, in `currency` (the company's), with zeros and no DSO.
 */
export function dsoRows(
  periods: readonly MonthPeriod[],
  figures: readonly DsoFigures[],
  currency: string,
): DsoRow[] {
  return periods.flatMap((p) => {
    const found = figures.filter((f) => f.month === p.month);
    const rows = found.length
      ? found
      : [{ month: p.month, currency, receivablesMinor: 0, creditSalesMinor: 0 }];
    return [...rows]
      .sort((a, b) => compare(a.currency, b.currency))
      .map((f) => ({
        ...f,
        periodEnd: p.last,
        days: p.days,
        dsoDays: dsoDays(f.receivablesMinor, f.creditSalesMinor, p.days),
      }));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Collection results

/** The timeline steps after the due date that count as escalations: +1 check, +7, +15, +30. */
export const ESCALATION_STEPS = ['dueCheck', 'secondNotice', 'warning', 'legal'] as const;
export type EscalationStep = (typeof ESCALATION_STEPS)[number];

export interface CollectedFigures {
  month: Month;
  currency: string;
  collectedMinor: number;
  onTimeMinor: number;
  lateMinor: number;
  discountMinor: number;
}
export interface WrittenOffFigures {
  month: Month;
  currency: string;
  writtenOffMinor: number;
}
export interface EscalationFigures {
  month: Month;
  currency: string;
  step: EscalationStep;
  receivables: number;
}

export interface CollectionRow extends CollectedFigures {
  writtenOffMinor: number;
  /** Receivables that reached each step in the month. */
  escalations: Record<EscalationStep, number>;
}

/**
 * One row per month and currency, oldest first, joining what was collected, written off and escalated;
 * a month with none of these still shows, in `currency`, with zeros.
 */
export function collectionRows(
  periods: readonly MonthPeriod[],
  figures: {
    collected: readonly CollectedFigures[];
    writtenOff: readonly WrittenOffFigures[];
    escalations: readonly EscalationFigures[];
  },
  currency: string,
): CollectionRow[] {
  return periods.flatMap((p) => {
    const of = <T extends { month: Month; currency: string }>(xs: readonly T[]) =>
      xs.filter((x) => x.month === p.month);
    const currencies = [
      ...new Set([
        ...of(figures.collected).map((x) => x.currency),
        ...of(figures.writtenOff).map((x) => x.currency),
        ...of(figures.escalations).map((x) => x.currency),
      ]),
    ].sort(compare);
    return (currencies.length ? currencies : [currency]).map((cur) => {
      const collected = of(figures.collected).find((x) => x.currency === cur);
      const escalations = Object.fromEntries(
        ESCALATION_STEPS.map((step) => [
          step,
          of(figures.escalations)
            .filter((x) => x.currency === cur && x.step === step)
            .reduce((n, x) => n + x.receivables, 0),
        ]),
      ) as Record<EscalationStep, number>;
      return {
        month: p.month,
        currency: cur,
        collectedMinor: collected?.collectedMinor ?? 0,
        onTimeMinor: collected?.onTimeMinor ?? 0,
        lateMinor: collected?.lateMinor ?? 0,
        discountMinor: collected?.discountMinor ?? 0,
        writtenOffMinor: of(figures.writtenOff)
          .filter((x) => x.currency === cur)
          .reduce((n, x) => addMinor(n, x.writtenOffMinor), 0),
        escalations,
      };
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Grade distribution

export interface GradeCount {
  kind: 'dealer' | 'customer';
  /** A dealer grade AA…CC, a customer class A–D, or null (not yet rated / classified). */
  grade: string | null;
  count: number;
}

/**
 * Every grade in its fixed order (dealers AA best … CC worst, then not rated; customers A … D, then not
 * classified), with zero where no counterparty has it.
 */
export function gradeDistribution(counts: readonly GradeCount[]): {
  dealers: { grade: string | null; count: number }[];
  customers: { grade: string | null; count: number }[];
} {
  const count = (kind: GradeCount['kind'], grade: string | null) =>
    counts.filter((c) => c.kind === kind && c.grade === grade).reduce((n, c) => n + c.count, 0);
  const known = (kind: GradeCount['kind'], grades: readonly string[]) =>
    counts.filter((c) => c.kind === kind && c.grade !== null && !grades.includes(c.grade));
  const stray = [...known('dealer', CREDIT_GRADES), ...known('customer', CUSTOMER_CLASSES)];
  if (stray.length) throw new Error(`unknown grade ${stray[0]?.grade} for a ${stray[0]?.kind}`);
  return {
    dealers: [...CREDIT_GRADES, null].map((grade) => ({ grade, count: count('dealer', grade) })),
    customers: [...CUSTOMER_CLASSES, null].map((grade) => ({ grade, count: count('customer', grade) })),
  };
}
