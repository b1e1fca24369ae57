/**
 * docs/domain.md §7 reports from PostgreSQL: aging, DSO by month, grade distribution, limit usage and collection
 * results. Each answers JSON, or CSV (a header row, money in minor units with a currency column) for
 * `?format=csv` or `Accept: text/csv`. A salesperson gets only their own share.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AGING_BUCKET_DEFINITIONS } from '../../domain/aging.js';
import { localDate } from '../../domain/calendar.js';
import { type CsvColumn, columnName, fieldColumns, toCsv } from '../../domain/csv.js';
import type { Policy } from '../../domain/policy.js';
import {
  type AgingRow,
  agingReport,
  type CollectionRow,
  collectionRows,
  DSO_FORMULA,
  type DsoRow,
  dsoRows,
  ESCALATION_STEPS,
  gradeDistribution,
  monthPeriods,
  monthSpan,
  monthsBefore,
} from '../../domain/reports.js';
import { limitUsage } from '../../domain/salesperson-assessment.js';
import { usageBp } from '../../domain/salesperson-review.js';
import type { Store } from '../../store/index.js';
import type { Principal } from '../auth.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { STAFF_READERS } from '../roles.js';
import { CalendarDate, fieldPerKey, Id, Month } from '../schemas.js';
import { isSalesperson, salespersonScope } from '../visibility.js';

const Format = z
  .enum(['json', 'csv'])
  .optional()
  .describe('csv: the report as CSV; absent: CSV when the Accept header asks for text/csv, else JSON');
const CSV_ANSWER =
  'the report as CSV (header row, amounts in minor units), with `format=csv` or `Accept: text/csv`';
/** Every report: read by staff and by salespeople (who see their own), answered as JSON or CSV. */
/** A report answers JSON in this shape, or CSV. */
const jsonOrCsv = <T extends z.ZodType>(report: T) => z.union([report, z.string()]);
const staffAndSalesReport = { tag: 'reports', roles: [...STAFF_READERS, 'sales'], csv: CSV_ANSWER } as const;
const SalespersonFilter = Id.optional().describe(
  "Only this salesperson's receivables (a salesperson always gets only their own)",
);
/** Every report's query: whose receivables, and JSON or CSV. */
const ScopedToSalesperson = { salespersonId: SalespersonFilter, format: Format };
const MAX_MONTHS = 120;
const MonthRange = {
  from: Month.optional().describe('First month YYYY-MM (default: 11 months before `to`)'),
  to: Month.optional().describe("Last month YYYY-MM (default: this month in the company's time zone)"),
};

/** A group's outstanding in each aging bucket, named by the bucket's column (domain/aging.ts). */
const BucketAmounts = fieldPerKey(
  AGING_BUCKET_DEFINITIONS.map((b) => b.column),
  () => z.number().int(),
);
const AgingRowSchema = z.object({
  key: z.string(),
  name: z.string(),
  currency: z.string(),
  ...BucketAmounts,
  totalMinor: z.number().int(),
});
const AgingReport = z.object({
  asOf: z.string(),
  by: z.enum(['counterparty', 'salesperson', 'region']),
  buckets: z.array(z.object({ key: z.string(), label: z.string() })),
  rows: z.array(AgingRowSchema),
  totals: z.array(AgingRowSchema),
});

/** The monthly reports (DSO, collections) answer a row per month and currency. */
const MonthAndCurrency = { month: z.string(), currency: z.string() };

const DsoReport = z.object({
  from: z.string(),
  to: z.string(),
  formula: z.string(),
  rows: z.array(
    z.object({
      ...MonthAndCurrency,
      periodEnd: z.string(),
      days: z.number().int(),
      receivablesMinor: z.number().int(),
      creditSalesMinor: z.number().int(),
      dsoDays: z.number().nullable(),
    }),
  ),
});

const GradeRow = z.object({ grade: z.string().nullable(), count: z.number().int() });
const GradeReport = z.object({ dealers: z.array(GradeRow), customers: z.array(GradeRow) });

const LimitUsageReport = z.object({
  currency: z.string(),
  warningBp: z.number().int(),
  counterparties: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['dealer', 'customer']),
      region: z.string(),
      limitMinor: z.number().int(),
      exposureMinor: z.number().int(),
      availableMinor: z.number().int(),
      usageBp: z.number().int().nullable(),
    }),
  ),
  salespeople: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      region: z.string(),
      limitMinor: z.number().int().nullable(),
      outstandingMinor: z.number().int(),
      availableMinor: z.number().int().nullable(),
      usageBp: z.number().int().nullable(),
      status: z.enum(['ok', 'warning', 'blocked', 'no-limit']),
    }),
  ),
});

const CollectionsReport = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(
    z.object({
      ...MonthAndCurrency,
      collectedMinor: z.number().int(),
      onTimeMinor: z.number().int(),
      lateMinor: z.number().int(),
      discountMinor: z.number().int(),
      writtenOffMinor: z.number().int(),
      escalations: z.object(fieldPerKey(ESCALATION_STEPS, () => z.number().int())),
    }),
  ),
});

/** An explicit `format` wins; otherwise CSV only when the client's Accept header names text/csv. */
export function wantsCsv(format: 'json' | 'csv' | undefined, req: FastifyRequest): boolean {
  if (format) return format === 'csv';
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    return type === 'text/csv' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

const csvReply = (csv: string, filename: string) =>
  reply(200, csv, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
  });

/**
 * Whose receivables: a salesperson's own always (another's id, like an unknown one,
 * selects nothing); staff choose one or all.
 */
function scope(principal: Principal | undefined, requested: string | undefined): string | null {
  if (isSalesperson(principal)) return salespersonScope(principal, requested);
  return requested ?? null;
}

type AgingCsvRow = AgingRow & { asOf: string; by: string };
const AGING_CSV: CsvColumn<AgingCsvRow>[] = [
  ...fieldColumns<AgingCsvRow>('asOf', 'by', 'key', 'name', 'currency'),
  ...AGING_BUCKET_DEFINITIONS.map((b) => ({ header: b.csv, value: (r: AgingCsvRow) => r[b.column] })),
  ...fieldColumns<AgingCsvRow>('totalMinor'),
];

const DSO_CSV = fieldColumns<DsoRow>(
  'month',
  'currency',
  'periodEnd',
  'days',
  'receivablesMinor',
  'creditSalesMinor',
  'dsoDays',
);

const COLLECTIONS_CSV: CsvColumn<CollectionRow>[] = [
  ...fieldColumns<CollectionRow>(
    'month',
    'currency',
    'collectedMinor',
    'onTimeMinor',
    'lateMinor',
    'discountMinor',
    'writtenOffMinor',
  ),
  ...ESCALATION_STEPS.map((step) => ({
    header: `escalated_${columnName(step)}`,
    value: (r: CollectionRow) => r.escalations[step],
  })),
];

type UsageCsvRow = {
  subject: 'counterparty' | 'salesperson';
  id: string;
  name: string;
  currency: string;
  limitMinor: number | null;
  exposureMinor: number;
  availableMinor: number | null;
  usageBp: number | null;
  status: string | null;
};
const USAGE_CSV = fieldColumns<UsageCsvRow>(
  'subject',
  'id',
  'name',
  'currency',
  'limitMinor',
  'exposureMinor',
  'availableMinor',
  'usageBp',
  'status',
);

export function reportRoutes(deps: { store: Store; policy: () => Policy }): AnyRoute[] {
  const q = deps.store.reports;
  const today = () => localDate(Date.now(), deps.policy().timeZone);

  /** The month range asked for, checked: from ≤ to ≤ this month, at most MAX_MONTHS. */
  const months = (query: { from?: string | undefined; to?: string | undefined }) => {
    const now = today();
    const thisMonth = now.slice(0, 7);
    const to = query.to ?? thisMonth;
    const from = query.from ?? monthsBefore(to, 11);
    if (to > thisMonth)
      throw ApiError.validation(`invalid query: query.to must not be after this month (${thisMonth})`, [
        { path: 'query.to', message: `must not be after this month (${thisMonth})` },
      ]);
    if (from > to)
      throw ApiError.validation(`invalid query: query.from must not be after to (${to})`, [
        { path: 'query.from', message: `must not be after to (${to})` },
      ]);
    if (monthSpan(from, to) > MAX_MONTHS)
      throw ApiError.validation(`invalid query: query.from is more than ${MAX_MONTHS} months before to`, [
        { path: 'query.from', message: `at most ${MAX_MONTHS} months before to` },
      ]);
    return { from, to, periods: monthPeriods(from, to, now) };
  };

  return [
    defineRoute({
      method: 'GET',
      path: '/v1/reports/aging',
      summary:
        'Receivables aging on a date: outstanding of issued receivables by days overdue (current = not yet due, 1–7, 8–15, 16–30, 30+ = 31 and more), by counterparty, salesperson or region, one row per group and currency, with totals. Outstanding is rebuilt for the date (approved − payments and discounts dated by then − write-offs by then); JSON or CSV',
      ...staffAndSalesReport,
      query: z.object({
        by: z.enum(['counterparty', 'salesperson', 'region']).default('counterparty'),
        asOf: CalendarDate.optional().describe("default: today in the company's time zone"),
        ...ScopedToSalesperson,
      }),
      response: jsonOrCsv(AgingReport),
      handler: async ({ query, principal }, req) => {
        const asOf = query.asOf ?? today();
        const items = await q.outstandingByDueDate(query.by, asOf, scope(principal, query.salespersonId));
        const { rows, totals } = agingReport(items, asOf);
        if (wantsCsv(query.format, req))
          return csvReply(
            toCsv(
              AGING_CSV,
              [...rows, ...totals].map((r) => ({ ...r, asOf, by: query.by })),
            ),
            `aging-by-${query.by}-${asOf}.csv`,
          );
        return {
          asOf,
          by: query.by,
          buckets: AGING_BUCKET_DEFINITIONS.map((b) => ({ key: b.column, label: b.label })),
          rows,
          totals,
        };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/reports/dso',
      summary: `Days sales outstanding by month, per currency. ${DSO_FORMULA}. Receivables at the period end are rebuilt from the facts (approved − payments and discounts dated by then − write-offs by then); credit sales are approved amounts issued in the period. JSON or CSV`,
      ...staffAndSalesReport,
      query: z.object({ ...MonthRange, ...ScopedToSalesperson }),
      response: jsonOrCsv(DsoReport),
      handler: async ({ query, principal }, req) => {
        const { from, to, periods } = months(query);
        const figures = await q.dsoFigures(periods, scope(principal, query.salespersonId));
        const rows = dsoRows(periods, figures, deps.policy().currency);
        if (wantsCsv(query.format, req)) return csvReply(toCsv(DSO_CSV, rows), `dso-${from}-${to}.csv`);
        return { from, to, formula: DSO_FORMULA, rows };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/reports/grades',
      summary:
        'Grade distribution: dealers by credit grade AA…CC and customers by class A–D (grade null: not yet rated or classified); a salesperson sees the counterparties they sell to. JSON or CSV (kind, grade, count)',
      ...staffAndSalesReport,
      query: z.object({ ...ScopedToSalesperson }),
      response: jsonOrCsv(GradeReport),
      handler: async ({ query, principal }, req) => {
        const report = gradeDistribution(await q.gradeCounts(scope(principal, query.salespersonId)));
        if (wantsCsv(query.format, req)) {
          const rows = [
            ...report.dealers.map((r) => ({ kind: 'dealer', ...r })),
            ...report.customers.map((r) => ({ kind: 'customer', ...r })),
          ];
          return csvReply(
            toCsv(fieldColumns<(typeof rows)[number]>('kind', 'grade', 'count'), rows),
            'grades.csv',
          );
        }
        return report;
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/reports/limit-usage',
      summary:
        "Limit usage now. Per counterparty: limit, exposure (open receivables' outstanding + pending applications, as the automatic checks count it), available = max(0, limit − exposure), usage = exposure ÷ limit in bp rounded down (null without a limit). Per salesperson the same against their receivables limit, with the docs/domain.md §5 status (warning at the policy's level, blocked at 100 %). A salesperson sees their own row and the counterparties they sell to. JSON or CSV",
      ...staffAndSalesReport,
      query: z.object({ ...ScopedToSalesperson }),
      response: jsonOrCsv(LimitUsageReport),
      handler: async ({ query, principal }, req) => {
        const who = scope(principal, query.salespersonId);
        const policy = deps.policy();
        const warningBp = policy.salesperson.limitWarningBp;
        const [cps, sps] = await Promise.all([q.counterpartyUsage(who), q.salespersonUsage(who)]);
        const counterparties = cps.map((c) => ({
          ...c,
          availableMinor: Math.max(0, c.limitMinor - c.exposureMinor),
          usageBp: usageBp(c.exposureMinor, c.limitMinor),
        }));
        const salespeople = sps.map((s) => ({
          ...s,
          availableMinor: s.limitMinor === null ? null : Math.max(0, s.limitMinor - s.outstandingMinor),
          usageBp: usageBp(s.outstandingMinor, s.limitMinor),
          status:
            s.limitMinor === null
              ? ('no-limit' as const)
              : limitUsage(s.outstandingMinor, s.limitMinor, warningBp),
        }));
        if (wantsCsv(query.format, req)) {
          const rows: UsageCsvRow[] = [
            ...counterparties.map((c) => ({
              ...c,
              subject: 'counterparty' as const,
              currency: policy.currency,
              status: null,
            })),
            // A salesperson's exposure is their receivables outstanding.
            ...salespeople.map((s) => ({
              ...s,
              subject: 'salesperson' as const,
              currency: policy.currency,
              exposureMinor: s.outstandingMinor,
            })),
          ];
          return csvReply(toCsv(USAGE_CSV, rows), 'limit-usage.csv');
        }
        return { currency: policy.currency, warningBp, counterparties, salespeople };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/reports/collections',
      summary:
        'Collection results by month, per currency: amount collected (payments dated in the month), of which on time (paid on or before the due date in force) and late, cash discount granted, bad debts written off, and how many receivables reached each escalation step (due+1 check, +7 second notice, +15 warning, +30 legal; dated by the credit record in company time). JSON or CSV',
      ...staffAndSalesReport,
      query: z.object({ ...MonthRange, ...ScopedToSalesperson }),
      response: jsonOrCsv(CollectionsReport),
      handler: async ({ query, principal }, req) => {
        const { from, to, periods } = months(query);
        const who = scope(principal, query.salespersonId);
        const [collected, writtenOff, escalations] = await Promise.all([
          q.collected(periods, who),
          q.writtenOff(periods, who),
          q.escalations(periods, deps.policy().timeZone, who),
        ]);
        const rows = collectionRows(periods, { collected, writtenOff, escalations }, deps.policy().currency);
        if (wantsCsv(query.format, req))
          return csvReply(toCsv(COLLECTIONS_CSV, rows), `collections-${from}-${to}.csv`);
        return { from, to, rows };
      },
    }),
  ];
}
