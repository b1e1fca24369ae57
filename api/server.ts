/**
 * Builds the HTTP API: fastify with the plugins of api/plugins/ (the one error mapping, zod
 * schemas, authentication, roles, Idempotency-Key, the OpenAPI document and /docs), then
 * every route module's routes.
 */
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Policy } from '../domain/policy.js';
import type { PolicyStore } from '../infra/policy.js';
import { type Letterhead, letterPreviewPdf } from '../operations/correspondence/letters.js';
import { createMessageRenderer, type MessageRenderer } from '../operations/correspondence/render.js';
import { createStatements } from '../operations/correspondence/statements.js';
import { createTemplateOperations, type LetterPdf } from '../operations/correspondence/templates.js';
import { createOperations, type Operations } from '../operations/index.js';
import { isDatabaseUnavailable } from '../store/db.js';
import { createStore, type Store } from '../store/index.js';
import type { SignInRules } from '../store/sessions.js';
import type { CredentialCache } from './credential-cache.js';
import { type AnyRoute, defineRoute, MAX_PARAM_LENGTH, registerRoutes } from './http.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits, installProtection, serverOptions } from './limits.js';
import { authentication } from './plugins/authentication.js';
import { errorMapping, frameworkErrors } from './plugins/errors.js';
import { idempotency } from './plugins/idempotency.js';
import { openApi } from './plugins/openapi.js';
import { roles } from './plugins/roles.js';
import { validation } from './plugins/validation.js';
import { calendarRoutes, policyCalendarWarnings } from './routes/calendar.js';
import { counterpartyRoutes } from './routes/counterparties.js';
import { creditTermRoutes } from './routes/credit-terms.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { importRoutes } from './routes/imports.js';
import { policyRoutes } from './routes/policy.js';
import { limitPortal, portalRoutes } from './routes/portal.js';
import { ratingRoutes } from './routes/rating.js';
import { receivableRoutes } from './routes/receivables.js';
import { reportRoutes } from './routes/reports.js';
import { salespersonRoutes } from './routes/salespeople.js';
import { scoreRoutes } from './routes/scores.js';
import { statementRoutes } from './routes/statements.js';
import { templateRoutes } from './routes/templates.js';
import { webhookRoutes } from './routes/webhooks.js';
import { DEFAULT_SIGN_IN, workspaceRoutes } from './routes/workspace.js';

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
  /**
   * The proxies in front of the API (API_TRUST_PROXY): behind them the client's address,
   * which failed authentications are limited by, is the one they forward. Default none.
   */
  trustProxy?: readonly string[];
  /** Renders a letter kind's preview as its PDF (the letters' renderLetterPdf); without it, no PDF. */
  letterPdf?: LetterPdf;
  /** The letterhead of statements and letters (infra/config.ts `company`); default: the name creditflow. */
  company?: Letterhead;
  /** Renders the statement's wording (default: the shipped templates). */
  renderer?: MessageRenderer;
  /** The workspace's sign-in rules (lockout, session length); default DEFAULT_SIGN_IN (api/routes/workspace.ts). */
  signIn?: SignInRules;
  /** The Temporal Web UI's address (the receivable page links to a workflow's history there). */
  temporalUiUrl?: string;
  /** Requests a client address may make to the debtor portal in a minute (default 120). */
  portalRequestsPerMinute?: number;
  /**
   * Verified bearer credentials kept in memory (api/credential-cache.ts), forgotten as PostgreSQL
   * announces a change to them; the API closes it when it closes. Without it, every request
   * looks its credential up.
   */
  credentialCache?: CredentialCache;
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
    ...(deps.trustProxy?.length ? { trustProxy: [...deps.trustProxy] } : {}),
  });
  await installProtection(app, limits);
  const store = deps.store ?? createStore(deps.pool);
  // Statements and template previews render the version of each template in force.
  const renderer = deps.renderer ?? createMessageRenderer({ stored: store.templates });
  const company = deps.company ?? { name: 'creditflow' };
  const statements = createStatements({ store, renderer, company });
  const operations = deps.operations ?? createOperations(store);
  await failAbandonedImports(app, store);
  await app.register(errorMapping);
  await app.register(validation);
  const { credentials } = store;
  const cache = deps.credentialCache;
  if (cache) app.addHook('onClose', () => cache.close());
  await app.register(authentication, {
    authenticate: cache
      ? (header) => cache.authenticate(header)
      : (header) => credentials.authenticate(header),
    authenticateSession: (id) => store.sessions.authenticate(id, deps.signIn ?? DEFAULT_SIGN_IN),
    failuresPerMinute: limits.authFailuresPerMinute,
  });
  // Before the roles check: Swagger UI's own routes (/docs) are the library's, public by nature.
  await app.register(openApi);
  await app.register(roles);
  await app.register(idempotency, { store: store.idempotency });
  limitPortal(app, deps.portalRequestsPerMinute ?? 120);
  const routes: AnyRoute[] = [
    ...counterpartyRoutes({ store, operations }),
    ...receivableRoutes({ client: deps.client, store, policy: deps.policy }),
    ...creditTermRoutes({ store, operations, policy: deps.policy }),
    ...salespersonRoutes({ client: deps.client, store, operations, policy: deps.policy }),
    ...(deps.policyStore ? policyRoutes({ store: deps.policyStore }) : []),
    ...(deps.policyStore ? calendarRoutes({ store: deps.policyStore }) : []),
    ...ratingRoutes({ client: deps.client, operations, policy: deps.policy }),
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
    ...reportRoutes({ store, policy: deps.policy }),
    ...statementRoutes({ store, policy: deps.policy, statements }),
    ...scoreRoutes({ store, operations, policy: deps.policy }),
    ...templateRoutes({
      templates: createTemplateOperations({ store, letterPdf: deps.letterPdf ?? letterPreviewPdf(company) }),
    }),
    ...workspaceRoutes({
      client: deps.client,
      store,
      operations,
      policy: deps.policy,
      ...(deps.signIn ? { signIn: deps.signIn } : {}),
      ...(deps.temporalUiUrl ? { temporalUiUrl: deps.temporalUiUrl } : {}),
    }),
    ...portalRoutes({ client: deps.client, store, operations, policy: deps.policy, statements }),
  ];
  routes.push(
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      summary: 'This OpenAPI document (Swagger UI on it: /docs)',
      tag: 'meta',
      public: true,
      response: z.record(z.string(), z.unknown()),
      handler: async () => app.swagger() as unknown as Record<string, unknown>,
    }),
    defineRoute({
      method: 'GET',
      path: '/health',
      summary: 'Liveness, with a database check; warnings when this year or next has no holiday data',
      tag: 'meta',
      public: true,
      response: z.object({
        ok: z.boolean(),
        warnings: z
          .array(z.string())
          .optional()
          .describe('What works but needs attention: a year without holiday data (weekends only)'),
      }),
      handler: async () => {
        await store.reachable();
        const warnings = policyCalendarWarnings(deps.policy());
        return { ok: true, ...(warnings.length > 0 ? { warnings } : {}) };
      },
    }),
  );
  // Not API: the dashboard page and its scripts stay out of the OpenAPI document.
  routes.push(...dashboardRoutes().map((route) => ({ ...route, hide: true })));
  for (const [i, route] of routes.entries())
    routes[i] = withWorkflowDeadline(route, deps.client, workflowCallTimeoutMs);
  await registerRoutes(app, routes, { uploadStallMs: limits.uploadStallMs });
  return app;
}
