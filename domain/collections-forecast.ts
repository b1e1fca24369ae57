/**
 * docs/scores.md §3 The collections forecast and its backtest — pure functions, no I/O.
 *
 * Method. Each counterparty's recent days late (the day a receivable was paid in full minus its
 * due date, 0 when on time; receivables paid in full inside the window, default 12 months) is the
 * distribution its open receivables are drawn from: an open receivable is expected to be paid on its
 * due date plus one of those days late, each equally likely. When a counterparty has fewer than
 * `minSamples` such receivables, the company's whole distribution stands in. A receivable already
 * overdue keeps only the days late beyond where it stands; if its own history has none, it is spread
 * evenly over the next four weeks. A promise to pay holds it on the promised day; a disputed amount
 * is held out of the weeks and reported apart. Expected collections per week are the outstanding
 * amounts times the share of each receivable's dates falling in that week; the 25th–75th
 * percentile range of each week's total comes from drawing every receivable's date
 * `simulations` times (a fixed seed: the same record, the same figures).
 */
import { addDays, type CalendarDate, daysBetween } from './calendar.js';
import { monthsBack, percentile } from './payment-behaviour.js';

export const FORECAST_WEEKS = 13;

export interface ForecastOptions {
  /** Months of settled receivables the days-late distribution uses. Default 12. */
  windowMonths?: number;
  /** Fewer settled receivables than this: the company's distribution stands in. Default 3. */
  minSamples?: number;
  /** Draws for the range. Default 400. */
  simulations?: number;
  seed?: number;
}

export interface SettledReceivable {
  readonly counterpartyId: string;
  readonly dueDate: CalendarDate;
  /** The day it was paid in full. */
  readonly settledOn: CalendarDate;
}

export interface OpenReceivable {
  readonly id: string;
  readonly counterpartyId: string;
  readonly salespersonId: string;
  readonly currency: string;
  readonly dueDate: CalendarDate;
  readonly outstandingMinor: number;
  readonly hold?: { kind: 'promise'; promisedBy: CalendarDate } | { kind: 'dispute' } | null;
}

/** Days late per counterparty (and '*' for the company), from receivables paid in full in the window before `asOf`. */
export function daysLateDistribution(
  settled: readonly SettledReceivable[],
  asOf: CalendarDate,
  windowMonths = 12,
): Map<string, number[]> {
  const from = monthsBack(asOf, windowMonths);
  const out = new Map<string, number[]>([['*', []]]);
  for (const s of settled) {
    if (s.settledOn < from || s.settledOn >= asOf) continue;
    const late = Math.max(0, daysBetween(s.dueDate, s.settledOn));
    const list = out.get(s.counterpartyId) ?? [];
    list.push(late);
    out.set(s.counterpartyId, list);
    out.get('*')?.push(late);
  }
  for (const l of out.values()) l.sort((a, b) => a - b);
  return out;
}

/** The days (from `asOf`, ≥ 0) on which the receivable may be paid, equally likely; null when held out (dispute). */
export function paymentOffsets(
  r: OpenReceivable,
  asOf: CalendarDate,
  distribution: Map<string, number[]>,
  minSamples = 3,
): number[] | null {
  if (r.hold?.kind === 'dispute') return null;
  if (r.hold?.kind === 'promise') return [Math.max(0, daysBetween(asOf, r.hold.promisedBy))];
  const own = distribution.get(r.counterpartyId) ?? [];
  const samples = own.length >= minSamples ? own : (distribution.get('*') ?? []);
  const overdue = Math.max(0, daysBetween(r.dueDate, asOf));
  const beyond = samples.filter((d) => d >= overdue);
  if (samples.length === 0 && overdue === 0) return [daysBetween(asOf, r.dueDate)];
  if (beyond.length === 0) return [0, 7, 14, 21, 28];
  return beyond.map((d) => Math.max(0, daysBetween(asOf, addDays(r.dueDate, d))));
}

/** A small seeded generator (mulberry32): the same seed, the same draws. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ForecastWeek {
  readonly week: number;
  readonly from: CalendarDate;
  readonly to: CalendarDate;
  readonly expectedMinor: number;
  readonly lowMinor: number;
  readonly highMinor: number;
}

export interface ForecastGroup {
  readonly key: string;
  readonly currency: string;
  readonly expectedMinor: number;
  readonly weeks: readonly number[];
}

export interface PredictedReceivable {
  readonly id: string;
  readonly counterpartyId: string;
  readonly salespersonId: string;
  readonly currency: string;
  readonly outstandingMinor: number;
  readonly dueDate: CalendarDate;
  /** The median of its dates; null when held out. */
  readonly predictedDate: CalendarDate | null;
  readonly earliestDate: CalendarDate | null;
  readonly latestDate: CalendarDate | null;
  readonly basis: 'own-history' | 'company-history' | 'beyond-history' | 'promise' | 'dispute' | 'due-date';
}

export interface CurrencyForecast {
  readonly currency: string;
  readonly weeks: readonly ForecastWeek[];
  readonly expectedMinor: number;
  /** Expected after the 13 weeks. */
  readonly laterMinor: number;
  /** Disputed: held out of the weeks. */
  readonly disputedMinor: number;
}

export interface CollectionsForecast {
  readonly asOf: CalendarDate;
  readonly currencies: readonly CurrencyForecast[];
  readonly bySalesperson: readonly ForecastGroup[];
  readonly byCounterparty: readonly ForecastGroup[];
  readonly receivables: readonly PredictedReceivable[];
}

const weekOf = (offset: number) => Math.floor(offset / 7);

function basisOf(
  r: OpenReceivable,
  distribution: Map<string, number[]>,
  minSamples: number,
  asOf: CalendarDate,
): PredictedReceivable['basis'] {
  if (r.hold?.kind === 'dispute') return 'dispute';
  if (r.hold?.kind === 'promise') return 'promise';
  const own = distribution.get(r.counterpartyId) ?? [];
  const samples = own.length >= minSamples ? own : (distribution.get('*') ?? []);
  const overdue = Math.max(0, daysBetween(r.dueDate, asOf));
  if (samples.length === 0 && overdue === 0) return 'due-date';
  if (!samples.some((d) => d >= overdue)) return 'beyond-history';
  return own.length >= minSamples ? 'own-history' : 'company-history';
}

/** Expected collections per week for the 13 weeks from `asOf` (week 0 starts on `asOf`). */
export function collectionsForecast(input: {
  asOf: CalendarDate;
  open: readonly OpenReceivable[];
  settled: readonly SettledReceivable[];
  options?: ForecastOptions;
}): CollectionsForecast {
  const { asOf } = input;
  const minSamples = input.options?.minSamples ?? 3;
  const sims = input.options?.simulations ?? 400;
  const distribution = daysLateDistribution(input.settled, asOf, input.options?.windowMonths ?? 12);
  const currencies = new Map<
    string,
    { expected: number[]; later: number; disputed: number; draws: number[][] }
  >();
  const groups = { salesperson: new Map<string, number[]>(), counterparty: new Map<string, number[]>() };
  const predicted: PredictedReceivable[] = [];
  const planned: { r: OpenReceivable; offsets: number[] }[] = [];
  const currencyOf = (c: string) => {
    let cur = currencies.get(c);
    if (!cur) {
      cur = {
        expected: new Array(FORECAST_WEEKS).fill(0),
        later: 0,
        disputed: 0,
        draws: Array.from({ length: sims }, () => new Array(FORECAST_WEEKS).fill(0)),
      };
      currencies.set(c, cur);
    }
    return cur;
  };
  const addTo = (map: Map<string, number[]>, key: string, week: number, amount: number) => {
    let w = map.get(key);
    if (!w) {
      w = new Array(FORECAST_WEEKS).fill(0);
      map.set(key, w);
    }
    w[week] = (w[week] ?? 0) + amount;
  };
  for (const r of [...input.open].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (r.outstandingMinor <= 0) continue;
    const cur = currencyOf(r.currency);
    const offsets = paymentOffsets(r, asOf, distribution, minSamples);
    const basis = basisOf(r, distribution, minSamples, asOf);
    const base = {
      id: r.id,
      counterpartyId: r.counterpartyId,
      salespersonId: r.salespersonId,
      currency: r.currency,
      outstandingMinor: r.outstandingMinor,
      dueDate: r.dueDate,
      basis,
    };
    if (!offsets) {
      cur.disputed += r.outstandingMinor;
      predicted.push({ ...base, predictedDate: null, earliestDate: null, latestDate: null });
      continue;
    }
    const sorted = [...offsets].sort((a, b) => a - b);
    const at = (p: number) => addDays(asOf, percentile(sorted, p) ?? 0);
    predicted.push({ ...base, predictedDate: at(50), earliestDate: at(25), latestDate: at(75) });
    const share = r.outstandingMinor / offsets.length;
    for (const o of offsets) {
      const w = weekOf(o);
      if (w >= FORECAST_WEEKS) {
        cur.later += share;
        continue;
      }
      cur.expected[w] = (cur.expected[w] ?? 0) + share;
      addTo(groups.salesperson, `${r.salespersonId}\u0000${r.currency}`, w, share);
      addTo(groups.counterparty, `${r.counterpartyId}\u0000${r.currency}`, w, share);
    }
    planned.push({ r, offsets });
  }
  const next = random(input.options?.seed ?? 20261205);
  for (let s = 0; s < sims; s++) {
    for (const { r, offsets } of planned) {
      const o = offsets[Math.floor(next() * offsets.length)] ?? 0;
      const w = weekOf(o);
      const draws = currencies.get(r.currency)?.draws[s];
      if (draws && w < FORECAST_WEEKS) draws[w] = (draws[w] ?? 0) + r.outstandingMinor;
    }
  }
  const currencyList: CurrencyForecast[] = [...currencies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, c]) => {
      const weeks = c.expected.map((e, week) => {
        const totals = c.draws.map((d) => d[week] ?? 0).sort((a, b) => a - b);
        return {
          week,
          from: addDays(asOf, week * 7),
          to: addDays(asOf, week * 7 + 6),
          expectedMinor: Math.round(e),
          lowMinor: percentile(totals, 25) ?? 0,
          highMinor: percentile(totals, 75) ?? 0,
        };
      });
      return {
        currency,
        weeks,
        expectedMinor: weeks.reduce((a, w) => a + w.expectedMinor, 0),
        laterMinor: Math.round(c.later),
        disputedMinor: c.disputed,
      };
    });
  const groupList = (map: Map<string, number[]>): ForecastGroup[] =>
    [...map.entries()]
      .map(([k, w]) => {
        const [key, currency] = k.split('\u0000') as [string, string];
        const weeks = w.map((x) => Math.round(x));
        return { key, currency, weeks, expectedMinor: weeks.reduce((a, b) => a + b, 0) };
      })
      .sort((a, b) => b.expectedMinor - a.expectedMinor || (a.key < b.key ? -1 : 1));
  return {
    asOf,
    currencies: currencyList,
    bySalesperson: groupList(groups.salesperson),
    byCounterparty: groupList(groups.counterparty),
    receivables: predicted,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Backtest

export interface HistoryReceivable {
  readonly id: string;
  readonly counterpartyId: string;
  readonly salespersonId: string;
  readonly currency: string;
  readonly amountMinor: number;
  readonly issueDate: CalendarDate;
  readonly dueDate: CalendarDate;
  readonly writtenOffMinor: number;
  /** Paid in full or written off on this day; null while open. */
  readonly settledOn: CalendarDate | null;
}

export interface HistoryPayment {
  readonly receivableId: string;
  readonly amountMinor: number;
  readonly discountMinor: number;
  readonly paidOn: CalendarDate;
}

export interface BacktestError {
  readonly currency: string;
  /** Weeks (as-of dates) replayed with an actual to compare. */
  readonly weeks: number;
  /** Mean absolute error of a week's expected collections, minor units. */
  readonly maeMinor: number;
  /** Mean absolute percentage error over the weeks something was collected, bp; null when nothing was. */
  readonly mapeBp: number | null;
  readonly actualMinor: number;
  readonly predictedMinor: number;
}

export interface Backtest {
  readonly from: CalendarDate;
  readonly to: CalendarDate;
  readonly months: number;
  /** Forecasting the week after each as-of date (horizon 1 week). */
  readonly byCurrency: readonly BacktestError[];
  /** The same, 1 to 4 weeks ahead. */
  readonly byHorizon: readonly {
    readonly horizonWeeks: number;
    readonly byCurrency: readonly BacktestError[];
  }[];
}

/**
 * Replays the last `months` months: as of each week (every 7 days back from `asOf`), the receivables
 * then open with what was then outstanding, and the days-late distribution as then known, give the
 * expected collections of the weeks after; compared with what was actually settled (cash and
 * discount) on those receivables in those weeks. Valid reasons (promises, disputes) are not replayed.
 */
export function backtestForecast(input: {
  asOf: CalendarDate;
  months: number;
  receivables: readonly HistoryReceivable[];
  payments: readonly HistoryPayment[];
  options?: ForecastOptions;
  horizons?: number;
}): Backtest {
  const horizons = input.horizons ?? 4;
  const from = monthsBack(input.asOf, input.months);
  const minSamples = input.options?.minSamples ?? 3;
  const paymentsOf = new Map<string, HistoryPayment[]>();
  for (const p of input.payments) {
    const l = paymentsOf.get(p.receivableId) ?? [];
    l.push(p);
    paymentsOf.set(p.receivableId, l);
  }
  const settled: SettledReceivable[] = input.receivables
    .filter((r) => r.settledOn !== null && r.writtenOffMinor === 0)
    .map((r) => ({ counterpartyId: r.counterpartyId, dueDate: r.dueDate, settledOn: r.settledOn as string }));
  // errors[h][currency] = list of { predicted, actual }
  const errors = Array.from({ length: horizons }, () => new Map<string, { p: number; a: number }[]>());
  for (let w = addDays(input.asOf, -7); w >= from; w = addDays(w, -7)) {
    const distribution = daysLateDistribution(settled, w, input.options?.windowMonths ?? 12);
    const predicted = Array.from({ length: horizons }, () => new Map<string, number>());
    const actual = Array.from({ length: horizons }, () => new Map<string, number>());
    for (const r of input.receivables) {
      if (r.issueDate >= w) continue;
      if (r.settledOn !== null && r.settledOn < w) continue;
      const pays = paymentsOf.get(r.id) ?? [];
      const before = pays
        .filter((p) => p.paidOn < w)
        .reduce((s, p) => s + p.amountMinor + p.discountMinor, 0);
      const outstanding = r.amountMinor - before;
      if (outstanding <= 0) continue;
      const offsets = paymentOffsets(
        { ...r, outstandingMinor: outstanding, hold: null },
        w,
        distribution,
        minSamples,
      );
      if (!offsets) continue;
      for (const o of offsets) {
        const h = weekOf(o);
        if (h < horizons) {
          const m = predicted[h] as Map<string, number>;
          m.set(r.currency, (m.get(r.currency) ?? 0) + outstanding / offsets.length);
        }
      }
      for (const p of pays) {
        if (p.paidOn < w) continue;
        const h = weekOf(daysBetween(w, p.paidOn));
        if (h < horizons) {
          const m = actual[h] as Map<string, number>;
          m.set(r.currency, (m.get(r.currency) ?? 0) + p.amountMinor + p.discountMinor);
        }
      }
      for (const m of [predicted, actual])
        for (const byC of m) if (!byC.has(r.currency)) byC.set(r.currency, 0);
    }
    for (let h = 0; h < horizons; h++) {
      // Only weeks that have ended by `asOf` have an actual to compare.
      if (addDays(w, 7 * (h + 1)) > input.asOf) continue;
      for (const [currency, p] of predicted[h] as Map<string, number>) {
        const byC = errors[h] as Map<string, { p: number; a: number }[]>;
        const list = byC.get(currency) ?? [];
        list.push({ p, a: (actual[h] as Map<string, number>).get(currency) ?? 0 });
        byC.set(currency, list);
      }
    }
  }
  const summarise = (byC: Map<string, { p: number; a: number }[]>): BacktestError[] =>
    [...byC.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([currency, list]) => {
        const withActual = list.filter((x) => x.a > 0);
        return {
          currency,
          weeks: list.length,
          maeMinor: Math.round(list.reduce((s, x) => s + Math.abs(x.p - x.a), 0) / list.length),
          mapeBp: withActual.length
            ? Math.round(
                (withActual.reduce((s, x) => s + Math.abs(x.p - x.a) / x.a, 0) / withActual.length) * 10000,
              )
            : null,
          actualMinor: Math.round(list.reduce((s, x) => s + x.a, 0)),
          predictedMinor: Math.round(list.reduce((s, x) => s + x.p, 0)),
        };
      });
  return {
    from,
    to: input.asOf,
    months: input.months,
    byCurrency: summarise(errors[0] as Map<string, { p: number; a: number }[]>),
    byHorizon: errors.map((e, h) => ({ horizonWeeks: h + 1, byCurrency: summarise(e) })),
  };
}
