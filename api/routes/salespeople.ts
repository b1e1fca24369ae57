/**
 * Salespeople (§4, §5): the monthly assessment (workflow + stored table + CSV), the credit
 * record and score, the limit (evaluation → proposal → manager approval) and the quarterly review.
 *
 * Not done: the access rule "a salesperson reads only their own figures; managers and finance
 * read all" needs authentication, which the API does not have yet (a separate issue).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import { actorSource } from '../../domain/actor.js';
import { addDays, instantAt } from '../../domain/calendar.js';
import { assessmentCsv } from '../../domain/csv.js';
import type { Policy } from '../../domain/policy.js';
import { limitUsage, METRIC_KEYS, salespersonCreditScore } from '../../domain/salesperson-assessment.js';
import { proposeReview, quarterRange, usageBp } from '../../domain/salesperson-review.js';
import type { CreditRecordQueries } from '../../store/credit-record.js';
import { inTransaction } from '../../store/db.js';
import { createSalespersonQueries } from '../../store/salespeople.js';
import {
  SALESPERSON_ASSESSMENT_WORKFLOW_TYPE,
  SALESPERSON_TASK_QUEUE,
  type SalespersonAssessmentInput,
  salespersonAssessmentWorkflowId,
} from '../../workflows/salesperson/contract.js';
import { actorOf, authenticated } from '../auth.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { STAFF_READERS } from '../roles.js';
import {
  ActorResponse,
  Id,
  MinorOrZero,
  Month,
  OnBehalfOfBody,
  Quarter,
  refusedActorFields,
  Text,
} from '../schemas.js';
import { seesSalesperson } from '../visibility.js';

const Bp = z.number().int().min(0).max(1_000_000);

const Metrics = z.object(
  Object.fromEntries(METRIC_KEYS.map((m) => [m, z.number().nullable()])) as Record<
    (typeof METRIC_KEYS)[number],
    z.ZodNullable<z.ZodNumber>
  >,
);
const Rates = z.object(
  Object.fromEntries(METRIC_KEYS.map((m) => [m, z.number().int()])) as Record<
    (typeof METRIC_KEYS)[number],
    z.ZodNumber
  >,
);
const AssessmentRow = z.object({
  salespersonId: z.string(),
  salespersonName: z.string(),
  receivablesMinor: z.number().int(),
  creditSalesMinor: z.number().int(),
  collectedMinor: z.number().int(),
  contractAmountMinor: z.number().int(),
  badDebtsMinor: z.number().int(),
  salesMinor: z.number().int(),
  discountOfferedMinor: z.number().int(),
  paidWithDiscountMinor: z.number().int(),
  companyReceivablesMinor: z.number().int(),
  daysInPeriod: z.number().int(),
  metrics: Metrics,
  rates: Rates,
  totalRateBp: z.number().int(),
  rewardPenaltyMinor: z.number().int(),
  policyVersion: z.string(),
  computedAt: z.string(),
});
const AssessmentTable = z.object({ month: z.string(), rows: z.array(AssessmentRow) });

const RecordEvent = z.object({
  seq: z.number(),
  eventType: z.string(),
  payload: z.record(z.string(), z.unknown()),
  source: z.string(),
  recordedAt: z.string(),
});

const ProposalResponse = z.object({
  id: z.string(),
  salespersonId: z.string(),
  previousLimitMinor: z.number().nullable(),
  proposedLimitMinor: z.number(),
  evaluation: z.string(),
  proposedBy: z.string(),
  proposedByActor: ActorResponse.nullable(),
  status: z.enum(['pending', 'approved', 'rejected']),
  decidedBy: z.string().nullable(),
  decidedByActor: ActorResponse.nullable(),
  decisionReason: z.string().nullable(),
});

const ReviewAction = z.enum(['bonus', 'commendation', 'warning', 'demotion', 'fine']);
const ReviewResponse = z.object({
  quarter: z.string(),
  salespersonId: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  proposedActions: z.array(z.string()),
  proposedLimitMinor: z.number().nullable(),
  reasons: z.array(z.string()),
  status: z.enum(['proposed', 'decided']),
  decidedActions: z.array(z.string()).nullable(),
  decidedLimitMinor: z.number().nullable(),
  decidedBy: z.string().nullable(),
  decidedByActor: ActorResponse.nullable(),
  decisionNote: z.string().nullable(),
});

export function salespersonRoutes(deps: {
  client: Client;
  pool: Pool;
  records: CreditRecordQueries;
  policy: () => Policy;
}): AnyRoute[] {
  const { pool, records } = deps;
  const q = createSalespersonQueries(pool);
  const person = async (id: string) => {
    const { rows } = await pool.query<{
      id: string;
      name: string;
      email: string;
      creditLimitMinor: number | null;
    }>('SELECT id, name, email, credit_limit_minor AS "creditLimitMinor" FROM salespeople WHERE id = $1', [
      id,
    ]);
    if (!rows[0]) throw ApiError.notFound(`salesperson ${id}`);
    return rows[0];
  };

  /** The named salespeople, all known; a name that is not is refused. */
  const known = async (ids: string[] | undefined): Promise<string[] | null> => {
    if (!ids) return null;
    const found = await q.salespersonIds(ids);
    const unknown = [...new Set(ids)].filter((id) => !found.includes(id));
    if (unknown.length)
      throw ApiError.unprocessable(`salespersonIds: unknown salesperson ${unknown.join(', ')}`, [
        { path: 'salespersonIds', message: `unknown salesperson ${unknown.join(', ')}` },
      ]);
    return found;
  };

  return [
    defineRoute({
      method: 'POST',
      path: '/v1/salesperson-assessments/:month',
      summary:
        "Run a month's salesperson assessment now (workflow salesperson-assessment:<YYYY-MM>); a running one is returned, a finished month is re-run (same values, no second e-mail)",
      tag: 'salespeople',
      roles: ['finance'],
      params: z.object({ month: Month }),
      body: z.object({ salespersonIds: z.array(Id).min(1).max(1000).optional() }).default({}),
      response: z.object({ month: z.string(), workflowId: z.string(), runId: z.string() }),
      status: 202,
      handler: async ({ params, body, principal }) => {
        await known(body.salespersonIds);
        const workflowId = salespersonAssessmentWorkflowId(params.month);
        const input: SalespersonAssessmentInput = {
          month: params.month,
          policy: deps.policy(),
          startedBy: actorOf(authenticated(principal)),
          ...(body.salespersonIds ? { salespersonIds: body.salespersonIds } : {}),
        };
        const handle = await deps.client.workflow.start(SALESPERSON_ASSESSMENT_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: SALESPERSON_TASK_QUEUE,
          args: [input],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
        return { month: params.month, workflowId, runId: handle.firstExecutionRunId };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/salesperson-assessments/:month',
      summary:
        "A month's assessment table from PostgreSQL (404 when not run). Amount = receivables × sum of the rates (bp) ÷ 10000, rounded half away from zero to a minor unit. `…/:month.csv` or `?format=csv`: the table as CSV (header row, one row per salesperson, amounts in minor units, rates in bp)",
      tag: 'salespeople',
      roles: ['finance', 'manager', 'marketing', 'auditor', 'sales'], // sales: own row only
      params: z.object({
        month: z
          .string()
          .regex(/^[1-9]\d{3}-(0[1-9]|1[0-2])(\.csv)?$/, 'must be a month YYYY-MM (or YYYY-MM.csv)'),
      }),
      query: z.object({ format: z.enum(['json', 'csv']).default('json') }),
      response: z.union([AssessmentTable, z.string()]),
      csv: 'the table as CSV (header row, one row per salesperson), for `…/:month.csv` or `format=csv`',
      handler: async ({ params, query, principal }) => {
        const csv = params.month.endsWith('.csv') || query.format === 'csv';
        const month = params.month.replace(/\.csv$/, '');
        const all = await q.assessmentTable(month);
        // A salesperson sees only their own row.
        const rows =
          principal?.role === 'sales' ? all.filter((r) => r.salespersonId === principal.salespersonId) : all;
        if (rows.length === 0) throw ApiError.notFound(`salesperson assessment ${month}`);
        if (!csv) return { month, rows };
        return reply(200, assessmentCsv(month, rows), {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="salesperson-assessment-${month}.csv"`,
        });
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/salespeople/:id/record-events',
      summary: "Append to a salesperson's credit record: a sale, complaint, collection or violation",
      tag: 'salespeople',
      roles: ['finance', 'marketing', 'manager'],
      params: z.object({ id: Id }),
      body: z.object({
        kind: z.enum(['sale', 'complaint', 'collection', 'violation']),
        detail: Text,
        amountMinor: MinorOrZero.optional(),
        onBehalfOf: OnBehalfOfBody.optional(),
        ...refusedActorFields('source'),
      }),
      response: z.object({ salespersonId: z.string(), eventType: z.string(), idempotencyKey: z.string() }),
      status: 201,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        await person(params.id);
        const key = `salesperson:${params.id}:${body.kind}:${randomUUID()}`;
        await inTransaction(pool, (c) =>
          records.append(c, {
            subjectType: 'salesperson',
            subjectId: params.id,
            eventType: body.kind,
            payload: {
              detail: body.detail,
              ...(body.amountMinor !== undefined ? { amountMinor: body.amountMinor } : {}),
              actor,
            },
            source: actorSource(actor),
            idempotencyKey: key,
          }),
        );
        return { salespersonId: params.id, eventType: body.kind, idempotencyKey: key };
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/salespeople/:id/credit-score',
      summary:
        "Score a salesperson's credit (weighted: sales, customer feedback, collection record, contract fulfilment; weights from the policy); complaints default to those in the record over the last 90 days",
      tag: 'salespeople',
      roles: ['manager', 'finance'],
      params: z.object({ id: Id }),
      body: z.object({
        salesTargetAchievementBp: Bp,
        customerFeedbackScore: z.number().int().min(0).max(100),
        complaintCount: z.number().int().min(0).optional(),
        collectionRatioBp: Bp,
        contractFulfilmentBp: Bp,
        onBehalfOf: OnBehalfOfBody.optional(),
        ...refusedActorFields('scoredBy'),
      }),
      response: z.object({
        salespersonId: z.string(),
        score: z.number().int(),
        factorScores: z.record(z.string(), z.number()),
        complaintCount: z.number().int(),
      }),
      status: 201,
      handler: async ({ params, body, principal }) => {
        const { onBehalfOf, ...inputs } = body;
        const actor = actorOf(authenticated(principal), onBehalfOf);
        await person(params.id);
        const now = new Date();
        const since = new Date(now.getTime() - 90 * 86_400_000);
        const counts = await q.recordCounts(
          params.id,
          since.toISOString(),
          new Date(now.getTime() + 1).toISOString(),
        );
        const complaintCount = body.complaintCount ?? counts.complaint ?? 0;
        const result = salespersonCreditScore(
          { ...inputs, complaintCount },
          deps.policy().salesperson.creditWeights,
        );
        await inTransaction(pool, (c) =>
          records.append(c, {
            subjectType: 'salesperson',
            subjectId: params.id,
            eventType: 'credit-scored',
            payload: {
              ...inputs,
              complaintCount,
              ...result,
              weights: deps.policy().salesperson.creditWeights,
              actor,
            },
            source: actorSource(actor),
            idempotencyKey: `salesperson:${params.id}:credit-scored:${randomUUID()}`,
          }),
        );
        return { salespersonId: params.id, ...result, complaintCount };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/salespeople/:id',
      summary:
        "A salesperson's limit, outstanding (issued receivables + pending applications), usage %, latest credit score, limit proposals and credit record",
      tag: 'salespeople',
      roles: [...STAFF_READERS, 'sales'], // sales: own only
      params: z.object({ id: Id }),
      response: z.object({
        id: z.string(),
        name: z.string(),
        email: z.string(),
        creditLimitMinor: z.number().nullable(),
        outstandingMinor: z.number(),
        usageBp: z.number().nullable(),
        usagePercent: z.number().nullable(),
        limitState: z.enum(['none', 'ok', 'warning', 'blocked']),
        score: z.number().nullable(),
        limitProposals: z.array(ProposalResponse),
        record: z.array(RecordEvent),
      }),
      handler: async ({ params, principal }) => {
        // Another salesperson answers as an unknown one.
        if (!seesSalesperson(principal, params.id)) throw ApiError.notFound(`salesperson ${params.id}`);
        const p = await person(params.id);
        const [outstanding, record, proposals] = await Promise.all([
          q.outstanding(p.id),
          records.listForSubject('salesperson', p.id),
          q.listLimitProposals(p.id),
        ]);
        const usage = usageBp(outstanding, p.creditLimitMinor);
        const limitState =
          p.creditLimitMinor === null
            ? ('none' as const)
            : limitUsage(outstanding, p.creditLimitMinor, deps.policy().salesperson.limitWarningBp);
        const lastScore = [...record].reverse().find((r) => r.eventType === 'credit-scored');
        return {
          ...p,
          outstandingMinor: outstanding,
          usageBp: usage,
          usagePercent: usage === null ? null : usage / 100,
          limitState,
          score: lastScore ? (lastScore.payload.score as number) : null,
          limitProposals: proposals,
          record: record.map((r) => ({
            seq: r.seq,
            eventType: r.eventType,
            payload: r.payload,
            source: r.source,
            recordedAt: r.recordedAt,
          })),
        };
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/salespeople/:id/limit-proposals',
      summary: "Propose a salesperson's receivables limit from an evaluation; a manager approves it",
      tag: 'salespeople',
      roles: ['finance', 'marketing'],
      params: z.object({ id: Id }),
      body: z.object({
        proposedLimitMinor: MinorOrZero,
        evaluation: Text,
        onBehalfOf: OnBehalfOfBody.optional(),
        ...refusedActorFields('proposedBy'),
      }),
      response: ProposalResponse,
      status: 201,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        const id = randomUUID();
        return inTransaction(pool, async (c) => {
          const sp = await q.lockSalesperson(c, params.id);
          if (!sp) throw ApiError.notFound(`salesperson ${params.id}`);
          const row = {
            id,
            salespersonId: params.id,
            previousLimitMinor: sp.creditLimitMinor,
            proposedLimitMinor: body.proposedLimitMinor,
            evaluation: body.evaluation,
          };
          await q.insertLimitProposal(c, row, actor);
          await records.append(c, {
            subjectType: 'salesperson',
            subjectId: params.id,
            eventType: 'limit-proposed',
            payload: { proposalId: id, ...row, actor },
            source: actorSource(actor),
            idempotencyKey: `salesperson:${params.id}:limit-proposed:${id}`,
          });
          const stored = await q.getLimitProposal(c, id);
          if (!stored) throw new Error(`limit proposal ${id} vanished inside its transaction`);
          return stored;
        });
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/salespeople/:id/limit-proposals/:proposalId/decision',
      summary: 'A manager approves (the limit takes effect) or rejects a pending limit proposal',
      tag: 'salespeople',
      roles: ['manager'],
      params: z.object({ id: Id, proposalId: z.string().uuid() }),
      body: z.object({
        approve: z.boolean(),
        reason: Text,
        onBehalfOf: OnBehalfOfBody.optional(),
        ...refusedActorFields('decidedBy'),
      }),
      response: ProposalResponse,
      handler: async ({ params, body, principal }) =>
        inTransaction(pool, async (c) => {
          const actor = actorOf(authenticated(principal), body.onBehalfOf);
          const sp = await q.lockSalesperson(c, params.id);
          if (!sp) throw ApiError.notFound(`salesperson ${params.id}`);
          const p = await q.lockLimitProposal(c, params.id, params.proposalId);
          if (!p) throw ApiError.notFound(`limit proposal ${params.proposalId}`);
          if (p.status !== 'pending') throw ApiError.conflict(`the proposal is already ${p.status}`);
          const status = body.approve ? ('approved' as const) : ('rejected' as const);
          await q.decideLimitProposal(c, p.id, { status, decidedBy: actor, reason: body.reason });
          if (body.approve) await q.setLimit(c, params.id, p.proposedLimitMinor);
          await records.append(c, {
            subjectType: 'salesperson',
            subjectId: params.id,
            eventType: body.approve ? 'limit-approved' : 'limit-rejected',
            payload: {
              proposalId: p.id,
              previousLimitMinor: sp.creditLimitMinor,
              proposedLimitMinor: p.proposedLimitMinor,
              reason: body.reason,
              actor,
            },
            source: actorSource(actor),
            idempotencyKey: `salesperson:${params.id}:limit-decided:${p.id}`,
          });
          const stored = await q.getLimitProposal(c, p.id);
          if (!stored) throw new Error(`limit proposal ${p.id} vanished inside its transaction`);
          return stored;
        }),
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/salesperson-reviews/:quarter',
      summary:
        'Quarterly review: proposes incentives (bonus, commendation) or sanctions (warning, demotion, fine) and a limit from the score and record; decided reviews stay as decided',
      tag: 'salespeople',
      roles: ['finance', 'manager'],
      params: z.object({ quarter: Quarter }),
      body: z.object({ salespersonIds: z.array(Id).min(1).max(1000).optional() }).default({}),
      response: z.object({ quarter: z.string(), reviews: z.array(ReviewResponse) }),
      status: 201,
      handler: async ({ params, body }) => {
        const { first, last } = quarterRange(params.quarter);
        // The quarter's record: from local midnight of its first day to local midnight after its last.
        const tz = deps.policy().timeZone;
        const start = new Date(instantAt(first, 0, tz)).toISOString();
        const end = new Date(instantAt(addDays(last, 1), 0, tz)).toISOString();
        const ids = (await known(body.salespersonIds)) ?? (await q.salespersonIds(null));
        for (const id of ids) {
          const p = await person(id);
          const [counts, rewardPenalty, outstanding, record] = await Promise.all([
            q.recordCounts(id, start, end),
            q.rewardPenaltyBetween(id, first.slice(0, 7), last.slice(0, 7)),
            q.outstanding(id),
            records.listForSubject('salesperson', id),
          ]);
          const lastScore = [...record].reverse().find((r) => r.eventType === 'credit-scored');
          const inputs = {
            score: lastScore ? (lastScore.payload.score as number) : null,
            complaints: counts.complaint ?? 0,
            violations: counts.violation ?? 0,
            assessmentRewardPenaltyMinor: rewardPenalty,
            limitMinor: p.creditLimitMinor,
            usageBp: usageBp(outstanding, p.creditLimitMinor),
          };
          const proposal = proposeReview(inputs);
          await inTransaction(pool, async (c) => {
            await q.upsertReview(c, {
              quarter: params.quarter,
              salespersonId: id,
              inputs,
              proposedActions: [...proposal.actions],
              proposedLimitMinor: proposal.proposedLimitMinor,
              reasons: [...proposal.reasons],
            });
          });
        }
        return {
          quarter: params.quarter,
          reviews: await q.listReviews(params.quarter, body.salespersonIds ?? null),
        };
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/salesperson-reviews/:quarter/:salespersonId/decision',
      summary:
        "A manager accepts the review's proposal or changes it; a decided limit takes effect and the decision goes on the credit record",
      tag: 'salespeople',
      roles: ['manager'],
      params: z.object({ quarter: Quarter, salespersonId: Id }),
      body: z.object({
        accept: z
          .boolean()
          .describe('true: the proposal as it stands; false: `actions` / `limitMinor` replace it'),
        actions: z.array(ReviewAction).optional(),
        limitMinor: MinorOrZero.nullable().optional(),
        note: Text,
        onBehalfOf: OnBehalfOfBody.optional(),
        ...refusedActorFields('decidedBy'),
      }),
      response: ReviewResponse,
      handler: async ({ params, body, principal }) =>
        inTransaction(pool, async (c) => {
          const actor = actorOf(authenticated(principal), body.onBehalfOf);
          const r = await q.getReview(c, params.quarter, params.salespersonId, true);
          if (!r) throw ApiError.notFound(`review ${params.quarter} of ${params.salespersonId}`);
          if (r.status === 'decided') throw ApiError.conflict('the review is already decided');
          if (!body.accept && body.actions === undefined && body.limitMinor === undefined)
            throw ApiError.validation('a changed decision names actions or limitMinor', [
              { path: 'actions', message: 'required when accept is false' },
            ]);
          const actions = body.accept ? r.proposedActions : (body.actions ?? r.proposedActions);
          const limitMinor = body.accept
            ? r.proposedLimitMinor
            : body.limitMinor === undefined
              ? r.proposedLimitMinor
              : body.limitMinor;
          await q.decideReview(c, params.quarter, params.salespersonId, {
            actions,
            limitMinor,
            decidedBy: actor,
            note: body.note,
          });
          if (limitMinor !== null) {
            await q.lockSalesperson(c, params.salespersonId);
            await q.setLimit(c, params.salespersonId, limitMinor);
          }
          await records.append(c, {
            subjectType: 'salesperson',
            subjectId: params.salespersonId,
            eventType: 'quarterly-review-decided',
            payload: {
              quarter: params.quarter,
              proposedActions: r.proposedActions,
              actions,
              proposedLimitMinor: r.proposedLimitMinor,
              limitMinor,
              note: body.note,
              actor,
            },
            source: actorSource(actor),
            idempotencyKey: `salesperson:${params.salespersonId}:review:${params.quarter}`,
          });
          const decided = await q.getReview(c, params.quarter, params.salespersonId);
          if (!decided) throw new Error(`review ${params.quarter} of ${params.salespersonId} vanished`);
          return decided;
        }),
    }),
  ];
}
