/**
 * docs/domain.md §2 Dealer credit rating (代理商信用等级评估) — pure functions, no I/O.
 *
 * Two assessments make the rating: operating capability & performance (12 indicators, 0–5 each,
 * scored monthly) and business conduct & reputation (8 indicators, 0–5 each, scored quarterly).
 * The quarter's two letter grades combine into one of nine credit grades, which fix the
 * credit-sales ratio (limit = quarterly sales × ratio) and the credit term.
 *
 * Every table and threshold here is a *default*: callers pass the company's own policy.
 */

export type Department = 'finance' | 'marketing';
export type LetterGrade = 'A' | 'B' | 'C';

/**
 * How an indicator gets its 0–5 score:
 * - 'score': the owning department enters the score directly;
 * - 'customers-lost': the number of customers lost is entered and the fixed rule converts it;
 * - 'violations': the number of violations is entered and the fixed rule converts it (may go below 0).
 */
export type IndicatorMeasure = 'score' | 'customers-lost' | 'violations';

export interface IndicatorDefinition {
  readonly key: string;
  readonly zh: string;
  readonly en: string;
  readonly owner: Department;
  readonly measure: IndicatorMeasure;
}

export const INDICATOR_MAX_SCORE = 5;
export const PERFORMANCE_INDICATOR_COUNT = 12;
export const CONDUCT_INDICATOR_COUNT = 8;

/**
 * Operating capability & performance (经营能力与绩效评估): the first 8 scored by finance, the last 4 by
 * marketing. Only the 12th (customers lost) comes from the seeds; the other 11 are defaults.
 */
export const DEFAULT_PERFORMANCE_INDICATORS = [
  {
    key: 'sales_target_achievement',
    zh: '销售目标完成率',
    en: 'Sales target achievement',
    owner: 'finance',
    measure: 'score',
  },
  { key: 'sales_growth', zh: '销售增长率', en: 'Sales growth', owner: 'finance', measure: 'score' },
  {
    key: 'payment_punctuality',
    zh: '回款及时性',
    en: 'Payment punctuality',
    owner: 'finance',
    measure: 'score',
  },
  { key: 'collection_ratio', zh: '货款回收率', en: 'Collection ratio', owner: 'finance', measure: 'score' },
  {
    key: 'inventory_turnover',
    zh: '存货周转率',
    en: 'Inventory turnover',
    owner: 'finance',
    measure: 'score',
  },
  { key: 'capital_strength', zh: '资金实力', en: 'Capital strength', owner: 'finance', measure: 'score' },
  { key: 'profitability', zh: '盈利能力', en: 'Profitability', owner: 'finance', measure: 'score' },
  {
    key: 'credit_limit_discipline',
    zh: '信用额度遵守',
    en: 'Credit-limit discipline',
    owner: 'finance',
    measure: 'score',
  },
  { key: 'market_coverage', zh: '市场覆盖率', en: 'Market coverage', owner: 'marketing', measure: 'score' },
  {
    key: 'sales_network',
    zh: '销售网络建设',
    en: 'Sales network development',
    owner: 'marketing',
    measure: 'score',
  },
  {
    key: 'new_customers',
    zh: '新客户开发',
    en: 'New customer development',
    owner: 'marketing',
    measure: 'score',
  },
  {
    key: 'customers_lost',
    zh: '失去客户数',
    en: 'Customers lost',
    owner: 'marketing',
    measure: 'customers-lost',
  },
] as const satisfies readonly IndicatorDefinition[];

/**
 * Business conduct & reputation (商业行为与信誉评估): all scored by marketing (with input from the other
 * departments). The first two count violations (fixed rule); the other 6 are defaults.
 */
export const DEFAULT_CONDUCT_INDICATORS = [
  {
    key: 'distribution_conduct',
    zh: '铺货行为',
    en: 'Distribution conduct',
    owner: 'marketing',
    measure: 'violations',
  },
  {
    key: 'price_compliance',
    zh: '价格执行',
    en: 'Price-policy compliance',
    owner: 'marketing',
    measure: 'violations',
  },
  {
    key: 'promotion_cooperation',
    zh: '促销配合',
    en: 'Promotion cooperation',
    owner: 'marketing',
    measure: 'score',
  },
  {
    key: 'customer_complaints',
    zh: '客户投诉',
    en: 'Customer complaints (fewer is better)',
    owner: 'marketing',
    measure: 'score',
  },
  {
    key: 'contract_performance',
    zh: '合同履约',
    en: 'Contract performance',
    owner: 'marketing',
    measure: 'score',
  },
  {
    key: 'market_information',
    zh: '市场信息反馈',
    en: 'Market information feedback',
    owner: 'marketing',
    measure: 'score',
  },
  { key: 'brand_protection', zh: '品牌维护', en: 'Brand protection', owner: 'marketing', measure: 'score' },
  {
    key: 'business_reputation',
    zh: '商业信誉',
    en: 'Business reputation',
    owner: 'marketing',
    measure: 'score',
  },
] as const satisfies readonly IndicatorDefinition[];

export type DefaultPerformanceIndicatorKey = (typeof DEFAULT_PERFORMANCE_INDICATORS)[number]['key'];
export type DefaultConductIndicatorKey = (typeof DEFAULT_CONDUCT_INDICATORS)[number]['key'];

function assertCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${field} must be a non-negative integer, got ${value}`);
  }
}

/** 失去客户数: none lost 5; one 3; two to four 2; five or more 0. */
export function customersLostScore(customersLost: number): number {
  assertCount(customersLost, 'customersLost');
  if (customersLost === 0) return 5;
  if (customersLost === 1) return 3;
  if (customersLost <= 4) return 2;
  return 0;
}

/** 铺货行为 / 价格执行: none 5; one 3 (−2); two 0 (−5); three or more −5 (−10). */
export function violationScore(violations: number): number {
  assertCount(violations, 'violations');
  if (violations === 0) return 5;
  if (violations === 1) return 3;
  if (violations === 2) return 0;
  return -5;
}

/**
 * One indicator's score from its entered value (a 0–5 score, or a count for the fixed-rule indicators).
 * Directly entered scores must be whole points 0–5 — whole points keep totals exact.
 */
export function indicatorScore(indicator: IndicatorDefinition, value: number): number {
  switch (indicator.measure) {
    case 'customers-lost':
      return customersLostScore(value);
    case 'violations':
      return violationScore(value);
    case 'score':
      if (!Number.isInteger(value) || value < 0 || value > INDICATOR_MAX_SCORE) {
        throw new Error(
          `${indicator.key} must be a whole score from 0 to ${INDICATOR_MAX_SCORE}, got ${value}`,
        );
      }
      return value;
  }
}

/** Raw values by indicator key: the 0–5 score, or the count for 'customers-lost' / 'violations'. */
export type IndicatorValues = Readonly<Record<string, number>>;

export interface AssessmentScore {
  /** Score per indicator key, after the fixed count rules were applied. */
  readonly scores: Readonly<Record<string, number>>;
  readonly total: number;
}

/** Scores every indicator; a missing or unknown key is an error, so nothing is silently scored 0. */
export function scoreAssessment(
  indicators: readonly IndicatorDefinition[],
  values: IndicatorValues,
): AssessmentScore {
  const known = new Set(indicators.map((i) => i.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw new Error(`unknown indicator: ${key}`);
  }
  const scores: Record<string, number> = {};
  let total = 0;
  for (const indicator of indicators) {
    const value = values[indicator.key];
    if (value === undefined) throw new Error(`missing indicator: ${indicator.key}`);
    const score = indicatorScore(indicator, value);
    scores[indicator.key] = score;
    total += score;
  }
  return { scores, total };
}

/** A company's own performance indicator list must keep the rule's shape: 12, finance ×8 then marketing ×4, 12th = customers lost. */
export function assertPerformanceIndicators(indicators: readonly IndicatorDefinition[]): void {
  if (indicators.length !== PERFORMANCE_INDICATOR_COUNT) {
    throw new Error(
      `performance indicators: expected ${PERFORMANCE_INDICATOR_COUNT}, got ${indicators.length}`,
    );
  }
  indicators.forEach((indicator, i) => {
    const owner: Department = i < 8 ? 'finance' : 'marketing';
    if (indicator.owner !== owner) {
      throw new Error(`performance indicator ${i + 1} (${indicator.key}) must be owned by ${owner}`);
    }
    const measure: IndicatorMeasure = i === 11 ? 'customers-lost' : 'score';
    if (indicator.measure !== measure) {
      throw new Error(`performance indicator ${i + 1} (${indicator.key}) must have measure '${measure}'`);
    }
  });
  assertUniqueKeys(indicators, 'performance');
}

/** Conduct list shape: 8, all marketing, the first two count violations. */
export function assertConductIndicators(indicators: readonly IndicatorDefinition[]): void {
  if (indicators.length !== CONDUCT_INDICATOR_COUNT) {
    throw new Error(`conduct indicators: expected ${CONDUCT_INDICATOR_COUNT}, got ${indicators.length}`);
  }
  indicators.forEach((indicator, i) => {
    if (indicator.owner !== 'marketing') {
      throw new Error(`conduct indicator ${i + 1} (${indicator.key}) must be owned by marketing`);
    }
    const measure: IndicatorMeasure = i < 2 ? 'violations' : 'score';
    if (indicator.measure !== measure) {
      throw new Error(`conduct indicator ${i + 1} (${indicator.key}) must have measure '${measure}'`);
    }
  });
  assertUniqueKeys(indicators, 'conduct');
}

function assertUniqueKeys(indicators: readonly IndicatorDefinition[], what: string): void {
  const keys = new Set(indicators.map((i) => i.key));
  if (keys.size !== indicators.length) throw new Error(`${what} indicators: duplicate keys`);
}

// ---------------------------------------------------------------------------------------------------------
// Letter grades

/** total ≥ a → A; total ≥ b → B; else C. */
export interface GradeBand {
  readonly a: number;
  readonly b: number;
}

export interface GradeThresholds {
  /** On the 60-point performance total (monthly, and the quarter's average). */
  readonly performance: GradeBand;
  /** On the 40-point conduct total. */
  readonly conduct: GradeBand;
}

/** Default: A from 80 % of the maximum, B from 60 % (performance 48/36 of 60, conduct 32/24 of 40). */
export const DEFAULT_GRADE_THRESHOLDS: GradeThresholds = {
  performance: { a: 48, b: 36 },
  conduct: { a: 32, b: 24 },
};

function assertBand(band: GradeBand): void {
  if (!Number.isFinite(band.a) || !Number.isFinite(band.b) || band.a <= band.b) {
    throw new Error(`grade thresholds: A (${band.a}) must be above B (${band.b})`);
  }
}

export function gradeFromTotal(total: number, band: GradeBand): LetterGrade {
  assertBand(band);
  if (total >= band.a) return 'A';
  if (total >= band.b) return 'B';
  return 'C';
}

export interface GradedAssessment extends AssessmentScore {
  readonly grade: LetterGrade;
}

/**
 * An assessment scored and graded against its band: `indicators` (checked first) and `thresholds`
 * default to the assessment's own.
 */
function gradedAssessment(
  assertIndicators: (indicators: readonly IndicatorDefinition[]) => void,
  defaults: { thresholds: GradeBand; indicators: readonly IndicatorDefinition[] },
) {
  return (
    values: IndicatorValues,
    thresholds: GradeBand = defaults.thresholds,
    indicators: readonly IndicatorDefinition[] = defaults.indicators,
  ): GradedAssessment => {
    assertIndicators(indicators);
    const score = scoreAssessment(indicators, values);
    return { ...score, grade: gradeFromTotal(score.total, thresholds) };
  };
}

/** One month's performance assessment (12 indicators, graded monthly). */
export const monthlyPerformance = gradedAssessment(assertPerformanceIndicators, {
  thresholds: DEFAULT_GRADE_THRESHOLDS.performance,
  indicators: DEFAULT_PERFORMANCE_INDICATORS,
});

/** The quarter's conduct assessment (8 indicators, graded quarterly). */
export const quarterlyConduct = gradedAssessment(assertConductIndicators, {
  thresholds: DEFAULT_GRADE_THRESHOLDS.conduct,
  indicators: DEFAULT_CONDUCT_INDICATORS,
});

export interface QuarterPerformance {
  /** Average of the monthly totals (may have a fraction; for display). */
  readonly averageTotal: number;
  readonly grade: LetterGrade;
}

/**
 * The quarter's performance grade = the grade of the average of its monthly totals (normally three).
 * Chosen over "worst month" or "majority of months" because it weighs every point of every month equally.
 * A dealer who joined mid-quarter has fewer months; the average is over the months scored (1–3).
 * The comparison is made as sum ≥ threshold × months, so no fractional average decides a grade.
 */
export function quarterPerformance(
  monthlyTotals: readonly number[],
  thresholds: GradeBand = DEFAULT_GRADE_THRESHOLDS.performance,
): QuarterPerformance {
  const months = monthlyTotals.length;
  if (months < 1 || months > 3) throw new Error(`monthlyTotals: expected 1 to 3 months, got ${months}`);
  const maxTotal = PERFORMANCE_INDICATOR_COUNT * INDICATOR_MAX_SCORE;
  monthlyTotals.forEach((total, i) => {
    if (!Number.isInteger(total) || total < 0 || total > maxTotal) {
      throw new Error(`monthlyTotals[${i}] must be a whole number from 0 to ${maxTotal}, got ${total}`);
    }
  });
  assertBand(thresholds);
  const sum = monthlyTotals.reduce((s, t) => s + t, 0);
  const grade: LetterGrade = sum >= thresholds.a * months ? 'A' : sum >= thresholds.b * months ? 'B' : 'C';
  return { averageTotal: sum / months, grade };
}

/** Shorthand for quarterPerformance(...).grade. */
export function quarterPerformanceGrade(
  monthlyTotals: readonly number[],
  thresholds: GradeBand = DEFAULT_GRADE_THRESHOLDS.performance,
): LetterGrade {
  return quarterPerformance(monthlyTotals, thresholds).grade;
}

// ---------------------------------------------------------------------------------------------------------
// The nine composite credit grades

/** Best to worst; first letter performance, second conduct. */
export const CREDIT_GRADES = ['AA', 'AB', 'BA', 'BB', 'AC', 'CA', 'BC', 'CB', 'CC'] as const;
export type CreditGrade = (typeof CREDIT_GRADES)[number];

/** Grades that, two quarters running, let the company stop supply or end the contract. */
export const BAD_GRADES: readonly CreditGrade[] = ['CC', 'BC', 'CB', 'CA'];

export function isCreditGrade(value: unknown): value is CreditGrade {
  return typeof value === 'string' && (CREDIT_GRADES as readonly string[]).includes(value);
}

export function compose(performance: LetterGrade, conduct: LetterGrade): CreditGrade {
  const grade = `${performance}${conduct}`;
  if (!isCreditGrade(grade)) throw new Error(`not a credit grade: ${grade}`);
  return grade;
}

/** 0 = best (AA) … 8 = worst (CC). */
export function gradeRank(grade: CreditGrade): number {
  const rank = CREDIT_GRADES.indexOf(grade);
  if (rank < 0) throw new Error(`not a credit grade: ${String(grade)}`);
  return rank;
}

/** Sort comparator, best first: negative when a is better than b. */
export function compareGrades(a: CreditGrade, b: CreditGrade): number {
  return gradeRank(a) - gradeRank(b);
}

/** One step worse in the ranking (the automatic downgrade at +15 days overdue); CC stays CC. */
export function lowerOneStep(grade: CreditGrade): CreditGrade {
  const next = CREDIT_GRADES[gradeRank(grade) + 1];
  return next ?? 'CC';
}

export function isBadGrade(grade: CreditGrade): boolean {
  return BAD_GRADES.includes(grade);
}

/** Two consecutive quarters at CC, BC, CB or CA: a manager decides on stopping supply or ending the contract. */
export function twoConsecutiveBadQuarters(
  previousGrade: CreditGrade | null | undefined,
  currentGrade: CreditGrade,
): boolean {
  return previousGrade != null && isBadGrade(previousGrade) && isBadGrade(currentGrade);
}

// ---------------------------------------------------------------------------------------------------------
// Credit limit and term

export type GradeTable = Readonly<Record<CreditGrade, number>>;

/**
 * Default credit-sales ratio (资信等级赊销率) in basis points, rising with the grade:
 * AA 30 %, AB 25 %, BA 20 %, BB 15 %, AC 10 %, CA 8 %, BC 6 %, CB 4 %, CC 2 %.
 */
export const DEFAULT_CREDIT_SALES_RATIO_BP: GradeTable = {
  AA: 3000,
  AB: 2500,
  BA: 2000,
  BB: 1500,
  AC: 1000,
  CA: 800,
  BC: 600,
  CB: 400,
  CC: 200,
};

/** Default credit term in days, never longer for a worse grade. */
export const DEFAULT_CREDIT_TERM_DAYS: GradeTable = {
  AA: 60,
  AB: 45,
  BA: 45,
  BB: 30,
  AC: 30,
  CA: 20,
  BC: 15,
  CB: 10,
  CC: 7,
};

/** A ratio table must be whole non-negative basis points and must not fall as the grade improves. */
export function assertCreditSalesRatioTable(table: GradeTable): void {
  let worse = -1;
  for (let i = CREDIT_GRADES.length - 1; i >= 0; i--) {
    const grade = CREDIT_GRADES[i] as CreditGrade;
    const bp = table[grade];
    if (!Number.isSafeInteger(bp) || bp < 0) {
      throw new Error(
        `credit-sales ratio for ${grade} must be a non-negative integer of basis points, got ${bp}`,
      );
    }
    if (bp < worse)
      throw new Error(`credit-sales ratio for ${grade} (${bp}) is below a worse grade's (${worse})`);
    worse = bp;
  }
}

/**
 * Credit limit = quarterly sales × the grade's credit-sales ratio.
 * Rounding: down to the minor unit (never grant more than the ratio allows). BigInt, so no overflow.
 */
export function creditLimitMinor(
  quarterlySalesMinor: number,
  grade: CreditGrade,
  ratioTable: GradeTable = DEFAULT_CREDIT_SALES_RATIO_BP,
): number {
  if (!Number.isSafeInteger(quarterlySalesMinor) || quarterlySalesMinor < 0) {
    throw new Error(`quarterlySalesMinor must be a non-negative integer, got ${quarterlySalesMinor}`);
  }
  const bp = ratioTable[grade];
  if (!Number.isSafeInteger(bp) || bp < 0) {
    throw new Error(
      `credit-sales ratio for ${grade} must be a non-negative integer of basis points, got ${bp}`,
    );
  }
  return Number((BigInt(quarterlySalesMinor) * BigInt(bp)) / 10000n);
}

export function creditTermDays(grade: CreditGrade, termTable: GradeTable = DEFAULT_CREDIT_TERM_DAYS): number {
  const days = termTable[grade];
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new Error(`credit term for ${grade} must be a non-negative whole number of days, got ${days}`);
  }
  return days;
}

// ---------------------------------------------------------------------------------------------------------
// New dealers

export const NEW_DEALER_SECOND_QUARTER_GRADES: readonly CreditGrade[] = ['AA', 'AB', 'BA', 'BB'];

export interface CreditEligibilityInput {
  /** 1 = the quarter the dealer joined in. */
  readonly quarterIndexSinceJoining: number;
  readonly grade: CreditGrade;
}

export interface CreditEligibility {
  readonly allowed: boolean;
  readonly reason?: string;
}

/**
 * New-dealer rule only: first quarter no credit; second quarter only AA/AB/BA/BB; later every grade gets
 * its ratio. Class D, supply stops etc. are checked elsewhere.
 */
export function creditEligibility(input: CreditEligibilityInput): CreditEligibility {
  const { quarterIndexSinceJoining: q, grade } = input;
  if (!Number.isSafeInteger(q) || q < 1) {
    throw new Error(`quarterIndexSinceJoining must be an integer from 1, got ${q}`);
  }
  gradeRank(grade);
  if (q === 1) return { allowed: false, reason: 'new dealer: no credit in the first quarter' };
  if (q === 2 && !NEW_DEALER_SECOND_QUARTER_GRADES.includes(grade)) {
    return {
      allowed: false,
      reason: `new dealer: in the second quarter only AA, AB, BA and BB get credit (grade ${grade})`,
    };
  }
  return { allowed: true };
}

// ---------------------------------------------------------------------------------------------------------
// The quarter, end to end

export interface RatingPolicy {
  readonly thresholds: GradeThresholds;
  readonly creditSalesRatioBp: GradeTable;
  readonly creditTermDays: GradeTable;
}

export const DEFAULT_RATING_POLICY: RatingPolicy = {
  thresholds: DEFAULT_GRADE_THRESHOLDS,
  creditSalesRatioBp: DEFAULT_CREDIT_SALES_RATIO_BP,
  creditTermDays: DEFAULT_CREDIT_TERM_DAYS,
};

export interface QuarterlyRatingInput {
  /** The quarter's monthly performance totals (0–60 each), normally three. */
  readonly monthlyPerformanceTotals: readonly number[];
  /** The quarter's conduct total (−10 to 40). */
  readonly conductTotal: number;
  readonly quarterlySalesMinor: number;
  readonly quarterIndexSinceJoining: number;
  /** Last quarter's grade, for the two-bad-quarters rule. */
  readonly previousGrade?: CreditGrade | null;
}

export interface QuarterlyRating {
  readonly performanceGrade: LetterGrade;
  readonly conductGrade: LetterGrade;
  readonly grade: CreditGrade;
  readonly eligibility: CreditEligibility;
  /** 0 when the new-dealer rule allows no credit. */
  readonly creditLimitMinor: number;
  /** 0 when the new-dealer rule allows no credit. */
  readonly creditTermDays: number;
  /** True when this and the previous quarter are both bad grades: a manager must decide. */
  readonly managerDecisionRequired: boolean;
}

/** The quarterly recomputation: grades → composite → limit and term. */
export function quarterlyRating(
  input: QuarterlyRatingInput,
  policy: RatingPolicy = DEFAULT_RATING_POLICY,
): QuarterlyRating {
  const performanceGrade = quarterPerformanceGrade(
    input.monthlyPerformanceTotals,
    policy.thresholds.performance,
  );
  const minConduct = 2 * violationScore(3);
  const maxConduct = CONDUCT_INDICATOR_COUNT * INDICATOR_MAX_SCORE;
  if (
    !Number.isInteger(input.conductTotal) ||
    input.conductTotal < minConduct ||
    input.conductTotal > maxConduct
  ) {
    throw new Error(
      `conductTotal must be a whole number from ${minConduct} to ${maxConduct}, got ${input.conductTotal}`,
    );
  }
  const conductGrade = gradeFromTotal(input.conductTotal, policy.thresholds.conduct);
  const grade = compose(performanceGrade, conductGrade);
  const eligibility = creditEligibility({ quarterIndexSinceJoining: input.quarterIndexSinceJoining, grade });
  const limit = creditLimitMinor(input.quarterlySalesMinor, grade, policy.creditSalesRatioBp);
  const term = creditTermDays(grade, policy.creditTermDays);
  return {
    performanceGrade,
    conductGrade,
    grade,
    eligibility,
    creditLimitMinor: eligibility.allowed ? limit : 0,
    creditTermDays: eligibility.allowed ? term : 0,
    managerDecisionRequired: twoConsecutiveBadQuarters(input.previousGrade, grade),
  };
}
