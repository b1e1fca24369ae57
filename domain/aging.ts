/**
 * Receivables aging: how far past its due date each open receivable's outstanding
 * amount is, in the buckets the collection timeline works in (reminder, +7 second
 * notice, +15 warning and supply stop, +30 legal escalation). Pure.
 */
import { type CalendarDate, daysBetween } from './calendar.js';

/** current = not yet due (or due today); then days overdue 1–7, 8–15, 16–30, more than 30. */
export const AGING_BUCKETS = ['current', '1-7', '8-15', '16-30', '30+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

export function agingBucket(daysOverdue: number): AgingBucket {
  if (daysOverdue <= 0) return 'current';
  if (daysOverdue <= 7) return '1-7';
  if (daysOverdue <= 15) return '8-15';
  if (daysOverdue <= 30) return '16-30';
  return '30+';
}

export interface AgingTotal {
  outstandingMinor: number;
  receivables: number;
}

/** Totals per bucket (every bucket present, zero when empty) of open receivables by due date. */
export function agingTotals(
  open: readonly { dueDate: CalendarDate; outstandingMinor: number; receivables: number }[],
  today: CalendarDate,
): Record<AgingBucket, AgingTotal> {
  const totals = Object.fromEntries(
    AGING_BUCKETS.map((b) => [b, { outstandingMinor: 0, receivables: 0 }]),
  ) as Record<AgingBucket, AgingTotal>;
  for (const r of open) {
    const t = totals[agingBucket(daysBetween(r.dueDate, today))];
    t.outstandingMinor += r.outstandingMinor;
    t.receivables += r.receivables;
  }
  return totals;
}
