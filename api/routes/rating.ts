/**
 * Dealer rating (§2): the departments submit indicator scores (performance monthly,
 * conduct quarterly) and quarterly sales; the monthly and quarterly cycles run on
 * schedules or by hand; a manager decides on a dealer with two bad quarters in a row.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Policy } from '../../domain/policy.js';
import { INDICATOR_MAX_SCORE, type IndicatorDefinition } from '../../domain/rating.js';
import { indicatorsOf, missingIndicators } from '../../domain/rating-cycle.js';
import { inTransaction } from '../../store/db.js';
import { createRatingQueries } from '../../store/rating.js';
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
import { actorOf, authenticated } from '../auth.js';
import { ApiError, type FieldError } from '../errors.js';
import { type AnyRoute, defineRoute } from '../http.js';
import { assertOwnDepartment, ROLES } from '../roles.js';
import {
  ActorResponse,
  Id,
  MinorOrZero,
  Month,
  OnBehalfOfBody,
  Quarter,
  refusedActorFields,
} from '../schemas.js';

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
  onBehalfOf: OnBehalfOfBody.optional(),
  ...refusedActorFields('submittedBy'),
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

/**
 * Checks each submitted key against the indicator list: unknown keys and out-of-range scores are malformed
 * (400); a key another department owns is refused (422) — each naming the field.
 */
function checkScores(
  indicators: readonly IndicatorDefinition[],
  department: 'finance' | 'marketing',
  scores: Record<string, number>,
  what: string,
): void {
  const malformed: FieldError[] = [];
  const foreign: FieldError[] = [];
  for (const [key, value] of Object.entries(scores)) {
    const indicator = indicators.find((i) => i.key === key);
    const path = `scores.${key}`;
    if (!indicator) malformed.push({ path, message: `not a ${what} indicator` });
    else if (indicator.owner !== department)
      foreign.push({ path, message: `scored by ${indicator.owner}, not ${department}` });
    else if (indicator.measure === 'score' && value > INDICATOR_MAX_SCORE)
      malformed.push({ path, message: `a score from 0 to ${INDICATOR_MAX_SCORE}` });
  }
  const first = malformed[0];
  if (first) throw ApiError.validation(`${first.path}: ${first.message}`, malformed);
  const f = foreign[0];
  if (f) throw ApiError.unprocessable(`${f.path}: ${f.message}`, foreign);
}

export function ratingRoutes(deps: { client: Client; pool: Pool; policy: () => Policy }): AnyRoute[] {
  const { client, pool } = deps;
  const q = createRatingQueries(pool);

  const dealer = async (id: string) => {
    const d = await q.getDealer(id);
    if (!d) throw ApiError.notFound(`dealer ${id}`);
    if (d.kind !== 'dealer')
      throw ApiError.unprocessable(`${id} is a customer: only dealers are rated`, [
        { path: 'id', message: 'not a dealer' },
      ]);
    return d;
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
        await dealer(params.id);
        checkScores(
          indicatorsOf(deps.policy().rating).performance,
          body.department,
          body.scores,
          'performance',
        );
        await inTransaction(pool, (c) =>
          q.upsertPerformanceScores(c, {
            dealerId: params.id,
            month: params.month,
            department: body.department,
            submittedBy: actorOf(authenticated(principal), body.onBehalfOf),
            values: body.scores,
          }),
        );
        const all = (await q.performanceValues([params.id], [params.month])).get(params.id)?.[params.month];
        return {
          dealerId: params.id,
          period: params.month,
          department: body.department,
          submitted: body.scores,
          missing: missingIndicators(indicatorsOf(deps.policy().rating).performance, all),
        };
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
        await dealer(params.id);
        onlyDepartment(body.department, 'marketing', 'conduct');
        assertOwnDepartment(principal, body.department);
        checkScores(indicatorsOf(deps.policy().rating).conduct, body.department, body.scores, 'conduct');
        await inTransaction(pool, (c) =>
          q.upsertConductScores(c, {
            dealerId: params.id,
            quarter: params.quarter,
            department: body.department,
            submittedBy: actorOf(authenticated(principal), body.onBehalfOf),
            values: body.scores,
          }),
        );
        const all = (await q.conductValues([params.id], params.quarter)).get(params.id)?.[params.quarter];
        return {
          dealerId: params.id,
          period: params.quarter,
          department: body.department,
          submitted: body.scores,
          missing: missingIndicators(indicatorsOf(deps.policy().rating).conduct, all),
        };
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
        await dealer(params.id);
        onlyDepartment(body.department, 'finance', 'quarterly sales');
        assertOwnDepartment(principal, body.department);
        await q.upsertSales(pool, {
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
        const workflowId = ratingMonthWorkflowId(params.month);
        const input: MonthlyPerformanceInput = {
          month: params.month,
          policy: deps.policy(),
          startedBy: actorOf(authenticated(principal)),
          ...(body.dealerIds ? { dealerIds: body.dealerIds } : {}),
        };
        const handle = await client.workflow.start(MONTHLY_PERFORMANCE_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: RATING_TASK_QUEUE,
          args: [input],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
        return { month: params.month, workflowId, runId: handle.firstExecutionRunId };
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
        const workflowId = ratingQuarterWorkflowId(params.quarter);
        const input: QuarterlyRatingInput = {
          quarter: params.quarter,
          policy: deps.policy(),
          startedBy: actorOf(authenticated(principal)),
          ...(body.dealerIds ? { dealerIds: body.dealerIds } : {}),
        };
        const handle = await client.workflow.start(QUARTERLY_RATING_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: RATING_TASK_QUEUE,
          args: [input],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
        return { quarter: params.quarter, workflowId, runId: handle.firstExecutionRunId };
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
        onBehalfOf: OnBehalfOfBody.optional(),
        ...refusedActorFields('decidedBy'),
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
        await dealer(params.id);
        const rating = await q.getQuarterlyRating(pool, params.quarter, params.id);
        if (!rating) throw ApiError.notFound(`rating of dealer ${params.id} for ${params.quarter}`);
        if (!rating.managerDecisionRequired)
          throw ApiError.unprocessable(
            `decision: dealer ${params.id} is rated ${rating.grade} for ${params.quarter}, not two bad quarters in a row`,
            [{ path: 'decision', message: 'no decision is open for this dealer and quarter' }],
          );
        if (rating.decision)
          throw ApiError.conflict(
            `already decided: ${rating.decision} by ${rating.decidedBy}${rating.decidedByDefault ? ' (policy default at the deadline)' : ''}`,
          );
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
