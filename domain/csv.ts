/**
 * CSV for people's spreadsheets (the reports, finance's monthly assessment table), written by
 * csv-stringify: RFC 4180 quoting, CRLF line ends, a header row, an empty cell for null, and text that
 * starts like a spreadsheet formula (=, +, -, @) defused with a leading apostrophe. Money stays in minor
 * units with its currency in a column of its own: a spreadsheet adds integers exactly.
 *
 * Not for workflow code: csv-stringify needs Node's Buffer, which a workflow's sandbox lacks.
 */
import { stringify } from 'csv-stringify/sync';
import { METRIC_KEYS, type MetricKey } from './salesperson-assessment.js';
import type { AssessmentTableRow, Month } from './salesperson-review.js';

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | number | null;
}

/** A header row, then one line per row. */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  return stringify([columns.map((c) => c.header), ...rows.map((row) => columns.map((c) => c.value(row)))], {
    record_delimiter: '\r\n',
    escape_formulas: true,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Finance's monthly salesperson assessment table (§4)

/** Each metric's column name without its unit: the metric's value and its rate share it. */
const METRIC_COLUMN: Record<MetricKey, string> = {
  averageCollectionPeriodDays: 'average_collection_period',
  collectionRatioBp: 'collection_ratio',
  receivablesShareBp: 'receivables_share',
  badDebtToReceivablesBp: 'bad_debt_to_receivables',
  badDebtToSalesBp: 'bad_debt_to_sales',
  discountTakeUpBp: 'discount_take_up',
};

type AssessmentCsvRow = AssessmentTableRow & { month: Month };

/**
 * One row per salesperson: amounts in minor units, ratios and rates in bp, the collection period in days
 * (one decimal); an empty cell where a metric has no denominator.
 */
export const ASSESSMENT_CSV: readonly CsvColumn<AssessmentCsvRow>[] = [
  { header: 'month', value: (r) => r.month },
  { header: 'salesperson_id', value: (r) => r.salespersonId },
  { header: 'salesperson_name', value: (r) => r.salespersonName },
  { header: 'receivables_minor', value: (r) => r.receivablesMinor },
  { header: 'credit_sales_minor', value: (r) => r.creditSalesMinor },
  { header: 'collected_minor', value: (r) => r.collectedMinor },
  { header: 'contract_amount_minor', value: (r) => r.contractAmountMinor },
  { header: 'bad_debts_minor', value: (r) => r.badDebtsMinor },
  { header: 'sales_minor', value: (r) => r.salesMinor },
  { header: 'discount_offered_minor', value: (r) => r.discountOfferedMinor },
  { header: 'paid_with_discount_minor', value: (r) => r.paidWithDiscountMinor },
  { header: 'company_receivables_minor', value: (r) => r.companyReceivablesMinor },
  { header: 'days_in_period', value: (r) => r.daysInPeriod },
  ...METRIC_KEYS.map((m) => ({
    header: `${METRIC_COLUMN[m]}_${m === 'averageCollectionPeriodDays' ? 'days' : 'bp'}`,
    value: (r: AssessmentCsvRow) => r.metrics[m],
  })),
  ...METRIC_KEYS.map((m) => ({
    header: `rate_${METRIC_COLUMN[m]}_bp`,
    value: (r: AssessmentCsvRow) => r.rates[m],
  })),
  { header: 'total_rate_bp', value: (r) => r.totalRateBp },
  { header: 'reward_penalty_minor', value: (r) => r.rewardPenaltyMinor },
];

/** Finance's table of the month as CSV. */
export function assessmentCsv(month: Month, rows: readonly AssessmentTableRow[]): string {
  return toCsv(
    ASSESSMENT_CSV,
    rows.map((r) => ({ ...r, month })),
  );
}
