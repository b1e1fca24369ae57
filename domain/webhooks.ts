/**
 * Outgoing webhooks, the pure parts: which receivable events are published and
 * under what name, the event body, the Stripe-style signature (sign and verify),
 * and the retry schedule. No I/O; the outbox and the dispatcher use these.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Every event a subscription may ask for, in timeline order. */
export const WEBHOOK_EVENT_TYPES = [
  'receivable.reminder',
  'receivable.due-check',
  'receivable.second-notice',
  'receivable.warning',
  'receivable.legal',
  'receivable.legal-escalation-confirmed',
  'receivable.legal-escalation-held',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const isWebhookEventType = (s: string): s is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(s);

/**
 * The credit-record events of the receivable workflow that are published, by the
 * name the workflow records them under. `step-legal` is absent on purpose: the
 * workflow records it only after the manager's answer (or the deadline), which
 * `legal-escalation-confirmed` / `-held` already publish; the +30 step itself is
 * published as `receivable.legal` when the escalation is proposed.
 */
const PUBLISHED_RECORD_EVENTS: Record<string, WebhookEventType> = {
  'step-reminder': 'receivable.reminder',
  'step-dueCheck': 'receivable.due-check',
  'step-secondNotice': 'receivable.second-notice',
  'step-warning': 'receivable.warning',
  'legal-escalation-confirmed': 'receivable.legal-escalation-confirmed',
  'legal-escalation-held': 'receivable.legal-escalation-held',
};

/** The webhook event a recorded receivable event publishes, if any. */
export function webhookEventForRecord(recordEvent: string): WebhookEventType | undefined {
  return PUBLISHED_RECORD_EVENTS[recordEvent];
}

export interface WebhookEventData {
  receivableId: string;
  counterpartyId: string;
  salespersonId: string;
  stage: string;
  outstandingMinor: number;
  currency: string;
  dueDate: string | null;
  daysOverdue: number;
  /** The +30 action and the manager's answer, on the legal events only. */
  legal?: {
    terminateCooperation: boolean;
    litigation: boolean;
    confirmBy: string;
    confirmed: boolean | null;
    /** The decider as a line of text: `李丽 (li, manager)`, or the system at the deadline. */
    decidedBy: string | null;
  };
  /**
   * Who did the act this event publishes (the legal escalation's manager, or the system
   * actor when the deadline passed): the credential, never a name from a request body.
   */
  actor?: {
    credentialId: string | null;
    username: string;
    name: string;
    role: string;
    onBehalfOf?: { name: string; note?: string; verified: false };
  };
}

/** The JSON body every delivery of an event carries. */
export interface WebhookEvent {
  /** Stable: the same event has the same id in every delivery and every attempt. */
  id: string;
  type: WebhookEventType;
  occurredAt: string;
  data: WebhookEventData;
}

// ---- Signature ----------------------------------------------------------------------------

export const SIGNATURE_HEADER = 'X-Creditflow-Signature';
/** How old a signature timestamp a receiver accepts by default (replay window). */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

const hmacHex = (secret: string, timestamp: number, rawBody: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the subscription's secret. */
export function signatureHeader(secret: string, rawBody: string, timestampSeconds: number): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0)
    throw new Error(`timestamp must be whole unix seconds, got ${timestampSeconds}`);
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, rawBody)}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'malformed' | 'mismatch' | 'expired' };

/**
 * What a receiver does: parse `t` and every `v1`, recompute the HMAC over
 * "<t>.<raw body>" and compare in constant time; refuse a timestamp further than
 * `toleranceSeconds` from now (a replayed request).
 */
export function verifySignature(
  secret: string,
  rawBody: string,
  header: string | undefined,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, reason: 'malformed' };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  const matches = candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
  if (!matches) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, timestamp };
}

// ---- Retries ------------------------------------------------------------------------------

export interface RetrySchedule {
  /** The delay after the first failed attempt, before jitter. */
  baseMs: number;
  factor: number;
  /** No delay is longer than this. */
  capMs: number;
  /** After this many failed attempts the delivery is `failed`. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  baseMs: 30_000,
  factor: 2,
  capMs: 3_600_000,
  maxAttempts: 12,
};

/**
 * The wait after failed attempt `attempt` (1-based): base × factor^(attempt−1),
 * at most the cap, then "equal jitter" — a uniform draw from the upper half of
 * that — so receivers coming back up are not hit by every sender at once, while
 * the waits still grow with factor ≥ 2 (each wait's least value is at least the
 * previous one's greatest) until the cap.
 * `random` is uniform in [0, 1).
 */
export function retryDelayMs(attempt: number, schedule: RetrySchedule, random: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be 1 or more, got ${attempt}`);
  const exponential = schedule.baseMs * schedule.factor ** (attempt - 1);
  const ceiling = Math.min(schedule.capMs, exponential);
  const r = Math.min(Math.max(random, 0), 1);
  // Below the ceiling even where floating point rounds r ≈ 1 up: the next wait's least value.
  return Math.max(0, Math.min(Math.floor(ceiling / 2 + (ceiling / 2) * r), Math.ceil(ceiling) - 1));
}

/**
 * After failed attempt `attempt`: wait this long and try again, or give up
 * (`null`) once `maxAttempts` attempts have failed.
 */
export function nextRetry(attempt: number, schedule: RetrySchedule, random: number): number | null {
  if (attempt >= schedule.maxAttempts) return null;
  return retryDelayMs(attempt, schedule, random);
}

/** A 2xx answer is delivered; anything else (3xx too: redirects are not followed) is retried. */
export const isDelivered = (statusCode: number) => statusCode >= 200 && statusCode < 300;
