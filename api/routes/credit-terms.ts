/**
 * Credit terms by marginal analysis (docs/domain.md §6) and customer scoring (docs/domain.md §3).
 *
 * The analysis is pure computation (domain/marginal-analysis.ts), limited to the
 * longest term the counterparty's grade or class allows when one is named. A
 * score is stored: the class on the counterparty, a row of score history, and a
 * credit-record event, in one transaction.
 */
import { z } from 'zod';
import { CUSTOMER_CLASSES, type CustomerClass } from '../../domain/customer-class.js';
import { SCORE_FACTORS } from '../../domain/customer-score.js';
import { marginalAnalysis } from '../../domain/marginal-analysis.js';
import type { Policy } from '../../domain/policy.js';
import { type CreditGrade, isCreditGrade } from '../../domain/rating.js';
import type { Operations } from '../../operations/index.js';
import type { CounterpartyRow } from '../../store/counterparties.js';
import type { Store } from '../../store/index.js';
import { actorOf, authenticated } from '../auth.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { actorBodyFields, Id, MinorOrZero } from '../schemas.js';
import { createVisibility } from '../visibility.js';

const Count = z.number().int('must be a whole number').min(0).max(Number.MAX_SAFE_INTEGER);
const Bp = z.number().int('must be an integer of basis points');

// ---------------------------------------------------------------------------------------------------------
// docs/domain.md §6 marginal analysis

const CreditTermOptionBody = z.object({
  label: z.string().trim().min(1).max(100).describe("e.g. 'cash', 'n/30'; unique within the analysis"),
  termDays: z.number().int('must be a whole number of days').min(0).max(365).describe('0 = the cash option'),
  yearlyVolumeUnits: Count,
  unitPriceMinor: MinorOrZero,
  unitVariableCostMinor: MinorOrZero,
  creditCostMinor: MinorOrZero.describe("This option's extra credit-handling cost per year"),
  badDebtRateBp: Bp.min(0).max(10_000),
});

const AnalysisBody = z
  .object({
    options: z.array(CreditTermOptionBody).min(1).max(20),
    fixedCostMinor: MinorOrZero.describe("The company's yearly fixed cost, the same for every option"),
    requiredReturnBp: Bp.min(0).max(100_000).describe('Required return on capital per year, basis points'),
    counterpartyId: Id.optional().describe(
      "Limit the recommendation to the term this counterparty's grade allows",
    ),
  })
  .superRefine((body, ctx) => {
    let cash: number | undefined;
    const labels = new Map<string, number>();
    body.options.forEach((o, i) => {
      if (o.termDays === 0) {
        if (cash === undefined) cash = i;
        else
          ctx.addIssue({
            code: 'custom',
            path: ['options', i, 'termDays'],
            message: `exactly one option may be cash (termDays 0); options.${cash} already is`,
          });
      }
      const first = labels.get(o.label);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['options', i, 'label'],
          message: `label "${o.label}" is already used by options.${first}`,
        });
      else labels.set(o.label, i);
    });
    if (cash === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: 'must include exactly one cash option (termDays 0): every gain is measured against it',
      });
  });

const OptionResult = z.object({
  label: z.string(),
  termDays: z.number().int(),
  salesMinor: z.number().int(),
  variableCostMinor: z.number().int(),
  fixedCostMinor: z.number().int(),
  creditCostMinor: z.number().int(),
  badDebtLossMinor: z.number().int(),
  profitMinor: z.number().int(),
  gainMinor: z.number().int().describe("Profit minus the cash option's profit"),
  capitalTiedUpMinor: z.number().int(),
  opportunityCostMinor: z.number().int(),
  netGainMinor: z.number().int(),
  withinMaxTerm: z.boolean(),
});

const AnalysisResponse = z.object({
  options: z.array(OptionResult).describe('In request order'),
  recommended: z.string().describe('Label of the option with the highest net gain within maxTermDays'),
  recommendedTermDays: z.number().int(),
  maxTermDays: z
    .number()
    .int()
    .nullable()
    .describe("The longest term the counterparty's grade or class allows; null when none was applied"),
});

/**
 * The longest term a counterparty may get.
 * - Dealer: its credit term (set by its rating); without one, the policy's term for its grade; without a
 *   grade, 0 — the automatic checks give an ungraded dealer no credit.
 * - Customer: its class's maximum term from the policy (0 for a class without credit, i.e. D); a customer
 *   not yet classified keeps its own credit term, if any.
 */
export function allowedMaxTermDays(c: CounterpartyRow, policy: Policy): number | null {
  if (c.kind === 'dealer') {
    if (c.creditTermDays !== null) return c.creditTermDays;
    return isCreditGrade(c.creditGrade) ? policy.rating.creditTermDays[c.creditGrade as CreditGrade] : 0;
  }
  const cls = c.customerClass as CustomerClass | null;
  if (cls && CUSTOMER_CLASSES.includes(cls)) {
    const classPolicy = policy.customer.classes[cls];
    return classPolicy.creditAllowed ? classPolicy.maxTermDays : 0;
  }
  return c.creditTermDays;
}

// ---------------------------------------------------------------------------------------------------------
// docs/domain.md §3 customer score

/**
 * The score is computed from creditflow's record and the facts entered through
 * POST /v1/customers/:id/facts (docs/scores.md): the factors the route once took from the body
 * are refused by name, so an old client learns where each now comes from.
 */
const FROM_THE_RECORD = ['tradingMonths', 'onTimeRateBp', 'averageDaysLate'] as const;
const AS_FACTS = [
  'currentRatioBp',
  'debtRatioBp',
  'profitMarginBp',
  'operatingCashFlowRatioBp',
  'creditReportScore',
  'industryRisk',
] as const;
const refused = (message: string) =>
  z
    .never({ error: message })
    .optional()
    .describe(`Refused: ${message.replace(/^not accepted: /, '')}`);
const RefusedFactors = {
  ...Object.fromEntries(
    FROM_THE_RECORD.map((k) => [
      k,
      refused("not accepted: payment behaviour comes from creditflow's own record"),
    ]),
  ),
  ...Object.fromEntries(
    AS_FACTS.map((k) => [
      k,
      refused('not accepted: enter it as a fact with its date and source (POST /v1/customers/:id/facts)'),
    ]),
  ),
} as Record<(typeof FROM_THE_RECORD)[number] | (typeof AS_FACTS)[number], ReturnType<typeof refused>>;

const ScoreBody = z.object({
  note: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .optional()
    .describe('Why this refresh (a new statement, a review …)'),
  ...RefusedFactors,
  ...actorBodyFields('scoredBy'),
});

export const Contribution = z.object({
  factor: z.enum(SCORE_FACTORS),
  weight: z.number().int(),
  value: z.union([z.number(), z.string()]).nullable(),
  points: z.number().int(),
  contribution: z.number(),
  missing: z.enum(['none', 'stale', 'no-history']).optional(),
  source: z.object({ asOf: z.string(), document: z.string() }).optional(),
});

const ScoreResponse = z.object({
  score: z.number().int(),
  customerClass: z.enum(CUSTOMER_CLASSES),
  previousClass: z.enum(CUSTOMER_CLASSES).nullable(),
  changed: z.boolean().describe('False when nothing changed since the last refresh (nothing stored)'),
  factorScores: z.record(z.enum(SCORE_FACTORS), z.number().int()),
  contributions: z.array(Contribution),
  missing: z.array(z.object({ factor: z.string(), why: z.string() })),
  earlyWarning: z.boolean(),
  earlyWarningReasons: z.array(z.enum(['score-drop', 'class-fall'])),
});

export function creditTermRoutes(deps: {
  store: Store;
  operations: Operations;
  policy: () => Policy;
}): AnyRoute[] {
  const { store, operations } = deps;
  const visibility = createVisibility(store.receivables);

  return [
    defineRoute({
      method: 'POST',
      path: '/v1/credit-terms/analysis',
      summary: 'Marginal analysis of candidate credit terms (cash, 30, 60 days …) with the recommended term',
      tag: 'credit-terms',
      roles: ['finance', 'marketing', 'manager', 'sales', 'credit-desk', 'auditor'],
      body: AnalysisBody,
      response: AnalysisResponse,
      handler: async ({ body, principal }) => {
        let maxTermDays: number | null = null;
        if (body.counterpartyId !== undefined) {
          const c = await store.counterparties.get(body.counterpartyId);
          // What the grade allows is not for a salesperson who does not sell to the counterparty.
          if (!c || !(await visibility.seesCounterparty(principal, body.counterpartyId))) {
            const message = `unknown counterparty ${body.counterpartyId}`;
            throw ApiError.unprocessable(`counterpartyId: ${message}`, [{ path: 'counterpartyId', message }]);
          }
          maxTermDays = allowedMaxTermDays(c, deps.policy());
        }
        let analysis: ReturnType<typeof marginalAnalysis>;
        try {
          analysis = marginalAnalysis({
            options: body.options,
            fixedCostMinor: body.fixedCostMinor,
            requiredReturnBp: body.requiredReturnBp,
            ...(maxTermDays !== null ? { maxTermDays } : {}),
          });
        } catch (err) {
          // The body passed its schema, so what is left are figures too large to compute exactly.
          throw ApiError.unprocessable((err as Error).message);
        }
        return {
          options: [...analysis.options],
          recommended: analysis.recommended.label,
          recommendedTermDays: analysis.recommended.termDays,
          maxTermDays,
        };
      },
    }),

    defineRoute({
      method: 'POST',
      path: '/v1/customers/:id/score',
      summary:
        "Refresh a customer's score from creditflow's record (payment behaviour) and the facts entered with their date and source: the score, class and each factor's contribution; a class change is a credit fact and takes effect (class, limit, term). Nothing is stored when nothing changed",
      tag: 'customers',
      roles: ['finance', 'credit-desk'],
      params: z.object({ id: Id }),
      body: ScoreBody,
      response: ScoreResponse,
      status: 201,
      handler: async ({ params, body, principal }) => {
        const actor = actorOf(authenticated(principal), body.onBehalfOf);
        // A dealer is refused by the operation (422 naming id).
        const stored = await operations.scores.refreshCustomerScore(params.id, {
          trigger: 'requested',
          policy: deps.policy(),
          actor,
          ...(body.note ? { note: body.note } : {}),
        });
        if (!stored) throw ApiError.notFound(`customer ${params.id}`);
        return reply(201, {
          score: stored.score,
          customerClass: stored.customerClass,
          previousClass: stored.previousClass,
          changed: stored.changed,
          factorScores: Object.fromEntries(stored.contributions.map((c) => [c.factor, c.points])),
          contributions: [...stored.contributions],
          missing: [...stored.missing],
          earlyWarning: stored.warning.reasons.length > 0,
          earlyWarningReasons: [...stored.warning.reasons],
        });
      },
    }),
  ];
}
