/** The vocabulary of a bulk import from a CRM/ERP: what it imports, from which file format, with which outcome per record. */

export const IMPORT_KINDS = ['counterparties', 'receivables', 'payments'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const OUTCOMES = ['created', 'updated', 'unchanged', 'rejected'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The file formats an import reads, by the upload's content type. */
export const FORMATS = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/json': 'json',
} as const;
export type ImportFormat = (typeof FORMATS)[keyof typeof FORMATS];
