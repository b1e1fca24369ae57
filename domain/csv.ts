/**
 * CSV for people's spreadsheets (the reports, finance's monthly assessment table), written by
 * csv-stringify: RFC 4180 quoting, CRLF line ends, a header row, an empty cell for null, and text that
 * starts like a spreadsheet formula (=, +, -, @) defused with a leading apostrophe. Money stays in minor
 * units with its currency in a column of its own: a spreadsheet adds integers exactly.
 *
 * Not for workflow code: csv-stringify needs Node's Buffer, which a workflow's sandbox lacks.
 */
import { stringify } from 'csv-stringify/sync';
import { METRIC_KEYS } from './salesperson-assessment.js';
import { ASSESSMENT_FIGURES, type AssessmentTableRow, type Month } from './salesperson-review.js';

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

/** A field's column: salespersonId → salesperson_id, averageCollectionPeriodDays → average_collection_period_days. */
export const columnName = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The fields of T that a cell can show as they are. */
type CellKey<T> = { [K in keyof T]: T[K] extends string | number | null ? K : never }[keyof T] & string;

/** Columns named after their fields (receivablesMinor → receivables_minor), each showing the field's value. */
export function fieldColumns<T>(...keys: readonly CellKey<T>[]): CsvColumn<T>[] {
  return keys.map((key) => ({ header: columnName(key), value: (r: T) => r[key] as string | number | null }));
}

// ---------------------------------------------------------------------------------------------------------
// Finance's monthly salesperson assessment table (docs/domain.md §4)

type AssessmentCsvRow = AssessmentTableRow & { month: Month };

/** The month's figures, each in a column named after it (amounts in minor units). */
const FIGURES = ['month', 'salespersonId', 'salespersonName', ...ASSESSMENT_FIGURES] as const;

/**
 * One row per salesperson: the figures, each metric (ratios in bp, the collection period in days with one
 * decimal; an empty cell where a metric has no denominator), each metric's rate in bp, and the result.
 */
export const ASSESSMENT_CSV: readonly CsvColumn<AssessmentCsvRow>[] = [
  ...fieldColumns<AssessmentCsvRow>(...FIGURES),
  ...METRIC_KEYS.map((m) => ({ header: columnName(m), value: (r: AssessmentCsvRow) => r.metrics[m] })),
  ...METRIC_KEYS.map((m) => ({
    header: `rate_${columnName(m).replace(/_(days|bp)$/, '')}_bp`,
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
