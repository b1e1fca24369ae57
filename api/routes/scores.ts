/**
 * Scores that keep themselves (docs/scores.md): the facts a person enters for a customer or a
 * salesperson (with the document's date and name; who entered them is the credential), the
 * customer's latest score with each factor's contribution, and the collections forecast with its
 * backtest (JSON or CSV).
 */
import { z } from 'zod';
import { addDays } from '../../domain/calendar.js';
import { FORECAST_WEEKS } from '../../domain/collections-forecast.js';
import { type CsvColumn, toCsv } from '../../domain/csv.js';
import { CUSTOMER_FACT_KEYS, SALESPERSON_FACT_KEYS } from '../../domain/customer-score.js';
import type { Policy } from '../../domain/policy.js';
import type { Operations } from '../../operations/index.js';
import type { Store } from '../../store/index.js';
import { actorOf, authenticated } from '../auth.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { STAFF_READERS } from '../roles.js';
import { actorBodyFields, CalendarDate, Id, QueryInt } from '../schemas.js';
import { isSalesperson, salespersonScope } from '../visibility.js';
import { wantsCsv } from './reports.js';

const FactValue = z
  .union([z.number().int('must be a whole number'), z.enum(['low', 'medium', 'high'])])
  .describe('A whole number (bp ratios, a 0–100 score, a report score), or low/medium/high for industryRisk');
const Document = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .describe('The document it came from (e.g. "2025 audited statements")');

const FactBody = <K extends string>(keys: readonly [K, ...K[]]) =>
  z.object({
    factor: z.enum(keys),
    value: FactValue,
    asOf: CalendarDate.describe(
      "The document's date: a fact older than the policy's limit counts as missing",
    ),
    document: Document,
    ...actorBodyFields('enteredBy', 'source'),
  });

const FactResponse = z.object({
  id: z.string(),
  subjectType: z.enum(['counterparty', 'salesperson']),
  subjectId: z.string(),
  factor: z.string(),
  value: z.union([z.number(), z.string()]),
  asOf: z.string(),
  document: z.string(),
  actor: z.record(z.string(), z.unknown()),
  recordedAt: z.string(),
});

const ForecastWeek = z.object({
  week: z.number().int(),
  from: z.string(),
  to: z.string(),
  expectedMinor: z.number().int(),
  lowMinor: z.number().int(),
  highMinor: z.number().int(),
});
const Group = z.object({
  key: z.string(),
  currency: z.string(),
  expectedMinor: z.number().int(),
  weeks: z.array(z.number().int()),
});
const BacktestError = z.object({
  currency: z.string(),
  weeks: z.number().int(),
  maeMinor: z.number().int(),
  mapeBp: z.number().int().nullable(),
  actualMinor: z.number().int(),
  predictedMinor: z.number().int(),
});
const ForecastReport = z.object({
  asOf: z.string(),
  weeks: z.number().int(),
  method: z.string(),
  currencies: z.array(
    z.object({
      currency: z.string(),
      weeks: z.array(ForecastWeek),
      expectedMinor: z.number().int(),
      laterMinor: z.number().int(),
      disputedMinor: z.number().int(),
    }),
  ),
  bySalesperson: z.array(Group),
  byCounterparty: z.array(Group),
  receivables: z.array(
    z.object({
      id: z.string(),
      counterpartyId: z.string(),
      salespersonId: z.string(),
      currency: z.string(),
      outstandingMinor: z.number().int(),
      dueDate: z.string(),
      predictedDate: z.string().nullable(),
      earliestDate: z.string().nullable(),
      latestDate: z.string().nullable(),
      basis: z.string(),
    }),
  ),
  metadata: z.object({
    backtest: z.object({
      from: z.string(),
      to: z.string(),
      months: z.number().int(),
      byCurrency: z.array(BacktestError),
      byHorizon: z.array(z.object({ horizonWeeks: z.number().int(), byCurrency: z.array(BacktestError) })),
    }),
  }),
});

export const FORECAST_METHOD =
  "Each open receivable is paid on its due date plus one of its counterparty's days late (receivables paid in full over the policy window, 12 months by default; the company's when it has fewer than 3), each equally likely; one already overdue keeps only the days late beyond where it stands (none: spread over the next four weeks); a promise to pay holds it on the promised day; disputed amounts are held out. Week amounts are expected values; the range is the 25th–75th percentile of 400 seeded draws.";

type CsvRow = {
  section: string;
  key: string;
  currency: string;
  week: number | string;
  from: string;
  to: string;
  expectedMinor: number;
  lowMinor: number | string;
  highMinor: number | string;
};
const FORECAST_CSV: CsvColumn<CsvRow>[] = (
  ['section', 'key', 'currency', 'week', 'from', 'to', 'expectedMinor', 'lowMinor', 'highMinor'] as const
).map((k) => ({ header: k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value: (r: CsvRow) => r[k] }));

export function scoreRoutes(deps: {
  store: Store;
  operations: Operations;
  policy: () => Policy;
}): AnyRoute[] {
  const { operations } = deps;
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/customers/:id/facts',
      summary:
        "Enter a fact creditflow cannot know for a customer's score (financial ratios, a credit report, feedback, contract fulfilment, industry risk) with the document's date and name; reused until a newer one is entered, missing once older than the policy's limit",
      tag: 'customers',
      roles: ['finance', 'credit-desk'],
      params: z.object({ id: Id }),
      body: FactBody(CUSTOMER_FACT_KEYS),
      response: FactResponse,
      status: 201,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        const { factor, value, asOf, document } = body;
        return reply(
          201,
          await operations.scores.enterFact(
            'counterparty',
            params.id,
            { factor, value, asOf, document },
            actor,
          ),
        );
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/customers/:id/facts',
      summary: "The facts entered for a customer's score, newest document first",
      tag: 'customers',
      roles: [...STAFF_READERS],
      params: z.object({ id: Id }),
      response: z.object({ facts: z.array(FactResponse) }),
      handler: async ({ params }) => {
        const c = await deps.store.counterparties.get(params.id);
        if (c?.kind !== 'customer') throw ApiError.notFound(`customer ${params.id}`);
        return { facts: await operations.scores.listFacts('counterparty', params.id) };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/customers/:id/score',
      summary:
        "A customer's latest score: class, what triggered it, each factor's contribution (and which were missing, and why), whether an early-warning episode is open",
      tag: 'customers',
      roles: [...STAFF_READERS],
      params: z.object({ id: Id }),
      response: z.object({
        score: z.number().int(),
        customerClass: z.string(),
        trigger: z.string().nullable(),
        scoredAt: z.string(),
        warningOpen: z.boolean(),
        contributions: z.unknown(),
      }),
      handler: async ({ params }) => {
        const last = await operations.scores.latestCustomerScore(params.id);
        if (!last) throw ApiError.notFound(`score of customer ${params.id}`);
        return {
          score: last.score,
          customerClass: last.customerClass,
          trigger: last.trigger,
          scoredAt: last.scoredAt,
          warningOpen: last.warningOpen,
          contributions: last.contributions ?? null,
        };
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/salespeople/:id/facts',
      summary:
        "Enter a fact for a salesperson's score (sales target achievement, customer feedback, contract fulfilment) with the document's date and name",
      tag: 'salespeople',
      roles: ['manager', 'finance'],
      params: z.object({ id: Id }),
      body: FactBody(SALESPERSON_FACT_KEYS),
      response: FactResponse,
      status: 201,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        const { factor, value, asOf, document } = body;
        return reply(
          201,
          await operations.scores.enterFact(
            'salesperson',
            params.id,
            { factor, value, asOf, document },
            actor,
          ),
        );
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/reports/collections-forecast',
      summary: `Expected collections by week for the next ${FORECAST_WEEKS} weeks, by currency (with the 25th–75th percentile range), salesperson and counterparty, each open receivable's predicted payment date, and the backtest's error (weekly MAE and MAPE) in metadata. ${FORECAST_METHOD} JSON or CSV`,
      tag: 'reports',
      roles: [...STAFF_READERS, 'sales'],
      csv: 'the forecast as CSV (a row per week and currency, salesperson or counterparty; amounts in minor units)',
      query: z.object({
        salespersonId: Id.optional().describe(
          "Only this salesperson's receivables (a salesperson always gets only their own)",
        ),
        backtestMonths: QueryInt(1, 24).default(6).describe('Months the backtest replays (default 6)'),
        format: z.enum(['json', 'csv']).optional(),
      }),
      response: z.union([ForecastReport, z.string()]),
      handler: async ({ query, principal }, req) => {
        const salespersonId = isSalesperson(principal)
          ? salespersonScope(principal, query.salespersonId)
          : query.salespersonId;
        const policy = deps.policy();
        const { forecast, backtest } = await operations.scores.collectionsForecast({
          policy,
          salespersonId,
          backtestMonths: query.backtestMonths,
        });
        if (wantsCsv(query.format, req)) {
          const rows: CsvRow[] = [];
          for (const c of forecast.currencies)
            for (const w of c.weeks)
              rows.push({ section: 'currency', key: c.currency, currency: c.currency, ...w });
          for (const [section, groups] of [
            ['salesperson', forecast.bySalesperson],
            ['counterparty', forecast.byCounterparty],
          ] as const)
            for (const g of groups)
              g.weeks.forEach((expectedMinor, week) => {
                rows.push({
                  section,
                  key: g.key,
                  currency: g.currency,
                  week,
                  from: addDays(forecast.asOf, week * 7),
                  to: addDays(forecast.asOf, week * 7 + 6),
                  expectedMinor,
                  lowMinor: '',
                  highMinor: '',
                });
              });
          return reply(200, toCsv(FORECAST_CSV, rows), {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="collections-forecast-${forecast.asOf}.csv"`,
          });
        }
        const report = {
          asOf: forecast.asOf,
          weeks: FORECAST_WEEKS,
          method: FORECAST_METHOD,
          currencies: forecast.currencies,
          bySalesperson: forecast.bySalesperson,
          byCounterparty: forecast.byCounterparty,
          receivables: forecast.receivables,
          metadata: { backtest },
        };
        // The domain's answers are read-only; the schema's types are not.
        return report as unknown as z.infer<typeof ForecastReport>;
      },
    }),
  ];
}
