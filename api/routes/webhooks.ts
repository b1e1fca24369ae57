/**
 * Outgoing webhook subscriptions (admin) and their delivery log (admin, auditor).
 * The signing secret is returned once, when the subscription is created.
 */
import { z } from 'zod';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from '../../domain/webhooks.js';
import { destinationRefusal } from '../../infra/webhook-destinations.js';
import type { WebhookQueries } from '../../store/webhooks.js';
import { ApiError, orNotFound } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { QueryInt } from '../schemas.js';

const required = (otherwise: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'required' : otherwise;

const Events = z
  .union(
    [
      z.literal('all'),
      // The names as an enum in the document; the refinement below names an unknown one.
      z
        .array(z.string().meta({ enum: [...WEBHOOK_EVENT_TYPES] }))
        .min(1, 'name at least one event, or send "all"'),
    ],
    {
      error: required('must be "all" or a list of event names'),
    },
  )
  .superRefine((events, ctx) => {
    if (events === 'all') return;
    events.forEach((name, i) => {
      if (!isWebhookEventType(name))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `unknown event "${name}": one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
        });
    });
  })
  .describe(`"all" (also events added later) or some of: ${WEBHOOK_EVENT_TYPES.join(', ')}`);

const SubscriptionBody = z.object({
  url: z
    // Stored as the URL standard writes it (scheme and host in lower case: `HTTP://X` is
    // `http://x/`), the one form the subscriptions table accepts and deliveries use.
    .url({ protocol: /^https?$/, normalize: true, error: required('must be an http or https URL') })
    .max(2048)
    .describe('Where events are POSTed; stored normalised (scheme and host in lower case)'),
  events: Events,
  description: z.string().trim().max(500).optional(),
});

const Subscription = z.object({
  id: z.string(),
  url: z.string(),
  events: z.union([z.literal('all'), z.array(z.string())]),
  description: z.string().nullable(),
  active: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
  deactivatedAt: z.string().nullable(),
});

const DeliveryStatus = z.enum(['pending', 'delivered', 'failed', 'cancelled']);

const Delivery = z.object({
  id: z.string().describe('Sent as X-Creditflow-Delivery; the same on every attempt'),
  eventId: z.string(),
  eventType: z.string(),
  receivableId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  status: DeliveryStatus,
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  attemptLog: z.array(
    z.object({
      attempt: z.number().int(),
      startedAt: z.string(),
      durationMs: z.number().int(),
      statusCode: z.number().int().nullable(),
      error: z.string().nullable(),
      retryInMs: z.number().int().nullable(),
    }),
  ),
});

const WebhookIdParams = z.object({ id: z.string().regex(/^wh_[a-f0-9]{20}$/, 'not a webhook id') });

/** A URL as readers see it: credentials a subscription made before they were refused are not shown. */
const shown = <S extends { url: string }>(s: S): S => {
  try {
    const url = new URL(s.url);
    if (!url.username && !url.password) return s;
    url.username = '';
    url.password = '';
    return { ...s, url: url.href };
  } catch {
    return s;
  }
};

export function webhookRoutes(deps: {
  webhooks: WebhookQueries;
  /** Networks beyond the public internet a receiver may be at (CIDRs). */
  allowedNetworks: readonly string[];
}): AnyRoute[] {
  const { webhooks } = deps;
  const found = async (id: string) => orNotFound(await webhooks.getSubscription(id), `webhook ${id}`);
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/webhooks',
      summary: 'Subscribe a URL to receivable escalation events; the signing secret is shown only here',
      tag: 'webhooks',
      roles: ['admin'],
      body: SubscriptionBody,
      response: Subscription.extend({
        secret: z.string().describe('HMAC-SHA256 key for X-Creditflow-Signature; store it now'),
      }),
      status: 201,
      handler: async ({ body, principal }) => {
        // The receiver must be reachable only where a webhook may go (docs/security.md);
        // the dispatcher checks the address again at every delivery.
        const refusal = await destinationRefusal(body.url, deps.allowedNetworks);
        if (refusal)
          throw ApiError.validation(`invalid body: url ${refusal}`, [{ path: 'url', message: refusal }]);
        const { subscription, secret } = await webhooks.createSubscription({
          url: body.url,
          events: body.events,
          description: body.description || null,
          createdBy: principal?.name ?? 'unknown',
        });
        return reply(201, { ...subscription, secret });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/webhooks',
      summary: 'Webhook subscriptions, active and deactivated (never their secrets)',
      tag: 'webhooks',
      roles: ['admin', 'auditor'],
      response: z.object({ items: z.array(Subscription) }),
      handler: async () => ({ items: (await webhooks.listSubscriptions()).map(shown) }),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/webhooks/:id',
      summary: 'Deactivate a subscription: nothing more is sent to it, pending deliveries are cancelled',
      tag: 'webhooks',
      roles: ['admin'],
      params: WebhookIdParams,
      response: Subscription,
      handler: async ({ params }) => {
        return shown(orNotFound(await webhooks.deactivateSubscription(params.id), `webhook ${params.id}`));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/webhooks/:id/deliveries',
      summary: "A subscription's deliveries, newest first: status, attempts with their answers, next attempt",
      tag: 'webhooks',
      roles: ['admin', 'auditor'],
      params: WebhookIdParams,
      query: z.object({
        status: DeliveryStatus.optional(),
        limit: QueryInt(1, 500).default(50),
        offset: QueryInt(0).default(0),
      }),
      response: z.object({ items: z.array(Delivery) }),
      handler: async ({ params, query }) => {
        await found(params.id);
        return { items: await webhooks.listDeliveries(params.id, query) };
      },
    }),
  ];
}
