/** Builds the HTTP API: routes, the OpenAPI document, and the one error mapping. */
import {
  type Client,
  isGrpcDeadlineError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Policy } from '../domain/policy.js';
import { PolicyError, type PolicyStore } from '../infra/policy.js';
import { createOperations, type Operations } from '../operations/index.js';
import { isDatabaseUnavailable } from '../store/db.js';
import { createStore, type Store } from '../store/index.js';
import { CONFLICT_ERROR } from '../workflows/receivable/rules.js';
import { createCredentialQueries } from './auth.js';
import { docsRoutes } from './docs.js';
import { ApiError, fieldFromMessage } from './errors.js';
import {
  type AnyRoute,
  defineRoute,
  frameworkErrors,
  installErrorHandler,
  MAX_PARAM_LENGTH,
  openApiDocument,
  registerRoutes,
} from './http.js';
import { createIdempotencyQueries } from './idempotency.js';
import {
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  installProtection,
  limitFailedAuthentication,
  serverOptions,
} from './limits.js';
import { counterpartyRoutes } from './routes/counterparties.js';
import { creditTermRoutes } from './routes/credit-terms.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { importRoutes } from './routes/imports.js';
import { policyRoutes } from './routes/policy.js';
import { ratingRoutes } from './routes/rating.js';
import { receivableRoutes } from './routes/receivables.js';
import { reportRoutes } from './routes/reports.js';
import { salespersonRoutes } from './routes/salespeople.js';
import { webhookRoutes } from './routes/webhooks.js';

export interface ApiDeps {
  client: Client;
  pool: Pool;
  /** The data layer, built once per process (default: built here over `pool`). */
  store?: Store;
  /** The business operations over `store` (default: built here). */
  operations?: Operations;
  policy: () => Policy;
  /** When given, the policy admin routes are served from it. */
  policyStore?: PolicyStore;
  /** How long a request may wait for the workflows it calls (start, Update, query) before 504 (default 15 s). */
  workflowCallTimeoutMs?: number;
  /** A running import's lease (default IMPORT_LEASE_MS). */
  importLeaseMs?: number;
  logger?: boolean;
  /** Timeouts and the failed-authentication limit; default DEFAULT_HTTP_LIMITS. */
  limits?: HttpLimits;
  /** Networks beyond the public internet a webhook may be sent to (WEBHOOK_ALLOWED_NETWORKS). */
  webhookAllowedNetworks?: readonly string[];
}

/** Temporal and PostgreSQL failures, in the API's words. */
export function mapError(err: unknown): ApiError | undefined {
  if (err instanceof WorkflowNotFoundError) return ApiError.notFound('receivable');
  if (err instanceof PolicyError) return ApiError.validation(err.message, err.fields);
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

/** The default of `workflowCallTimeoutMs`: under a proxy's usual 30 s, over a slow Update's few seconds. */
export const WORKFLOW_CALL_TIMEOUT_MS = 15_000;

/**
 * Every Temporal call a request makes (start, Update, query, describe) shares one deadline from
 * the request's start, so a workflow that cannot answer is a 504 in the one error shape, not a
 * hang. Streamed imports run for as long as their upload: each row has its own deadline instead.
 */
function withWorkflowDeadline(route: AnyRoute, client: Client, ms: number): AnyRoute {
  if (route.streamBody) return route;
  return {
    ...route,
    handler: (input, req) => client.withDeadline(Date.now() + ms, () => route.handler(input, req)),
  };
}

/**
 * Imports a process left `running` when it died are marked failed as an API starts (and when
 * read: api/routes/imports.ts). Best effort: a database still starting fails the next read instead.
 */
async function failAbandonedImports(app: FastifyInstance, store: Store) {
  try {
    const ids = await store.imports.failAbandoned();
    if (ids.length) app.log.warn({ imports: ids }, 'imports left running by a stopped API marked failed');
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
  }
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const limits = deps.limits ?? DEFAULT_HTTP_LIMITS;
  const workflowCallTimeoutMs = deps.workflowCallTimeoutMs ?? WORKFLOW_CALL_TIMEOUT_MS;
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    ...serverOptions(limits),
  });
  await installProtection(app, limits);
  const store = deps.store ?? createStore(deps.pool);
  const operations = deps.operations ?? createOperations(store);
  await failAbandonedImports(app, store);
  const records = store.creditRecord;
  const routes: AnyRoute[] = [
    ...counterpartyRoutes({ store, operations }),
    ...receivableRoutes({ client: deps.client, store, policy: deps.policy }),
    ...creditTermRoutes({ store, operations, policy: deps.policy }),
    ...salespersonRoutes({ client: deps.client, pool: deps.pool, records, policy: deps.policy }),
    ...(deps.policyStore ? policyRoutes({ store: deps.policyStore }) : []),
    ...ratingRoutes({ client: deps.client, pool: deps.pool, policy: deps.policy }),
    ...webhookRoutes({
      webhooks: store.webhooks,
      allowedNetworks: deps.webhookAllowedNetworks ?? [],
    }),
    ...importRoutes({
      client: deps.client,
      store,
      operations,
      policy: deps.policy,
      workflowCallTimeoutMs,
      ...(deps.importLeaseMs ? { importLeaseMs: deps.importLeaseMs } : {}),
    }),
    ...reportRoutes({ pool: deps.pool, policy: deps.policy }),
  ];
  const doc = openApiDocument(routes, { title: 'creditflow API', version: '1' });
  routes.push(
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      summary: 'This OpenAPI document',
      tag: 'meta',
      response: z.record(z.string(), z.unknown()),
      handler: async () => doc,
    }),
    defineRoute({
      method: 'GET',
      path: '/health',
      summary: 'Liveness, with a database check',
      tag: 'meta',
      response: z.object({ ok: z.boolean() }),
      handler: async () => {
        await deps.pool.query('SELECT 1');
        return { ok: true };
      },
    }),
    ...docsRoutes(),
  );
  // Not API: the dashboard page and its scripts stay out of the OpenAPI document.
  routes.push(...dashboardRoutes());
  for (const [i, route] of routes.entries())
    routes[i] = withWorkflowDeadline(route, deps.client, workflowCallTimeoutMs);
  installErrorHandler(app, mapError);
  const credentials = createCredentialQueries(deps.pool);
  registerRoutes(
    app,
    routes,
    await limitFailedAuthentication(app, limits, (header) => credentials.authenticate(header)),
    createIdempotencyQueries(deps.pool),
    false,
    { uploadStallMs: limits.uploadStallMs },
  );
  return app;
}
