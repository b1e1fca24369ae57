/**
 * How a route is declared: its zod schemas once (params, query, body, response), who may
 * call it, and its handler. `routeOptions` turns a declaration into fastify's own route
 * options; the plugins in api/plugins/ do the rest through fastify's hooks (authentication,
 * roles, Idempotency-Key, streamed bodies, the one error shape) and @fastify/swagger
 * builds the OpenAPI document from the same schemas.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { type ZodType, z } from 'zod';
import type { Principal } from './auth.js';
import { MAX_PARAM_LENGTH } from './plugins/errors.js';
import { takesIdempotencyKey } from './plugins/idempotency.js';
import type { RouteAccess } from './plugins/roles.js';
import {
  registerStreamedRoutes,
  type StreamBody,
  streamedUpload,
  type Upload,
} from './plugins/streamed-bodies.js';
import { ROLES, type Role } from './roles.js';

export {
  STREAM_CONTENT_TYPES,
  type StreamBody,
  type StreamContentType,
  type Upload,
} from './plugins/streamed-bodies.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export { MAX_PARAM_LENGTH };

export interface RouteSpec<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: Method;
  /** Fastify-style path: /v1/receivables/:id */
  path: string;
  summary: string;
  tag: string;
  /**
   * The roles that may call it. Every route states this or `public: true`; one with
   * neither refuses to start (api/plugins/roles.ts), so nothing is public by accident.
   */
  roles?: readonly Role[];
  /** Open to anyone, without a credential. */
  public?: true;
  /** Left out of the OpenAPI document (not API: e.g. the dashboard page). */
  hide?: boolean;
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
  /**
   * The route also answers as PDF (application/pdf), as this says when; like `csv`, `response`'s
   * string branch stands for it.
   */
  pdf?: string;
  /** Error statuses the handler answers beyond those every route of its kind does (see `errorStatuses`). */
  errors?: Record<number, string>;
  /** The authenticated caller (undefined only on public routes); `upload` only with `streamBody`. */
  handler: (
    input: { params: P; query: Q; body: B; principal: Principal | undefined; upload?: Upload },
    req: FastifyRequest,
  ) => Promise<R | Reply<R>>;
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

/** The one error shape; `Error` in the OpenAPI document's components. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** What each error status means, for the OpenAPI document; every one in the one error shape. */
const ERROR_MEANINGS: Record<number, string> = {
  400: 'validation failed: the path, query, a header or the body breaks its schema; `error.fields` names each field',
  401: 'no valid credential: send Authorization: Bearer <token> (a credential from `npm run credentials`)',
  403: "the credential's role may not call this operation, or the record is not the caller's",
  404: 'nothing with this id (or these path parameters)',
  409: 'the request conflicts with the current state (e.g. a request with the same Idempotency-Key is still running)',
  413: 'the body is over the size limit',
  414: `a path parameter is over ${MAX_PARAM_LENGTH} characters`,
  415: 'the body is not in a content type this operation accepts',
  422: 'the request is well-formed but the current state refuses it (or Idempotency-Key was used with another request)',
  408: 'the body did not arrive in time (or an upload stalled)',
  429: 'too many requests (e.g. failed authentications) from this client: retry after Retry-After seconds',
  503: 'PostgreSQL or Temporal is unavailable: retry shortly',
  504: 'a workflow did not answer within the deadline (`workflow_timeout`): what was asked may still take effect; read it back before retrying',
};

/**
 * The error statuses a route can answer: those every route of its kind can (validation with
 * inputs; authentication, its roles, a rate limit and an unavailable dependency when it is not
 * public; 404 and 414 with path parameters; body size and type with a body; the
 * Idempotency-Key answers on POSTs), and those its handler declares.
 */
function errorStatuses(route: AnyRoute, access: RouteAccess): Record<number, string> {
  const hasBody = Boolean(route.body || route.streamBody);
  const idempotent = takesIdempotencyKey(route.method, access);
  const statuses: number[] = [];
  if (route.params || route.query || hasBody || idempotent) statuses.push(400);
  if (access.roles) {
    // 504: any authenticated route may wait on a workflow (a start, an Update, a query).
    statuses.push(401, 429, 503, 504);
    // A role the route does not list, or a salesperson asking for someone else's record.
    if (
      access.roles.length < ROLES.length ||
      (access.roles.includes('sales') && (route.params || route.query))
    )
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
  if (!(route.csv || route.pdf) || !(route.response instanceof z.ZodUnion)) return route.response;
  const options = (route.response.options as ZodType[]).filter((o) => !(o instanceof z.ZodString));
  const [only, ...more] = options;
  if (!only)
    throw new Error(`${route.method} ${route.path}: a CSV route needs a JSON branch in its response`);
  return more.length ? z.union([only, ...more]) : only;
}

/** Every status the route answers, each with its content: fastify checks answers with them, @fastify/swagger documents them. */
function responses(route: AnyRoute, access: RouteAccess) {
  const content = {
    'application/json': { schema: jsonResponse(route) },
    ...(route.csv ? { 'text/csv': { schema: z.string().describe(route.csv) } } : {}),
    ...(route.pdf
      ? { 'application/pdf': { schema: z.string().meta({ format: 'binary' }).describe(route.pdf) } }
      : {}),
  };
  const out: Record<number, { description: string; content: Record<string, { schema: ZodType }> }> = {};
  for (const [status, description] of Object.entries(route.successes ?? { [route.status ?? 200]: 'success' }))
    out[Number(status)] = { description, content };
  for (const [status, description] of Object.entries(errorStatuses(route, access)))
    out[Number(status)] = { description, content: { 'application/json': { schema: ErrorSchema } } };
  return out;
}

/** A route declaration as fastify's route options. */
export function routeOptions(route: AnyRoute): RouteOptions {
  const access: RouteAccess = {
    ...(route.roles ? { roles: route.roles } : {}),
    ...(route.public ? { public: route.public } : {}),
  };
  return {
    method: route.method,
    url: route.path,
    schema: {
      summary: route.summary,
      tags: [route.tag],
      ...(route.hide ? { hide: true } : {}),
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { querystring: route.query } : {}),
      ...(route.body ? { body: route.body } : {}),
      response: responses(route, access),
      security: access.roles ? [{ bearer: [] }] : [],
      ...(access.roles ? { 'x-roles': access.roles } : {}),
    },
    config: { ...access, ...(route.streamBody ? { streamBody: route.streamBody } : {}) },
    ...(route.streamBody ? { bodyLimit: route.streamBody.limitBytes } : {}),
    handler: async (req, res) => {
      const upload = route.streamBody ? streamedUpload(route.streamBody, req) : undefined;
      const out = await route.handler(
        {
          params: route.params ? req.params : undefined,
          query: route.query ? req.query : undefined,
          body: route.body ? req.body : undefined,
          principal: req.principal ?? undefined,
          upload,
        },
        req,
      );
      const { status, body, headers } = isReply(out)
        ? out
        : { status: route.status ?? 200, body: out, headers: undefined };
      if (headers) res.headers(headers);
      // Returned, not just sent: the idempotency onSend hook is async.
      return res.status(status).send(body);
    },
  };
}

/** Registers `routes` on `app` (streamed ones in their own context: api/plugins/streamed-bodies.ts). */
export async function registerRoutes(
  app: FastifyInstance,
  routes: AnyRoute[],
  uploads: { uploadStallMs: number } = { uploadStallMs: 30_000 },
): Promise<void> {
  for (const route of routes) if (!route.streamBody) app.route(routeOptions(route));
  const streamed = routes.filter((r) => r.streamBody);
  if (streamed.length) await registerStreamedRoutes(app, streamed.map(routeOptions), uploads.uploadStallMs);
}
