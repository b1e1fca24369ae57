/**
 * Delivers the webhook outbox: polls for due deliveries (FOR UPDATE SKIP LOCKED,
 * so several worker processes share the work without sending one twice), POSTs
 * each signed event, and records every attempt — 2xx is delivered; any other
 * answer, a network error or the timeout is retried with exponential backoff and
 * jitter until the schedule's last attempt, then the delivery is `failed`.
 */
import type { Pool } from 'pg';
import {
  type AttemptOutcome,
  type ClaimedDelivery,
  createWebhookQueries,
} from '../activities/webhooks/queries.js';
import {
  isDelivered,
  nextRetry,
  type RetrySchedule,
  SIGNATURE_HEADER,
  signatureHeader,
} from '../domain/webhooks.js';

export interface WebhookDispatcherOptions {
  pool: Pool;
  retry: RetrySchedule;
  /** An attempt that has no answer after this long counts as failed. */
  timeoutMs: number;
  /** How long to wait before looking again when nothing was due. */
  pollIntervalMs: number;
  /** Deliveries attempted at once per pass. */
  batchSize?: number;
  /** Uniform in [0, 1), for the jitter (tests may fix it). */
  random?: () => number;
  onError?: (err: unknown) => void;
}

export interface WebhookDispatcher {
  /** One pass: attempts what is due now; resolves with how many attempts were made. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for attempts in flight (at most the timeout). */
  stop(): Promise<void>;
}

/** The part of a receiver's answer kept with a failed attempt. */
const ERROR_BODY_CHARS = 300;

export function createWebhookDispatcher(opts: WebhookDispatcherOptions): WebhookDispatcher & {
  /** Polls until stop(). */
  start(): void;
} {
  const queries = createWebhookQueries(opts.pool);
  const random = opts.random ?? Math.random;
  const onError = opts.onError ?? ((err) => console.error('webhook dispatcher:', (err as Error).message));
  // A leased delivery is due again only after the attempt had every chance to finish and be recorded.
  const leaseMs = opts.timeoutMs + 30_000;
  let stopped = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function attempt(d: ClaimedDelivery): Promise<void> {
    const attemptNo = d.attempts + 1;
    const body = JSON.stringify(d.payload);
    const startedAt = new Date();
    const t0 = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'creditflow-webhooks/1',
          'X-Creditflow-Event': d.eventType,
          'X-Creditflow-Delivery': d.id,
          [SIGNATURE_HEADER]: signatureHeader(d.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        redirect: 'manual', // a redirect is not a delivery
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      statusCode = res.status;
      if (isDelivered(res.status)) {
        await res.body?.cancel().catch(() => {});
      } else {
        const text = (await res.text()).slice(0, ERROR_BODY_CHARS).trim();
        error = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
      }
    } catch (err) {
      error = describeFailure(err, opts.timeoutMs);
    }
    const durationMs = Math.round(performance.now() - t0);
    let outcome: AttemptOutcome;
    if (statusCode !== null && error === null) outcome = { kind: 'delivered' };
    else {
      const wait = nextRetry(attemptNo, opts.retry, random());
      outcome = wait === null ? { kind: 'failed' } : { kind: 'retry', retryInMs: wait };
    }
    await queries.recordAttempt({
      deliveryId: d.id,
      attempt: attemptNo,
      startedAt,
      durationMs,
      statusCode,
      error,
      outcome,
    });
  }

  async function runOnce(): Promise<number> {
    const due = await queries.claimDue(opts.batchSize ?? 10, leaseMs);
    const results = await Promise.allSettled(due.map(attempt));
    for (const r of results) if (r.status === 'rejected') onError(r.reason);
    return due.length;
  }

  return {
    runOnce,
    start() {
      if (loop) return;
      loop = (async () => {
        while (!stopped) {
          let attempted = 0;
          try {
            attempted = await runOnce();
          } catch (err) {
            onError(err); // e.g. the database is away: look again after the interval
          }
          if (attempted === 0 && !stopped)
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, opts.pollIntervalMs);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
        }
      })();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

/** Starts a dispatcher polling in the background. */
export function startWebhookDispatcher(opts: WebhookDispatcherOptions): WebhookDispatcher {
  const d = createWebhookDispatcher(opts);
  d.start();
  return d;
}

function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message ?? 'request failed'} (${cause})` : (e?.message ?? String(err));
}
