/**
 * Delivers the webhook outbox: polls for due deliveries (FOR UPDATE SKIP LOCKED,
 * so several worker processes share the work without sending one twice), POSTs
 * each signed event, and records every attempt — 2xx is delivered; any other
 * answer, a network error or the timeout is retried with exponential backoff and
 * jitter until the schedule's last attempt, then the delivery is `failed`.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import {
  isDelivered,
  nextRetry,
  type RetrySchedule,
  SIGNATURE_HEADER,
  signatureHeader,
} from '../domain/webhooks.js';
import { addressRefusal, DestinationRefused, hostOf, urlRefusal } from '../infra/webhook-destinations.js';
import type { Store } from '../store/index.js';
import type { AttemptOutcome, ClaimedDelivery } from '../store/webhooks.js';

export interface WebhookDispatcherOptions {
  /** The data layer: the outbox and its attempts (store/webhooks.ts). */
  store: Pick<Store, 'webhooks'>;
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
  /**
   * Networks beyond the public internet a receiver may be at (CIDRs, as configured in
   * WEBHOOK_ALLOWED_NETWORKS); anything else private, loopback, link-local or reserved is
   * refused at every attempt, on the address the connection would use.
   */
  allowedNetworks?: readonly string[];
  /** Resolves receivers' host names (tests give a name another answer); default: the system's. */
  lookup?: LookupFunction;
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
  const queries = opts.store.webhooks;
  const random = opts.random ?? Math.random;
  const onError = opts.onError ?? ((err) => console.error('webhook dispatcher:', (err as Error).message));
  // A leased delivery is due again only after the attempt had every chance to finish and be recorded.
  const leaseMs = opts.timeoutMs + 30_000;
  const allowed = [...(opts.allowedNetworks ?? [])];
  // The library checks the address each connection is made to (after any DNS answer);
  // checkedLookup says why in our words first. No keep-alive: each attempt connects anew.
  const agents = {
    'http:': new RequestFilteringHttpAgent({ allowIPAddressList: allowed }),
    'https:': new RequestFilteringHttpsAgent({ allowIPAddressList: allowed }),
  };
  const lookup = checkedLookup(allowed, opts.lookup ?? (dnsLookup as LookupFunction));
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
      const res = await post(
        d.url,
        {
          'Content-Type': 'application/json',
          'User-Agent': 'creditflow-webhooks/1',
          'X-Creditflow-Event': d.eventType,
          'X-Creditflow-Delivery': d.id,
          [SIGNATURE_HEADER]: signatureHeader(d.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        { agents, lookup, allowed, timeoutMs: opts.timeoutMs },
      );
      // A redirect is not a delivery (and is never followed).
      statusCode = res.status;
      if (!isDelivered(res.status)) {
        const text = res.text.slice(0, ERROR_BODY_CHARS).trim();
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

/**
 * A host-name lookup that refuses addresses the receiver may not be at, so a name whose
 * DNS answer changed after the subscription (or per query) still reaches no private address.
 */
function checkedLookup(allowed: readonly string[], lookup: LookupFunction): LookupFunction {
  return ((hostname: string, options: object, callback: (...args: unknown[]) => void) =>
    lookup(hostname, options, ((err: Error | null, address: string | LookupAddress[], family?: number) => {
      if (err) return callback(err, address, family);
      const addresses = Array.isArray(address) ? address : [{ address, family }];
      for (const a of addresses) {
        const why = addressRefusal(a.address, allowed);
        if (why) return callback(new DestinationRefused(`${hostname} resolves to ${why}`), address, family);
      }
      callback(null, address, family);
    }) as Parameters<LookupFunction>[2])) as LookupFunction;
}

/** POSTs `body` and reads the answer (at most 64 KiB of it), all within `timeoutMs`. */
function post(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  o: {
    agents: Record<'http:' | 'https:', http.Agent>;
    lookup: LookupFunction;
    allowed: readonly string[];
    timeoutMs: number;
  },
): Promise<{ status: number; text: string }> {
  const url = new URL(rawUrl);
  const fault = urlRefusal(url);
  if (fault) return Promise.reject(new DestinationRefused(`${rawUrl} ${fault}`));
  const host = hostOf(url);
  // An address in the URL needs no lookup: checked here, and by the agent at connect.
  const literal = isIP(host) ? addressRefusal(host, o.allowed) : null;
  if (literal) return Promise.reject(new DestinationRefused(literal));
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        agent: o.agents[url.protocol as 'http:' | 'https:'],
        lookup: o.lookup,
        signal: AbortSignal.timeout(o.timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 65_536) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  if (err instanceof DestinationRefused) return `refused: ${err.message}`;
  // request-filtering-agent's own refusal (the address the connection was to use).
  if (e?.message?.includes('is not allowed')) return `refused: ${e.message}`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message ?? 'request failed'} (${cause})` : (e?.message ?? String(err));
}
