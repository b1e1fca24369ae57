/**
 * Route declarations: each route states its zod schemas once (params, query,
 * body, response). Registration validates requests with them, handlers see only
 * parsed values, and the OpenAPI 3 document is generated from the same schemas.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ZodType, z } from 'zod';
import type { Principal } from './auth.js';
import { ApiError, errorBody, type FieldError } from './errors.js';
import { ROLE_MATRIX, type Role } from './roles.js';

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
  /** Success status; a handler may override it per call. */
  status?: number;
  /** The authenticated caller (undefined only on public routes). */
  handler: (
    input: { params: P; query: Q; body: B; principal: Principal | undefined },
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

function fieldErrors(where: string, error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({
    // A body that is not an object at all is named as `body`: a 400 always names a field.
    path: [where, ...i.path.map(String)].filter(Boolean).join('.') || 'body',
    message: i.message,
  }));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first text PostgreSQL cannot store — a NUL character, or a lone UTF-16
 * surrogate (no UTF-8 form: jsonb refuses it, text columns would keep U+FFFD) — in a value or
 * its keys; null when there is none. Checked before any schema, so every route refuses it as 400.
 */
function unstorableText(value: unknown, path: string[] = []): string[] | null {
  const bad = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);
  if (typeof value === 'string') return bad(value) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const found = bad(k) ? [...path, k] : unstorableText(v, [...path, k]);
    if (found) return found;
  }
  return null;
}

function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: 'params' | 'query' | 'body'): T {
  if (!schema) return undefined as T;
  const unstorable = unstorableText(value);
  if (unstorable) {
    const path = [where === 'body' ? '' : where, ...unstorable].filter(Boolean).join('.') || 'body';
    const message = 'contains a NUL character or an unpaired surrogate';
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

export function registerRoutes(app: FastifyInstance, routes: AnyRoute[], authenticate: Authenticate): void {
  for (const route of routes) {
    const roles = rolesFor(route);
    app.route({
      method: route.method,
      url: route.path,
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
        const params = parse(route.params, req.params, 'params');
        const query = parse(route.query, req.query, 'query');
        const body = parse(route.body, req.body, 'body');
        const out = await route.handler({ params, query, body, principal }, req);
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
        res.status(status).send(checked.data);
      },
    });
  }
}

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

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
    paths[oaPath] ??= {};
    const roles = rolesFor(r);
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
      responses: {
        [String(r.status ?? 200)]: {
          description: 'success',
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
        apiError = new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
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
