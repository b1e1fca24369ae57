/**
 * SQL for outgoing webhooks: subscriptions, the delivery outbox (filled in the
 * transaction that records the event) and the dispatcher's claim and attempt log.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { WebhookEvent } from '../domain/webhooks.js';
import { inTransaction } from './db.js';

export interface WebhookSubscription {
  id: string;
  url: string;
  /** 'all', or the event names the subscription receives. */
  events: 'all' | string[];
  description: string | null;
  active: boolean;
  createdBy: string;
  createdAt: string;
  deactivatedAt: string | null;
}

export interface WebhookAttempt {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  retryInMs: number | null;
}

export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  receivableId: string | null;
  payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  /** When the next attempt is due; null once the delivery is finished. */
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
  attemptLog: WebhookAttempt[];
}

/** A delivery the dispatcher has leased for one attempt. */
export interface ClaimedDelivery {
  id: string;
  eventType: string;
  payload: Record<string, unknown>;
  /** Attempts made before this one. */
  attempts: number;
  url: string;
  secret: string;
}

export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; retryInMs: number }
  | { kind: 'failed' }; // the last allowed attempt failed

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const SUBSCRIPTION_COLUMNS = `id, url, all_events, events, description, active, created_by, created_at, deactivated_at`;

function toSubscription(r: Record<string, unknown>): WebhookSubscription {
  return {
    id: r.id as string,
    url: r.url as string,
    events: r.all_events ? 'all' : (r.events as string[]),
    description: (r.description as string | null) ?? null,
    active: r.active as boolean,
    createdBy: r.created_by as string,
    createdAt: (r.created_at as Date).toISOString(),
    deactivatedAt: iso(r.deactivated_at as Date | null),
  };
}

export function createWebhookQueries(pool: Pool) {
  return {
    /** A new subscription and its signing secret (the only time the secret leaves the database). */
    async createSubscription(s: {
      url: string;
      events: 'all' | string[];
      description: string | null;
      createdBy: string;
    }): Promise<{ subscription: WebhookSubscription; secret: string }> {
      const id = `wh_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      const all = s.events === 'all';
      const { rows } = await pool.query(
        `INSERT INTO webhook_subscriptions (id, url, all_events, events, description, secret, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${SUBSCRIPTION_COLUMNS}`,
        [id, s.url, all, all ? [] : [...new Set(s.events)], s.description, secret, s.createdBy],
      );
      return { subscription: toSubscription(rows[0]), secret };
    },

    async listSubscriptions(): Promise<WebhookSubscription[]> {
      const { rows } = await pool.query(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY created_at, id`,
      );
      return rows.map(toSubscription);
    },

    async getSubscription(id: string): Promise<WebhookSubscription | undefined> {
      const { rows } = await pool.query(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1`,
        [id],
      );
      return rows[0] ? toSubscription(rows[0]) : undefined;
    },

    /** Deactivates a subscription and cancels what it still had to deliver. Idempotent. */
    async deactivateSubscription(id: string): Promise<WebhookSubscription | undefined> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query(
          `UPDATE webhook_subscriptions SET active = false, deactivated_at = COALESCE(deactivated_at, now())
           WHERE id = $1 RETURNING ${SUBSCRIPTION_COLUMNS}`,
          [id],
        );
        if (!rows[0]) return undefined;
        await client.query(
          `UPDATE webhook_deliveries SET status = 'cancelled', finished_at = now(),
             last_error = COALESCE(last_error || '; ', '') || 'subscription deactivated'
           WHERE subscription_id = $1 AND status = 'pending'`,
          [id],
        );
        return toSubscription(rows[0]);
      });
    },

    /** A subscription's deliveries, newest first, each with its attempts. */
    async listDeliveries(
      subscriptionId: string,
      page: { status?: WebhookDelivery['status'] | undefined; limit: number; offset: number },
    ): Promise<WebhookDelivery[]> {
      const { rows } = await pool.query(
        `SELECT d.id, d.subscription_id, d.event_id, d.event_type, d.receivable_id, d.payload, d.status, d.attempts,
                d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.finished_at,
                COALESCE((SELECT json_agg(json_build_object(
                    'attempt', a.attempt, 'startedAt', a.started_at, 'durationMs', a.duration_ms,
                    'statusCode', a.status_code, 'error', a.error, 'retryInMs', a.retry_in_ms) ORDER BY a.attempt)
                  FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempt_log
         FROM webhook_deliveries d
         WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.status = $2)
         ORDER BY d.created_at DESC, d.id LIMIT $3 OFFSET $4`,
        [subscriptionId, page.status ?? null, page.limit, page.offset],
      );
      return rows.map((r) => ({
        id: r.id,
        subscriptionId: r.subscription_id,
        eventId: r.event_id,
        eventType: r.event_type,
        receivableId: r.receivable_id,
        payload: r.payload,
        status: r.status,
        attempts: r.attempts,
        nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
        lastStatusCode: r.last_status_code,
        lastError: r.last_error,
        createdAt: iso(r.created_at) as string,
        finishedAt: iso(r.finished_at),
        attemptLog: (r.attempt_log as Array<WebhookAttempt & { startedAt: string }>).map((a) => ({
          ...a,
          startedAt: new Date(a.startedAt).toISOString(),
        })),
      }));
    },

    /**
     * The outbox: one pending delivery of `event` per active subscription that
     * wants it, in the caller's transaction. A second call with the same event id
     * (an activity retry) adds nothing. Returns how many deliveries were enqueued.
     */
    async enqueue(client: PoolClient, event: WebhookEvent): Promise<number> {
      const { rowCount } = await client.query(
        `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, receivable_id, payload)
         SELECT 'whd_' || replace(gen_random_uuid()::text, '-', ''), s.id, $1, $2, $3, $4::jsonb
         FROM webhook_subscriptions s
         WHERE s.active AND (s.all_events OR $2 = ANY (s.events))
         ON CONFLICT (subscription_id, event_id) DO NOTHING`,
        [event.id, event.type, event.data.receivableId, JSON.stringify(event)],
      );
      return rowCount ?? 0;
    },

    /**
     * Leases up to `limit` due deliveries of active subscriptions for one attempt
     * each: rows another dispatcher holds are skipped, and a leased row is not due
     * again until `leaseMs` from now (so a dispatcher that dies mid-attempt is
     * retried after its lease, never lost).
     */
    async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
      const { rows } = await pool.query(
        `WITH due AS (
           SELECT d.id FROM webhook_deliveries d
           JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.active
           WHERE d.status = 'pending' AND d.next_attempt_at <= now()
           ORDER BY d.next_attempt_at
           LIMIT $1
           FOR UPDATE OF d SKIP LOCKED
         )
         UPDATE webhook_deliveries d SET next_attempt_at = now() + $2::integer * interval '1 millisecond'
         FROM due, webhook_subscriptions s
         WHERE d.id = due.id AND s.id = d.subscription_id
         RETURNING d.id, d.event_type, d.payload, d.attempts, s.url, s.secret`,
        [limit, leaseMs],
      );
      return rows.map((r) => ({
        id: r.id,
        eventType: r.event_type,
        payload: r.payload,
        attempts: r.attempts,
        url: r.url,
        secret: r.secret,
      }));
    },

    /**
     * Records attempt number `attempt` and its outcome. Only the holder of that
     * attempt writes it (the delivery must still be pending with `attempt − 1`
     * attempts made); returns false when someone else already did.
     */
    async recordAttempt(a: {
      deliveryId: string;
      attempt: number;
      startedAt: Date;
      durationMs: number;
      statusCode: number | null;
      error: string | null;
      outcome: AttemptOutcome;
    }): Promise<boolean> {
      return inTransaction(pool, async (client) => {
        const retryInMs = a.outcome.kind === 'retry' ? a.outcome.retryInMs : null;
        const status = a.outcome.kind === 'retry' ? 'pending' : a.outcome.kind;
        const updated = await client.query(
          `UPDATE webhook_deliveries SET attempts = $2, status = $3, last_status_code = $4, last_error = $5,
             next_attempt_at = CASE WHEN $6::integer IS NULL THEN next_attempt_at
                                    ELSE now() + $6::integer * interval '1 millisecond' END,
             finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END
           WHERE id = $1 AND attempts = $2 - 1 AND status = 'pending'`,
          [a.deliveryId, a.attempt, status, a.statusCode, a.error, retryInMs],
        );
        if (updated.rowCount !== 1) return false;
        await client.query(
          `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, retry_in_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [a.deliveryId, a.attempt, a.startedAt, a.durationMs, a.statusCode, a.error, retryInMs],
        );
        return true;
      });
    },
  };
}

export type WebhookQueries = ReturnType<typeof createWebhookQueries>;
