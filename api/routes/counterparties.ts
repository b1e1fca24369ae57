/** Counterparties (dealers, customers) and salespeople: master data the checks read. */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { CreditRecordQueries } from '../../activities/credit-record/queries.js';
import type { ReceivableQueries } from '../../activities/receivable/queries.js';
import { inTransaction } from '../../infra/db.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { CalendarDate, Id, MinorOrZero } from '../schemas.js';

const Grade = z.enum(['AA', 'AB', 'BA', 'BB', 'AC', 'CA', 'BC', 'CB', 'CC']);
const CustomerClass = z.enum(['A', 'B', 'C', 'D']);

export const CounterpartyBody = z
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
    creditLimitMinor: MinorOrZero.default(0),
    creditTermDays: z.number().int().min(0).max(365).nullable().default(null),
    joinedOn: CalendarDate,
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
  exposureMinor: z.number(),
  availableMinor: z.number(),
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
  creditLimitMinor: MinorOrZero.nullable().default(null),
});

export function counterpartyRoutes(deps: {
  pool: Pool;
  queries: ReceivableQueries;
  records: CreditRecordQueries;
}): AnyRoute[] {
  const { queries } = deps;
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/counterparties/:id/supply',
      summary:
        "A manager's override: stop supply to a counterparty, or resume it (lifting every block), with a reason",
      tag: 'counterparties',
      params: z.object({ id: Id }),
      body: z.object({
        action: z.enum(['stop', 'resume']),
        decidedBy: z.string().trim().min(1).max(200),
        reason: z.string().trim().min(1).max(2000),
      }),
      response: z.object({ id: z.string(), supplyStopped: z.boolean(), liftedBlocks: z.array(z.string()) }),
      handler: async ({ params, body }) => {
        return inTransaction(deps.pool, async (client) => {
          const locked = await client.query('SELECT 1 FROM counterparties WHERE id = $1 FOR UPDATE', [
            params.id,
          ]);
          if (locked.rowCount === 0) throw ApiError.notFound(`counterparty ${params.id}`);
          let lifted: string[] = [];
          if (body.action === 'resume') {
            const removed = await client.query<{ source: string }>(
              'DELETE FROM supply_blocks WHERE counterparty_id = $1 RETURNING source',
              [params.id],
            );
            lifted = removed.rows.map((r) => r.source).sort();
          } else {
            await client.query(
              `INSERT INTO supply_blocks (counterparty_id, source, reason) VALUES ($1, $2, $3)
               ON CONFLICT (counterparty_id, source) DO UPDATE SET reason = EXCLUDED.reason`,
              [params.id, `manual:${body.decidedBy}`, body.reason],
            );
          }
          await deps.records.append(client, {
            subjectType: 'counterparty',
            subjectId: params.id,
            eventType: body.action === 'resume' ? 'supply-resumed-by-manager' : 'supply-stopped-by-manager',
            payload: { reason: body.reason, liftedBlocks: lifted },
            source: body.decidedBy,
            idempotencyKey: `${params.id}:supply-override:${randomUUID()}`,
          });
          return { id: params.id, supplyStopped: body.action === 'stop', liftedBlocks: lifted };
        });
      },
    }),
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
        const [history, exposureMinor] = await Promise.all([
          deps.records.listForSubject('counterparty', params.id),
          // Issued receivables' outstanding plus pending applications, as the checks count it.
          queries.counterpartyExposure(params.id, ''),
        ]);
        return {
          ...c,
          exposureMinor,
          availableMinor: Math.max(0, c.creditLimitMinor - exposureMinor),
          history,
        };
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
