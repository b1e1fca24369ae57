/**
 * The one error shape, mapped in one place: every error a route, a hook, fastify, zod,
 * Temporal or PostgreSQL raises becomes an ApiError here and is answered as
 * `{"error":{"code","message","fields"?}}` (api/errors.ts); nothing else (no stack) reaches a
 * client. Also here: 404 for an unknown path, 405 (with Allow) for a method a known path
 * does not serve, and the router's own refusals (`frameworkErrors`).
 */
import {
  isGrpcDeadlineError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import fp from 'fastify-plugin';
import { isResponseSerializationError } from 'fastify-type-provider-zod';
import { PolicyError } from '../../infra/policy.js';
import { OperationRefused } from '../../operations/refused.js';
import { isDatabaseUnavailable } from '../../store/db.js';
import { CONFLICT_ERROR } from '../../workflows/receivable/rules.js';
import { ApiError, errorBody, type FieldError, fieldFromMessage } from '../errors.js';

/** The longest path parameter the router takes (fastify's `maxParamLength`); a longer one is 414. */
export const MAX_PARAM_LENGTH = 1000;

/** An operation's refusal (operations/refused.ts) as the API answers it: status and code. */
const REFUSED_STATUS = { 'not-found': 404, conflict: 409, rejected: 422, invalid: 400 } as const;
const REFUSED_CODE = {
  'not-found': 'not_found',
  conflict: 'conflict',
  rejected: 'rejected',
  invalid: 'validation_failed',
} as const;

/** Temporal and PostgreSQL failures, and the operations' refusals, in the API's words. */
export function mapError(err: unknown): ApiError | undefined {
  if (err instanceof WorkflowNotFoundError) return ApiError.notFound('receivable');
  if (err instanceof PolicyError) return ApiError.validation(err.message, err.fields);
  if (err instanceof OperationRefused)
    return new ApiError(
      REFUSED_STATUS[err.kind],
      err.code ?? REFUSED_CODE[err.kind],
      err.message,
      err.fields,
    );
  // The workflow did not answer within the request's deadline (its worker down or stuck).
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err))
    return new ApiError(
      504,
      'workflow_timeout',
      'the workflow did not answer in time; what was asked may still take effect: read it back before retrying',
    );
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    const message =
      cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : err.message;
    // Refused because of where the receivable stands (its stage, a payment id already used).
    if (cause instanceof ApplicationFailure && cause.type === CONFLICT_ERROR)
      return ApiError.conflict(message, fieldFromMessage(message));
    return ApiError.unprocessable(message, fieldFromMessage(message));
  }
  const e = err as { code?: string | number; name?: string; message?: string };
  // gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4) from Temporal; refused or broken PostgreSQL connections.
  if (e?.code === 14 || e?.code === 4 || e?.name === 'ServiceError')
    return ApiError.unavailable('the workflow service is unavailable; try again shortly');
  if (isDatabaseUnavailable(err))
    return ApiError.unavailable('the database is unavailable; try again shortly');
  return undefined;
}

/**
 * A request that breaks its route's schemas (api/plugins/validation.ts): 400 naming each
 * field — `params.id`, `query.to`, a body field by its own path, or `body` for the whole body.
 */
function validationError(context: string, issues: FastifySchemaValidationError[]): ApiError {
  const where = context === 'querystring' ? 'query' : context;
  const fields: FieldError[] = issues.map((issue) => ({
    path:
      [where === 'body' ? '' : where, ...issue.instancePath.split('/')].filter(Boolean).join('.') || 'body',
    message: issue.message ?? 'invalid',
  }));
  const first = fields[0];
  return ApiError.validation(
    first ? `invalid ${where}: ${first.path || where} ${first.message}` : `invalid ${where}`,
    fields,
  );
}

/** Any error, as the ApiError its client gets. */
function toApiError(err: unknown, req: FastifyRequest): ApiError {
  if (err instanceof ApiError) return err;
  const mapped = mapError(err);
  if (mapped) return mapped;
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_VALIDATION' && fe.validation && fe.validationContext)
    return validationError(fe.validationContext, fe.validation);
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const accepts = req.routeOptions.config.streamBody?.contentTypes ?? ['application/json'];
    return new ApiError(415, 'unsupported_media_type', `send the body as ${accepts.join(', ')}`);
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return ApiError.validation('the body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)
    return new ApiError(fe.statusCode, 'bad_request', fe.message ?? 'bad request');
  // The declared response schema is the contract: an answer that breaks it is our bug.
  if (err instanceof Error && isResponseSerializationError(err))
    req.log.error(
      { issues: err.cause.issues, path: req.routeOptions.url },
      'response does not match its schema',
    );
  else req.log.error({ err }, 'unhandled error');
  return new ApiError(500, 'internal', 'internal error');
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

export const errorMapping = fp(
  async (app) => {
    app.setErrorHandler((err, req, res) => {
      const apiError = toApiError(err, req);
      // Refused before its body arrived (authentication, roles): close rather than read it.
      if (!req.raw.complete) res.header('connection', 'close');
      return res.status(apiError.status).send(errorBody(apiError));
    });
    app.setNotFoundHandler((req, res) =>
      res.status(404).send(errorBody(new ApiError(404, 'not_found', `no route ${req.method} ${req.url}`))),
    );
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
      res.header('allow', allow.join(', '));
      throw new ApiError(405, 'method_not_allowed', `${path} answers ${allow.join(', ')}, not ${req.method}`);
    });
  },
  { name: 'creditflow-errors' },
);
