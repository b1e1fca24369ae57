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
import { ROLE_MATRIX, ROLES, type Role } from './roles.js';
import { unstorableText } from './schemas.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The longest path parameter the router takes; a longer one answers 414 in the one error shape. */
export const MAX_PARAM_LENGTH = 1000;

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
  /**
   * Every success status the handler answers, with what each means (all with `response`'s
   * shape), when it is more than `status` (e.g. 201 created, 200 already there).
   */
  successes?: Record<number, string>;
  /**
   * The route also answers its data as CSV (text/csv), as this says when; `response`'s
   * string branch is that CSV, the rest is the JSON answer.
   */
  csv?: string;
  /** Error statuses the handler answers beyond those every route of its kind does (see `errorStatuses`). */
  errors?: Record<number, string>;
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

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on streamed routes (their body parser and error mapping read it). */
    streamBody?: StreamBody;
  }
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

/**
 * The principal behind a request's Authorization header, or null when it proves nothing. It may
 * refuse the request itself (an ApiError: too many failed attempts from the caller's address).
 */
export type Authenticate = (
  authorization: string | undefined,
  req: FastifyRequest,
  res: FastifyReply,
) => Promise<Principal | null>;

/** RFC 6750: a 401 names the scheme; `invalid_token` when a credential was sent and failed. */
const challenge = (sent: boolean) =>
  sent ? 'Bearer realm="creditflow", error="invalid_token"' : 'Bearer realm="creditflow"';

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
  uploads: { uploadStallMs: number } = { uploadStallMs: 30_000 },
): void {
  const streamed = routes.filter((r) => r.streamBody);
  if (!streamContext && streamed.length) {
    app.register(async (ctx) => {
      acceptStreamedBodies(ctx, streamed, uploads.uploadStallMs);
      registerRoutes(ctx, streamed, authenticate, idempotency, true, uploads);
    });
    routes = routes.filter((r) => !r.streamBody);
  }
  // The claim a running request holds; its answer is stored when it is sent (onSend),
  // so whatever the client gets, error mapping included, is what a retry gets.
  const claims = new WeakMap<FastifyRequest, { credentialId: string; key: string; claimId: string }>();
  // Who is calling, settled in onRequest: before fastify reads the body, so an
  // unauthenticated or unauthorised caller never has its body read or parsed.
  const principals = new WeakMap<FastifyRequest, Principal>();
  for (const route of routes) {
    const roles = rolesFor(route);
    const idempotent = idempotency !== undefined && claimsIdempotencyKey(route, roles);
    app.route({
      method: route.method,
      url: route.path,
      ...(route.streamBody
        ? { bodyLimit: route.streamBody.limitBytes, config: { streamBody: route.streamBody } }
        : {}),
      ...(roles
        ? {
            onRequest: async (req: FastifyRequest, res: FastifyReply) => {
              const header = req.headers.authorization;
              // A refused request's body is not wanted: close the connection rather than read it.
              if (!req.raw.complete) res.header('connection', 'close');
              const principal = await authenticate(header, req, res);
              if (!principal) {
                res.header('www-authenticate', challenge(header !== undefined));
                throw new ApiError(
                  401,
                  'unauthenticated',
                  'send a valid credential: Authorization: Bearer <token>',
                );
              }
              if (!roles.includes(principal.role))
                throw new ApiError(
                  403,
                  'forbidden',
                  `the ${principal.role} role may not ${route.method} ${route.path}`,
                );
              if (!req.raw.complete) res.removeHeader('connection');
              principals.set(req, principal);
            },
          }
        : {}),
      handler: async (req: FastifyRequest, res: FastifyReply) => {
        const principal = principals.get(req);
        if (roles && !principal) throw new Error(`${route.path}: no principal after onRequest`);
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
function acceptStreamedBodies(ctx: FastifyInstance, routes: AnyRoute[], stallMs: number): void {
  ctx.removeAllContentTypeParsers();
  const types = [...new Set(routes.flatMap((r) => r.streamBody?.contentTypes ?? []))];
  ctx.addContentTypeParser(types, (req, payload, done) =>
    done(null, limitedBody(payload, req.routeOptions.bodyLimit ?? 0, stallMs)),
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
 * the request, so the connection still carries the answer. It also fails when the
 * client sends nothing for `stallMs` while we wait for it: a large upload may take as
 * long as it needs, a stalled one does not hold the request (time the server spends
 * applying rows, with the body paused, is not the client's).
 */
function limitedBody(source: Readable, limit: number, stallMs: number): Readable {
  let received = 0;
  let lastProgress = Date.now();
  const stall = setInterval(
    () => {
      if (source.readableEnded || body.destroyed) return clearInterval(stall);
      if (source.readableFlowing !== true) lastProgress = Date.now();
      else if (Date.now() - lastProgress >= stallMs) {
        clearInterval(stall);
        body.destroy(new ApiError(408, 'request_timeout', `the upload sent nothing for ${stallMs / 1000} s`));
      }
    },
    Math.max(20, Math.min(1_000, Math.floor(stallMs / 4))),
  );
  stall.unref();
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      lastProgress = Date.now();
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
  // Printable ASCII; it starts and ends with a visible character, as HTTP trims a header's edges.
  schema: {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    pattern: '^[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?$',
  },
};

const REPLAYED_RESPONSE_HEADER = {
  description: `"true" when this is the stored answer to an earlier request with the same ${IDEMPOTENCY_HEADER}`,
  schema: { type: 'string', enum: ['true'] },
};

/** What each error status means, for the OpenAPI document; every one in the one error shape. */
const ERROR_MEANINGS: Record<number, string> = {
  400: 'validation failed: the path, query, a header or the body breaks its schema; `error.fields` names each field',
  401: 'no valid credential: send Authorization: Bearer <token> (a credential from `npm run credentials`)',
  403: "the credential's role may not call this operation, or the record is not the caller's",
  404: 'nothing with this id (or these path parameters)',
  409: `the request conflicts with the current state (e.g. a request with the same ${IDEMPOTENCY_HEADER} is still running)`,
  413: 'the body is over the size limit',
  414: `a path parameter is over ${MAX_PARAM_LENGTH} characters`,
  415: 'the body is not in a content type this operation accepts',
  422: `the request is well-formed but the current state refuses it (or ${IDEMPOTENCY_HEADER} was used with another request)`,
  408: 'the body did not arrive in time (or an upload stalled)',
  429: 'too many requests (e.g. failed authentications) from this client: retry after Retry-After seconds',
  503: 'PostgreSQL or Temporal is unavailable: retry shortly',
  504: 'a workflow did not answer within the deadline (`workflow_timeout`): what was asked may still take effect; read it back before retrying',
};

/**
 * The error statuses a route can answer: those every route of its kind can (validation with
 * inputs; authentication, the role matrix, a rate limit and an unavailable dependency when it
 * is not public; 404 and 414 with path parameters; body size and type with a body; the
 * Idempotency-Key answers on POSTs), and those its handler declares.
 */
function errorStatuses(route: AnyRoute, roles: readonly Role[] | null): Record<number, string> {
  const hasBody = Boolean(route.body || route.streamBody);
  const idempotent = takesIdempotencyKey(route, roles);
  const statuses: number[] = [];
  if (route.params || route.query || hasBody || idempotent) statuses.push(400);
  if (roles) {
    // 504: any authenticated route may wait on a workflow (a start, an Update, a query).
    statuses.push(401, 429, 503, 504);
    // A role the matrix refuses, or a salesperson asking for someone else's record.
    if (roles.length < ROLES.length || (roles.includes('sales') && (route.params || route.query)))
      statuses.push(403);
  }
  if (route.params) statuses.push(404, 414);
  if (hasBody) statuses.push(408, 413, 415, 422);
  if (idempotent) statuses.push(409, 422);
  const out: Record<number, string> = {};
  for (const status of statuses) out[status] = ERROR_MEANINGS[status] ?? 'error';
  return { ...out, ...route.errors };
}

/** A route's JSON answer: its response schema without the string branch that is its CSV. */
function jsonResponse(route: AnyRoute): ZodType {
  if (!route.csv || !(route.response instanceof z.ZodUnion)) return route.response;
  const options = (route.response.options as ZodType[]).filter((o) => !(o instanceof z.ZodString));
  const [only, ...more] = options;
  if (!only) throw new Error(`${routeKey(route)}: a CSV route needs a JSON branch in its response`);
  return more.length ? z.union([only, ...more]) : only;
}

/** The OpenAPI 3.1 document for `routes`, generated from their zod schemas. */
export function openApiDocument(routes: AnyRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const json = (schema: ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
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
    const content: Record<string, unknown> = {
      'application/json': { schema: json(jsonResponse(r), 'output') },
      ...(r.csv ? { 'text/csv': { schema: { type: 'string', description: r.csv } } } : {}),
    };
    const successes = r.successes ?? { [r.status ?? 200]: 'success' };
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(successes)) {
      responses[status] = {
        description,
        ...(idempotent ? { headers: { [REPLAYED_HEADER]: REPLAYED_RESPONSE_HEADER } } : {}),
        content,
      };
    }
    for (const [status, description] of Object.entries(errorStatuses(r, roles)))
      responses[status] = { description, content: errorContent };
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
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Every error is `{"error":{"code","message","fields"?}}`. A method a path does not serve answers 405 with an `Allow` header.',
    },
    components: {
      schemas: { Error: json(ErrorSchema, 'output') },
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

/**
 * Errors the router raises before any route or hook runs (a path segment that is not valid
 * percent-encoding, one over MAX_PARAM_LENGTH), in the one error shape. For `Fastify({ frameworkErrors })`.
 */
export function frameworkErrors(
  err: Error & { code?: string },
  _req: FastifyRequest,
  res: FastifyReply,
): void {
  const apiError =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new ApiError(414, 'uri_too_long', `a path parameter is over ${MAX_PARAM_LENGTH} characters`)
      : ApiError.validation('the path is not valid percent-encoding', [
          { path: 'path', message: 'not valid percent-encoding' },
        ]);
  res.status(apiError.status).send(errorBody(apiError));
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
  // A path served with other methods answers 405 naming them (Allow), before anything reads
  // the body: a method the path does not serve is not "no such route".
  const served: { pattern: RegExp; method: string }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(
      `^${route.url
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/:\w+/g, '[^/]+')
        .replace(/\*/g, '.*')}$`,
    );
    for (const method of [route.method].flat()) served.push({ pattern, method });
  });
  app.addHook('onRequest', async (req, res) => {
    if (!req.is404) return;
    const path = req.url.split('?')[0] ?? '';
    const allow = [...new Set(served.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
    if (!allow.length || allow.includes(req.method)) return;
    return res
      .status(405)
      .header('allow', allow.join(', '))
      .send(
        errorBody(
          new ApiError(405, 'method_not_allowed', `${path} answers ${allow.join(', ')}, not ${req.method}`),
        ),
      );
  });
  app.setNotFoundHandler((req, res) => {
    res.status(404).send(errorBody(new ApiError(404, 'not_found', `no route ${req.method} ${req.url}`)));
  });
}
