/**
 * The debtor portal (docs/workspace.md): a counterparty's own page behind its link
 * (`/portal/<token>`, operations/portal.ts), no password. It shows the debtor's open items
 * and a statement download, in the counterparty's language, and takes three acts, each with
 * the debtor as actor: a promise to pay (an Update on the receivable's workflow, bounded by
 * policy.portal), a dispute (an Update; finance is given a task), and "we have paid" (a credit
 * fact and a task for finance to confirm against the bank; it settles nothing). A link reads
 * and acts on its own counterparty only: another's receivable answers as an unknown one. An
 * expired, revoked or unknown link gets a page that says so and nothing else.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { debtorActor } from '../../domain/actor.js';
import { localDate } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import { portalPolicy, promiseRefusal } from '../../domain/portal.js';
import { previousMonthPeriod } from '../../domain/statement.js';
import type { Statements } from '../../operations/correspondence/statements.js';
import type { Operations } from '../../operations/index.js';
import type { Store } from '../../store/index.js';
import {
  type ReceivableReceipt,
  receivableWorkflowId,
  recordValidReason,
} from '../../workflows/receivable/contract.js';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { CalendarDate, Id, Minor, Text } from '../schemas.js';
import { PAGE_HEADERS } from './workspace.js';

const Token = z.string().min(1).max(200);
const TokenParams = z.object({ token: Token });
const ItemParams = z.object({ token: Token, id: Id });

const OpenItem = z.object({
  receivableId: z.string(),
  currency: z.string(),
  amountMinor: z.number().int(),
  outstandingMinor: z.number().int(),
  issueDate: z.string().nullable(),
  dueDate: z.string().nullable(),
  stage: z.string(),
  pausedBy: z.string().nullable(),
});

const Acted = z.object({ receivableId: z.string(), stage: z.string(), recorded: z.string() });

/** What a page without data says, in both languages (the link tells no counterparty, so no language). */
const CLOSED_PAGE: Record<'expired' | 'revoked' | 'unknown', { status: number; zh: string; en: string }> = {
  expired: { status: 410, zh: '此链接已过期。', en: 'This link has expired.' },
  revoked: { status: 410, zh: '此链接已被撤销。', en: 'This link has been revoked.' },
  unknown: { status: 404, zh: '此链接无效。', en: 'This link is not valid.' },
};

function closedPage(why: keyof typeof CLOSED_PAGE): string {
  const p = CLOSED_PAGE[why];
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>creditflow</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app/assets/app.css"></head>
<body class="portal"><main id="main" data-closed="${why}">
<h1>${p.zh} <span lang="en">${p.en}</span></h1>
<p>请联系您的客户经理获取新链接。 <span lang="en">Please ask your account manager for a new link.</span></p>
</main></body></html>`;
}

function openPage(language: string): string {
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>creditflow</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app/assets/app.css">
<script type="module" src="/app/assets/portal.js"></script></head>
<body class="portal"><main id="main" aria-live="polite"><p>…</p></main></body></html>`;
}

/** Limits the portal per client address (the token is a bearer secret: guessing is slowed, use is not). */
export function limitPortal(app: FastifyInstance, perMinute: number): void {
  const limit = app.createRateLimit({ max: perMinute, timeWindow: 60_000 });
  app.addHook('onRequest', async (req, res) => {
    if (!req.url.startsWith('/portal/')) return;
    const seen = await limit(req);
    if (!seen.isAllowed && seen.isExceeded) {
      const seconds = Math.max(1, seen.ttlInSeconds);
      res.header('retry-after', String(seconds));
      throw new ApiError(
        429,
        'too_many_requests',
        `too many requests from your address; retry in ${seconds} s`,
      );
    }
  });
}

export function portalRoutes(deps: {
  client: Client;
  store: Store;
  operations: Operations;
  policy: () => Policy;
  /** The statement of account the page offers as CSV and PDF (operations/correspondence/statements.ts). */
  statements: Statements;
}): AnyRoute[] {
  const { store, operations, client } = deps;
  const portal = operations.portal;

  /** The live link's counterparty, or the one answer every closed link gets. */
  async function opened(token: string) {
    const link = await portal.open(token);
    if (link.status !== 'ok')
      throw new ApiError(CLOSED_PAGE[link.status].status, `link_${link.status}`, CLOSED_PAGE[link.status].en);
    const counterparty = await store.counterparties.get(link.link.counterpartyId);
    if (!counterparty) throw new ApiError(404, 'link_unknown', CLOSED_PAGE.unknown.en);
    return { link: link.link, counterparty };
  }

  /** One of the link's counterparty's open receivables; any other answers as unknown. */
  async function ownItem(token: string, receivableId: string) {
    const o = await opened(token);
    const row = await store.receivables.getReceivable(receivableId);
    if (!row || row.counterpartyId !== o.counterparty.id)
      throw ApiError.notFound(`receivable ${receivableId}`);
    return { ...o, row, actor: debtorActor(o.counterparty.id, o.counterparty.name, o.link.id) };
  }

  const acted = (s: ReceivableReceipt, recorded: string) => ({
    receivableId: s.receivableId,
    stage: s.stage,
    recorded,
  });
  const handle = (id: string) => client.workflow.getHandle(receivableWorkflowId(id));
  const closedErrors = {
    404: 'an unknown link, or a receivable not of this link',
    410: 'the link expired or was revoked',
    429: 'too many requests to the portal from this address: retry after Retry-After seconds',
  };

  return [
    defineRoute({
      method: 'GET',
      path: '/portal/:token',
      summary: "A debtor's portal page (HTML)",
      tag: 'portal',
      public: true,
      hide: true,
      params: TokenParams,
      response: z.string(),
      handler: async ({ params }) => {
        const link = await portal.open(params.token);
        if (link.status !== 'ok')
          return reply(CLOSED_PAGE[link.status].status, closedPage(link.status) as never, PAGE_HEADERS);
        const counterparty = await store.counterparties.get(link.link.counterpartyId);
        return reply(200, openPage(counterparty?.language ?? 'zh-CN'), PAGE_HEADERS);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/portal/:token/data',
      summary:
        "The debtor's open items, in its language, and what the portal allows (the link's own counterparty only)",
      tag: 'portal',
      public: true,
      params: TokenParams,
      errors: closedErrors,
      response: z.object({
        counterparty: z.object({ name: z.string(), language: z.string() }),
        items: z.array(OpenItem),
        totals: z.array(z.object({ currency: z.string(), outstandingMinor: z.number().int() })),
        today: z.string(),
        expiresAt: z.string(),
        rules: z.object({ promiseMaxDaysAhead: z.number().int(), promisesPerReceivable: z.number().int() }),
        statement: z.object({ csv: z.string(), pdf: z.string() }),
      }),
      handler: async ({ params }) => {
        const { link, counterparty } = await opened(params.token);
        const items = await store.work.openItems(counterparty.id);
        const totals = new Map<string, number>();
        for (const i of items) totals.set(i.currency, (totals.get(i.currency) ?? 0) + i.outstandingMinor);
        const policy = deps.policy();
        const rules = portalPolicy(policy);
        return {
          counterparty: { name: counterparty.name, language: counterparty.language },
          items,
          totals: [...totals].map(([currency, outstandingMinor]) => ({ currency, outstandingMinor })),
          today: localDate(Date.now(), policy.timeZone),
          expiresAt: link.expiresAt.toISOString(),
          rules: {
            promiseMaxDaysAhead: rules.promiseMaxDaysAhead,
            promisesPerReceivable: rules.promisesPerReceivable,
          },
          statement: {
            csv: `/portal/${params.token}/statement.csv`,
            pdf: `/portal/${params.token}/statement.pdf`,
          },
        };
      },
    }),
    ...(['csv', 'pdf'] as const).map((format) =>
      defineRoute({
        method: 'GET',
        path: `/portal/:token/statement.${format}`,
        summary: `The debtor's statement of account (last month and this month so far) as ${format.toUpperCase()}`,
        tag: 'portal',
        public: true,
        params: TokenParams,
        errors: closedErrors,
        response: z.string(),
        ...(format === 'pdf' ? { pdf: 'the statement as a PDF letter in the debtor’s language' } : {}),
        handler: async ({ params }) => {
          const { counterparty } = await opened(params.token);
          const today = localDate(Date.now(), deps.policy().timeZone);
          const from = previousMonthPeriod(today).from;
          const doc = await deps.statements.build(counterparty.id, from, today);
          if (!doc) throw ApiError.notFound('the statement');
          const name = `statement-${counterparty.id}-${from}-${today}`;
          const headers = {
            'content-disposition': `attachment; filename="${name}.${format}"`,
            'cache-control': 'no-store',
          };
          if (format === 'csv')
            return reply(200, deps.statements.csv(doc), {
              'content-type': 'text/csv; charset=utf-8',
              ...headers,
            });
          const letterNumber = await deps.statements.number(doc, today);
          const { pdf } = await deps.statements.pdf(doc, letterNumber, today);
          return reply(200, pdf as unknown as string, { 'content-type': 'application/pdf', ...headers });
        },
      }),
    ),
    defineRoute({
      method: 'POST',
      path: '/portal/:token/receivables/:id/promise',
      summary:
        'The debtor promises to pay by a date (at most policy.portal.promiseMaxDaysAhead days ahead, at most promisesPerReceivable per receivable): escalation pauses until the day after; a broken promise resumes it',
      tag: 'portal',
      public: true,
      params: ItemParams,
      body: z.object({ promisedBy: CalendarDate, note: z.string().trim().max(2000).optional() }),
      errors: {
        ...closedErrors,
        422: 'the promise is refused (too far ahead, too many, or the receivable is not open)',
      },
      response: Acted,
      handler: async ({ params, body }) => {
        const { actor } = await ownItem(params.token, params.id);
        const policy = deps.policy();
        const today = localDate(Date.now(), policy.timeZone);
        const count = await store.work.countEvents(params.id, 'promise-to-pay-recorded');
        const refusal = promiseRefusal(body.promisedBy, today, count, portalPolicy(policy));
        if (refusal)
          throw ApiError.unprocessable(refusal, [{ path: 'promisedBy', message: refusal.slice(12) }]);
        const state = await handle(params.id).executeUpdate(recordValidReason, {
          args: [
            {
              kind: 'promise',
              promisedBy: body.promisedBy,
              reason: body.note || 'promised through the portal',
              actor,
            },
          ],
        });
        return acted(state, 'promise-to-pay-recorded');
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/portal/:token/receivables/:id/dispute',
      summary:
        'The debtor disputes the receivable with a reason: escalation pauses as a recorded dispute does, and finance is given a task',
      tag: 'portal',
      public: true,
      params: ItemParams,
      body: z.object({ reason: Text }),
      errors: { ...closedErrors, 422: 'the receivable is not open, or a valid reason already holds it' },
      response: Acted,
      handler: async ({ params, body }) => {
        const { actor } = await ownItem(params.token, params.id);
        const state = await handle(params.id).executeUpdate(recordValidReason, {
          args: [{ kind: 'dispute', reason: body.reason, actor }],
        });
        await portal.tellFinanceOfDispute(params.id, body.reason, actor);
        return acted(state, 'dispute-recorded');
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/portal/:token/receivables/:id/payment-claims',
      summary:
        '"We have paid": date, amount and reference, recorded with the debtor as actor and given to finance to confirm against the bank. It settles nothing',
      tag: 'portal',
      public: true,
      params: ItemParams,
      body: z.object({ paidOn: CalendarDate, amountMinor: Minor, reference: Text.max(200) }),
      errors: { ...closedErrors, 422: 'paidOn is after today' },
      status: 201,
      response: z.object({ receivableId: z.string(), claimId: z.string(), recorded: z.string() }),
      handler: async ({ params, body }) => {
        const { actor, row } = await ownItem(params.token, params.id);
        const today = localDate(Date.now(), deps.policy().timeZone);
        if (body.paidOn > today)
          throw ApiError.unprocessable(`paidOn: ${body.paidOn} is after today (${today})`, [
            { path: 'paidOn', message: `after today (${today})` },
          ]);
        const { claimId } = await portal.claimPayment(params.id, { ...body, currency: row.currency }, actor);
        return reply(201, { receivableId: params.id, claimId, recorded: 'payment-claimed-by-debtor' });
      },
    }),
  ];
}
