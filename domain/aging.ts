/**
 * Receivables aging: how far past its due date each open receivable's outstanding
 * amount is, in the buckets the collection timeline works in (reminder, +7 second
 * notice, +15 warning and supply stop, +30 legal escalation). The one definition of
 * the buckets: the aging report (domain/reports.ts) and the /metrics gauges
 * (infra/metrics.ts) both read them from here, so they cannot disagree. Pure.
 */
import { type CalendarDate, daysBetween } from './calendar.js';

/**
 * current = not yet due (or due today); then days overdue 1–7, 8–15, 16–30, more than 30.
 * `name` labels the metric, `column` is the report's amount field, `csv` its CSV column, `label` its heading.
 */
export const AGING_BUCKET_DEFINITIONS = [
  { name: 'current', column: 'currentMinor', csv: 'current_minor', label: 'current', throughDays: 0 },
  { name: '1-7', column: 'overdue1to7Minor', csv: 'overdue_1_7_minor', label: '1–7', throughDays: 7 },
  { name: '8-15', column: 'overdue8to15Minor', csv: 'overdue_8_15_minor', label: '8–15', throughDays: 15 },
  {
    name: '16-30',
    column: 'overdue16to30Minor',
    csv: 'overdue_16_30_minor',
    label: '16–30',
    throughDays: 30,
  },
  {
    name: '30+',
    column: 'overdueOver30Minor',
    csv: 'overdue_over_30_minor',
    label: '30+',
    throughDays: Number.POSITIVE_INFINITY,
  },
] as const;
type AgingBucketDefinition = (typeof AGING_BUCKET_DEFINITIONS)[number];

export const AGING_BUCKETS = AGING_BUCKET_DEFINITIONS.map((b) => b.name);
export type AgingBucket = AgingBucketDefinition['name'];
/** The aging report's amount field of a bucket. */
export type AgingColumn = AgingBucketDefinition['column'];

/**
 * Days overdue on `asOf` of a receivable due on `dueDate`: 0 or less is current (due today or later is
 * not yet overdue); the day after the due date is 1 day overdue.
 */
export function daysOverdue(dueDate: CalendarDate, asOf: CalendarDate): number {
  return daysBetween(dueDate, asOf);
}

function bucketOf(daysOverdue: number): AgingBucketDefinition {
  const bucket = AGING_BUCKET_DEFINITIONS.find((b) => daysOverdue <= b.throughDays);
  // The last bucket runs to infinity; this only guards the type.
  if (!bucket) throw new Error(`no aging bucket for ${daysOverdue} days`);
  return bucket;
}

export function agingBucket(daysOverdue: number): AgingBucket {
  return bucketOf(daysOverdue).name;
}

/** The report column of a receivable due on `dueDate`, on `asOf`. */
export function agingColumn(dueDate: CalendarDate, asOf: CalendarDate): AgingColumn {
  return bucketOf(daysOverdue(dueDate, asOf)).column;
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
    const t = totals[agingBucket(daysOverdue(r.dueDate, today))];
    t.outstandingMinor += r.outstandingMinor;
    t.receivables += r.receivables;
  }
  return totals;
}
