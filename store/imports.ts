/** SQL for imports: the import and its progress, the per-row report, and what rows look up. */
import type { Pool } from 'pg';
import type { ImportFormat, ImportKind, Outcome } from '../domain/imports.js';
import { storableText } from '../domain/text.js';
import { inTransaction } from './db.js';
import { applicationParties } from './receivables.js';
import { oneRow } from './sql.js';

export type ImportStatus = 'running' | 'done' | 'failed';

export interface ImportRow {
  importId: string;
  kind: ImportKind;
  format: ImportFormat;
  status: ImportStatus;
  counts: Record<Outcome, number>;
  rowsProcessed: number;
  error: string | null;
  startedBy: string;
  startedAt: string;
  progressAt: string;
  finishedAt: string | null;
}

export interface ReportRow {
  row: number;
  externalId: string | null;
  outcome: Outcome;
  field: string | null;
  message: string | null;
}

const IMPORT_COLUMNS = `id AS "importId", kind, format, status, rows_processed AS "rowsProcessed", error,
  started_by AS "startedBy", started_at AS "startedAt", progress_at AS "progressAt", finished_at AS "finishedAt",
  json_build_object('created', created_count, 'updated', updated_count, 'unchanged', unchanged_count,
    'rejected', rejected_count) AS counts`;

type Timestamps = { startedAt: Date; progressAt: Date; finishedAt: Date | null };
const toImport = (r: Omit<ImportRow, keyof Timestamps> & Timestamps): ImportRow => ({
  ...r,
  startedAt: r.startedAt.toISOString(),
  progressAt: r.progressAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
});

export function createImportQueries(pool: Pool) {
  return {
    /** Registers a new import; false when the id is taken. */
    async start(i: {
      id: string;
      kind: ImportKind;
      format: ImportFormat;
      startedBy: string;
      /** Idempotency-Key of the request, with the caller's credential. */
      key?: { credentialId: string; idempotencyKey: string };
      /** The lease the running process holds and renews (migration 019). */
      leaseMs: number;
    }): Promise<boolean> {
      // No conflict target: a taken id and a key already in use both answer false.
      const { rowCount } = await pool.query(
        `INSERT INTO imports (id, kind, format, started_by, credential_id, idempotency_key, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::float8 / 1000)) ON CONFLICT DO NOTHING`,
        [
          i.id,
          i.kind,
          i.format,
          i.startedBy,
          i.key?.credentialId ?? null,
          i.key?.idempotencyKey ?? null,
          i.leaseMs,
        ],
      );
      return rowCount === 1;
    },

    /** The import a credential ran under an Idempotency-Key (failed ones free their key). */
    async findByKey(
      credentialId: string,
      idempotencyKey: string,
    ): Promise<(ImportRow & { requestSha256: string | null }) | undefined> {
      const { rows } = await pool.query(
        `SELECT ${IMPORT_COLUMNS}, request_sha256 AS "requestSha256" FROM imports
         WHERE credential_id = $1 AND idempotency_key = $2 AND status <> 'failed'`,
        [credentialId, idempotencyKey],
      );
      return rows[0] ? { ...toImport(rows[0]), requestSha256: rows[0].requestSha256 } : undefined;
    },

    /** The SHA-256 of the request an import ran, kept for Idempotency-Key retries. */
    async setRequestHash(importId: string, sha256: string): Promise<void> {
      await pool.query('UPDATE imports SET request_sha256 = $2 WHERE id = $1', [importId, sha256]);
    },

    /** Stores a batch of row outcomes and adds them to the import's counts, together. */
    async recordRows(importId: string, rows: readonly ReportRow[]): Promise<void> {
      if (!rows.length) return;
      const count = (o: Outcome) => rows.filter((r) => r.outcome === o).length;
      await inTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO import_rows (import_id, row_number, external_id, outcome, field, message)
           SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
           ON CONFLICT (import_id, row_number) DO NOTHING`,
          [
            importId,
            rows.map((r) => r.row),
            rows.map((r) => r.externalId),
            rows.map((r) => r.outcome),
            // Messages may quote a record; whatever they quote, the report can store it.
            rows.map((r) => r.field && storableText(r.field)),
            rows.map((r) => r.message && storableText(r.message)),
          ],
        );
        await client.query(
          `UPDATE imports SET created_count = created_count + $2, updated_count = updated_count + $3,
             unchanged_count = unchanged_count + $4, rejected_count = rejected_count + $5,
             rows_processed = rows_processed + $6, progress_at = now()
           WHERE id = $1`,
          [importId, count('created'), count('updated'), count('unchanged'), count('rejected'), rows.length],
        );
      });
    },

    /** The running process is alive: holds the import's lease `leaseMs` longer (migration 019). */
    async renewLease(importId: string, leaseMs: number): Promise<void> {
      await pool.query(
        `UPDATE imports SET lease_until = now() + make_interval(secs => $2::float8 / 1000)
         WHERE id = $1 AND status = 'running'`,
        [importId, leaseMs],
      );
    },

    /**
     * Marks failed the running imports (all, or the one `importId`) whose lease ran out: the
     * process running them died. Returns their ids.
     */
    async failAbandoned(importId?: string): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(
        `UPDATE imports SET status = 'failed', finished_at = now(),
           error = 'the API process running this import stopped (its lease ran out at '
             || to_char(lease_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
             || '); rows already applied stay applied: run the file again'
         WHERE status = 'running' AND lease_until < now() AND ($1::text IS NULL OR id = $1)
         RETURNING id`,
        [importId ?? null],
      );
      return rows.map((r) => r.id);
    },

    async finish(importId: string, status: 'done' | 'failed', error: string | null = null): Promise<void> {
      await pool.query(`UPDATE imports SET status = $2, error = $3, finished_at = now() WHERE id = $1`, [
        importId,
        status,
        error,
      ]);
    },

    async get(importId: string): Promise<ImportRow | undefined> {
      const { rows } = await pool.query(`SELECT ${IMPORT_COLUMNS} FROM imports WHERE id = $1`, [importId]);
      return rows[0] ? toImport(rows[0]) : undefined;
    },

    /** The report in row order, after row `afterRow`, optionally of one outcome. */
    async listRows(
      importId: string,
      filter: { outcome?: Outcome; afterRow: number; limit: number },
    ): Promise<ReportRow[]> {
      const { rows } = await pool.query<ReportRow>(
        `SELECT row_number AS row, external_id AS "externalId", outcome, field, message FROM import_rows
         WHERE import_id = $1 AND ($2::text IS NULL OR outcome = $2) AND row_number > $3
         ORDER BY row_number LIMIT $4`,
        [importId, filter.outcome ?? null, filter.afterRow, filter.limit],
      );
      return rows;
    },

    /** Whether these counterparty and salesperson ids exist. */
    partiesExist: (counterpartyId: string, salespersonId: string) =>
      applicationParties(pool, counterpartyId, salespersonId),

    /** A payment already applied, as the receivable's workflow recorded it. */
    async getPayment(paymentId: string) {
      return oneRow<{ receivableId: string; amountMinor: number; paidOn: string }>(
        pool,
        `SELECT receivable_id AS "receivableId", amount_minor AS "amountMinor", paid_on AS "paidOn"
         FROM payments WHERE id = $1`,
        [paymentId],
      );
    },

    /** The receivable's stage as last stored, or undefined when creditflow does not know it. */
    async receivableStage(receivableId: string): Promise<string | undefined> {
      const { rows } = await pool.query<{ stage: string }>('SELECT stage FROM receivables WHERE id = $1', [
        receivableId,
      ]);
      return rows[0]?.stage;
    },
  };
}

export type ImportQueries = ReturnType<typeof createImportQueries>;
