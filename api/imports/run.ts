/**
 * Runs an import: each record validated with its kind's schema, then applied, with
 * at most `concurrency` in flight. Outcomes are recorded in file order, in batches,
 * so `GET /v1/imports/:id` shows progress while the file still arrives. Rows with
 * the same external id (payments: also to the same receivable) apply one after
 * the other, in file order.
 */

import { unstorableText } from '../../domain/text.js';
import type { ImportQueries, ReportRow } from '../../store/imports.js';
import type { SourceRecord } from './records.js';
import { describeIssues, externalIdOf, type RowOutcome, type RowSpec } from './rows.js';

export interface ImportRun<T> {
  importId: string;
  records: AsyncIterable<SourceRecord>;
  spec: RowSpec<T>;
  /** Applies one valid record; a business refusal is a `rejected` outcome, a throw stops the import. */
  apply: (record: T) => Promise<RowOutcome>;
  store: Pick<ImportQueries, 'recordRows'>;
  /** Records in flight at once (default 16). */
  concurrency?: number;
  /** Outcomes written per batch at most (default 500)… */
  batchRows?: number;
  /** …or at least this often while rows complete or the upload pauses (default 250 ms). */
  batchMs?: number;
}

type Settled = { ok: true; row: ReportRow } | { ok: false; error: unknown };

/** Resolves when every record is recorded; throws what stopped the import, after recording what finished. */
export async function runImport<T>(run: ImportRun<T>): Promise<void> {
  const concurrency = run.concurrency ?? 16;
  const batchRows = run.batchRows ?? 500;
  const lastOfKey = new Map<string, Promise<void>>();

  const processRecord = async (record: SourceRecord): Promise<ReportRow> => {
    const row = record.row;
    if ('error' in record)
      return { row, externalId: null, outcome: 'rejected', field: null, message: record.error };
    const unstorable = unstorableText(record.value);
    if (unstorable) {
      // Refused before anything (the report included) would hand the text to PostgreSQL.
      const field = unstorable.path.join('.') || 'record';
      const id = externalIdOf(record.value, run.spec.idField);
      const message = `${field}: ${unstorable.message}`;
      return { row, externalId: id && !unstorableText(id) ? id : null, outcome: 'rejected', field, message };
    }
    const externalId = externalIdOf(record.value, run.spec.idField);
    const parsed = run.spec.schema.safeParse(record.value);
    if (!parsed.success) {
      const { field, message } = describeIssues(parsed.error.issues);
      return { row, externalId, outcome: 'rejected', field, message };
    }
    const keys = run.spec.orderFields.map((f) => `${f}=${externalIdOf(parsed.data, f)}`);
    const before = keys.map((k) => lastOfKey.get(k)).filter((p) => p !== undefined);
    const applied = Promise.all(before).then(() => run.apply(parsed.data));
    const settled = applied.then(
      () => {},
      () => {},
    );
    for (const k of keys) lastOfKey.set(k, settled);
    try {
      const out = await applied;
      return {
        row,
        externalId,
        outcome: out.outcome,
        field: out.field ?? null,
        message: out.message ?? null,
      };
    } finally {
      for (const k of keys) if (lastOfKey.get(k) === settled) lastOfKey.delete(k);
    }
  };

  // Writes never reject: the first failure is kept and stops the import.
  const pending: ReportRow[] = [];
  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown;
  const flush = () => {
    while (pending.length) {
      const batch = pending.splice(0, batchRows);
      writing = writing
        .then(() => (writeError === undefined ? run.store.recordRows(run.importId, batch) : undefined))
        .catch((err) => {
          writeError ??= err;
        });
    }
    return writing;
  };

  // Rows in flight, oldest first; each moves to `pending` once it and all before it are done.
  const window: { settled: Promise<void>; done?: Settled }[] = [];
  let fatal: unknown;
  const drainDone = () => {
    for (let head = window[0]; head?.done; head = window[0]) {
      window.shift();
      if (head.done.ok) pending.push(head.done.row);
      else fatal ??= head.done.error;
    }
  };

  const timer = setInterval(flush, run.batchMs ?? 250);
  try {
    for await (const record of run.records) {
      const entry: (typeof window)[number] = { settled: Promise.resolve() };
      entry.settled = processRecord(record)
        .then(
          (row): Settled => ({ ok: true, row }),
          (error): Settled => ({ ok: false, error }),
        )
        .then((done) => {
          entry.done = done;
          drainDone();
        });
      window.push(entry);
      while (window.length >= concurrency) await window[0]?.settled;
      // Waiting for the write here holds reading back when the database is the slow part.
      if (pending.length >= batchRows) await flush();
      if (fatal !== undefined || writeError !== undefined) break;
    }
  } catch (err) {
    fatal ??= err;
  } finally {
    while (window.length) await window[0]?.settled;
    clearInterval(timer);
    await flush();
  }
  if (fatal !== undefined) throw fatal;
  if (writeError !== undefined) throw writeError;
}
