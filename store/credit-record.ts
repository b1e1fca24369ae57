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

const CHAIN_LOCK = 727275;

export function createCreditRecordQueries(pool: Pool) {
  /**
   * Appends one record (a no-op when its idempotency key is already recorded). Call inside a
   * transaction. True when this call added it.
   */
  async function append(client: PoolClient, r: CreditRecordInput): Promise<boolean> {
    // One writer at a time extends the chain; the lock ends with the transaction.
    await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const dup = await client.query('SELECT 1 FROM credit_records WHERE idempotency_key = $1', [
      r.idempotencyKey,
    ]);
    if (dup.rowCount) return false;
    const last = await client.query<{ hash: string }>(
      'SELECT hash FROM credit_records ORDER BY seq DESC LIMIT 1',
    );
    const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
    const { rows } = await client.query<{ seq: string; recorded_at: Date }>(
      `SELECT nextval('credit_records_seq_seq') AS seq, date_trunc('milliseconds', now()) AS recorded_at`,
    );
    const seq = Number(rows[0]?.seq);
    const recordedAt = (rows[0] as { recorded_at: Date }).recorded_at.toISOString();
    const payload = JSON.parse(canonicalJson(r.payload)) as Record<string, unknown>;
    const hash = recordHash(prevHash, { ...r, payload, seq, recordedAt });
    await client.query(
      `INSERT INTO credit_records (seq, subject_type, subject_id, event_type, payload, source, idempotency_key, recorded_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        seq,
        r.subjectType,
        r.subjectId,
        r.eventType,
        JSON.stringify(payload),
        r.source,
        r.idempotencyKey,
        recordedAt,
        prevHash,
        hash,
      ],
    );
    return true;
  }

  /**
   * Appends several records in one go, for bulk work: the chain's lock once, one insert.
   * Call inside a transaction. Records whose idempotency key is already recorded are skipped;
   * returns how many were added.
   */
  async function appendMany(client: PoolClient, inputs: readonly CreditRecordInput[]): Promise<number> {
    if (!inputs.length) return 0;
    await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const dup = await client.query<{ idempotency_key: string }>(
      'SELECT idempotency_key FROM credit_records WHERE idempotency_key = ANY($1)',
      [inputs.map((r) => r.idempotencyKey)],
    );
    const seen = new Set(dup.rows.map((r) => r.idempotency_key));
    const fresh = inputs.filter((r) => !seen.has(r.idempotencyKey) && seen.add(r.idempotencyKey));
    if (!fresh.length) return 0;
    const last = await client.query<{ hash: string }>(
      'SELECT hash FROM credit_records ORDER BY seq DESC LIMIT 1',
    );
    let prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
    const { rows } = await client.query<{ seq: string; recorded_at: Date }>(
      `SELECT nextval('credit_records_seq_seq') AS seq, date_trunc('milliseconds', now()) AS recorded_at
       FROM generate_series(1, $1)`,
      [fresh.length],
    );
    const seqs = rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
    const recordedAt = (rows[0] as { recorded_at: Date }).recorded_at.toISOString();
    const chained = fresh.map((r, i) => {
      const payload = JSON.parse(canonicalJson(r.payload)) as Record<string, unknown>;
      const seq = seqs[i] as number;
      const hash = recordHash(prevHash, { ...r, payload, seq, recordedAt });
      const row = { ...r, payload, seq, prevHash, hash };
      prevHash = hash;
      return row;
    });
    await client.query(
      `INSERT INTO credit_records (seq, subject_type, subject_id, event_type, payload, source, idempotency_key, recorded_at, prev_hash, hash)
       SELECT seq, subject_type, subject_id, event_type, payload::jsonb, source, idempotency_key, $8, prev_hash, hash
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $9::text[], $10::text[])
         AS r(seq, subject_type, subject_id, event_type, payload, source, idempotency_key, prev_hash, hash)`,
      [
        chained.map((r) => r.seq),
        chained.map((r) => r.subjectType),
        chained.map((r) => r.subjectId),
        chained.map((r) => r.eventType),
        chained.map((r) => JSON.stringify(r.payload)),
        chained.map((r) => r.source),
        chained.map((r) => r.idempotencyKey),
        recordedAt,
        chained.map((r) => r.prevHash),
        chained.map((r) => r.hash),
      ],
    );
    return chained.length;
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
