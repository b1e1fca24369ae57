/** Counterparties (dealers, customers) and salespeople: master data the checks read. */
import { type ZodType, z } from 'zod';
import { COUNTERPARTY_CREDIT_FACTS } from '../../domain/credit-facts.js';
import { LANGUAGE_TAG } from '../../operations/correspondence/kinds.js';
import type { Operations } from '../../operations/index.js';
import type { UpsertBy, UpsertOutcome } from '../../operations/master-data.js';
import type { Store } from '../../store/index.js';
import { actorOf, authenticated } from '../auth.js';
import { ApiError, orNotFound } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { ROLES } from '../roles.js';
import { actorBodyFields, CalendarDate, Id, MinorOrZero, Text } from '../schemas.js';
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
    language: z
      .string()
      .max(35)
      .regex(LANGUAGE_TAG, "a language tag such as 'zh-CN' or 'en'")
      .default('zh-CN')
      .describe(
        "The language of the counterparty's messages: 'zh-CN', 'en', or one the company added templates for (a kind without a template in it is written in zh-CN)",
      ),
    region: z.string().trim().min(1).max(100),
    contactName: z.string().trim().max(200).nullable().default(null),
    address: z
      .string()
      .trim()
      .max(500)
      .nullable()
      .optional()
      .describe('The postal address printed on letters (left out: as it is)'),
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
  language: z.string(),
  region: z.string(),
  contactName: z.string().nullable(),
  address: z.string().nullable(),
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

export function counterpartyRoutes(deps: { store: Store; operations: Operations }): AnyRoute[] {
  const { store, operations } = deps;
  const { masterData } = operations;
  const visibility = createVisibility(store.receivables);
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
        ...actorBodyFields('decidedBy'),
      }),
      response: z.object({ id: z.string(), supplyStopped: z.boolean(), liftedBlocks: z.array(z.string()) }),
      handler: async ({ params, body, principal }) => {
        // One manual block per manager's credential (never a name from the body).
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        const done = await operations.supply.override(params.id, body.action, body.reason, actor);
        return { id: params.id, ...orNotFound(done, `counterparty ${params.id}`) };
      },
    }),
    masterDataRoute({
      path: '/v1/counterparties',
      summary:
        "Create a dealer or customer with its initial credit facts (recorded with the caller as actor), or update its details (name, e-mail, language, region, contact, joining date; recorded). A different grade, class, limit or term is refused 409 naming the field: those change through their process or a manager's credit override",
      tag: 'counterparties',
      body: CounterpartyBody,
      existing: 'an existing counterparty',
      refused: 'the body would change a credit fact (grade, class, limit, term): use its process',
      upsert: (body, by) => masterData.upsertCounterparty(body, by),
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
        const outcome = orNotFound(
          await operations.creditFacts.override(params.id, values, reason, actor),
          `counterparty ${params.id}`,
        );
        if ('refused' in outcome) {
          const { field, message } = outcome.refused;
          throw ApiError.unprocessable(`${field}: ${message}`, [{ path: field, message }]);
        }
        const { before, after } = outcome.change;
        return reply(outcome.changed ? 201 : 200, { id: params.id, changed: outcome.changed, before, after });
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
        const c = await store.counterparties.get(params.id);
        // A counterparty a salesperson does not sell to answers as an unknown one.
        if (!c || !(await visibility.seesCounterparty(principal, params.id)))
          throw ApiError.notFound(`counterparty ${params.id}`);
        const [recorded, exposureMinor] = await Promise.all([
          store.creditRecord.listForSubject('counterparty', params.id),
          // Issued receivables' outstanding plus pending applications, as the checks count it.
          store.receivables.counterpartyExposure(params.id, ''),
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
    masterDataRoute({
      path: '/v1/salespeople',
      summary:
        'Create a salesperson with an initial limit (recorded with the caller as actor), or update their details (recorded). A different limit is refused 409 naming creditLimitMinor: it changes through a limit proposal a manager approves',
      tag: 'salespeople',
      body: SalespersonBody,
      existing: 'an existing salesperson',
      refused: 'the body would change the salesperson limit: use a limit proposal',
      upsert: (body, by) => masterData.upsertSalesperson(body, by),
    }),
  ];
}

/**
 * Master data by POST: finance or an admin creates the record (201) or updates its details (200,
 * `created: false`), recorded with the caller as actor; a change to a credit fact is refused 409.
 */
function masterDataRoute<B extends { id: string }>(route: {
  path: string;
  summary: string;
  tag: string;
  body: ZodType<B>;
  /** What an update answers for, e.g. 'an existing salesperson'. */
  existing: string;
  /** Why the 409. */
  refused: string;
  upsert: (body: B, by: UpsertBy) => Promise<UpsertOutcome>;
}) {
  return defineRoute({
    method: 'POST',
    path: route.path,
    summary: route.summary,
    tag: route.tag,
    roles: ['finance', 'admin'],
    body: route.body,
    response: z.object({ id: z.string(), created: z.boolean() }),
    status: 201,
    successes: { 201: 'created', 200: `${route.existing} updated (\`created: false\`)` },
    errors: { 409: route.refused },
    handler: async ({ body, principal }) => {
      // A change of a credit fact is refused as 409 naming the field (operations/master-data.ts).
      const outcome = await route.upsert(body, {
        actor: actorOf(authenticated(principal)),
        reason: `POST ${route.path}`,
      });
      return reply(outcome === 'created' ? 201 : 200, { id: body.id, created: outcome === 'created' });
    },
  });
}
