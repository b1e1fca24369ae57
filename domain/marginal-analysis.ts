/**
 * docs/domain.md §6 Credit term by marginal analysis (边际分析法) — pure functions, no I/O.
 *
 * For each candidate term:
 *   sales          = yearly volume × unit price
 *   variable cost  = yearly volume × unit variable cost
 *   bad-debt loss  = sales × bad-debt rate
 *   profit         = sales − variable cost − fixed cost − credit cost − bad-debt loss
 *   gain           = profit − the cash option's profit
 *   capital tied up in receivables = (sales ÷ 360) × term days × (variable cost + fixed cost + credit cost) ÷ sales
 *   opportunity cost = capital tied up × required return
 *   net gain       = gain − opportunity cost
 * The recommended term is the one with the highest net gain among those within the grade's maximum term.
 *
 * Arithmetic: money is integer minor units. Every quantity is carried as an exact fraction (BigInt numerator over
 * a fixed denominator); nothing is rounded along the way. Each reported amount is rounded once, from its exact
 * value, half-up in the commercial sense (ties away from zero, like java.math.RoundingMode.HALF_UP: 2.5 → 3,
 * −2.5 → −3). Because each field is rounded on its own, a reported net gain may differ by one minor unit from
 * the reported gain minus the reported opportunity cost. The recommendation compares the exact values.
 *
 * With no sales the capital formula is 0 ÷ 0; there are then no receivables, so capital tied up is 0.
 */

export interface CreditTermOption {
  /** e.g. 'cash', 'n/30'. Unique within one analysis. */
  readonly label: string;
  /** 0 = the cash option. */
  readonly termDays: number;
  readonly yearlyVolumeUnits: number;
  readonly unitPriceMinor: number;
  readonly unitVariableCostMinor: number;
  /** Extra credit-handling cost per year for this option (collection, administration). */
  readonly creditCostMinor: number;
  readonly badDebtRateBp: number;
}

export interface MarginalAnalysisInput {
  /** Exactly one option must have termDays 0 (cash): every gain is measured against it. */
  readonly options: readonly CreditTermOption[];
  /** The company's yearly fixed cost, the same for every option. */
  readonly fixedCostMinor: number;
  /** Required return on capital per year, bp. */
  readonly requiredReturnBp: number;
  /** The longest term the counterparty's grade allows; omitted = no limit. */
  readonly maxTermDays?: number;
}

export interface CreditTermResult {
  readonly label: string;
  readonly termDays: number;
  readonly salesMinor: number;
  readonly variableCostMinor: number;
  readonly fixedCostMinor: number;
  readonly creditCostMinor: number;
  readonly badDebtLossMinor: number;
  readonly profitMinor: number;
  readonly gainMinor: number;
  readonly capitalTiedUpMinor: number;
  readonly opportunityCostMinor: number;
  readonly netGainMinor: number;
  /** termDays ≤ maxTermDays (always true without a maximum). */
  readonly withinMaxTerm: boolean;
}

export interface MarginalAnalysis {
  /** In input order. */
  readonly options: readonly CreditTermResult[];
  readonly cashOption: CreditTermResult;
  /**
   * Highest exact net gain within the maximum term; on a tie the shorter term (less money at risk), then
   * input order. Never missing: the cash option is always within any maximum.
   */
  readonly recommended: CreditTermResult;
}

const BP = 10000n;
const DAYS_PER_YEAR = 360n;

/** n ÷ d rounded to the nearest integer, ties away from zero; d > 0. */
function divRoundHalfAwayFromZero(n: bigint, d: bigint): bigint {
  const magnitude = n < 0n ? -n : n;
  const q = (2n * magnitude + d) / (2n * d);
  return n < 0n ? -q : q;
}

function toMinor(n: bigint, d: bigint, field: string): number {
  const value = divRoundHalfAwayFromZero(n, d);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`${field} is too large to represent exactly`);
  }
  return Number(value);
}

function requireNonNegativeInteger(value: number, field: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${field} must be a non-negative integer, got ${String(value)}`);
  }
  return BigInt(value);
}

interface ExactOption {
  readonly option: CreditTermOption;
  readonly sales: bigint;
  readonly variableCost: bigint;
  readonly creditCost: bigint;
  readonly termDays: bigint;
  /** profit × 10000 (bad-debt loss has denominator 10000). */
  readonly profitTimesBp: bigint;
  /** bad-debt loss × 10000. */
  readonly badDebtTimesBp: bigint;
}

export function marginalAnalysis(input: MarginalAnalysisInput): MarginalAnalysis {
  const fixedCost = requireNonNegativeInteger(input.fixedCostMinor, 'fixedCostMinor');
  const requiredReturn = requireNonNegativeInteger(input.requiredReturnBp, 'requiredReturnBp');
  const maxTermDays =
    input.maxTermDays === undefined ? undefined : requireNonNegativeInteger(input.maxTermDays, 'maxTermDays');
  if (!Array.isArray(input.options) || input.options.length === 0) {
    throw new Error('options must list at least the cash option');
  }

  const labels = new Set<string>();
  const exact: ExactOption[] = input.options.map((option, i) => {
    const at = `options[${i}]`;
    if (typeof option.label !== 'string' || option.label.trim() === '') {
      throw new Error(`${at}.label must be a non-empty string`);
    }
    if (labels.has(option.label)) throw new Error(`${at}.label "${option.label}" is used twice`);
    labels.add(option.label);
    const termDays = requireNonNegativeInteger(option.termDays, `${at}.termDays`);
    const volume = requireNonNegativeInteger(option.yearlyVolumeUnits, `${at}.yearlyVolumeUnits`);
    const price = requireNonNegativeInteger(option.unitPriceMinor, `${at}.unitPriceMinor`);
    const unitVariableCost = requireNonNegativeInteger(
      option.unitVariableCostMinor,
      `${at}.unitVariableCostMinor`,
    );
    const creditCost = requireNonNegativeInteger(option.creditCostMinor, `${at}.creditCostMinor`);
    const badDebtRate = requireNonNegativeInteger(option.badDebtRateBp, `${at}.badDebtRateBp`);
    if (badDebtRate > BP)
      throw new Error(`${at}.badDebtRateBp must be at most 10000, got ${option.badDebtRateBp}`);

    const sales = volume * price;
    const variableCost = volume * unitVariableCost;
    const badDebtTimesBp = sales * badDebtRate;
    const profitTimesBp = (sales - variableCost - fixedCost - creditCost) * BP - badDebtTimesBp;
    return { option, sales, variableCost, creditCost, termDays, profitTimesBp, badDebtTimesBp };
  });

  const cashIndexes = exact.flatMap((e, i) => (e.termDays === 0n ? [i] : []));
  if (cashIndexes.length !== 1) {
    throw new Error(`options must contain exactly one cash option (termDays 0), found ${cashIndexes.length}`);
  }
  const cashIndex = cashIndexes[0] as number;
  const cash = exact[cashIndex] as ExactOption;

  // Net gain over the common denominator 360 × 10000:
  //   gain             = (profitTimesBp − cash.profitTimesBp) ÷ 10000
  //   capital tied up  = termDays × (V + F + C) ÷ 360            (sales cancel; 0 when there are no sales)
  //   opportunity cost = termDays × (V + F + C) × r ÷ (360 × 10000)
  const netDenominator = DAYS_PER_YEAR * BP;
  const results = exact.map((e) => {
    const gainTimesBp = e.profitTimesBp - cash.profitTimesBp;
    const capitalTimes360 = e.sales === 0n ? 0n : e.termDays * (e.variableCost + fixedCost + e.creditCost);
    const opportunityTimes360Bp = capitalTimes360 * requiredReturn;
    const netTimesDenominator = gainTimesBp * DAYS_PER_YEAR - opportunityTimes360Bp;
    const label = e.option.label;
    const result: CreditTermResult = {
      label,
      termDays: e.option.termDays,
      salesMinor: toMinor(e.sales, 1n, `${label}: sales`),
      variableCostMinor: toMinor(e.variableCost, 1n, `${label}: variable cost`),
      fixedCostMinor: input.fixedCostMinor,
      creditCostMinor: e.option.creditCostMinor,
      badDebtLossMinor: toMinor(e.badDebtTimesBp, BP, `${label}: bad-debt loss`),
      profitMinor: toMinor(e.profitTimesBp, BP, `${label}: profit`),
      gainMinor: toMinor(gainTimesBp, BP, `${label}: gain`),
      capitalTiedUpMinor: toMinor(capitalTimes360, DAYS_PER_YEAR, `${label}: capital tied up`),
      opportunityCostMinor: toMinor(opportunityTimes360Bp, DAYS_PER_YEAR * BP, `${label}: opportunity cost`),
      netGainMinor: toMinor(netTimesDenominator, netDenominator, `${label}: net gain`),
      withinMaxTerm: maxTermDays === undefined || e.termDays <= maxTermDays,
    };
    return { result, netTimesDenominator, termDays: e.termDays };
  });

  let best: (typeof results)[number] | undefined;
  for (const candidate of results) {
    if (!candidate.result.withinMaxTerm) continue;
    if (
      best === undefined ||
      candidate.netTimesDenominator > best.netTimesDenominator ||
      (candidate.netTimesDenominator === best.netTimesDenominator && candidate.termDays < best.termDays)
    ) {
      best = candidate;
    }
  }
  const cashResult = (results[cashIndex] as (typeof results)[number]).result;
  return {
    options: results.map((r) => r.result),
    cashOption: cashResult,
    recommended: best?.result ?? cashResult,
  };
}
