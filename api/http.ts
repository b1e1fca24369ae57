/**
 * Route declarations: each route states its zod schemas once (params, query,
 * body, response). Registration validates requests with them, handlers see only
 * parsed values, and the OpenAPI 3 document is generated from the same schemas.
 */
import { Readable, Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ZodType, z } from 'zod';
import type { Principal } from './auth.js';
import { ApiError, errorBody, type FieldError } from './errors.js';
import {
  IDEMPOTENCY_HEADER,
  type IdempotencyQueries,
  parseIdempotencyKey,
  REPLAYED_HEADER,
  RETENTION_HOURS,
  requestHash,
} from './idempotency.js';
import { ROLE_MATRIX, type Role } from './roles.js';
import { unstorableText } from './schemas.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: Method;
  /** Fastify-style path: /v1/receivables/:id */
  path: string;
  summary: string;
  tag: string;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  response: ZodType<R>;
  /** Instead of `body`: a file of records, handed to the handler as `upload` while it arrives. */
  streamBody?: StreamBody;
  /** Success status; a handler may override it per call. */
  status?: number;
  /** The authenticated caller (undefined only on public routes); `upload` only with `streamBody`. */
  handler: (
    input: { params: P; query: Q; body: B; principal: Principal | undefined; upload?: Upload },
    req: FastifyRequest,
  ) => Promise<R | Reply<R>>;
}

export const STREAM_CONTENT_TYPES = ['text/csv', 'application/x-ndjson', 'application/json'] as const;
export type StreamContentType = (typeof STREAM_CONTENT_TYPES)[number];

/**
 * A streamed body: records as CSV (header row), NDJSON or a JSON array, never
 * buffered whole. The handler validates each with `record`, which is also what
 * the OpenAPI document shows.
 */
export interface StreamBody {
  record: ZodType;
  contentTypes: readonly StreamContentType[];
  /** The most bytes the body may have. */
  limitBytes: number;
}

export interface Upload {
  contentType: StreamContentType;
  stream: Readable;
}

export interface Reply<R> {
  status: number;
  body: R;
  /** Extra response headers (e.g. a CSV download's content type). */
  headers?: Record<string, string>;
}
export const reply = <R>(status: number, body: R, headers?: Record<string, string>): Reply<R> =>
  headers ? { status, body, headers } : { status, body };
const isReply = (x: unknown): x is Reply<unknown> =>
  typeof x === 'object' &&
  x !== null &&
  'status' in x &&
  'body' in x &&
  (Object.keys(x).length === 2 || (Object.keys(x).length === 3 && 'headers' in x));

// biome-ignore lint/suspicious/noExplicitAny: a route list mixes routes of every type
export type AnyRoute = RouteSpec<any, any, any, any>;

export function defineRoute<P, Q, B, R>(spec: RouteSpec<P, Q, B, R>): RouteSpec<P, Q, B, R> {
  return spec;
}

function fieldErrors(where: string, error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({
    // A body that is not an object at all is named as `body`: a 400 always names a field.
    path: [where, ...i.path.map(String)].filter(Boolean).join('.') || 'body',
    message: i.message,
  }));
}

function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: 'params' | 'query' | 'body'): T {
  if (!schema) return undefined as T;
  const unstorable = unstorableText(value);
  if (unstorable) {
    const path = [where === 'body' ? '' : where, ...unstorable.path].filter(Boolean).join('.') || 'body';
    const { message } = unstorable;
    throw ApiError.validation(`invalid ${where}: ${path} ${message}`, [{ path, message }]);
  }
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) {
    const fields = fieldErrors(where === 'body' ? '' : where, result.error);
    const first = fields[0];
    throw ApiError.validation(
      first ? `invalid ${where}: ${first.path || where} ${first.message}` : `invalid ${where}`,
      fields,
    );
  }
  return result.data;
}

export const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** The roles allowed on a route (null: public); a route without an entry is a startup error. */
export function rolesFor(route: { method: string; path: string }): readonly Role[] | null {
  const roles = ROLE_MATRIX[routeKey(route)];
  if (roles === undefined)
    throw new Error(`route ${routeKey(route)} has no entry in the role matrix (api/roles.ts)`);
  return roles;
}

export type Authenticate = (authorization: string | undefined) => Promise<Principal | null>;

/** POSTs by an authenticated caller honour Idempotency-Key (keys are scoped to the credential). */
const takesIdempotencyKey = (route: AnyRoute, roles: readonly Role[] | null) =>
  route.method === 'POST' && roles !== null;
/** Streamed uploads are hashed as they stream, by their route (api/routes/imports.ts). */
const claimsIdempotencyKey = (route: AnyRoute, roles: readonly Role[] | null) =>
  takesIdempotencyKey(route, roles) && !route.streamBody;

/**
 * Registers `routes`: authentication and the role matrix, request parsing, the
 * response contract and, with `idempotency`, Idempotency-Key on every POST
 * (api/idempotency.ts says what is kept and replayed).
 */
export function registerRoutes(
  app: FastifyInstance,
  routes: AnyRoute[],
  authenticate: Authenticate,
  idempotency?: IdempotencyQueries,
  streamContext = false,
): void {
  const streamed = routes.filter((r) => r.streamBody);
  if (!streamContext && streamed.length) {
    app.register(async (ctx) => {
      acceptStreamedBodies(ctx, streamed);
      registerRoutes(ctx, streamed, authenticate, idempotency, true);
    });
    routes = routes.filter((r) => !r.streamBody);
  }
  // The claim a running request holds; its answer is stored when it is sent (onSend),
  // so whatever the client gets, error mapping included, is what a retry gets.
  const claims = new WeakMap<FastifyRequest, { credentialId: string; key: string; claimId: string }>();
  for (const route of routes) {
    const roles = rolesFor(route);
    const idempotent = idempotency !== undefined && claimsIdempotencyKey(route, roles);
    app.route({
      method: route.method,
      url: route.path,
      ...(route.streamBody
        ? { bodyLimit: route.streamBody.limitBytes, config: { streamBody: route.streamBody } }
        : {}),
      handler: async (req: FastifyRequest, res: FastifyReply) => {
        let principal: Principal | undefined;
        if (roles) {
          principal = (await authenticate(req.headers.authorization)) ?? undefined;
          if (!principal)
            throw new ApiError(
              401,
              'unauthenticated',
              'send a valid credential: Authorization: Bearer <token>',
            );
          if (!roles.includes(principal.role))
            throw new ApiError(
              403,
              'forbidden',
              `the ${principal.role} role may not ${route.method} ${route.path}`,
            );
        }
        const key = idempotent ? parseIdempotencyKey(req.headers['idempotency-key']) : undefined;
        const params = parse(route.params, req.params, 'params');
        const query = parse(route.query, req.query, 'query');
        const streamed = upload(route, req);
        const body = streamed ? undefined : parse(route.body, req.body, 'body');
        if (idempotency && key !== undefined && principal) {
          const hash = requestHash({ method: req.method, url: req.url, query: req.query, body: req.body });
          const outcome = await idempotency.claim(principal.credentialId, key, hash);
          const keyField = (message: string) => [{ path: IDEMPOTENCY_HEADER, message }];
          switch (outcome.kind) {
            case 'replay':
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
              claims.set(req, { credentialId: principal.credentialId, key, claimId: outcome.claimId });
          }
        }
        const out = await route.handler({ params, query, body, principal, upload: streamed }, req);
        const {
          status,
          body: payload,
          headers,
        } = isReply(out) ? out : { status: route.status ?? 200, body: out, headers: undefined };
        // The declared response schema is the contract: an answer that breaks it is our bug.
        const checked = route.response.safeParse(payload);
        if (!checked.success) {
          req.log.error(
            { issues: checked.error.issues, path: route.path },
            'response does not match its schema',
          );
          throw new ApiError(500, 'internal', 'internal error');
        }
        if (headers) res.headers(headers);
        // Returned, not just sent: the idempotency onSend hook is async.
        return res.status(status).send(checked.data);
      },
      ...(idempotency && idempotent
        ? {
            onSend: async (req: FastifyRequest, res: FastifyReply, payload: unknown) => {
              const claim = claims.get(req);
              if (!claim) return payload;
              claims.delete(req);
              const { credentialId, key, claimId } = claim;
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
                  await idempotency.release(credentialId, key, claimId);
                } else {
                  const contentType = res.getHeader('content-type');
                  await idempotency.complete(credentialId, key, claimId, {
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
            },
          }
        : {}),
    });
  }
}

/**
 * Streamed routes live in their own context, where each accepted content type hands
 * the body through as a stream (fastify's own JSON parser would buffer it).
 */
function acceptStreamedBodies(ctx: FastifyInstance, routes: AnyRoute[]): void {
  ctx.removeAllContentTypeParsers();
  const types = [...new Set(routes.flatMap((r) => r.streamBody?.contentTypes ?? []))];
  ctx.addContentTypeParser(types, (req, payload, done) =>
    done(null, limitedBody(payload, req.routeOptions.bodyLimit ?? 0)),
  );
  // A body the handler did not read to its end (a refused caller, a failed file): the
  // answer goes out and the connection closes, dropping the rest.
  ctx.addHook('onSend', async (req, res) => {
    if (!req.raw.readableEnded) {
      res.header('connection', 'close');
      req.raw.resume();
    }
  });
}

/**
 * The request body as a stream that fails past `limit` bytes (fastify does not limit
 * a streamed body), and that the handler may stop reading early without destroying
 * the request, so the connection still carries the answer.
 */
function limitedBody(source: Readable, limit: number): Readable {
  let received = 0;
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > limit) done(new ApiError(413, 'payload_too_large', `the body is over ${limit} bytes`));
      else done(null, chunk);
    },
  });
  // Its reader sees these errors; the empty listener keeps an unread body's from crashing the process.
  body.on('error', () => {});
  source.on('error', (err) => body.destroy(err));
  source.on('close', () => {
    if (!source.readableEnded && !body.destroyed)
      body.destroy(new ApiError(400, 'upload_interrupted', 'the upload ended before the body was complete'));
  });
  source.pipe(body);
  return body;
}

/** The streamed body of a `streamBody` route, in a content type it accepts. */
function upload(route: AnyRoute, req: FastifyRequest): Upload | undefined {
  const accepted = route.streamBody?.contentTypes;
  if (!accepted) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() as StreamContentType;
  if (!(req.body instanceof Readable) || !accepted.includes(type))
    throw ApiError.validation(`send the file as the body, as ${accepted.join(', ')}`, [
      { path: 'body', message: `required, as ${accepted.join(', ')}` },
    ]);
  return { contentType: type, stream: req.body };
}

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

const IDEMPOTENCY_PARAMETER = {
  name: IDEMPOTENCY_HEADER,
  in: 'header',
  required: false,
  description:
    `Makes a retry safe: the first request with a key runs and its answer (2xx or 4xx) is kept ${RETENTION_HOURS} h ` +
    `for your credential; the same key with the same request returns that answer again (header ${REPLAYED_HEADER}: true), ` +
    'with a different request 422 `idempotency_key_reused`, while the first is still running 409 ' +
    '`idempotency_key_in_flight`. Validation errors (400) and 5xx keep nothing: retry with the same key.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
};

const REPLAYED_RESPONSE_HEADER = {
  description: `"true" when this is the stored answer to an earlier request with the same ${IDEMPOTENCY_HEADER}`,
  schema: { type: 'string', enum: ['true'] },
};

/** The OpenAPI 3.1 document for `routes`, generated from their zod schemas. */
export function openApiDocument(routes: AnyRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const json = (schema: ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  for (const r of routes) {
    const oaPath = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = json(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: s,
        });
      }
    }
    const roles = rolesFor(r);
    const idempotent = takesIdempotencyKey(r, roles);
    if (idempotent) parameters.push(IDEMPOTENCY_PARAMETER);
    paths[oaPath] ??= {};
    (paths[oaPath] as Record<string, unknown>)[r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      ...(roles ? { security: [{ bearer: [] }], 'x-roles': roles } : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: json(r.body, 'input') } },
            },
          }
        : {}),
      ...(r.streamBody
        ? { requestBody: streamedRequestBody(r.streamBody, json(r.streamBody.record, 'input')) }
        : {}),
      responses: {
        [String(r.status ?? 200)]: {
          description: 'success',
          ...(idempotent ? { headers: { [REPLAYED_HEADER]: REPLAYED_RESPONSE_HEADER } } : {}),
          content: { 'application/json': { schema: json(r.response, 'output') } },
        },
        '400': {
          description: 'validation failed',
          content: { 'application/json': { schema: json(ErrorSchema, 'output') } },
        },
        default: {
          description: 'error',
          content: { 'application/json': { schema: json(ErrorSchema, 'output') } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'cf_<id>_<secret>, from `npm run credentials`',
        },
      },
    },
    paths,
  };
}

/** A streamed body in OpenAPI: each content type with the schema of one record. */
function streamedRequestBody(spec: StreamBody, record: { properties?: Record<string, unknown> }) {
  const columns = Object.keys(record.properties ?? {}).join(',');
  const doc: Record<StreamContentType, unknown> = {
    'text/csv': {
      schema: {
        type: 'string',
        description: `UTF-8 CSV, a header row naming the columns (any order, optional ones may be left out), then one record per row; an empty cell is an absent field. Columns: ${columns}. Each record as in the NDJSON schema.`,
      },
    },
    'application/x-ndjson': {
      schema: { ...record, description: 'one JSON object per line, each of this shape' },
    },
    'application/json': { schema: { type: 'array', items: record } },
  };
  return {
    required: true,
    description: `Up to ${spec.limitBytes} bytes, read as it arrives.`,
    content: Object.fromEntries(spec.contentTypes.map((t) => [t, doc[t]])),
  };
}

/** Maps every error to the one error shape; nothing else (no stack) reaches a client. */
export function installErrorHandler(
  app: FastifyInstance,
  mapError: (err: unknown) => ApiError | undefined,
): void {
  app.setErrorHandler((err, req, res) => {
    let apiError = err instanceof ApiError ? err : mapError(err);
    if (!apiError) {
      const fe = err as { statusCode?: number; code?: string; message?: string };
      if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        const stream = (req.routeOptions.config as { streamBody?: StreamBody } | undefined)?.streamBody;
        const accepts = stream?.contentTypes ?? ['application/json'];
        apiError = new ApiError(415, 'unsupported_media_type', `send the body as ${accepts.join(', ')}`);
      } else if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        apiError = ApiError.validation('the body is not valid JSON', [
          { path: 'body', message: 'not valid JSON' },
        ]);
      } else if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
        apiError = new ApiError(fe.statusCode, 'bad_request', fe.message ?? 'bad request');
      } else {
        req.log.error({ err }, 'unhandled error');
        apiError = new ApiError(500, 'internal', 'internal error');
      }
    }
    res.status(apiError.status).send(errorBody(apiError));
  });
  app.setNotFoundHandler((req, res) => {
    res.status(404).send(errorBody(new ApiError(404, 'not_found', `no route ${req.method} ${req.url}`)));
  });
}
