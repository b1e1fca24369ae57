/**
 * Salespeople (docs/domain.md §4, §5): the monthly assessment (workflow + stored table + CSV), the credit
 * record and score, the limit (evaluation → proposal → manager approval) and the quarterly review.
 *
 * Not done: the access rule "a salesperson reads only their own figures; managers and finance
 * read all" needs authentication, which the API does not have yet (a separate issue).
 */
import type { Client } from '@temporalio/client';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@temporalio/common';
import { z } from 'zod';
import { assessmentCsv } from '../../domain/csv.js';
import type { Policy } from '../../domain/policy.js';
import { limitUsage, METRIC_KEYS } from '../../domain/salesperson-assessment.js';
import { ASSESSMENT_FIGURES, usageBp } from '../../domain/salesperson-review.js';
import type { Operations } from '../../operations/index.js';
import { latestCreditScore } from '../../operations/salesperson-credit.js';
import type { Store } from '../../store/index.js';
import {
  SALESPERSON_ASSESSMENT_WORKFLOW_TYPE,
  SALESPERSON_REVIEW_WORKFLOW_TYPE,
  SALESPERSON_TASK_QUEUE,
  type SalespersonAssessmentInput,
  type SalespersonReviewInput,
  salespersonAssessmentWorkflowId,
  salespersonReviewWorkflowId,
} from '../../workflows/salesperson/contract.js';
import { actorOf, authenticated } from '../auth.js';
import { startPeriodRun } from '../cycles.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { STAFF_READERS } from '../roles.js';
import {
  ActorResponse,
  actorBodyFields,
  fieldPerKey,
  Id,
  MinorOrZero,
  Month,
  Quarter,
  Text,
} from '../schemas.js';
import { seesSalesperson } from '../visibility.js';

const _Bp = z.number().int().min(0).max(1_000_000);

const Metrics = z.object(fieldPerKey(METRIC_KEYS, () => z.number().nullable()));
const Rates = z.object(fieldPerKey(METRIC_KEYS, () => z.number().int()));
const AssessmentRow = z.object({
  salespersonId: z.string(),
  salespersonName: z.string(),
  ...fieldPerKey(ASSESSMENT_FIGURES, () => z.number().int()),
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
  store: Store;
  operations: Operations;
  policy: () => Policy;
}): AnyRoute[] {
  const { salespeople: q, creditRecord: records } = deps.store;
  const credit = deps.operations.salespersonCredit;

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
        await credit.knownSalespeople(body.salespersonIds);
        const input: SalespersonAssessmentInput = {
          month: params.month,
          policy: deps.policy(),
          startedBy: actorOf(authenticated(principal)),
          ...(body.salespersonIds ? { salespersonIds: body.salespersonIds } : {}),
        };
        const started = await startPeriodRun(deps.client, {
          workflowType: SALESPERSON_ASSESSMENT_WORKFLOW_TYPE,
          workflowId: salespersonAssessmentWorkflowId(params.month),
          taskQueue: SALESPERSON_TASK_QUEUE,
          input,
        });
        return { month: params.month, ...started };
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
        ...actorBodyFields('source'),
      }),
      response: z.object({ salespersonId: z.string(), eventType: z.string(), idempotencyKey: z.string() }),
      status: 201,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        const { idempotencyKey } = await credit.recordEvent(params.id, body, actor);
        return { salespersonId: params.id, eventType: body.kind, idempotencyKey };
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/salespeople/:id/credit-score',
      summary:
        "Score a salesperson's credit (weighted: sales, customer feedback, collection record, contract fulfilment; weights from the policy): the collection record from their latest monthly assessment, complaints from their credit record (90 days), the rest from facts entered with date and source (POST /v1/salespeople/:id/facts; older than the policy's limit: missing, scored 50). Same inputs: nothing new recorded",
      tag: 'salespeople',
      roles: ['manager', 'finance'],
      params: z.object({ id: Id }),
      body: z.object({
        ...Object.fromEntries(
          ['salesTargetAchievementBp', 'customerFeedbackScore', 'contractFulfilmentBp'].map((k) => [
            k,
            z
              .never({
                error:
                  'not accepted: enter it as a fact with its date and source (POST /v1/salespeople/:id/facts)',
              })
              .optional()
              .describe('Refused: entered as a fact'),
          ]),
        ),
        ...Object.fromEntries(
          ['collectionRatioBp', 'complaintCount'].map((k) => [
            k,
            z
              .never({ error: "not accepted: it comes from the salesperson's assessments and credit record" })
              .optional()
              .describe('Refused: from the record'),
          ]),
        ),
        ...actorBodyFields('scoredBy'),
      }),
      response: z.object({
        salespersonId: z.string(),
        score: z.number().int(),
        factorScores: z.record(z.string(), z.number()),
        complaintCount: z.number().int(),
        missing: z.array(z.object({ factor: z.string(), why: z.string() })),
        recorded: z.boolean().describe('False when the same inputs were already scored'),
      }),
      status: 201,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        const result = await deps.operations.scores.scoreSalesperson(params.id, {
          policy: deps.policy(),
          actor,
        });
        return {
          salespersonId: params.id,
          score: result.score,
          factorScores: result.factorScores,
          complaintCount: result.complaintCount,
          missing: result.missing,
          recorded: result.recorded,
        };
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
        const p = await credit.salesperson(params.id);
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
        return {
          ...p,
          outstandingMinor: outstanding,
          usageBp: usage,
          usagePercent: usage === null ? null : usage / 100,
          limitState,
          score: latestCreditScore(record),
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
        ...actorBodyFields('proposedBy'),
      }),
      response: ProposalResponse,
      status: 201,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        return credit.proposeLimit(params.id, body, actor);
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
        ...actorBodyFields('decidedBy'),
      }),
      response: ProposalResponse,
      handler: async ({ params, body, principal }) =>
        credit.decideLimitProposal(
          params.id,
          params.proposalId,
          body,
          actorOf(authenticated(principal), body.onBehalfOf),
        ),
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/salesperson-reviews/:quarter',
      summary:
        "Quarterly review (workflow salesperson-review:<YYYY-Qn>, answered when it finishes): proposes incentives (bonus, commendation) or sanctions (warning, demotion, fine) and a limit from the score and record; decided reviews stay as decided. 409 while the quarter's review is running",
      tag: 'salespeople',
      roles: ['finance', 'manager'],
      params: z.object({ quarter: Quarter }),
      body: z.object({ salespersonIds: z.array(Id).min(1).max(1000).optional() }).default({}),
      response: z.object({ quarter: z.string(), reviews: z.array(ReviewResponse) }),
      status: 201,
      errors: { 409: "the quarter's review is running: try again when it has finished" },
      handler: async ({ params, body, principal }) => {
        await credit.knownSalespeople(body.salespersonIds);
        const input: SalespersonReviewInput = {
          quarter: params.quarter,
          policy: deps.policy(),
          startedBy: actorOf(authenticated(principal)),
          ...(body.salespersonIds ? { salespersonIds: body.salespersonIds } : {}),
        };
        const workflowId = salespersonReviewWorkflowId(params.quarter);
        const handle = await deps.client.workflow
          .start(SALESPERSON_REVIEW_WORKFLOW_TYPE, {
            workflowId,
            taskQueue: SALESPERSON_TASK_QUEUE,
            args: [input],
            // One run of a quarter at a time; a finished quarter may be proposed again.
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          })
          .catch((err: unknown) => {
            if (err instanceof WorkflowExecutionAlreadyStartedError)
              throw ApiError.conflict(
                `the review of ${params.quarter} is running (workflow ${workflowId}): try again when it has finished`,
              );
            throw err;
          });
        // Proposals take a moment per salesperson: the answer waits for the run, within the request's
        // workflow deadline (a longer run answers 504 and goes on; its reviews are read back here later).
        await handle.result();
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
        ...actorBodyFields('decidedBy'),
      }),
      response: ReviewResponse,
      handler: async ({ params, body, principal }) =>
        credit.decideReview(
          params.quarter,
          params.salespersonId,
          body,
          actorOf(authenticated(principal), body.onBehalfOf),
        ),
    }),
  ];
}
