/**
 * docs/scores.md §1 Payment behaviour from creditflow's own record — pure functions, no I/O.
 *
 * A counterparty's receivables due inside the policy window (default 12 months before the as-of
 * date), their payments and the record's broken promises and disputes → the behaviour factors the
 * customer score weighs: on-time rate by amount, average and 90th-percentile days late, the
 * days-beyond-terms trend (the last quarter against the one before), broken promises, disputes,
 * write-offs and discount take-up.
 */
import { addDays, type CalendarDate, daysBetween } from './calendar.js';

/** One receivable as the record knows it (issued: it has an issue and a due date). */
export interface BehaviourReceivable {
  readonly id: string;
  readonly currency: string;
  /** What the customer owes: the approved amount. */
  readonly amountMinor: number;
  readonly issueDate: CalendarDate;
  readonly dueDate: CalendarDate;
  /** Written off as bad debt (0 if none), on `settledOn`. */
  readonly writtenOffMinor: number;
  /** The day it was paid in full or written off; null while open. */
  readonly settledOn: CalendarDate | null;
}

export interface BehaviourPayment {
  readonly receivableId: string;
  readonly amountMinor: number;
  /** Cash discount granted with the payment (counts as paid). */
  readonly discountMinor: number;
  readonly paidOn: CalendarDate;
}

/** A broken promise or a dispute on one of the counterparty's receivables, and its day. */
export interface BehaviourEvent {
  readonly kind: 'promise-broken' | 'dispute';
  readonly on: CalendarDate;
}

export interface PaymentBehaviour {
  /** First day of the window, inclusive. */
  readonly from: CalendarDate;
  readonly asOf: CalendarDate;
  /** Receivables due inside the window. */
  readonly receivablesDue: number;
  /** Paid by the due date ÷ due, by amount (per currency; currencies weighted by their receivables); null with none due. */
  readonly onTimeRateBp: number | null;
  /** Mean days late of the receivables paid (or still open) late; 0 when none was late; null with none due. */
  readonly averageDaysLate: number | null;
  /** 90th percentile of every due receivable's days late (on time = 0); null with none due. */
  readonly p90DaysLate: number | null;
  /** Mean days beyond terms of the last 91 days' due receivables minus the 91 days before; null when either is empty. */
  readonly lateTrendDays: number | null;
  readonly brokenPromises: number;
  readonly disputes: number;
  /** Written off ÷ due, by amount (as the on-time rate); null with none due. */
  readonly writeOffRateBp: number | null;
  readonly writeOffs: number;
  /** Receivables settled with the cash discount ÷ receivables paid in full in the window; null with none paid. */
  readonly discountTakeUpBp: number | null;
}

/** Days `from` → `to` (0 when `to` is not after). */
const lateness = (due: CalendarDate, on: CalendarDate) => Math.max(0, daysBetween(due, on));

/** The p-th percentile (0–100) by nearest rank of an ascending list; undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * A receivable's days late as of `asOf`, weighted by amount within it: each payment late by its own
 * days, a written-off amount late until its write-off day, what is still open and overdue late until
 * `asOf`. Null while nothing of it has fallen due (due date after `asOf`).
 */
export function receivableDaysLate(
  r: BehaviourReceivable,
  payments: readonly BehaviourPayment[],
  asOf: CalendarDate,
): { daysLate: number; onTimeMinor: number; dueMinor: number } | null {
  if (r.dueDate > asOf) return null;
  let weighted = 0;
  let weight = 0;
  let onTime = 0;
  let covered = 0;
  for (const p of payments) {
    if (p.paidOn > asOf) continue;
    const amount = p.amountMinor + p.discountMinor;
    covered += amount;
    if (p.paidOn <= r.dueDate) onTime += amount;
    weighted += amount * lateness(r.dueDate, p.paidOn);
    weight += amount;
  }
  if (r.writtenOffMinor > 0 && r.settledOn && r.settledOn <= asOf) {
    covered += r.writtenOffMinor;
    weighted += r.writtenOffMinor * lateness(r.dueDate, r.settledOn);
    weight += r.writtenOffMinor;
  }
  const open = Math.max(0, r.amountMinor - covered);
  if (open > 0 && !(r.settledOn && r.settledOn <= asOf)) {
    weighted += open * lateness(r.dueDate, asOf);
    weight += open;
  }
  const daysLate = weight > 0 ? Math.round(weighted / weight) : 0;
  return { daysLate, onTimeMinor: Math.min(onTime, r.amountMinor), dueMinor: r.amountMinor };
}

/** Ratio per currency (by amount), currencies weighted by how many receivables each has. */
function ratioByCurrency(rows: readonly { currency: string; part: number; whole: number }[]): number | null {
  const by = new Map<string, { part: number; whole: number; n: number }>();
  for (const r of rows) {
    const c = by.get(r.currency) ?? { part: 0, whole: 0, n: 0 };
    c.part += r.part;
    c.whole += r.whole;
    c.n += 1;
    by.set(r.currency, c);
  }
  let sum = 0;
  let n = 0;
  for (const c of by.values()) {
    if (c.whole <= 0) continue;
    sum += (c.part / c.whole) * 10000 * c.n;
    n += c.n;
  }
  return n > 0 ? Math.round(sum / n) : null;
}

const mean = (xs: readonly number[]) =>
  xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null;

/** The behaviour factors over the window [`asOf` − `windowMonths` months, `asOf`]. */
export function paymentBehaviour(input: {
  asOf: CalendarDate;
  windowMonths: number;
  receivables: readonly BehaviourReceivable[];
  payments: readonly BehaviourPayment[];
  events: readonly BehaviourEvent[];
}): PaymentBehaviour {
  const { asOf } = input;
  if (!Number.isInteger(input.windowMonths) || input.windowMonths < 1)
    throw new Error(`windowMonths must be a whole number of months ≥ 1, got ${input.windowMonths}`);
  const from = monthsBack(asOf, input.windowMonths);
  const paymentsOf = new Map<string, BehaviourPayment[]>();
  for (const p of input.payments) {
    const list = paymentsOf.get(p.receivableId) ?? [];
    list.push(p);
    paymentsOf.set(p.receivableId, list);
  }
  const due = input.receivables.filter((r) => r.dueDate >= from && r.dueDate <= asOf);
  const lates: { r: BehaviourReceivable; daysLate: number; onTimeMinor: number }[] = [];
  for (const r of due) {
    const l = receivableDaysLate(r, paymentsOf.get(r.id) ?? [], asOf);
    if (l) lates.push({ r, ...l });
  }
  const days = lates.map((l) => l.daysLate).sort((a, b) => a - b);
  const late = days.filter((d) => d > 0);
  const quarterStart = addDays(asOf, -90);
  const previousStart = addDays(asOf, -181);
  const thisQuarter = lates.filter((l) => l.r.dueDate >= quarterStart).map((l) => l.daysLate);
  const previousQuarter = lates
    .filter((l) => l.r.dueDate >= previousStart && l.r.dueDate < quarterStart)
    .map((l) => l.daysLate);
  const thisMean = mean(thisQuarter);
  const previousMean = mean(previousQuarter);
  const inWindow = (on: CalendarDate) => on >= from && on <= asOf;
  const paidInWindow = input.receivables.filter(
    (r) => r.settledOn !== null && inWindow(r.settledOn) && r.writtenOffMinor === 0,
  );
  const tookDiscount = paidInWindow.filter((r) =>
    (paymentsOf.get(r.id) ?? []).some((p) => p.discountMinor > 0),
  ).length;
  const writtenOff = input.receivables.filter(
    (r) => r.writtenOffMinor > 0 && r.settledOn !== null && inWindow(r.settledOn),
  );
  return {
    from,
    asOf,
    receivablesDue: lates.length,
    onTimeRateBp: ratioByCurrency(
      lates.map((l) => ({ currency: l.r.currency, part: l.onTimeMinor, whole: l.r.amountMinor })),
    ),
    averageDaysLate: lates.length ? (late.length ? (mean(late) ?? 0) : 0) : null,
    p90DaysLate: percentile(days, 90) ?? null,
    lateTrendDays:
      thisMean !== null && previousMean !== null ? Math.round((thisMean - previousMean) * 10) / 10 : null,
    brokenPromises: input.events.filter((e) => e.kind === 'promise-broken' && inWindow(e.on)).length,
    disputes: input.events.filter((e) => e.kind === 'dispute' && inWindow(e.on)).length,
    writeOffRateBp: ratioByCurrency(
      lates.map((l) => ({
        currency: l.r.currency,
        part: l.r.settledOn && l.r.settledOn <= asOf ? l.r.writtenOffMinor : 0,
        whole: l.r.amountMinor,
      })),
    ),
    writeOffs: writtenOff.length,
    discountTakeUpBp: paidInWindow.length ? Math.round((tookDiscount / paidInWindow.length) * 10000) : null,
  };
}

/** The same day `months` months earlier (the month's last day when it has no such day). */
export function monthsBack(date: CalendarDate, months: number): CalendarDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(d, last);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
