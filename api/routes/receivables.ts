/**
 * Credit applications and receivables: a thin client of the receivable workflow.
 * Writes go to the workflow (start, Updates); reads come from PostgreSQL, where the
 * workflow's activities record its state with every change (one receivable's whole
 * state, or list rows), and from its query handler until the first record.
 */

import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { Policy } from '../../domain/policy.js';
import type { Store } from '../../store/index.js';
import {
  confirmLegalEscalation,
  decideApplication,
  endValidReason,
  getReceivable,
  type ReceivableInput,
  type ReceivableReceipt,
  type ReceivableState,
  receivableWorkflowId,
  recordLateReason,
  recordPayment,
  recordValidReason,
  STAGES,
  writeOffBadDebt,
} from '../../workflows/receivable/contract.js';
import { samePaymentIdConflict } from '../../workflows/receivable/rules.js';
import { actorOf, authenticated } from '../auth.js';
import { ApiError, fieldFromMessage } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { startReceivableWorkflow } from '../receivable-start.js';
import { assertOwnDepartment, assertOwnSalesperson, ROLES } from '../roles.js';
import { actorBodyFields, DateInWindow, Id, Minor, OnBehalfOfBody, QueryInt, Text } from '../schemas.js';
import { isSalesperson, salespersonScope, seesSalesperson } from '../visibility.js';

export const CreditApplicationBody = z.object({
  receivableId: Id.optional().describe(
    'Your id for this receivable (invoice/application number); generated when absent',
  ),
  counterpartyId: Id,
  salespersonId: Id,
  amountMinor: Minor.describe('Requested amount in minor units (fen/cents)'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .optional(),
  requestedTermDays: z.number().int().min(1).max(365).optional(),
  note: z.string().max(2000).optional(),
  onBehalfOf: OnBehalfOfBody.optional(),
});

const ReceivableIdParams = z.object({ id: Id });

// A person's act: the actor is the credential; the old name fields are refused by name.
const actorFields = actorBodyFields('recordedBy');
const deciderFields = actorBodyFields('decidedBy');

const StartedResponse = z.object({
  receivableId: z.string(),
  workflowId: z.string(),
  created: z.boolean(),
  stage: z.enum(STAGES),
});

// The receivable's state as the workflow reports it. Declared loosely on nested
// parts that the workflow contract types already pin down.
const ReceivableResponse = z
  .object({
    receivableId: z.string(),
    stage: z.enum(STAGES),
    policyVersion: z.string(),
    outstandingMinor: z.number().int(),
    paidMinor: z.number().int(),
    discountMinor: z.number().int(),
    dueDate: z.string().nullable(),
    issueDate: z.string().nullable(),
    approvedMinor: z.number().int().nullable(),
    approvedTermDays: z.number().int().nullable(),
    owner: z.enum(['salesperson', 'credit-desk']),
    stepsTaken: z.array(z.string()),
  })
  .passthrough();

type ReceivableView = z.infer<typeof ReceivableResponse>;

const view = (s: ReceivableState) => s as unknown as ReceivableView;

const ReceivableRowSchema = z.object({
  id: z.string(),
  counterpartyId: z.string(),
  salespersonId: z.string(),
  currency: z.string(),
  requestedMinor: z.number(),
  approvedMinor: z.number().nullable(),
  dueDate: z.string().nullable(),
  stage: z.string(),
  owner: z.string(),
  outstandingMinor: z.number(),
  paidMinor: z.number(),
  pausedBy: z.string().nullable(),
});

export function receivableRoutes(deps: { client: Client; store: Store; policy: () => Policy }): AnyRoute[] {
  const { client, store } = deps;
  const queries = store.receivables;
  const records = store.creditRecord;
  const handle = (id: string) => client.workflow.getHandle(receivableWorkflowId(id));
  /**
   * The receivable an Update left, for the answer: its snapshot once that holds the Update's
   * version (a change the handler recorded), else the workflow's query (one it has not recorded
   * yet, such as a manager's legal confirmation, or the issue after the deciding vote).
   */
  const stateAfter = async (id: string, receipt: ReceivableReceipt): Promise<ReceivableState> => {
    const recorded = await queries.getReceivableState(id);
    if (recorded && recorded.stateVersion >= receipt.stateVersion) return recorded;
    return handle(id).query(getReceivable);
  };
  const answered = async (id: string, update: Promise<ReceivableReceipt>) =>
    view(await stateAfter(id, await update));
  // One answer for an unknown id and for another salesperson's: nothing tells them apart.
  const notFound = (id: string) => ApiError.notFound(`receivable ${id}`);

  return [
    defineRoute({
      method: 'POST',
      path: '/v1/credit-applications',
      summary: 'File a credit application: starts the receivable workflow receivable:<id>',
      tag: 'receivables',
      roles: ['sales', 'finance'],
      body: CreditApplicationBody,
      response: StartedResponse,
      status: 201,
      successes: {
        201: 'filed: the receivable workflow started (`created: true`)',
        200: 'a receivable with this id exists already: its stage, nothing started (`created: false`)',
      },
      handler: async ({ body, principal }) => {
        assertOwnSalesperson(principal, body.salespersonId);
        const policy = deps.policy();
        const known = await queries.applicationParties(body.counterpartyId, body.salespersonId);
        const fields = [
          ...(known.counterparty
            ? []
            : [{ path: 'counterpartyId', message: `unknown counterparty ${body.counterpartyId}` }]),
          ...(known.salesperson
            ? []
            : [{ path: 'salespersonId', message: `unknown salesperson ${body.salespersonId}` }]),
        ];
        if (fields.length)
          throw ApiError.unprocessable(fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
        const receivableId = body.receivableId ?? randomUUID();
        const workflowId = receivableWorkflowId(receivableId);
        const input: ReceivableInput = {
          application: {
            receivableId,
            counterpartyId: body.counterpartyId,
            salespersonId: body.salespersonId,
            amountMinor: body.amountMinor,
            currency: body.currency ?? policy.currency,
            requestedTermDays: body.requestedTermDays ?? policy.receivable.defaultTermDays,
            ...(body.note ? { note: body.note } : {}),
          },
          policy,
          actor: actorOf(authenticated(principal), body.onBehalfOf),
        };
        const started = await startReceivableWorkflow(client, input, {
          ...(known.counterpartyName ? { counterpartyName: known.counterpartyName } : {}),
        });
        if (started)
          return reply(201, { receivableId, workflowId, created: true, stage: 'applied' as const });
        const existing = await handle(receivableId).query(getReceivable);
        // Another salesperson's receivable: its stage (or anything else) is not theirs to
        // learn. The id is taken, which a shared id space cannot hide; nothing more is said.
        if (!seesSalesperson(principal, existing.application.salespersonId))
          throw new ApiError(
            409,
            'conflict',
            `receivableId: ${receivableId} is already in use; file under another id`,
            [{ path: 'receivableId', message: 'already in use' }],
          );
        return reply(200, { receivableId, workflowId, created: false, stage: existing.stage });
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/receivables/:id',
      summary:
        "A receivable's state as its workflow last recorded it (the workflow itself is asked until its first record)",
      tag: 'receivables',
      roles: ROLES, // sales: own only
      params: ReceivableIdParams,
      response: ReceivableResponse,
      handler: async ({ params, principal }) => {
        // The snapshot the workflow writes with every recorded change: one primary-key
        // read. A receivable filed a moment ago has none yet, so its workflow answers
        // (and an unknown id is a 404 from Temporal's "not found").
        let state = await queries.getReceivableState(params.id);
        try {
          state ??= await handle(params.id).query(getReceivable);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw notFound(params.id);
          throw err;
        }
        if (!seesSalesperson(principal, state.application.salespersonId)) throw notFound(params.id);
        return view(state);
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/receivables',
      summary: 'List receivables (from PostgreSQL), filtered by counterparty, salesperson or stage',
      tag: 'receivables',
      roles: ROLES, // sales: own only
      query: z.object({
        counterpartyId: Id.optional(),
        salespersonId: Id.optional(),
        stage: z.enum(STAGES).optional(),
        limit: QueryInt(1, 500).default(50),
        offset: QueryInt(0).default(0),
      }),
      response: z.object({ items: z.array(ReceivableRowSchema) }),
      handler: async ({ query, principal }) => {
        // A salesperson's list is their own, whatever the filter asks for: another
        // salesperson's id lists nothing, as an unknown one does.
        if (isSalesperson(principal))
          return {
            items: await queries.listReceivables({
              ...query,
              salespersonId: salespersonScope(principal, query.salespersonId),
            }),
          };
        return { items: await queries.listReceivables(query) };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/receivables/:id/record',
      summary: "The receivable's tamper-evident credit record and its open tasks",
      tag: 'receivables',
      roles: ROLES, // sales: own only
      params: ReceivableIdParams,
      response: z.object({
        events: z.array(
          z.object({
            seq: z.number(),
            eventType: z.string(),
            payload: z.record(z.string(), z.unknown()),
            source: z.string(),
            recordedAt: z.string(),
            hash: z.string(),
          }),
        ),
        tasks: z.array(
          z.object({
            kind: z.string(),
            assignee: z.string(),
            dueOn: z.string().nullable(),
            status: z.string(),
            detail: z
              .record(z.string(), z.unknown())
              .describe('What the task is about; `doneBy`: the actor whose act answered it'),
          }),
        ),
      }),
      handler: async ({ params, principal }) => {
        const row = await queries.getReceivable(params.id);
        if (!row || !seesSalesperson(principal, row.salespersonId)) throw notFound(params.id);
        const [events, tasks] = await Promise.all([
          records.listForSubject('receivable', params.id),
          queries.listTasks(params.id),
        ]);
        return { events, tasks };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/credit-records/verification',
      summary: "Auditor: prove the credit record's hash chain intact, or name the first altered record",
      tag: 'audit',
      roles: ['auditor', 'manager', 'admin'],
      response: z.object({
        ok: z.boolean(),
        count: z.number().int(),
        brokenAt: z.number().int().optional(),
        why: z.string().optional(),
      }),
      handler: async () => records.verify(),
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/receivables/:id/decisions',
      summary: 'Finance, marketing or (after the deadline) a manager decides the application',
      tag: 'approval',
      roles: ['finance', 'marketing', 'manager'], // each for its own department
      params: ReceivableIdParams,
      body: z.object({
        department: z.enum(['finance', 'marketing', 'manager']),
        approve: z.boolean(),
        reason: Text.optional(),
        approvedAmountMinor: Minor.optional(),
        approvedTermDays: z.number().int().min(1).max(365).optional(),
        ...actorBodyFields('decidedBy'),
      }),
      response: ReceivableResponse,
      handler: async ({ params, body: { onBehalfOf, decidedBy: _, ...decision }, principal }) => {
        assertOwnDepartment(principal, decision.department);
        const actor = actorOf(authenticated(principal), onBehalfOf);
        return answered(
          params.id,
          handle(params.id).executeUpdate(decideApplication, { args: [{ ...decision, actor }] }),
        );
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/receivables/:id/payments',
      summary: 'Record a payment (partial or full); returns the new balance',
      tag: 'payments',
      roles: ['finance', 'credit-desk'],
      params: ReceivableIdParams,
      body: z.object({
        paymentId: Id.describe('Your id for the payment: a retry with the same id is applied once'),
        amountMinor: Minor,
        paidOn: DateInWindow(deps.policy, 'back'),
        ...actorBodyFields('recordedBy'),
      }),
      response: z.object({
        paymentId: z.string(),
        outstandingMinor: z.number().int(),
        discountMinor: z.number().int(),
        settled: z.boolean(),
        duplicate: z.boolean(),
      }),
      handler: async ({ params, body: { onBehalfOf, recordedBy: _, ...body }, principal }) => {
        // A payment id already applied is answered from PostgreSQL: its first answer when
        // the retry is the same payment, 409 when it is not. A closed receivable's workflow
        // takes no Updates, so this is also how a retry after the settling payment is answered.
        const retry = async () => {
          const first = await queries.getAppliedPayment(body.paymentId);
          if (!first) return undefined;
          if (first.receivableId !== params.id)
            throw ApiError.conflict(
              `paymentId: ${body.paymentId} was already applied to another receivable; a payment id names one payment`,
              [{ path: 'paymentId', message: 'already applied to another receivable' }],
            );
          if (first.amountMinor !== body.amountMinor || first.paidOn !== body.paidOn) {
            const message = samePaymentIdConflict(body.paymentId, first, body);
            throw ApiError.conflict(message, fieldFromMessage(message));
          }
          const { outstandingMinor, discountMinor, settled } = first;
          return { paymentId: body.paymentId, outstandingMinor, discountMinor, settled, duplicate: true };
        };
        const answered = await retry();
        if (answered) return answered;
        try {
          return await handle(params.id).executeUpdate(recordPayment, {
            args: [{ ...body, actor: actorOf(authenticated(principal), onBehalfOf) }],
          });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          // Closed (paid, written off, rejected): 409 naming its stage; unknown: 404.
          const again = await retry();
          if (again) return again;
          const row = await queries.getReceivable(params.id);
          if (!row) throw err;
          throw ApiError.conflict(`receivable ${params.id} is ${row.stage}: it takes no payments`);
        }
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/receivables/:id/valid-reasons',
      summary: 'Finance records a documented valid reason: dispute, agreed extension or promise to pay',
      tag: 'collections',
      roles: ['finance'],
      params: ReceivableIdParams,
      body: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('dispute'), reason: Text, ...actorFields }),
        z.object({
          kind: z.literal('extension'),
          newDueDate: DateInWindow(deps.policy, 'ahead'),
          reason: Text,
          ...actorFields,
        }),
        z.object({
          kind: z.literal('promise'),
          promisedBy: DateInWindow(deps.policy, 'ahead'),
          reason: Text,
          ...actorFields,
        }),
      ]),
      response: ReceivableResponse,
      handler: async ({ params, body: { onBehalfOf, recordedBy: _, ...reason }, principal }) =>
        answered(
          params.id,
          handle(params.id).executeUpdate(recordValidReason, {
            args: [{ ...reason, actor: actorOf(authenticated(principal), onBehalfOf) }],
          }),
        ),
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/receivables/:id/valid-reasons/end',
      summary: 'Finance ends the valid reason (dispute resolved): escalation resumes where it stood',
      tag: 'collections',
      roles: ['finance'],
      params: ReceivableIdParams,
      body: z.object({ note: Text, ...actorFields }),
      response: ReceivableResponse,
      handler: async ({ params, body, principal }) =>
        answered(
          params.id,
          handle(params.id).executeUpdate(endValidReason, {
            args: [{ note: body.note, actor: actorOf(authenticated(principal), body.onBehalfOf) }],
          }),
        ),
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/receivables/:id/late-reasons',
      summary: 'The salesperson records why the payment is late',
      tag: 'collections',
      roles: ['sales', 'credit-desk'], // sales: own only
      params: ReceivableIdParams,
      body: z.object({ reason: Text, ...actorFields }),
      response: ReceivableResponse,
      handler: async ({ params, body, principal }) => {
        if (isSalesperson(principal)) {
          const row = await queries.getReceivable(params.id);
          if (!row || !seesSalesperson(principal, row.salespersonId)) throw notFound(params.id);
        }
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        return answered(
          params.id,
          handle(params.id).executeUpdate(recordLateReason, { args: [{ reason: body.reason, actor }] }),
        );
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/receivables/:id/legal-confirmation',
      summary: 'A manager confirms or holds the +30 legal escalation',
      tag: 'collections',
      roles: ['manager'],
      params: ReceivableIdParams,
      body: z.object({ proceed: z.boolean(), note: Text, ...deciderFields }),
      response: ReceivableResponse,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        return answered(
          params.id,
          handle(params.id).executeUpdate(confirmLegalEscalation, {
            args: [{ proceed: body.proceed, note: body.note, actor }],
          }),
        );
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/receivables/:id/write-off',
      summary: 'A manager writes the receivable off as a bad debt',
      tag: 'collections',
      roles: ['manager'],
      params: ReceivableIdParams,
      body: z.object({ reason: Text, ...deciderFields }),
      response: ReceivableResponse,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        return answered(
          params.id,
          handle(params.id).executeUpdate(writeOffBadDebt, { args: [{ reason: body.reason, actor }] }),
        );
      },
    }),
  ];
}
