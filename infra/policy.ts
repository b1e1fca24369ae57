/**
 * The credit policy: the repository defaults (domain/policy.ts), a company's
 * overrides from a JSON file (POLICY_FILE, the first version only) and from the
 * admin API. Every version is stored in PostgreSQL, the one source every API and
 * worker process reads the version in force from (PolicyStore). Every document is
 * validated by zod with errors that name the bad field. Each workflow records the
 * version it started under in its input, and its activities resolve that version
 * (PolicyLookup); a change applies to new work only.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import { DEFAULT_DATE_WINDOW, isCalendarDate } from '../domain/calendar.js';
import { SCORE_FACTORS } from '../domain/customer-score.js';
import { DEFAULT_POLICY, type Policy } from '../domain/policy.js';
import { assertConductIndicators, assertPerformanceIndicators } from '../domain/rating.js';
import { assertRateTable, METRIC_KEYS, type RateTable } from '../domain/salesperson-assessment.js';
import { DEFAULT_CALENDAR } from '../domain/working-days.js';
import { createPolicyOperations } from '../operations/policy.js';
import { createPolicyQueries, POLICY_CHANNEL, type PolicyQueries } from '../store/policy.js';
import { keepListening } from './listening.js';

type Pool = pg.Pool;

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
/** A company's own calendar day (domain/working-days.ts). */
export const CalendarEntrySchema = z.object({
  date: z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD'),
  kind: z.enum(['holiday', 'workday']),
  name: z.string().trim().min(1).max(100),
});
/** The working-day calendar; absent from policies stored before it (the defaults in code apply). */
const CalendarSchema = z.object({
  registry: z.enum(['CN', 'none']).default(DEFAULT_CALENDAR.registry),
  nonWorkingDay: z.enum(['next', 'previous', 'as-is']).default(DEFAULT_CALENDAR.nonWorkingDay),
  entries: z
    .array(CalendarEntrySchema)
    .max(5_000)
    .default([])
    .superRefine((entries, ctx) => {
      const seen = new Set<string>();
      entries.forEach((e, i) => {
        if (seen.has(e.date))
          ctx.addIssue({ code: 'custom', path: [i, 'date'], message: `${e.date} has more than one entry` });
        seen.add(e.date);
      });
    }),
});
const Range = z
  .object({ worst: z.number().int(), best: z.number().int() })
  .refine((r) => r.worst !== r.best, 'worst and best must differ');

/** policy.customer.score (docs/scores.md): every field optional, the defaults in domain/customer-score.ts. */
const CustomerScorePolicySchema = z.object({
  windowMonths: z.number().int().min(1).max(60).optional(),
  factLimitMonths: z.number().int().min(1).max(120).optional(),
  weights: z
    .object(
      Object.fromEntries(SCORE_FACTORS.map((f) => [f, z.number().int().min(0).max(100)])) as Record<
        (typeof SCORE_FACTORS)[number],
        z.ZodNumber
      >,
    )
    .refine((w) => Object.values(w).reduce((a, b) => a + b, 0) === 100, 'weights must sum to 100')
    .optional(),
  behaviourScorer: z
    .object({
      p90DaysLate: Range,
      lateTrendDays: Range,
      brokenPromises: Range,
      disputes: Range,
      writeOffRateBp: Range,
      discountTakeUpBp: Range,
      customerFeedbackScore: Range,
      contractFulfilmentBp: Range,
    })
    .optional(),
  scheduleDayOfMonth: z.number().int().min(1).max(28).optional(),
  warning: z
    .object({ dropPoints: z.number().int().min(1).max(100), overRefreshes: z.number().int().min(1).max(24) })
    .optional(),
  debounceSeconds: z.number().int().min(0).max(86_400).optional(),
});

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
    calendar: CalendarSchema.optional(),
    portal: z
      .object({
        linkDays: z.number().int().min(1).max(365),
        promiseMaxDaysAhead: z.number().int().min(1).max(365),
        promisesPerReceivable: z.number().int().min(1).max(20),
      })
      .optional(),
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
      localDebtor: z.enum(['home-regions', 'salesperson-region']).default('home-regions'),
      lateVotesCount: z.boolean().default(false),
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
      score: z.object({ factLimitMonths: z.number().int().min(1).max(120).optional() }).optional(),
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
      score: CustomerScorePolicySchema.optional(),
    }),
    statements: z
      .object({
        dayOfMonth: z
          .number()
          .int()
          .min(1)
          .max(28)
          .describe('The day of the month the monthly statements go out (1–28: every month has it)'),
      })
      .optional(),
    correspondence: z.object({ gatherMinutes: z.number().min(0).max(1440) }).optional(),
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

/** The channel on which PostgreSQL announces each new version (store/policy.ts). */
export { POLICY_CHANNEL };

/** A stored version as a Policy: on top of the defaults, so fields added since it was stored read as their default. */
const storedPolicy = (doc: unknown): Policy => resolvePolicy(doc, DEFAULT_POLICY);

/** The version in force, read from PostgreSQL now; the defaults when nothing is stored yet. */
export async function readPolicyInForce(pool: Pool | PolicyQueries): Promise<Policy> {
  const stored = await operationsOf(pool).inForce();
  return stored ? storedPolicy(stored) : DEFAULT_POLICY;
}

/** The policy queries of the store, or over a bare pool (tests and tools). */
const queriesOf = (db: Pool | PolicyQueries): PolicyQueries =>
  'inForce' in db ? db : createPolicyQueries(db);
/** Reading and writing versions (operations/policy.ts) over them. */
const operationsOf = (db: Pool | PolicyQueries) => createPolicyOperations({ policy: queriesOf(db) });

/** Resolves the policy version a piece of work recorded. */
export interface PolicyLookup {
  byVersion(version: string): Promise<Policy>;
}

/**
 * Versions from PostgreSQL, cached (a stored version never changes). `known` are
 * policies this process holds itself (tests, benchmarks), looked at first. A version
 * found nowhere — only work started before versions were stored (migration 017) —
 * gets `fallback` (the version in force), with a warning once per version.
 */
export function createPolicyLookup(
  pool: Pool | PolicyQueries,
  opts: {
    known?: ReadonlyMap<string, Policy>;
    fallback?: () => Promise<Policy>;
    warn?: (message: string) => void;
  } = {},
): PolicyLookup {
  const cache = new Map<string, Policy>();
  const warned = new Set<string>();
  const operations = operationsOf(pool);
  return {
    async byVersion(version) {
      const held = opts.known?.get(version) ?? cache.get(version);
      if (held) return held;
      const stored = await operations.byVersion(version);
      if (stored) {
        const p = storedPolicy(stored);
        cache.set(version, p);
        return p;
      }
      if (version === DEFAULT_POLICY.version) return DEFAULT_POLICY;
      if (!warned.has(version)) {
        warned.add(version);
        (opts.warn ?? console.warn)(
          `policy version ${version} is not stored in PostgreSQL; using the version in force for it`,
        );
      }
      return (opts.fallback ?? (() => readPolicyInForce(pool)))();
    },
  };
}

/** What a worker needs of the policy: the version in force (and news of a new one), and recorded versions. */
export interface PolicySource extends PolicyLookup {
  current(): Policy;
  /** Calls `listener` with each new version in force; returns the unsubscribe. */
  onChange(listener: (policy: Policy) => void): () => void;
}

/** A fixed set of policies, the first in force (tests and tools without a policy table). */
export function fixedPolicies(inForce: Policy, ...others: Policy[]): PolicySource {
  const all = new Map([inForce, ...others].map((p) => [p.version, p]));
  return {
    current: () => inForce,
    onChange: () => () => {},
    async byVersion(version) {
      return all.get(version) ?? inForce;
    },
  };
}

/**
 * The policy versions in PostgreSQL, the one source for every process. `current()` is
 * the version in force as this process last read it: re-read on every announcement
 * on POLICY_CHANNEL (LISTEN on a connection of its own, reconnected when it drops)
 * and every `checkIntervalMs` in case an announcement was missed.
 */
export interface PolicyStore extends PolicySource {
  /** Reads the version in force now (and makes it current()). */
  refresh(): Promise<Policy>;
  /** Validates and stores a new version (the admin's overrides on top of the seed), with the credential that changed it; a version already stored is refused. */
  replace(override: unknown, changedBy: Actor): Promise<Policy>;
  /** `changedBy` is a readable line; `changedByActor` the credential (null on the seed and on versions stored before actors). */
  history(): Promise<
    { version: string; changedBy: string; changedByActor: Actor | null; createdAt: string }[]
  >;
  /** Stops listening and checking. */
  close(): Promise<void>;
}

export interface PolicyStoreOptions {
  /** Re-read the version in force this often (ms), whatever the announcements; 0: never. Default 5,000. */
  checkIntervalMs?: number;
  /** LISTEN for announcements (default true). */
  listen?: boolean;
  log?: (message: string) => void;
}

/**
 * Opens the store. `seed` (POLICY_FILE on the defaults) is stored as the first version
 * only when no seed is stored yet; a table holding only versions from before migration
 * 017 gets it placed before them, so the newest of those stays in force.
 */
export async function createPolicyStore(
  pool: Pool | PolicyQueries,
  seed: Policy,
  opts: PolicyStoreOptions = {},
): Promise<PolicyStore> {
  const queries = queriesOf(pool);
  const operations = operationsOf(queries);
  const log = opts.log ?? ((m: string) => console.warn(m));
  const base = await seedPolicies(queries, seed, log);
  let current = await readPolicyInForce(queries);
  const listeners = new Set<(p: Policy) => void>();
  const lookup = createPolicyLookup(queries, { fallback: async () => current, warn: log });

  let queue: Promise<unknown> = Promise.resolve();
  const refresh = (): Promise<Policy> => {
    const next = queue.then(async () => {
      const version = await queries.inForceVersion();
      if (version && version !== current.version) {
        current = await lookup.byVersion(version);
        for (const l of listeners) l(current);
      }
      return current;
    });
    queue = next.catch(() => {});
    return next;
  };
  // Said once per outage, not on every check while PostgreSQL is away.
  let failing = false;
  const quietRefresh = () =>
    void refresh().then(
      () => {
        failing = false;
      },
      (err: Error) => {
        if (!failing) log(`policy: could not read the version in force (will retry): ${err.message}`);
        failing = true;
      },
    );

  // The periodic check: a missed announcement (a dropped connection) is caught up within it.
  const interval = opts.checkIntervalMs ?? 5_000;
  const timer = interval > 0 ? setInterval(quietRefresh, interval) : undefined;
  timer?.unref();

  const announcements = keepListening((lost) => queries.listener({ announced: quietRefresh, lost }), {
    listening: quietRefresh, // what was announced while not listening
  });
  if (opts.listen ?? true) await announcements.start();

  return {
    current: () => current,
    refresh,
    byVersion: (version) => lookup.byVersion(version),
    onChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async replace(override, changedBy) {
      const next = resolvePolicy(override, base);
      if (!(await operations.storeVersion(override, next, changedBy)))
        throw new PolicyError(`policy version ${next.version} already exists`, [
          { path: 'version', message: 'already exists: choose a new version' },
        ]);
      await refresh();
      return next;
    },
    history: () => operations.history(),
    async close() {
      if (timer) clearInterval(timer);
      await announcements.close();
      listeners.clear();
    },
  };
}

/**
 * Stores `seed` as the first version when no seed is stored, and the whole policy of
 * versions stored before migration 017 (their overrides on the seed), under a lock so
 * processes starting together seed once. Returns the seed: the base of admin overrides.
 */
async function seedPolicies(queries: PolicyQueries, seed: Policy, log: (m: string) => void): Promise<Policy> {
  const stored = await queries.seed(seed, (storedSeed) => {
    // A seed version already taken by an admin's version: this process's seed is the base.
    const base = storedSeed ? storedPolicy(storedSeed) : seed;
    return (row) => {
      try {
        return resolvePolicy(row.document, base);
      } catch (err) {
        log(
          `policy version ${row.version} no longer validates and stays out of force: ${(err as Error).message}`,
        );
        return null;
      }
    };
  });
  return stored ? storedPolicy(stored) : seed;
}
