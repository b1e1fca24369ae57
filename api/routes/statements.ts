/**
 * A counterparty's statement of account (对账单) for a period, on demand: JSON, CSV or the PDF the
 * monthly run sends (docs/letters.md). Read by the counterparty's salesperson (another's answers as
 * an unknown counterparty, api/visibility.ts), finance, the credit desk, managers and auditors.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AGING_BUCKETS } from '../../domain/aging.js';
import { localDate } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import { monthStart } from '../../domain/statement.js';
import type { Statements } from '../../operations/correspondence/statements.js';
import type { Store } from '../../store/index.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { CalendarDate, Id } from '../schemas.js';
import { createVisibility } from '../visibility.js';

const Money = z.number().int();
const StatementResponse = z.object({
  counterpartyId: z.string(),
  counterpartyName: z.string(),
  from: z.string(),
  to: z.string(),
  letterNumber: z
    .string()
    .describe('The statement’s number (CF-YYYY-NNNNNN), the same each time this period is asked for'),
  currencies: z.array(
    z.object({
      currency: z.string(),
      openingMinor: Money.describe('Outstanding at the end of the day before `from`'),
      invoicedMinor: Money.describe('Receivables issued in the period'),
      paidMinor: Money,
      discountMinor: Money,
      writtenOffMinor: Money,
      closingMinor: Money.describe('Outstanding at the end of `to`'),
      aging: z.array(
        z.object({
          bucket: z.enum(AGING_BUCKETS as [string, ...string[]]),
          outstandingMinor: Money,
          items: z.number().int(),
        }),
      ),
    }),
  ),
  movements: z.array(
    z.object({
      date: z.string(),
      kind: z.enum(['invoice', 'payment', 'discount', 'write-off']),
      receivableId: z.string(),
      currency: z.string(),
      debitMinor: Money,
      creditMinor: Money,
    }),
  ),
  openItems: z.array(
    z.object({
      receivableId: z.string(),
      currency: z.string(),
      issueDate: z.string(),
      dueDate: z.string(),
      amountMinor: Money,
      outstandingMinor: Money,
      daysOverdue: z.number().int(),
      bucket: z.enum(AGING_BUCKETS as [string, ...string[]]),
    }),
  ),
});

const Format = z
  .enum(['json', 'csv', 'pdf'])
  .optional()
  .describe('absent: PDF or CSV when the Accept header asks for application/pdf or text/csv, else JSON');

/** The longest period one statement covers. */
const MAX_DAYS = 3 * 366;

/** An explicit `format` wins; otherwise the first of PDF or CSV the Accept header names (not with q=0). */
function wantedFormat(
  format: 'json' | 'csv' | 'pdf' | undefined,
  req: FastifyRequest,
): 'json' | 'csv' | 'pdf' {
  if (format) return format;
  const accepted = (req.headers.accept ?? '')
    .split(',')
    .map((part) => part.split(';').map((s) => s.trim().toLowerCase()))
    .filter(([, ...params]) => !params.some((p) => /^q=0(\.0*)?$/.test(p)))
    .map(([type]) => type);
  if (accepted.includes('application/pdf')) return 'pdf';
  if (accepted.includes('text/csv')) return 'csv';
  return 'json';
}

export function statementRoutes(deps: {
  store: Store;
  statements: Statements;
  policy: () => Policy;
}): AnyRoute[] {
  const visibility = createVisibility(deps.store.receivables);
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/counterparties/:id/statement',
      summary:
        "A counterparty's statement of account for a period: opening balance, invoices, payments, discounts and write-offs in the period, closing balance and the open items with their aging, per currency. JSON, CSV or PDF",
      tag: 'counterparties',
      roles: ['sales', 'finance', 'credit-desk', 'manager', 'auditor'],
      params: z.object({ id: Id }),
      query: z.object({
        from: CalendarDate.optional().describe('First day (default: the first day of this month)'),
        to: CalendarDate.optional().describe("Last day (default: today in the company's time zone)"),
        format: Format,
      }),
      response: z.union([StatementResponse, z.string()]),
      csv: 'the statement as CSV (opening, movements, closing, open items; amounts in minor units), with `format=csv` or `Accept: text/csv`',
      pdf: 'the statement as a PDF letter in the counterparty’s language, with `format=pdf` or `Accept: application/pdf`',
      handler: async ({ params, query, principal }, req) => {
        const today = localDate(Date.now(), deps.policy().timeZone);
        const to = query.to ?? today;
        const from = query.from ?? monthStart(to);
        if (from > to)
          throw ApiError.validation(`invalid query: query.from must not be after to (${to})`, [
            { path: 'query.from', message: `must not be after to (${to})` },
          ]);
        if (Date.parse(to) - Date.parse(from) > MAX_DAYS * 86_400_000)
          throw ApiError.validation(`invalid query: query.from is more than ${MAX_DAYS} days before to`, [
            { path: 'query.from', message: `at most ${MAX_DAYS} days before to` },
          ]);
        // A counterparty a salesperson does not sell to answers as an unknown one.
        if (!(await visibility.seesCounterparty(principal, params.id)))
          throw ApiError.notFound(`counterparty ${params.id}`);
        const doc = await deps.statements.build(params.id, from, to);
        if (!doc) throw ApiError.notFound(`counterparty ${params.id}`);
        const format = wantedFormat(query.format, req);
        const name = `statement-${params.id}-${from}-${to}`;
        if (format === 'csv')
          return reply(200, deps.statements.csv(doc), {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="${name}.csv"`,
          });
        const letterNumber = await deps.statements.number(doc, today);
        if (format === 'pdf') {
          const { pdf } = await deps.statements.pdf(doc, letterNumber, today);
          return reply(200, pdf as unknown as string, {
            'content-type': 'application/pdf',
            'content-disposition': `attachment; filename="${name}.pdf"`,
          });
        }
        return {
          counterpartyId: doc.counterparty.id,
          counterpartyName: doc.counterparty.name,
          letterNumber,
          ...doc.statement,
        };
      },
    }),
  ];
}
