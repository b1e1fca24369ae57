/**
 * The staff workspace (/app, docs/workspace.md): its page and scripts (plain ES modules, no
 * build step), sign-in and sign-out with a session cookie, the person's language, "My work",
 * a receivable's timeline, closing a debtor's task, and finance's portal links. Every page
 * action calls the API's own routes; what a role may do is enforced here and there, not by
 * hiding buttons.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { describeActor } from '../../domain/actor.js';
import { SCORE_WARNING_TASK } from '../../domain/customer-score.js';
import type { Policy } from '../../domain/policy.js';
import type { Operations } from '../../operations/index.js';
import type { Store } from '../../store/index.js';
import type { SignInRules } from '../../store/sessions.js';
import { getReceivable, receivableWorkflowId, TIMELINE_STEPS } from '../../workflows/receivable/contract.js';
import { stepDay } from '../../workflows/receivable/rules.js';
import { actorOf, authenticated } from '../auth.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { SESSION_COOKIE, sessionCookie } from '../plugins/authentication.js';
import { ROLES } from '../roles.js';
import { Id, Text } from '../schemas.js';
import { isSalesperson, seesSalesperson } from '../visibility.js';

export const DEFAULT_SIGN_IN: SignInRules = {
  maxFailures: 5,
  lockMinutes: 15,
  idleMinutes: 120,
  sessionHours: 12,
};

const DIR = path.resolve(import.meta.dirname, '..', 'workspace');
const FORMAT_JS = path.resolve(import.meta.dirname, '..', '..', 'domain', 'format.js');
// Chinese for browsers without a CJK font of their own (app.css asks for it only for CJK text,
// and only when no local Noto Sans SC is installed); read on first request: 10 MB.
const CJK_FONT_FILE = 'noto-sans-sc.ttf';
const CJK_FONT = createRequire(import.meta.url).resolve(
  '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
);
let cjkFont: Buffer | undefined;
const HEADERS = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
export const PAGE_HEADERS = {
  ...HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/** The workspace's and the portal's static files, read once at startup. */
export function workspaceAssets(): Record<string, { body: string; type: string }> {
  const out: Record<string, { body: string; type: string }> = {};
  for (const file of ['app.js', 'app.css', 'i18n.js', 'portal.js', 'api.js'])
    out[file] = {
      body: readFileSync(path.join(DIR, file), 'utf8'),
      type: file.endsWith('.css') ? 'text/css' : 'text/javascript',
    };
  out['format.js'] = { body: readFileSync(FORMAT_JS, 'utf8'), type: 'text/javascript' };
  return out;
}

const Language = z.enum(['zh-CN', 'en']);
const PrincipalView = z.object({
  credentialId: z.string(),
  name: z.string(),
  displayName: z.string(),
  role: z.string(),
  salespersonId: z.string().nullable(),
});
const SessionView = z.object({
  signedIn: z.boolean(),
  principal: PrincipalView.optional(),
  csrfToken: z.string().optional(),
  language: Language.nullable(),
});

const Item = z.record(z.string(), z.unknown());
const MyWork = z.object({
  role: z.string(),
  counts: z.record(z.string(), z.number().int()),
  sections: z.array(z.object({ kind: z.string(), items: z.array(Item) })),
});

const DEBTOR_TASKS = ['confirm-debtor-payment', 'review-debtor-dispute'];

export function workspaceRoutes(deps: {
  client: Client;
  store: Store;
  operations: Operations;
  policy: () => Policy;
  signIn?: SignInRules;
  /** The Temporal Web UI's address, for the receivable page's link to its history. */
  temporalUiUrl?: string;
}): AnyRoute[] {
  const { store, client } = deps;
  const rules = deps.signIn ?? DEFAULT_SIGN_IN;
  const page = readFileSync(path.join(DIR, 'index.html'), 'utf8');
  const assets = workspaceAssets();
  const temporalUi = (deps.temporalUiUrl ?? 'http://localhost:8233').replace(/\/+$/, '');

  async function myWork(principal: NonNullable<Parameters<typeof authenticated>[0]>) {
    const w = store.work;
    const sections: { kind: string; items: Record<string, unknown>[] }[] = [];
    const add = (kind: string, items: object[]) =>
      sections.push({ kind, items: items as Record<string, unknown>[] });
    const role = principal.role;
    if (role === 'finance' || role === 'marketing')
      add('vote', await w.applications(['applied', 'awaiting-approval'], role));
    if (role === 'manager') add('manager-review', await w.applications(['manager-review'], null));
    if (role === 'sales' || role === 'credit-desk') {
      const own = role === 'sales' ? (principal.salespersonId ?? '') : null;
      add('late-reason', await w.tasks(['record-late-reason'], own));
      // A customer's worsening score (docs/scores.md): the desk looks into it, its salespeople see it.
      add('score-warning', await w.tasks([SCORE_WARNING_TASK], own));
    }
    if (role === 'manager') {
      // What happens when nobody answers by the deadline: the policy's onDeadline (proceed or hold).
      const onDeadline = deps.policy().receivable.legal.onDeadline;
      add(
        'legal',
        (await w.tasks(['confirm-legal-escalation'], null)).map((t) => ({ ...t, onDeadline })),
      );
      add('dealer-continuation', await w.tasks(['decide-dealer-continuation'], null));
      add('limit-proposal', await w.limitProposals());
      add('review', await w.reviews());
    }
    if (role === 'finance') {
      add('debtor-payment', await w.tasks(['confirm-debtor-payment'], null));
      add('debtor-dispute', await w.tasks(['review-debtor-dispute'], null));
    }
    if (role === 'auditor' || role === 'admin') {
      // Sees everything, changes nothing: what waits for others, read-only.
      add('vote', await w.applications(['applied', 'awaiting-approval', 'manager-review'], null));
      add('legal', await w.tasks(['confirm-legal-escalation'], null));
      add('late-reason', await w.tasks(['record-late-reason'], null));
      add('score-warning', await w.tasks([SCORE_WARNING_TASK], null));
    }
    const counts = Object.fromEntries(sections.map((s) => [s.kind, s.items.length]));
    return { role, counts, sections };
  }

  return [
    defineRoute({
      method: 'GET',
      path: '/app',
      summary: 'The staff workspace (HTML)',
      tag: 'workspace',
      public: true,
      hide: true,
      response: z.string(),
      handler: async () => reply(200, page, PAGE_HEADERS),
    }),
    defineRoute({
      method: 'GET',
      path: '/app/assets/:file',
      summary: "The workspace's and the portal's scripts and style sheet",
      tag: 'workspace',
      public: true,
      hide: true,
      params: z.object({ file: z.string() }),
      response: z.string(),
      handler: async ({ params }) => {
        if (params.file === CJK_FONT_FILE) {
          cjkFont ??= readFileSync(CJK_FONT);
          return reply(200, cjkFont as unknown as string, {
            'content-type': 'font/ttf',
            'cache-control': 'public, max-age=604800',
            'x-content-type-options': 'nosniff',
          });
        }
        const asset = Object.hasOwn(assets, params.file) ? assets[params.file] : undefined;
        if (!asset) throw ApiError.notFound(`file ${params.file}`);
        return reply(200, asset.body, { ...HEADERS, 'content-type': `${asset.type}; charset=utf-8` });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/app/session',
      summary: 'Who is signed in on this browser (the session cookie), with the CSRF token its changes carry',
      tag: 'workspace',
      public: true,
      response: SessionView,
      handler: async (_input, req) => {
        const id = req.cookies[SESSION_COOKIE];
        const session = id ? await store.sessions.authenticate(id, rules) : null;
        if (!session) return { signedIn: false, language: null };
        return {
          signedIn: true,
          principal: session.principal,
          csrfToken: session.csrfToken,
          language: session.language,
        };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/app/sign-in',
      summary: `Sign in with a login name and password (set with \`npm run credentials -- password <login>\`): sets the session cookie. ${DEFAULT_SIGN_IN.maxFailures} wrong passwords in a row lock the login for ${DEFAULT_SIGN_IN.lockMinutes} minutes`,
      tag: 'workspace',
      public: true,
      body: z.object({ username: z.string().trim().min(1).max(200), password: z.string().min(1).max(1000) }),
      response: SessionView,
      errors: {
        401: 'wrong login name or password',
        423: 'the login is locked after repeated failures: retry after Retry-After seconds',
      },
      handler: async ({ body }, req) => {
        const out = await store.sessions.signIn(body.username, body.password, rules);
        if (!out.ok && out.why === 'locked') {
          const seconds = Math.max(1, Math.ceil((out.until.getTime() - Date.now()) / 1000));
          const message = `too many failed sign-ins: this login is locked; try again in ${Math.ceil(seconds / 60)} minutes`;
          return reply(423, { error: { code: 'locked', message } } as never, {
            'retry-after': String(seconds),
          });
        }
        if (!out.ok) throw new ApiError(401, 'unauthenticated', 'wrong login name or password');
        const cookie = sessionCookie(req, out.sessionId, rules.sessionHours * 3600);
        return reply(
          200,
          { signedIn: true, principal: out.principal, csrfToken: out.csrfToken, language: out.language },
          { 'set-cookie': cookie },
        );
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/app/sign-out',
      summary: 'Sign out: the session ends and its cookie is cleared',
      tag: 'workspace',
      roles: ROLES,
      response: z.object({ signedOut: z.boolean() }),
      handler: async (_input, req) => {
        if (req.webSession) await store.sessions.signOut(req.webSession.id);
        return reply(
          200,
          { signedOut: Boolean(req.webSession) },
          { 'set-cookie': sessionCookie(req, '', 0) },
        );
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/v1/me/language',
      summary: "The caller's language in the workspace (zh-CN or en), remembered",
      tag: 'workspace',
      roles: ROLES,
      body: z.object({ language: Language }),
      response: z.object({ language: Language }),
      handler: async ({ body, principal }) => {
        await store.sessions.setLanguage(authenticated(principal).credentialId, body.language);
        return { language: body.language };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/my-work',
      summary:
        "What waits for the caller, by role, oldest first, with counts: votes, manager reviews, late reasons (sales: own), legal escalations, dealer continuations, limit proposals, reviews, debtors' claims",
      tag: 'workspace',
      roles: ROLES,
      response: MyWork,
      handler: async ({ principal }) => myWork(authenticated(principal)),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/receivables/:id/timeline',
      summary:
        "A receivable's timeline: each step with its date (planned, or when taken), the next step, and any pause and why",
      tag: 'receivables',
      roles: ROLES, // sales: own only
      params: z.object({ id: Id }),
      response: z.object({
        receivableId: z.string(),
        stage: z.string(),
        dueDate: z.string().nullable(),
        steps: z.array(
          z.object({ step: z.string(), plannedOn: z.string().nullable(), takenAt: z.string().nullable() }),
        ),
        next: z.object({ step: z.string(), on: z.string().nullable() }).nullable(),
        pause: z
          .object({
            kind: z.string(),
            reason: z.string(),
            since: z.string(),
            by: z.string(),
            promisedBy: z.string().optional(),
          })
          .nullable(),
        temporalWorkflowId: z.string(),
        temporalUrl: z.string(),
      }),
      handler: async ({ params, principal }) => {
        let state = await store.receivables.getReceivableState(params.id);
        if (!state) {
          const row = await store.receivables.getReceivable(params.id);
          if (!row) throw ApiError.notFound(`receivable ${params.id}`);
          state = await client.workflow.getHandle(receivableWorkflowId(params.id)).query(getReceivable);
        }
        if (!seesSalesperson(principal, state.application.salespersonId))
          throw ApiError.notFound(`receivable ${params.id}`);
        const stored = (await store.policy.byVersion(state.policyVersion)) as Policy | undefined;
        const policy = stored?.receivable?.timeline ? stored : deps.policy();
        const events = await store.creditRecord.listForSubject('receivable', params.id);
        const takenAt = (step: string) =>
          [...events].reverse().find((e) => e.eventType === `step-${step}`)?.recordedAt ?? null;
        const open = !['paid', 'rejected', 'written-off'].includes(state.stage);
        const steps = TIMELINE_STEPS.map((step) => ({
          step,
          plannedOn: state.dueDate ? stepDay(state, policy, step) : null,
          takenAt: state.stepsTaken.includes(step) ? (takenAt(step) ?? '') : null,
        }));
        const nextStep = open && state.dueDate ? steps.find((s) => s.takenAt === null) : undefined;
        const reason = state.validReason;
        return {
          receivableId: state.receivableId,
          stage: state.stage,
          dueDate: state.dueDate,
          steps,
          next: nextStep ? { step: nextStep.step, on: reason ? null : nextStep.plannedOn } : null,
          pause: reason
            ? {
                kind: reason.kind,
                reason: reason.reason,
                since: reason.since,
                by: reason.actor.role === 'named-in-body' ? reason.actor.name : describeActor(reason.actor),
                ...(reason.promisedBy ? { promisedBy: reason.promisedBy } : {}),
              }
            : null,
          temporalWorkflowId: receivableWorkflowId(state.receivableId),
          temporalUrl: `${temporalUi}/namespaces/${encodeURIComponent(client.options.namespace)}/workflows/${encodeURIComponent(receivableWorkflowId(state.receivableId))}`,
        };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/debtor-tasks/done',
      summary:
        "Finance closes a debtor's claim (a payment confirmed against the bank and recorded, or a dispute looked into), with a note",
      tag: 'workspace',
      roles: ['finance'],
      body: z.object({ key: z.string().trim().min(1).max(300), note: Text }),
      response: z.object({ done: z.boolean() }),
      errors: { 404: 'no open debtor task (a payment claim or a dispute) with this key' },
      handler: async ({ body, principal }) => {
        const done = await store.work.completeTask(body.key, DEBTOR_TASKS, {
          doneBy: actorOf(authenticated(principal)),
          note: body.note,
        });
        if (!done) throw ApiError.notFound(`open debtor task ${body.key}`);
        return { done };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/score-warnings/done',
      summary:
        "The credit desk closes a customer's early warning (a worsening score) once looked into, with a note",
      tag: 'workspace',
      roles: ['credit-desk'],
      body: z.object({ key: z.string().trim().min(1).max(300), note: Text }),
      response: z.object({ done: z.boolean() }),
      errors: { 404: 'no open early warning with this key' },
      handler: async ({ body, principal }) => {
        const done = await store.work.completeTask(body.key, [SCORE_WARNING_TASK], {
          doneBy: actorOf(authenticated(principal)),
          note: body.note,
        });
        if (!done) throw ApiError.notFound(`open early warning ${body.key}`);
        return { done };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/counterparties/:id/portal-links',
      summary:
        'Finance issues a debtor portal link for the counterparty (shown once); it expires after policy.portal.linkDays',
      tag: 'portal',
      roles: ['finance'],
      params: z.object({ id: Id }),
      response: z.object({ id: z.string(), url: z.string(), expiresAt: z.string() }),
      status: 201,
      handler: async ({ params }) => {
        if (!(await store.counterparties.get(params.id)))
          throw ApiError.notFound(`counterparty ${params.id}`);
        const link = await deps.operations.portal.issue(params.id);
        return reply(201, { ...link, expiresAt: link.expiresAt.toISOString() });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/counterparties/:id/portal-links',
      summary: "The counterparty's portal links (never their tokens): when issued, expiring, revoked",
      tag: 'portal',
      roles: ['finance', 'manager', 'auditor', 'admin'],
      params: z.object({ id: Id }),
      response: z.object({
        items: z.array(
          z.object({
            id: z.string(),
            createdAt: z.string(),
            expiresAt: z.string(),
            revokedAt: z.string().nullable(),
          }),
        ),
      }),
      handler: async ({ params }) => {
        if (!(await store.counterparties.get(params.id)))
          throw ApiError.notFound(`counterparty ${params.id}`);
        const rows = await deps.operations.portal.list(params.id);
        return {
          items: rows.map((r) => ({
            id: r.id,
            createdAt: r.createdAt.toISOString(),
            expiresAt: r.expiresAt.toISOString(),
            revokedAt: r.revokedAt?.toISOString() ?? null,
          })),
        };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/counterparties/:id/portal-links/revocation',
      summary: "Finance revokes one of the counterparty's portal links (`linkId`), or all its live ones",
      tag: 'portal',
      roles: ['finance'],
      params: z.object({ id: Id }),
      body: z.object({ linkId: Id.optional() }),
      response: z.object({ revoked: z.number().int() }),
      handler: async ({ params, body, principal }) => {
        if (!(await store.counterparties.get(params.id)))
          throw ApiError.notFound(`counterparty ${params.id}`);
        const revoked = await deps.operations.portal.revoke(
          params.id,
          body.linkId ?? null,
          actorOf(authenticated(principal)),
        );
        return { revoked };
      },
    }),
  ];
}

export { isSalesperson };
