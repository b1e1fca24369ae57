/**
 * Dealer rating (docs/domain.md §2): the departments submit indicator scores (performance monthly,
 * conduct quarterly) and quarterly sales; the monthly and quarterly cycles run on
 * schedules or by hand; a manager decides on a dealer with two bad quarters in a row.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { Policy } from '../../domain/policy.js';
import type { Operations } from '../../operations/index.js';
import {
  dealerDecisionWorkflowId,
  decideDealerContinuation,
  getRatingProgress,
  MONTHLY_PERFORMANCE_WORKFLOW_TYPE,
  type MonthlyPerformanceInput,
  QUARTERLY_RATING_WORKFLOW_TYPE,
  type QuarterlyRatingInput,
  RATING_TASK_QUEUE,
  ratingMonthWorkflowId,
  ratingQuarterWorkflowId,
} from '../../workflows/rating/contract.js';
import { actorOf, authenticated, type Principal } from '../auth.js';
import { startPeriodRun } from '../cycles.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute } from '../http.js';
import { assertOwnDepartment, ROLES } from '../roles.js';
import { ActorResponse, actorBodyFields, Id, MinorOrZero, Month, Quarter } from '../schemas.js';

const Department = z.enum(['finance', 'marketing']);
const Scores = z
  .record(z.string(), z.number().int().min(0).max(1_000_000))
  .refine((s) => Object.keys(s).length > 0, 'at least one score');

const ScoresResponse = z.object({
  dealerId: z.string(),
  period: z.string(),
  department: Department,
  submitted: z.record(z.string(), z.number()),
  /** Indicators of the period still without a value (from either department). */
  missing: z.array(z.string()),
});

const TriggerBody = z.object({ dealerIds: z.array(Id).min(1).max(10_000).optional() }).default({});
/** A department's submission: who submitted is the credential; `onBehalfOf` when keyed for someone else. */
const Submission = {
  department: Department,
  ...actorBodyFields('submittedBy'),
};

const ProgressResponse = z.object({
  quarter: z.string(),
  workflowId: z.string(),
  status: z.string(),
  progress: z.object({
    quarter: z.string().nullable(),
    stage: z.string(),
    total: z.number().int(),
    done: z.number().int(),
    changed: z.number().int(),
    skipped: z.number().int(),
    decisionsPending: z.number().int(),
  }),
});

export function ratingRoutes(deps: {
  client: Client;
  operations: Operations;
  policy: () => Policy;
}): AnyRoute[] {
  const { client } = deps;
  const rating = deps.operations.rating;

  /** Stores a department's scores and answers what the period still misses. */
  const submitScores = async (
    cycle: 'performance' | 'conduct',
    dealerId: string,
    period: string,
    body: {
      department: 'finance' | 'marketing';
      onBehalfOf?: Parameters<typeof actorOf>[1];
      scores: Record<string, number>;
    },
    principal: Principal | undefined,
  ) => {
    const { missing } = await rating.submitScores({
      cycle,
      dealerId,
      period,
      department: body.department,
      submittedBy: actorOf(authenticated(principal), body.onBehalfOf),
      scores: body.scores,
      rating: deps.policy().rating,
    });
    return { dealerId, period, department: body.department, submitted: body.scores, missing };
  };
  const onlyDepartment = (given: string, wanted: 'finance' | 'marketing', what: string) => {
    if (given !== wanted)
      throw ApiError.unprocessable(`department: ${what} is entered by ${wanted}, not ${given}`, [
        { path: 'department', message: `${what} is entered by ${wanted}` },
      ]);
  };

  return [
    defineRoute({
      method: 'PUT',
      path: '/v1/dealers/:id/performance/:month',
      summary:
        "Submit a month's performance scores (12 indicators, 0–5 each; customers_lost as a count): finance the first 8, marketing the last 4",
      tag: 'rating',
      roles: ['finance', 'marketing'],
      params: z.object({ id: Id, month: Month }),
      body: z.object({ ...Submission, scores: Scores }),
      response: ScoresResponse,
      handler: async ({ params, body, principal }) => {
        assertOwnDepartment(principal, body.department);
        await rating.ratedDealer(params.id);
        return submitScores('performance', params.id, params.month, body, principal);
      },
    }),

    defineRoute({
      method: 'PUT',
      path: '/v1/dealers/:id/conduct/:quarter',
      summary:
        "Submit a quarter's conduct scores (8 indicators, marketing only; the first two as violation counts)",
      tag: 'rating',
      roles: ['marketing'],
      params: z.object({ id: Id, quarter: Quarter }),
      body: z.object({ ...Submission, scores: Scores }),
      response: ScoresResponse,
      handler: async ({ params, body, principal }) => {
        await rating.ratedDealer(params.id);
        onlyDepartment(body.department, 'marketing', 'conduct');
        assertOwnDepartment(principal, body.department);
        return submitScores('conduct', params.id, params.quarter, body, principal);
      },
    }),

    defineRoute({
      method: 'PUT',
      path: '/v1/dealers/:id/sales/:quarter',
      summary:
        "Submit the dealer's sales in a quarter (finance; minor units): limit = sales × the grade's ratio",
      tag: 'rating',
      roles: ['finance'],
      params: z.object({ id: Id, quarter: Quarter }),
      body: z.object({
        ...Submission,
        salesMinor: MinorOrZero,
      }),
      response: z.object({ dealerId: z.string(), quarter: z.string(), salesMinor: z.number() }),
      handler: async ({ params, body, principal }) => {
        await rating.ratedDealer(params.id);
        onlyDepartment(body.department, 'finance', 'quarterly sales');
        assertOwnDepartment(principal, body.department);
        await rating.submitSales({
          dealerId: params.id,
          quarter: params.quarter,
          department: body.department,
          salesMinor: body.salesMinor,
          submittedBy: actorOf(authenticated(principal), body.onBehalfOf),
        });
        return { dealerId: params.id, quarter: params.quarter, salesMinor: body.salesMinor };
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/rating-cycles/month/:month',
      summary:
        "Run a month's performance scoring now (workflow rating-month:<YYYY-MM>); a running one is returned (USE_EXISTING), a finished month may be re-run (ALLOW_DUPLICATE; same values)",
      tag: 'rating',
      roles: ['finance', 'marketing', 'manager'],
      params: z.object({ month: Month }),
      body: TriggerBody,
      response: z.object({ month: z.string(), workflowId: z.string(), runId: z.string() }),
      status: 202,
      handler: async ({ params, body, principal }) => {
        const input: MonthlyPerformanceInput = {
          month: params.month,
          policy: deps.policy(),
          startedBy: actorOf(authenticated(principal)),
          ...(body.dealerIds ? { dealerIds: body.dealerIds } : {}),
        };
        const started = await startPeriodRun(client, {
          workflowType: MONTHLY_PERFORMANCE_WORKFLOW_TYPE,
          workflowId: ratingMonthWorkflowId(params.month),
          taskQueue: RATING_TASK_QUEUE,
          input,
        });
        return { month: params.month, ...started };
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/rating-cycles/quarter/:quarter',
      summary:
        "Run a quarter's dealer rating now (workflow rating-quarter:<YYYY-Qn>); a running one is returned (USE_EXISTING), a finished quarter may be re-run (ALLOW_DUPLICATE; it changes nothing and e-mails nobody twice)",
      tag: 'rating',
      roles: ['finance', 'marketing', 'manager'],
      params: z.object({ quarter: Quarter }),
      body: TriggerBody,
      response: z.object({ quarter: z.string(), workflowId: z.string(), runId: z.string() }),
      status: 202,
      handler: async ({ params, body, principal }) => {
        const input: QuarterlyRatingInput = {
          quarter: params.quarter,
          policy: deps.policy(),
          startedBy: actorOf(authenticated(principal)),
          ...(body.dealerIds ? { dealerIds: body.dealerIds } : {}),
        };
        const started = await startPeriodRun(client, {
          workflowType: QUARTERLY_RATING_WORKFLOW_TYPE,
          workflowId: ratingQuarterWorkflowId(params.quarter),
          taskQueue: RATING_TASK_QUEUE,
          input,
        });
        return { quarter: params.quarter, ...started };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/rating-cycles/quarter/:quarter',
      summary:
        "A quarter's rating progress from its workflow: total, done, changed, skipped, decisions pending (404 when never run)",
      tag: 'rating',
      roles: ROLES, // counts only
      params: z.object({ quarter: Quarter }),
      response: ProgressResponse,
      handler: async ({ params }) => {
        const workflowId = ratingQuarterWorkflowId(params.quarter);
        const handle = client.workflow.getHandle(workflowId);
        try {
          const [d, progress] = await Promise.all([handle.describe(), handle.query(getRatingProgress)]);
          return { quarter: params.quarter, workflowId, status: d.status.name, progress };
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw ApiError.notFound(`rating cycle ${params.quarter}`);
          throw err;
        }
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/dealers/:id/continuation-decision/:quarter',
      summary:
        'A manager decides on a dealer rated bad two quarters in a row: continue, stop supply or end the contract (before the policy deadline)',
      tag: 'rating',
      roles: ['manager'],
      params: z.object({ id: Id, quarter: Quarter }),
      body: z.object({
        decision: z.enum(['continue', 'stop-supply', 'end-contract']),
        reason: z.string().trim().min(1).max(2000),
        ...actorBodyFields('decidedBy'),
      }),
      response: z.object({
        dealerId: z.string(),
        quarter: z.string(),
        grade: z.string(),
        previousGrade: z.string().nullable(),
        decision: z.string().nullable(),
        decidedBy: z.string().nullable(),
        decidedByActor: ActorResponse.nullable(),
        reason: z.string().nullable(),
        decidedAt: z.string().nullable(),
        deadline: z.string(),
        byDefault: z.boolean(),
      }),
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        await rating.ratedDealer(params.id);
        await rating.openContinuationDecision(params.quarter, params.id);
        try {
          const s = await client.workflow
            .getHandle(dealerDecisionWorkflowId(params.quarter, params.id))
            .executeUpdate(decideDealerContinuation, {
              args: [{ decision: body.decision, reason: body.reason, actor }],
            });
          return {
            dealerId: s.dealerId,
            quarter: s.quarter,
            grade: s.grade,
            previousGrade: s.previousGrade,
            decision: s.decision,
            decidedBy: s.decidedBy,
            decidedByActor: s.decidedByActor ?? null,
            reason: s.reason,
            decidedAt: s.decidedAt,
            deadline: s.deadline,
            byDefault: s.byDefault,
          };
        } catch (err) {
          if (err instanceof WorkflowNotFoundError)
            throw ApiError.conflict('the decision is not open (yet): its workflow is not running');
          throw err;
        }
      },
    }),
  ];
}
