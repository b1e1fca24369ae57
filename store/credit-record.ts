/**
 * The append-only, tamper-evident credit record (docs/domain.md §7): each row stores a
 * SHA-256 over its canonical content and the previous row's hash.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

export interface CreditRecordInput {
  subjectType: 'receivable' | 'counterparty' | 'salesperson';
  subjectId: string;
  eventType: string;
  payload: Record<string, unknown>;
  source: string;
  idempotencyKey: string;
}

export interface CreditRecordRow extends CreditRecordInput {
  seq: number;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function recordHash(prevHash: string, r: Omit<CreditRecordRow, 'hash' | 'prevHash'>): string {
  const content = canonicalJson({
    seq: r.seq,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    eventType: r.eventType,
    payload: r.payload,
    source: r.source,
    idempotencyKey: r.idempotencyKey,
    recordedAt: r.recordedAt,
  });
  return createHash('sha256').update(prevHash).update(content).digest('hex');
}

/**
 * A record's hashed content (`recordHash`) split around the two values the chain assigns under
 * its lock, `recordedAt` and `seq`: canonicalJson's key order puts them side by side, so the
 * content is head + JSON of recordedAt + `,"seq":` + seq + tail. PostgreSQL joins the parts
 * (migrations/031_credit_record_append.sql) and hashes them as `recordHash` would.
 */
export function contentAround(r: CreditRecordInput, payloadJson: string): { head: string; tail: string } {
  const json = JSON.stringify;
  return {
    head: `{"eventType":${json(r.eventType)},"idempotencyKey":${json(r.idempotencyKey)},"payload":${payloadJson},"recordedAt":`,
    tail: `,"source":${json(r.source)},"subjectId":${json(r.subjectId)},"subjectType":${json(r.subjectType)}}`,
  };
}

export function createCreditRecordQueries(pool: Pool) {
  /**
   * Appends records in one call to `credit_record_append`, which takes the chain's lock (held
   * until the transaction ends), numbers, hashes and inserts them. Call inside a transaction,
   * as its last statement where the transaction allows: every other writer waits from the call
   * to the COMMIT. Records whose idempotency key is already recorded are skipped; returns how
   * many this call recorded.
   */
  async function appendRecords(client: PoolClient, inputs: readonly CreditRecordInput[]): Promise<number> {
    const rows = inputs.map((r) => {
      const payload = canonicalJson(r.payload);
      return {
        subjectType: r.subjectType,
        subjectId: r.subjectId,
        eventType: r.eventType,
        payload,
        source: r.source,
        idempotencyKey: r.idempotencyKey,
        ...contentAround(r, payload),
      };
    });
    const { rowCount } = await client.query('SELECT * FROM credit_record_append($1::jsonb)', [
      JSON.stringify(rows),
    ]);
    return rowCount ?? 0;
  }

  /** Appends one record (a no-op when its idempotency key is already recorded); true when this call added it. */
  async function append(client: PoolClient, r: CreditRecordInput): Promise<boolean> {
    return (await appendRecords(client, [r])) > 0;
  }

  /** Appends several records in one go, for bulk work; returns how many were added. */
  async function appendMany(client: PoolClient, inputs: readonly CreditRecordInput[]): Promise<number> {
    if (!inputs.length) return 0;
    return appendRecords(client, inputs);
  }

  async function listForSubject(subjectType: string, subjectId: string): Promise<CreditRecordRow[]> {
    const { rows } = await pool.query(
      `SELECT seq, subject_type, subject_id, event_type, payload, source, idempotency_key, recorded_at, prev_hash, hash
       FROM credit_records WHERE subject_type = $1 AND subject_id = $2 ORDER BY seq`,
      [subjectType, subjectId],
    );
    return rows.map(toRow);
  }

  /** Walks the whole chain; returns the first record whose hash or link does not hold. */
  async function verify(): Promise<
    { ok: true; count: number } | { ok: false; count: number; brokenAt: number; why: string }
  > {
    let prev = GENESIS_HASH;
    let count = 0;
    const { rows } = await pool.query(
      `SELECT seq, subject_type, subject_id, event_type, payload, source, idempotency_key, recorded_at, prev_hash, hash
       FROM credit_records ORDER BY seq`,
    );
    for (const raw of rows) {
      const r = toRow(raw);
      count++;
      if (r.prevHash !== prev)
        return { ok: false, count, brokenAt: r.seq, why: 'link to the previous record does not match' };
      if (recordHash(prev, r) !== r.hash)
        return { ok: false, count, brokenAt: r.seq, why: 'content does not match its hash' };
      prev = r.hash;
    }
    return { ok: true, count };
  }

  return { append, appendMany, listForSubject, verify };
}

function toRow(raw: Record<string, unknown>): CreditRecordRow {
  return {
    seq: Number(raw.seq),
    subjectType: raw.subject_type as CreditRecordRow['subjectType'],
    subjectId: raw.subject_id as string,
    eventType: raw.event_type as string,
    payload: raw.payload as Record<string, unknown>,
    source: raw.source as string,
    idempotencyKey: raw.idempotency_key as string,
    recordedAt: (raw.recorded_at as Date).toISOString(),
    prevHash: raw.prev_hash as string,
    hash: raw.hash as string,
  };
}

export type CreditRecordQueries = ReturnType<typeof createCreditRecordQueries>;
