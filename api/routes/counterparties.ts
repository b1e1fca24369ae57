/** Counterparties (dealers, customers) and salespeople: master data the checks read. */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import { actorSource } from '../../domain/actor.js';
import { COUNTERPARTY_CREDIT_FACTS, changed, counterpartyOverride } from '../../domain/credit-facts.js';
import type { CreditRecordQueries } from '../../store/credit-record.js';
import { inTransaction } from '../../store/db.js';
import type { ReceivableQueries } from '../../store/receivables.js';
import { actorOf, authenticated } from '../auth.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import {
  CreditFactChangeRefused,
  createMasterData,
  lockCounterpartyProfile,
  setCounterpartyFields,
} from '../master-data.js';
import { ROLES } from '../roles.js';
import { CalendarDate, Id, MinorOrZero, OnBehalfOfBody, refusedActorFields, Text } from '../schemas.js';
import { createVisibility, isSalesperson, receivableOf } from '../visibility.js';

const Grade = z.enum(['AA', 'AB', 'BA', 'BB', 'AC', 'CA', 'BC', 'CB', 'CC']);
const CustomerClass = z.enum(['A', 'B', 'C', 'D']);
const TermDays = z.number().int().min(0).max(365);
const SET_AT_CREATION =
  "Set when the counterparty is created; afterwards leave it out or send the value it has: a different value is refused (409) — it changes through its process (rating, score, +15 downgrade, a manager's credit override)";

export const CounterpartyBody = z
  .object({
    id: Id,
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['dealer', 'customer']),
    email: z.string().email(),
    language: z.enum(['zh-CN', 'en']).default('zh-CN'),
    region: z.string().trim().min(1).max(100),
    contactName: z.string().trim().max(200).nullable().default(null),
    // Credit facts: set at creation (left out: none, a limit of 0); afterwards left out or unchanged —
    // they change through their process (domain/credit-facts.ts), so a different value is refused.
    creditGrade: Grade.nullable().optional().describe(SET_AT_CREATION),
    customerClass: CustomerClass.nullable().optional().describe(SET_AT_CREATION),
    creditLimitMinor: MinorOrZero.optional().describe(SET_AT_CREATION),
    creditTermDays: TermDays.nullable().optional().describe(SET_AT_CREATION),
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
      source: z
        .string()
        .describe('Who recorded it: `credential:<id>` of a person, `system:<process>` of a process'),
      recordedAt: z.string(),
    }),
  ),
});

const OverrideBody = z
  .object({
    creditGrade: Grade.optional(),
    customerClass: CustomerClass.optional(),
    creditLimitMinor: MinorOrZero.optional(),
    creditTermDays: TermDays.optional(),
    reason: Text.describe('Why the manager overrides the process: kept in the credit record'),
  })
  .strict()
  .refine(
    (b) => COUNTERPARTY_CREDIT_FACTS.some((f) => b[f] !== undefined),
    'name at least one of creditGrade, customerClass, creditLimitMinor, creditTermDays',
  );

const Values = z.record(z.string(), z.unknown());

export const SalespersonBody = z.object({
  id: Id,
  name: z.string().trim().min(1).max(200),
  email: z.string().email(),
  region: z.string().trim().min(1).max(100),
  phone: z.string().trim().max(50).nullable().default(null),
  creditLimitMinor: MinorOrZero.nullable()
    .optional()
    .describe(
      'Set when the salesperson is created (left out: no limit yet); afterwards leave it out or send the value it has: a different value is refused (409) — the limit changes through a proposal a manager approves',
    ),
});

export function counterpartyRoutes(deps: {
  pool: Pool;
  queries: ReceivableQueries;
  records: CreditRecordQueries;
}): AnyRoute[] {
  const { queries } = deps;
  const masterData = createMasterData(deps);
  const visibility = createVisibility(deps.pool);
  /**
   * The counterparty's history as a salesperson sees it: every fact, but what a fact says
   * about another salesperson's receivable (its id, its reason) is withheld.
   */
  async function withheldFromSales<E extends { payload: Record<string, unknown>; source?: string }>(
    events: E[],
    principal: Parameters<typeof visibility.ownReceivables>[0],
  ): Promise<E[]> {
    const about = [...new Set(events.map(receivableOf).filter((id): id is string => id !== null))];
    const own = await visibility.ownReceivables(principal, about);
    return events.map((e) => {
      const id = receivableOf(e);
      return id === null || own.has(id)
        ? e
        : { ...e, payload: { withheld: 'about another salesperson’s receivable' } };
    });
  }

  return [
    defineRoute({
      method: 'POST',
      path: '/v1/counterparties/:id/supply',
      summary:
        "A manager's override: stop supply to a counterparty, or resume it (lifting every block), with a reason",
      tag: 'counterparties',
      roles: ['manager'],
      params: z.object({ id: Id }),
      body: z.object({
        action: z.enum(['stop', 'resume']),
        reason: z.string().trim().min(1).max(2000),
        onBehalfOf: OnBehalfOfBody.optional(),
        ...refusedActorFields('decidedBy'),
      }),
      response: z.object({ id: z.string(), supplyStopped: z.boolean(), liftedBlocks: z.array(z.string()) }),
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
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
              // One manual block per manager's credential (never a name from the body).
              [params.id, `manual:${actorSource(actor)}`, body.reason],
            );
          }
          await deps.records.append(client, {
            subjectType: 'counterparty',
            subjectId: params.id,
            eventType: body.action === 'resume' ? 'supply-resumed-by-manager' : 'supply-stopped-by-manager',
            payload: { reason: body.reason, liftedBlocks: lifted, actor },
            source: actorSource(actor),
            idempotencyKey: `${params.id}:supply-override:${randomUUID()}`,
          });
          return { id: params.id, supplyStopped: body.action === 'stop', liftedBlocks: lifted };
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/counterparties',
      summary:
        "Create a dealer or customer with its initial credit facts (recorded with the caller as actor), or update its details (name, e-mail, language, region, contact, joining date; recorded). A different grade, class, limit or term is refused 409 naming the field: those change through their process or a manager's credit override",
      tag: 'counterparties',
      roles: ['finance', 'admin'],
      body: CounterpartyBody,
      response: z.object({ id: z.string(), created: z.boolean() }),
      status: 201,
      successes: { 201: 'created', 200: 'an existing counterparty updated (`created: false`)' },
      errors: { 409: 'the body would change a credit fact (grade, class, limit, term): use its process' },
      handler: async ({ body, principal }) => {
        const outcome = await refusedAs409(() =>
          masterData.upsertCounterparty(body, {
            actor: actorOf(authenticated(principal)),
            reason: 'POST /v1/counterparties',
          }),
        );
        return reply(outcome === 'created' ? 201 : 200, { id: body.id, created: outcome === 'created' });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/counterparties/:id/credit-overrides',
      summary:
        "A manager's override of a counterparty's grade (dealers), class (customers), credit limit or term, with a required reason: recorded as a credit fact with before, after, the manager and the reason. 200 with nothing recorded when every value is already so",
      tag: 'counterparties',
      roles: ['manager'],
      params: z.object({ id: Id }),
      body: OverrideBody,
      response: z.object({ id: z.string(), changed: z.boolean(), before: Values, after: Values }),
      status: 201,
      successes: { 201: 'the override recorded', 200: 'every value already so: nothing recorded' },
      handler: async ({ params, body, principal }) => {
        const { reason, ...values } = body;
        const actor = actorOf(authenticated(principal));
        return inTransaction(deps.pool, async (client) => {
          const existing = await lockCounterpartyProfile(client, params.id);
          if (!existing) throw ApiError.notFound(`counterparty ${params.id}`);
          const outcome = counterpartyOverride(params.id, existing, values);
          if ('refused' in outcome) {
            const { field, message } = outcome.refused;
            throw ApiError.unprocessable(`${field}: ${message}`, [{ path: field, message }]);
          }
          const { before, after } = outcome.change;
          if (!changed(outcome.change)) return reply(200, { id: params.id, changed: false, before, after });
          await setCounterpartyFields(client, params.id, after);
          await deps.records.append(client, {
            subjectType: 'counterparty',
            subjectId: params.id,
            eventType: 'credit-override',
            payload: { before, after, actor, reason },
            source: actorSource(actor),
            idempotencyKey: `counterparty:${params.id}:credit-override:${randomUUID()}`,
          });
          return reply(201, { id: params.id, changed: true, before, after });
        });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/counterparties/:id',
      summary: "A counterparty's credit profile: grade or class, limit, term, supply status and history",
      tag: 'counterparties',
      roles: ROLES,
      params: z.object({ id: Id }),
      response: CounterpartyResponse,
      handler: async ({ params, principal }) => {
        const c = await queries.getCounterparty(params.id);
        // A counterparty a salesperson does not sell to answers as an unknown one.
        if (!c || !(await visibility.seesCounterparty(principal, params.id)))
          throw ApiError.notFound(`counterparty ${params.id}`);
        const [recorded, exposureMinor] = await Promise.all([
          deps.records.listForSubject('counterparty', params.id),
          // Issued receivables' outstanding plus pending applications, as the checks count it.
          queries.counterpartyExposure(params.id, ''),
        ]);
        const history = isSalesperson(principal) ? await withheldFromSales(recorded, principal) : recorded;
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
      summary:
        'Create a salesperson with an initial limit (recorded with the caller as actor), or update their details (recorded). A different limit is refused 409 naming creditLimitMinor: it changes through a limit proposal a manager approves',
      tag: 'salespeople',
      roles: ['finance', 'admin'],
      body: SalespersonBody,
      response: z.object({ id: z.string(), created: z.boolean() }),
      status: 201,
      successes: { 201: 'created', 200: 'an existing salesperson updated (`created: false`)' },
      errors: { 409: 'the body would change the salesperson limit: use a limit proposal' },
      handler: async ({ body, principal }) => {
        const outcome = await refusedAs409(() =>
          masterData.upsertSalesperson(body, {
            actor: actorOf(authenticated(principal)),
            reason: 'POST /v1/salespeople',
          }),
        );
        return reply(outcome === 'created' ? 201 : 200, { id: body.id, created: outcome === 'created' });
      },
    }),
  ];
}

/** An upsert that would change a credit fact answers 409 naming the field and its process. */
async function refusedAs409<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (err) {
    if (!(err instanceof CreditFactChangeRefused)) throw err;
    const { field, message } = err.refusal;
    throw new ApiError(409, 'credit_fact_change_refused', `${field}: ${message}`, [{ path: field, message }]);
  }
}
