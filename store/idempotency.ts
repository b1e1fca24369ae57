/**
 * The answers kept for Idempotency-Key on POST (Stripe's model; api/plugins/idempotency.ts
 * is the HTTP side). A caller may send `Idempotency-Key`
 * with any POST; the first request with a key runs, and its final answer (2xx or
 * 4xx) is kept for RETENTION_HOURS, scoped to the caller's credential. A retry
 * with the same key and the same request gets that answer again, marked
 * `Idempotent-Replayed: true`; the same key with another request is refused (422).
 * Answers that never reached the handler (auth, request validation) claim
 * nothing, and a 5xx releases the key, so a retry runs the request for real.
 * While the first request is still running, a duplicate is answered 409 rather
 * than run twice; a claim whose process died is taken over after CLAIM_LEASE_SECONDS.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from './db.js';

/** How long an answer is kept for retries. */
export const RETENTION_HOURS = 24;
/** How long a running request's claim holds before a retry may take it over. */
export const CLAIM_LEASE_SECONDS = 120;
/** Expired keys are swept by a request, at most this often per process. */
const PURGE_EVERY_MS = 10 * 60 * 1000;

export interface StoredAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

export type ClaimOutcome =
  | { kind: 'claimed'; claimId: string }
  | ({ kind: 'replay' } & StoredAnswer)
  | { kind: 'in-flight' }
  | { kind: 'reused' };

export function createIdempotencyQueries(
  pool: Pool,
  options: { retentionHours?: number; leaseSeconds?: number } = {},
) {
  const retentionHours = options.retentionHours ?? RETENTION_HOURS;
  const leaseSeconds = options.leaseSeconds ?? CLAIM_LEASE_SECONDS;
  let lastPurge = 0;

  const queries = {
    /**
     * Claims `key` for this request, or says why not. One statement decides who runs:
     * concurrent claims of a new key serialize on its primary key and exactly one inserts.
     * An expired key, or an abandoned claim of the same request, is claimed afresh.
     */
    async claim(credentialId: string, key: string, hash: string): Promise<ClaimOutcome> {
      if (Date.now() - lastPurge > PURGE_EVERY_MS) {
        lastPurge = Date.now();
        await queries.purgeExpired();
      }
      // A row can vanish between the two statements (its request released it on a 5xx): claim again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const claimId = randomUUID();
        const claimed = await pool.query<{ claim_id: string }>(
          `INSERT INTO idempotency_keys (credential_id, key, request_hash, claim_id, locked_until)
           VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
           ON CONFLICT (credential_id, key) DO UPDATE
             SET request_hash = EXCLUDED.request_hash, claim_id = EXCLUDED.claim_id,
                 locked_until = EXCLUDED.locked_until, status = NULL, content_type = NULL,
                 response_body = NULL, created_at = now()
             WHERE idempotency_keys.created_at < now() - make_interval(hours => $6)
                OR (idempotency_keys.status IS NULL AND idempotency_keys.locked_until < now()
                    AND idempotency_keys.request_hash = EXCLUDED.request_hash)
           RETURNING claim_id`,
          [credentialId, key, hash, claimId, leaseSeconds, retentionHours],
        );
        if (claimed.rows[0]?.claim_id === claimId) return { kind: 'claimed', claimId };
        const { rows } = await pool.query<{
          request_hash: string;
          status: number | null;
          content_type: string | null;
          response_body: string | null;
        }>(
          `SELECT request_hash, status, content_type, response_body
           FROM idempotency_keys WHERE credential_id = $1 AND key = $2`,
          [credentialId, key],
        );
        const row = rows[0];
        if (!row) continue;
        if (row.request_hash !== hash) return { kind: 'reused' };
        if (row.status === null) return { kind: 'in-flight' };
        return {
          kind: 'replay',
          status: row.status,
          contentType: row.content_type,
          body: row.response_body ?? '',
        };
      }
      return { kind: 'in-flight' };
    },

    /** Keeps the final answer; false when the claim was taken over meanwhile (nothing stored). */
    async complete(credentialId: string, key: string, claimId: string, answer: StoredAnswer) {
      const r = await pool.query(
        `UPDATE idempotency_keys SET status = $4, content_type = $5, response_body = $6
         WHERE credential_id = $1 AND key = $2 AND claim_id = $3`,
        [credentialId, key, claimId, answer.status, answer.contentType, answer.body],
      );
      return (r.rowCount ?? 0) > 0;
    },

    /** Gives the key back (the request failed on our side), so a retry runs it. */
    async release(credentialId: string, key: string, claimId: string): Promise<void> {
      await pool.query(
        'DELETE FROM idempotency_keys WHERE credential_id = $1 AND key = $2 AND claim_id = $3',
        [credentialId, key, claimId],
      );
    },

    async purgeExpired(): Promise<number> {
      const r = await pool.query(
        'DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)',
        [retentionHours],
      );
      return r.rowCount ?? 0;
    },
  };
  return queries;
}

export type IdempotencyQueries = ReturnType<typeof createIdempotencyQueries>;
