/**
 * The credit policy in force: the repository defaults (domain/policy.ts), a
 * company's overrides from a JSON file (POLICY_FILE) and from the admin API
 * (stored, versioned, in PostgreSQL). Every document is validated by zod with
 * errors that name the bad field. Each receivable workflow receives the policy
 * in its input, so the version it started under is in its history; a change
 * applies to new work only.
 */
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { z } from 'zod';
import { DEFAULT_DATE_WINDOW } from '../domain/calendar.js';
import { DEFAULT_POLICY, type Policy } from '../domain/policy.js';
import { assertConductIndicators, assertPerformanceIndicators } from '../domain/rating.js';
import { assertRateTable, METRIC_KEYS, type RateTable } from '../domain/salesperson-assessment.js';

const Score = z.number().int().min(0).max(100);
const Bp = z.number().int().min(0).max(10_000);
const Minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Days = z.number().int().min(0).max(3650);
const Grades = ['AA', 'AB', 'BA', 'BB', 'AC', 'CA', 'BC', 'CB', 'CC'] as const;
const GradeTable = <T extends z.ZodType>(v: T) =>
  z.object(Object.fromEntries(Grades.map((g) => [g, v])) as Record<(typeof Grades)[number], T>);
const Band = z
  .object({ a: z.number().int(), b: z.number().int() })
  .refine((t) => t.a > t.b, 'a must be above b');
const RateBand = z.object({
  min: z.number(),
  max: z.number().nullable(),
  rateBp: z.number().int().min(-10_000).max(10_000),
});
const ClassPolicy = z.object({
  creditAllowed: z.boolean(),
  limitMultiplierBp: z.number().int().min(0).max(100_000),
  maxTermDays: Days,
  reviewIntervalDays: z.number().int().min(1).max(3650),
  paymentTerms: z.enum(['credit', 'cash-or-prepayment']),
});

const Indicator = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a snake_case key'),
  zh: z.string().min(1),
  en: z.string().min(1),
  owner: z.enum(['finance', 'marketing']),
  measure: z.enum(['score', 'customers-lost', 'violations']),
});
/** A domain assertion as a zod refinement, so its message lands on the field. */
const holds = (assert: (v: never) => void) => (v: unknown, ctx: z.RefinementCtx) => {
  try {
    assert(v as never);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
};
const Range = z
  .object({ worst: z.number().int(), best: z.number().int() })
  .refine((r) => r.worst !== r.best, 'worst and best must differ');

export const PolicySchema = z
  .object({
    version: z.string().trim().min(1).max(64),
    timeZone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Asia/Shanghai'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
    dates: z
      .object({ daysBack: z.number().int().min(1).max(36_500), daysAhead: z.number().int().min(1).max(3650) })
      .default(DEFAULT_DATE_WINDOW),
    receivable: z.object({
      timeline: z
        .object({
          reminderDays: z.number().int().max(0),
          dueCheckDays: z.number().int().min(0),
          secondNoticeDays: z.number().int().min(0),
          warningDays: z.number().int().min(0),
          legalDays: z.number().int().min(0),
        })
        .refine(
          (t) =>
            t.reminderDays < t.dueCheckDays &&
            t.dueCheckDays < t.secondNoticeDays &&
            t.secondNoticeDays < t.warningDays &&
            t.warningDays < t.legalDays,
          'steps must come in order: reminder < due check < second notice < warning < legal',
        ),
      businessHour: z.number().int().min(0).max(23),
      businessMinute: z.number().int().min(0).max(59).default(0),
      approvalDeadlineDays: z.number().int().min(1).max(60),
      cashDiscount: z.object({ rateBp: Bp, days: Days }),
      defaultTermDays: z.number().int().min(1).max(365),
      homeRegions: z.array(z.string().min(1)),
      legal: z
        .object({
          terminateCooperationMinor: Minor,
          litigationMinor: Minor,
          confirmationDeadlineDays: z.number().int().min(1).max(60),
          onDeadline: z.enum(['proceed', 'hold']),
        })
        .refine((l) => l.litigationMinor >= l.terminateCooperationMinor, {
          message: 'litigationMinor must not be below terminateCooperationMinor',
          path: ['litigationMinor'],
        }),
    }),
    rating: z.object({
      thresholds: z.object({ performance: Band, conduct: Band }),
      creditSalesRatioBp: GradeTable(Bp),
      creditTermDays: GradeTable(Days),
      performanceIndicators: z.array(Indicator).superRefine(holds(assertPerformanceIndicators)),
      conductIndicators: z.array(Indicator).superRefine(holds(assertConductIndicators)),
      twoBadQuartersDecisionDays: z.number().int().min(1).max(90),
      onTwoBadQuartersDeadline: z.enum(['stop-supply', 'continue']),
    }),
    salesperson: z.object({
      baselines: z.object({
        averageCollectionPeriodDays: z.number().min(0).max(3650),
        collectionPeriodCeilingDays: z.number().min(0).max(3650),
        collectionRatioBp: z.number().int().min(0),
        receivablesShareBp: Bp.nullable(),
        badDebtToReceivablesBp: z.number().int().min(0),
        badDebtToSalesBp: z.number().int().min(0),
        discountTakeUpBp: Bp,
      }),
      rateTable: z
        .object(
          Object.fromEntries(METRIC_KEYS.map((m) => [m, z.array(RateBand).min(1)])) as Record<
            (typeof METRIC_KEYS)[number],
            z.ZodArray<typeof RateBand>
          >,
        )
        .superRefine((table, ctx) => {
          try {
            assertRateTable(table as RateTable);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
          }
        }),
      limitWarningBp: z.number().int().min(1).max(10_000),
      creditWeights: z
        .object({
          sales: z.number().int().min(0).max(100),
          customerFeedback: z.number().int().min(0).max(100),
          collectionRecord: z.number().int().min(0).max(100),
          contractFulfilment: z.number().int().min(0).max(100),
        })
        .refine((w) => Object.values(w).reduce((a, b) => a + b, 0) === 100, 'weights must sum to 100'),
    }),
    customer: z.object({
      scorer: z.object({
        currentRatioBp: Range,
        debtRatioBp: Range,
        profitMarginBp: Range,
        operatingCashFlowRatioBp: Range,
        creditReportScale: Range,
        tradingMonths: Range,
        onTimeRateBp: Range,
        averageDaysLate: Range,
        industryRisk: z.object({ low: Score, medium: Score, high: Score }),
        missingDataScore: Score,
      }),
      weights: z
        .record(z.string(), z.number().int().min(0).max(100))
        .refine((w) => Object.values(w).reduce((a, b) => a + b, 0) === 100, 'weights must sum to 100'),
      thresholds: z
        .object({ a: z.number().int().max(100), b: z.number().int(), c: z.number().int().min(0) })
        .refine((t) => t.a > t.b && t.b > t.c, 'thresholds must fall: a > b > c'),
      classes: z.object({ A: ClassPolicy, B: ClassPolicy, C: ClassPolicy, D: ClassPolicy }),
    }),
  })
  .passthrough();

export class PolicyError extends Error {
  constructor(
    message: string,
    readonly fields: { path: string; message: string }[],
  ) {
    super(message);
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Overrides merge into the defaults object by object; arrays and values replace. */
export function mergePolicy(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (
    base &&
    typeof base === 'object' &&
    !Array.isArray(base) &&
    override &&
    typeof override === 'object' &&
    !Array.isArray(override)
  ) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(override as Record<string, unknown>)) out[k] = mergePolicy(out[k], v);
    return out;
  }
  return override;
}

/** Validates a policy override on top of the defaults; throws PolicyError naming each bad field. */
export function resolvePolicy(override: unknown, base: Policy = DEFAULT_POLICY): Policy {
  if (
    override !== undefined &&
    (override === null || typeof override !== 'object' || Array.isArray(override))
  )
    throw new PolicyError('a policy document must be a JSON object', [
      { path: '', message: 'must be an object' },
    ]);
  const merged = mergePolicy(base, override as Json);
  const parsed = PolicySchema.safeParse(merged);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new PolicyError(
      `invalid policy: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      fields,
    );
  }
  return parsed.data as unknown as Policy;
}

/** The repository defaults, with the company's file (POLICY_FILE) on top when set. */
export function loadPolicy(file?: string): Policy {
  if (!file) return DEFAULT_POLICY;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`POLICY_FILE ${file}: ${(err as Error).message}`);
  }
  return resolvePolicy(doc);
}

/**
 * The policy in force for new work: the file/default policy, replaced by the newest
 * document stored through the admin API. Reads are served from memory.
 */
export interface PolicyStore {
  current(): Policy;
  /** Validates and stores a new version; a version already stored is refused. */
  replace(override: unknown, changedBy: string): Promise<Policy>;
  history(): Promise<{ version: string; changedBy: string; createdAt: string }[]>;
}

export async function createPolicyStore(pool: Pool, base: Policy): Promise<PolicyStore> {
  let current = base;
  const { rows } = await pool.query<{ document: unknown }>(
    'SELECT document FROM policies ORDER BY created_at DESC, version DESC LIMIT 1',
  );
  if (rows[0]) current = resolvePolicy(rows[0].document, base);
  return {
    current: () => current,
    async replace(override, changedBy) {
      const next = resolvePolicy(override, base);
      const inserted = await pool.query(
        'INSERT INTO policies (version, document, changed_by) VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING RETURNING version',
        [next.version, JSON.stringify(override), changedBy],
      );
      if (inserted.rowCount === 0)
        throw new PolicyError(`policy version ${next.version} already exists`, [
          { path: 'version', message: 'already exists: choose a new version' },
        ]);
      current = next;
      return next;
    },
    async history() {
      const r = await pool.query<{ version: string; changedBy: string; createdAt: Date }>(
        'SELECT version, changed_by AS "changedBy", created_at AS "createdAt" FROM policies ORDER BY created_at, version',
      );
      return r.rows.map((x) => ({ ...x, createdAt: x.createdAt.toISOString() }));
    },
  };
}
