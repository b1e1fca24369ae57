/**
 * Idempotency-Key on POST (Stripe's model; store/idempotency.ts keeps the answers). Every
 * POST by an authenticated caller honours the header; the key is scoped to the credential.
 * The hooks: preValidation reads the key and hashes the request as it arrived; preHandler
 * (after validation, so a 400 claims nothing) claims the key — or answers the stored answer
 * again, 422 for another request with the key, 409 while the first still runs; onSend keeps
 * the answer the client gets (a 5xx releases the key instead, so a retry runs for real).
 * Streamed uploads hash themselves as they stream (api/routes/imports.ts). A request without
 * the header does no idempotency work at all: nothing is hashed, no SQL is run.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { IdempotencyQueries } from '../../store/idempotency.js';
import { RETENTION_HOURS } from '../../store/idempotency.js';
import { ApiError } from '../errors.js';
import type { RouteAccess } from './roles.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

const KEY_RE = /^[\x20-\x7E]{1,255}$/;

/** POSTs by an authenticated caller honour Idempotency-Key. */
export const takesIdempotencyKey = (method: string | string[], access: RouteAccess) =>
  method === 'POST' && Boolean(access.roles);

/** The header's key, undefined when absent; a malformed one is a 400 naming the header. */
export function parseIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && KEY_RE.test(value)) return value;
  const message = 'must be 1–255 printable ASCII characters, sent once';
  throw ApiError.validation(`invalid header: ${IDEMPOTENCY_HEADER} ${message}`, [
    { path: IDEMPOTENCY_HEADER, message },
  ]);
}

/** Object keys sorted at every level, so `{a,b}` and `{b,a}` are the same request. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** SHA-256 of the canonical request: method, path (with its params), query and JSON body. */
export function requestHash(r: { method: string; url: string; query: unknown; body: unknown }): string {
  const [path] = r.url.split('?');
  const text = JSON.stringify(canonical([r.method, path, r.query ?? {}, r.body ?? null]));
  return createHash('sha256').update(text).digest('hex');
}

/** Idempotency-Key in the OpenAPI document: the header parameter, and the header on a replayed answer. */
export const IDEMPOTENCY_PARAMETER = {
  description:
    `Makes a retry safe: the first request with a key runs and its answer (2xx or 4xx) is kept ${RETENTION_HOURS} h ` +
    `for your credential; the same key with the same request returns that answer again (header ${REPLAYED_HEADER}: true), ` +
    'with a different request 422 `idempotency_key_reused`, while the first is still running 409 ' +
    '`idempotency_key_in_flight`. Validation errors (400) and 5xx keep nothing: retry with the same key.',
  // Printable ASCII; it starts and ends with a visible character, as HTTP trims a header's edges.
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?$',
};
export const REPLAYED_RESPONSE_HEADER = {
  description: `"true" when this is the stored answer to an earlier request with the same ${IDEMPOTENCY_HEADER}`,
  type: 'string',
  enum: ['true'],
};

interface PendingKey {
  key: string;
  hash: string;
  /** Set once claimed: its answer is stored when it is sent. */
  claimId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: PendingKey | null;
  }
}

const keyField = (message: string) => [{ path: IDEMPOTENCY_HEADER, message }];

export const idempotency = fp<{ store: IdempotencyQueries }>(
  async (app, { store }) => {
    app.decorateRequest('idempotency', null);
    const applies = (req: FastifyRequest) =>
      takesIdempotencyKey(req.method, req.routeOptions.config) && !req.routeOptions.config.streamBody;

    // Before validation: the request as the client sent it is what a retry must repeat.
    app.addHook('preValidation', async (req) => {
      if (!applies(req)) return;
      const key = parseIdempotencyKey(req.headers['idempotency-key']);
      if (key === undefined) return;
      const hash = requestHash({ method: req.method, url: req.url, query: req.query, body: req.body });
      req.idempotency = { key, hash };
    });

    app.addHook('preHandler', async (req, res) => {
      const pending = req.idempotency;
      if (!pending || !req.principal) return;
      const outcome = await store.claim(req.principal.credentialId, pending.key, pending.hash);
      switch (outcome.kind) {
        case 'replay':
          req.idempotency = null;
          if (outcome.contentType) res.header('content-type', outcome.contentType);
          res.header(REPLAYED_HEADER, 'true');
          return res.status(outcome.status).send(outcome.body);
        case 'reused':
          throw new ApiError(
            422,
            'idempotency_key_reused',
            `${IDEMPOTENCY_HEADER} was already used with a different request; send a new key`,
            keyField('already used with a different method, path or body'),
          );
        case 'in-flight':
          throw new ApiError(
            409,
            'idempotency_key_in_flight',
            `a request with this ${IDEMPOTENCY_HEADER} is still running; retry shortly for its answer`,
            keyField('a request with this key is still running'),
          );
        case 'claimed':
          pending.claimId = outcome.claimId;
      }
    });

    // Whatever the client gets, error mapping included, is what a retry gets.
    app.addHook('onSend', async (req: FastifyRequest, res: FastifyReply, payload: unknown) => {
      const pending = req.idempotency;
      if (!pending?.claimId || !req.principal) return payload;
      req.idempotency = null;
      const { key, claimId } = pending;
      const { credentialId } = req.principal;
      const text =
        typeof payload === 'string'
          ? payload
          : Buffer.isBuffer(payload)
            ? payload.toString('utf8')
            : payload == null
              ? ''
              : undefined;
      try {
        // A 5xx is our failure, not the request's answer: the key is released for a retry.
        if (res.statusCode >= 500 || text === undefined) {
          await store.release(credentialId, key, claimId);
        } else {
          const contentType = res.getHeader('content-type');
          await store.complete(credentialId, key, claimId, {
            status: res.statusCode,
            contentType: typeof contentType === 'string' ? contentType : null,
            body: text,
          });
        }
      } catch (err) {
        // The client still gets its answer; the claim lapses after its lease.
        req.log.error({ err, key }, 'could not store the idempotent answer');
      }
      return payload;
    });
  },
  { name: 'creditflow-idempotency', dependencies: ['creditflow-authentication'] },
);
