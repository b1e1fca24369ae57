/**
 * The statement of account (对账单) of one counterparty for a period: per currency, the balance at
 * the start, the invoices issued, payments, discounts and write-offs in the period, the balance at
 * the end, and the items still open at the end with their aging (domain/aging.ts, the one bucket
 * definition). Pure: store/statements.ts reads the receivables and payments, this does the sums.
 * Money is integer minor units; nothing is converted between currencies.
 */
import { type AgingBucket, agingBucket, agingTotals, daysOverdue } from './aging.js';
import { addDays, type CalendarDate } from './calendar.js';
import { addMinor } from './money.js';

/** An issued receivable of the counterparty, as stored. */
export interface StatementReceivable {
  id: string;
  currency: string;
  /** The approved (invoiced) amount. */
  amountMinor: number;
  issueDate: CalendarDate;
  dueDate: CalendarDate;
  stage: string;
  writtenOffMinor: number;
  /** The day it was paid in full or written off; null while open. */
  settledOn: CalendarDate | null;
}

export interface StatementPayment {
  receivableId: string;
  paidOn: CalendarDate;
  amountMinor: number;
  discountMinor: number;
}

export type MovementKind = 'invoice' | 'payment' | 'discount' | 'write-off';

/** One line of the period: an invoice raises the balance (debit), the rest lower it (credit). */
export interface StatementMovement {
  date: CalendarDate;
  kind: MovementKind;
  receivableId: string;
  currency: string;
  debitMinor: number;
  creditMinor: number;
}

export interface StatementOpenItem {
  receivableId: string;
  currency: string;
  issueDate: CalendarDate;
  dueDate: CalendarDate;
  amountMinor: number;
  outstandingMinor: number;
  /** Calendar days past due on the statement's last day; 0 or less: not yet due. */
  daysOverdue: number;
  bucket: AgingBucket;
}

export interface StatementCurrency {
  currency: string;
  openingMinor: number;
  invoicedMinor: number;
  paidMinor: number;
  discountMinor: number;
  writtenOffMinor: number;
  closingMinor: number;
  /** The closing balance's open items by aging bucket (every bucket, zero when empty). */
  aging: { bucket: AgingBucket; outstandingMinor: number; items: number }[];
}

export interface Statement {
  from: CalendarDate;
  to: CalendarDate;
  /** One entry per currency the counterparty had anything in, by currency code. */
  currencies: StatementCurrency[];
  /** The period's movements by date (invoices first on a day), then receivable. */
  movements: StatementMovement[];
  /** Items open at the end of `to`, oldest due date first. */
  openItems: StatementOpenItem[];
}

const KIND_ORDER: Record<MovementKind, number> = { invoice: 0, payment: 1, discount: 2, 'write-off': 3 };

/** A receivable's outstanding at the end of `day`: approved − payments and discounts by then − the write-off by then. */
export function outstandingAt(
  r: StatementReceivable,
  payments: readonly StatementPayment[],
  day: CalendarDate,
): number {
  if (r.issueDate > day) return 0;
  let cleared = 0;
  for (const p of payments) if (p.paidOn <= day) cleared += p.amountMinor + p.discountMinor;
  const writtenOff =
    r.stage === 'written-off' && r.settledOn !== null && r.settledOn <= day ? r.writtenOffMinor : 0;
  return Math.max(0, r.amountMinor - cleared - writtenOff);
}

/**
 * The statement for `from`–`to` (inclusive). `receivables`: the counterparty's issued receivables
 * (any issued up to `to`); `payments`: their payments (any date; later ones are ignored).
 */
export function buildStatement(
  from: CalendarDate,
  to: CalendarDate,
  receivables: readonly StatementReceivable[],
  payments: readonly StatementPayment[],
): Statement {
  const dayBefore = addDays(from, -1);
  const paymentsOf = new Map<string, StatementPayment[]>();
  for (const p of payments) {
    const list = paymentsOf.get(p.receivableId) ?? [];
    list.push(p);
    paymentsOf.set(p.receivableId, list);
  }
  const sums = new Map<string, Omit<StatementCurrency, 'aging'>>();
  const sum = (currency: string) => {
    let s = sums.get(currency);
    if (!s) {
      s = {
        currency,
        openingMinor: 0,
        invoicedMinor: 0,
        paidMinor: 0,
        discountMinor: 0,
        writtenOffMinor: 0,
        closingMinor: 0,
      };
      sums.set(currency, s);
    }
    return s;
  };
  const movements: StatementMovement[] = [];
  const openItems: StatementOpenItem[] = [];
  const inPeriod = (d: CalendarDate) => d >= from && d <= to;
  for (const r of receivables) {
    if (r.issueDate > to) continue;
    const own = paymentsOf.get(r.id) ?? [];
    const s = sum(r.currency);
    const move = (date: CalendarDate, kind: MovementKind, debitMinor: number, creditMinor: number) =>
      movements.push({ date, kind, receivableId: r.id, currency: r.currency, debitMinor, creditMinor });
    s.openingMinor = addMinor(s.openingMinor, outstandingAt(r, own, dayBefore));
    if (inPeriod(r.issueDate)) {
      s.invoicedMinor = addMinor(s.invoicedMinor, r.amountMinor);
      move(r.issueDate, 'invoice', r.amountMinor, 0);
    }
    for (const p of own) {
      if (!inPeriod(p.paidOn)) continue;
      if (p.amountMinor > 0) {
        s.paidMinor = addMinor(s.paidMinor, p.amountMinor);
        move(p.paidOn, 'payment', 0, p.amountMinor);
      }
      if (p.discountMinor > 0) {
        s.discountMinor = addMinor(s.discountMinor, p.discountMinor);
        move(p.paidOn, 'discount', 0, p.discountMinor);
      }
    }
    if (r.stage === 'written-off' && r.settledOn !== null && inPeriod(r.settledOn) && r.writtenOffMinor > 0) {
      s.writtenOffMinor = addMinor(s.writtenOffMinor, r.writtenOffMinor);
      move(r.settledOn, 'write-off', 0, r.writtenOffMinor);
    }
    const closing = outstandingAt(r, own, to);
    s.closingMinor = addMinor(s.closingMinor, closing);
    if (closing > 0) {
      const days = daysOverdue(r.dueDate, to);
      openItems.push({
        receivableId: r.id,
        currency: r.currency,
        issueDate: r.issueDate,
        dueDate: r.dueDate,
        amountMinor: r.amountMinor,
        outstandingMinor: closing,
        daysOverdue: days,
        bucket: agingBucket(days),
      });
    }
  }
  movements.sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      a.receivableId.localeCompare(b.receivableId),
  );
  openItems.sort(
    (a, b) => a.dueDate.localeCompare(b.dueDate) || a.receivableId.localeCompare(b.receivableId),
  );
  const currencies = [...sums.values()]
    .sort((a, b) => a.currency.localeCompare(b.currency))
    .map((s) => {
      const totals = agingTotals(
        openItems
          .filter((i) => i.currency === s.currency)
          .map((i) => ({ dueDate: i.dueDate, outstandingMinor: i.outstandingMinor, receivables: 1 })),
        to,
      );
      const aging = Object.entries(totals).map(([bucket, t]) => ({
        bucket: bucket as AgingBucket,
        outstandingMinor: t.outstandingMinor,
        items: t.receivables,
      }));
      return { ...s, aging };
    });
  return { from, to, currencies, movements, openItems };
}

/** Whether a statement shows anything: a balance or a movement in some currency. */
export const statementIsEmpty = (s: Statement): boolean =>
  s.movements.length === 0 && s.currencies.every((c) => c.openingMinor === 0 && c.closingMinor === 0);

/** The first day of the month `date` is in. */
export const monthStart = (date: CalendarDate): CalendarDate => `${date.slice(0, 7)}-01`;

/** The first and last day of the month before the one `date` is in. */
export function previousMonthPeriod(date: CalendarDate): { from: CalendarDate; to: CalendarDate } {
  const to = addDays(monthStart(date), -1);
  return { from: monthStart(to), to };
}
