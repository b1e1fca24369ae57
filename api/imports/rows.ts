/**
 * What one imported record must be, per kind: the zod schema every record is
 * checked against (JSON and CSV alike), the CSV columns derived from it, how a CSV
 * record's text cells become typed values, and how zod issues become the report's
 * field and message. No I/O.
 */
import { type ZodType, z } from 'zod';
import { isCalendarDate } from '../../domain/calendar.js';
import type { ImportKind, Outcome } from '../../domain/imports.js';
import { CounterpartyBody } from '../routes/counterparties.js';
import { CalendarDate, Id, Minor, MinorOrZero } from '../schemas.js';

/** What became of one record. */
export interface RowOutcome {
  outcome: Outcome;
  /** The field a rejection names (a column in CSV). */
  field?: string | null;
  message?: string | null;
}

export const rejected = (field: string | null, message: string): RowOutcome => ({
  outcome: 'rejected',
  field,
  message,
});

/** A dealer or customer, as `POST /v1/counterparties` takes it; unknown fields are refused. */
export const CounterpartyRow = CounterpartyBody.strict();

/** An invoice already issued in the ERP: it joins the timeline where it stands. */
export const ReceivableRow = z
  .strictObject({
    receivableId: Id.describe('The invoice number: the receivable is `receivable:<id>`'),
    counterpartyId: Id,
    salespersonId: Id,
    amountMinor: Minor.describe('Invoice amount in minor units (fen/cents)'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
      .optional()
      .describe("Defaults to the policy's currency"),
    issueDate: CalendarDate,
    dueDate: CalendarDate,
    paidMinor: MinorOrZero.default(0).describe('Paid before the import; less than amountMinor'),
    note: z.string().max(2000).optional(),
  })
  .superRefine((r, ctx) => {
    // Refinements run even when a date already failed: compare only real dates, so an
    // invalid value (even a NUL) never reaches the message stored in the report.
    if (isCalendarDate(r.dueDate) && isCalendarDate(r.issueDate) && r.dueDate < r.issueDate)
      ctx.addIssue({
        code: 'custom',
        path: ['dueDate'],
        message: `${r.dueDate} is before the issue date ${r.issueDate}`,
      });
    if (typeof r.paidMinor === 'number' && typeof r.amountMinor === 'number' && r.paidMinor >= r.amountMinor)
      ctx.addIssue({
        code: 'custom',
        path: ['paidMinor'],
        message: `must be less than amountMinor (${r.amountMinor}): a fully paid invoice is no receivable`,
      });
  });

/** A payment against a receivable; its id makes a repeated import apply it once. */
export const PaymentRow = z.strictObject({
  paymentId: Id.describe('The payment id in the ERP: applied once, however often it is imported'),
  receivableId: Id,
  amountMinor: Minor,
  paidOn: CalendarDate,
});

export type CounterpartyRecord = z.infer<typeof CounterpartyRow>;
export type ReceivableRecord = z.infer<typeof ReceivableRow>;
export type PaymentRecord = z.infer<typeof PaymentRow>;

/** A kind's record: its schema, the field that is its external id, and its CSV columns. */
export interface RowSpec<T = unknown> {
  kind: ImportKind;
  schema: ZodType<T>;
  idField: string;
  /** Records sharing a value in any of these fields apply one after the other, in file order. */
  orderFields: string[];
  columns: string[];
  requiredColumns: string[];
  /** Columns whose CSV text is read as a number. */
  numericColumns: string[];
}

type JsonSchema = { type?: string; anyOf?: JsonSchema[]; properties?: Record<string, JsonSchema> };
const isNumeric = (s: JsonSchema | undefined): boolean =>
  !!s && (s.type === 'integer' || s.type === 'number' || (s.anyOf ?? []).some(isNumeric));

function rowSpec<T>(
  kind: ImportKind,
  schema: ZodType<T>,
  idField: string,
  orderFields = [idField],
): RowSpec<T> {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema & {
    required?: string[];
  };
  const properties = js.properties ?? {};
  return {
    kind,
    schema,
    idField,
    orderFields,
    columns: Object.keys(properties),
    requiredColumns: js.required ?? [],
    numericColumns: Object.keys(properties).filter((k) => isNumeric(properties[k])),
  };
}

export const ROW_SPECS = {
  counterparties: rowSpec('counterparties', CounterpartyRow, 'id'),
  receivables: rowSpec('receivables', ReceivableRow, 'receivableId'),
  // A receivable's payments apply in file order: whether one overpays depends on those before it.
  payments: rowSpec('payments', PaymentRow, 'paymentId', ['receivableId', 'paymentId']),
} satisfies Record<ImportKind, RowSpec>;

/**
 * A CSV record's cells as the values the schema expects: an empty cell is an absent
 * field (its default applies); a numeric column's digits become a number, anything
 * else stays text so the schema names what is wrong with it.
 */
export function fromCsv(cells: Record<string, string>, numericColumns: readonly string[]) {
  const out: Record<string, unknown> = {};
  for (const [column, text] of Object.entries(cells)) {
    if (text === '') continue;
    out[column] = numericColumns.includes(column) && /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  }
  return out;
}

/** Which header columns are unknown and which required ones are missing (empty when fine). */
export function headerProblems(
  header: readonly string[],
  spec: RowSpec,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const column of header) {
    if (!spec.columns.includes(column))
      problems.push({
        path: `header.${column}`,
        message: `unknown column; the columns are ${spec.columns.join(', ')}`,
      });
    else if (seen.has(column)) problems.push({ path: `header.${column}`, message: 'column appears twice' });
    seen.add(column);
  }
  for (const column of spec.requiredColumns)
    if (!seen.has(column)) problems.push({ path: `header.${column}`, message: 'required column missing' });
  return problems;
}

/** Zod's issues as the report states them: the first field named, every problem in the message. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): {
  field: string | null;
  message: string;
} {
  const named = issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? i.keys : [];
    const path = i.path.map(String).join('.') || keys[0] || '';
    const message = i.code === 'unrecognized_keys' ? 'unknown field' : i.message;
    return { path, message: keys.length > 1 ? `unknown fields ${keys.join(', ')}` : message };
  });
  return {
    field: named[0]?.path || null,
    message: named.map((n) => (n.path ? `${n.path}: ${n.message}` : n.message)).join('; '),
  };
}

/** The record's external id, read before validation so even a rejected row names it. */
export function externalIdOf(value: unknown, idField: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as Record<string, unknown>)[idField];
  return typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 200) : null;
}

/**
 * An invoice imported again finds its receivable already running: the facts that
 * identify it must agree, or the row is refused (an import does not rewrite a
 * receivable; later balances arrive as payments). The due date is not compared: an
 * agreed extension in creditflow may have moved it.
 */
export function importedReceivableDifference(
  existing: {
    counterpartyId: string;
    salespersonId: string;
    amountMinor: number;
    currency: string;
    issueDate: string | null;
  },
  row: ReceivableRecord,
  currency: string,
): { field: string; message: string } | null {
  const pairs: [string, unknown, unknown][] = [
    ['counterpartyId', existing.counterpartyId, row.counterpartyId],
    ['salespersonId', existing.salespersonId, row.salespersonId],
    ['amountMinor', existing.amountMinor, row.amountMinor],
    ['currency', existing.currency, currency],
    ['issueDate', existing.issueDate ?? row.issueDate, row.issueDate],
  ];
  for (const [field, was, now] of pairs)
    if (was !== now)
      return {
        field,
        message: `receivable ${row.receivableId} already exists with ${field} ${was} (this row says ${now}); an import does not change a receivable`,
      };
  return null;
}
