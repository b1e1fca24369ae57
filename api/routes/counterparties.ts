/** Counterparties (dealers, customers) and salespeople: master data the checks read. */
import { z } from 'zod';
import type { CreditRecordQueries } from '../../activities/credit-record/queries.js';
import type { ReceivableQueries } from '../../activities/receivable/queries.js';
import { isCalendarDate } from '../../domain/calendar.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';

const Id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - only');
const Grade = z.enum(['AA', 'AB', 'BA', 'BB', 'AC', 'CA', 'BC', 'CB', 'CC']);
const CustomerClass = z.enum(['A', 'B', 'C', 'D']);

const CounterpartyBody = z
  .object({
    id: Id,
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['dealer', 'customer']),
    email: z.string().email(),
    language: z.enum(['zh-CN', 'en']).default('zh-CN'),
    region: z.string().trim().min(1).max(100),
    contactName: z.string().trim().max(200).nullable().default(null),
    creditGrade: Grade.nullable().default(null),
    customerClass: CustomerClass.nullable().default(null),
    creditLimitMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    creditTermDays: z.number().int().min(0).max(365).nullable().default(null),
    joinedOn: z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD'),
  })
  .superRefine((c, ctx) => {
    if (c.kind === 'customer' && c.creditGrade)
      ctx.addIssue({
        code: 'custom',
        path: ['creditGrade'],
        message: 'customers carry a class A–D, not a dealer grade',
      });
    if (c.kind === 'dealer' && c.customerClass)
      ctx.addIssue({
        code: 'custom',
        path: ['customerClass'],
        message: 'dealers carry a nine-grade rating, not a class',
      });
  });

const CounterpartyResponse = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['dealer', 'customer']),
  email: z.string(),
  language: z.enum(['zh-CN', 'en']),
  region: z.string(),
  contactName: z.string().nullable(),
  creditGrade: z.string().nullable(),
  customerClass: z.string().nullable(),
  creditLimitMinor: z.number(),
  creditTermDays: z.number().nullable(),
  joinedOn: z.string(),
  supplyStopped: z.boolean(),
  history: z.array(
    z.object({
      seq: z.number(),
      eventType: z.string(),
      payload: z.record(z.string(), z.unknown()),
      recordedAt: z.string(),
    }),
  ),
});

const SalespersonBody = z.object({
  id: Id,
  name: z.string().trim().min(1).max(200),
  email: z.string().email(),
  region: z.string().trim().min(1).max(100),
  phone: z.string().trim().max(50).nullable().default(null),
  creditLimitMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().default(null),
});

export function counterpartyRoutes(deps: {
  queries: ReceivableQueries;
  records: CreditRecordQueries;
}): AnyRoute[] {
  const { queries } = deps;
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/counterparties',
      summary: 'Create or update a dealer or customer',
      tag: 'counterparties',
      body: CounterpartyBody,
      response: z.object({ id: z.string(), created: z.boolean() }),
      status: 201,
      handler: async ({ body }) => {
        const { created } = await queries.upsertCounterparty(body);
        return reply(created ? 201 : 200, { id: body.id, created });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/counterparties/:id',
      summary: "A counterparty's credit profile: grade or class, limit, term, supply status and history",
      tag: 'counterparties',
      params: z.object({ id: Id }),
      response: CounterpartyResponse,
      handler: async ({ params }) => {
        const c = await queries.getCounterparty(params.id);
        if (!c) throw ApiError.notFound(`counterparty ${params.id}`);
        const history = await deps.records.listForSubject('counterparty', params.id);
        return { ...c, history };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/salespeople',
      summary: 'Create or update a salesperson',
      tag: 'salespeople',
      body: SalespersonBody,
      response: z.object({ id: z.string(), created: z.boolean() }),
      status: 201,
      handler: async ({ body }) => {
        const { created } = await queries.upsertSalesperson(body);
        return reply(created ? 201 : 200, { id: body.id, created });
      },
    }),
  ];
}
