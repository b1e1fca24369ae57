/**
 * Outgoing webhooks end to end on real servers: subscriptions through the HTTP
 * API, the receivable activity that records an escalation step (and fills the
 * outbox in the same transaction) against real PostgreSQL, and the dispatcher
 * POSTing to a real HTTP receiver on loopback that checks every signature.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createReceivableActivities } from '../../activities/receivable/activities.js';
import { buildApi } from '../../api/server.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { verifySignature, type WebhookEvent } from '../../domain/webhooks.js';
import type { Mailer } from '../../infra/mail.js';
import type { Pool } from '../../store/db.js';
import { createStore } from '../../store/index.js';
import { createWebhookQueries, type WebhookAttempt } from '../../store/webhooks.js';
import { createWebhookDispatcher } from '../../workers/webhook.dispatcher.js';
import type { ReceivableState, Stage } from '../../workflows/receivable/contract.js';
import { initialState } from '../../workflows/receivable/rules.js';
import { directReceivableActivities, seedDealerAndSalesperson } from '../support/acme.js';
import type { ApiBody, TestAuth } from '../support/auth.js';
import { eventually } from '../support/eventually.js';
import { type System, systemPerFile } from '../support/system.js';

// A tiny schedule so retries happen within the test: waits of 100–200 ms, then 200–400 ms.
const RETRY = { baseMs: 200, factor: 2, capMs: 2_000, maxAttempts: 3 };
const TIMEOUT_MS = 500;
/** "Now" for the activity (the workflow's clock): 15 days after DUE. */
const NOW = new Date('2025-03-20T01:00:00.000Z');
const DUE = '2025-03-05';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}
/** What the receiver answers the nth request of one delivery with. */
type Behaviour = (nth: number) => { status: number; body?: string; delayMs?: number };

let pool: Pool;
let testAuth: TestAuth;
let call: System['call'];
let mailer: Mailer;
let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
const behaviours = new Map<string, Behaviour>();
const nthOfDelivery = new Map<string, number>();
let dispatcher: ReturnType<typeof createWebhookDispatcher>;
let activities: ReturnType<typeof createReceivableActivities>;
let counterpartyId: string;
let salespersonId: string;

/** The receiver is on loopback: allowed explicitly, as an on-premises receiver would be. */
const ALLOWED = ['127.0.0.1/32'];

const newDispatcher = (batchSize = 10, more: Partial<Parameters<typeof createWebhookDispatcher>[0]> = {}) =>
  createWebhookDispatcher({
    store: createStore(pool),
    retry: RETRY,
    timeoutMs: TIMEOUT_MS,
    pollIntervalMs: 25,
    batchSize,
    allowedNetworks: ALLOWED,
    ...more,
  });

const system = systemPerFile({ poolSize: 8, api: () => ({ webhookAllowedNetworks: ALLOWED }) }, (s) => {
  ({ pool, auth: testAuth, call } = s);
});

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      });
      const key = `${path}|${req.headers['x-creditflow-delivery']}`;
      const nth = (nthOfDelivery.get(key) ?? 0) + 1;
      nthOfDelivery.set(key, nth);
      const answer = (behaviours.get(path) ?? ((): ReturnType<Behaviour> => ({ status: 200 })))(nth);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain' });
        res.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  ({ activities, mailer } = directReceivableActivities(pool, NOW));
  ({ counterpartyId, salespersonId } = await seedDealerAndSalesperson(pool, 'W'));

  dispatcher = newDispatcher();
  dispatcher.start();
});

afterAll(async () => {
  await dispatcher?.stop();
  // Leave no active subscription behind for other test files sharing this database.
  await pool?.query('UPDATE webhook_subscriptions SET active = false');
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  mailer?.close();
});

async function subscribe(path: string, events: 'all' | string[]) {
  const res = await call(
    'POST',
    '/v1/webhooks',
    { url: `${receiverUrl}${path}`, events, description: path },
    'admin',
  );
  expect(res.status).toBe(201);
  return res.body as unknown as { id: string; secret: string; url: string; events: 'all' | string[] };
}

interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  receivableId: string;
  payload: WebhookEvent;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  attemptLog: WebhookAttempt[];
}

async function deliveries(subscriptionId: string): Promise<DeliveryView[]> {
  const res = await call('GET', `/v1/webhooks/${subscriptionId}/deliveries`, undefined, 'auditor');
  expect(res.status).toBe(200);
  return res.body.items as DeliveryView[];
}

/** A receivable as the workflow hands it to the activity at an escalation step. */
function receivableAt(stage: Stage, stateVersion: number): ReceivableState {
  const s = initialState({
    application: {
      receivableId: `R-${randomUUID().slice(0, 8)}`,
      counterpartyId,
      salespersonId,
      amountMinor: 800_000,
      currency: 'CNY',
      requestedTermDays: 30,
    },
    policy: DEFAULT_POLICY,
  });
  return {
    ...s,
    stage,
    stateVersion,
    approvedMinor: 800_000,
    approvedTermDays: 30,
    issueDate: '2025-02-03',
    dueDate: DUE,
    outstandingMinor: 650_000,
    paidMinor: 150_000,
  };
}

/** What the workflow's `record('step-<step>', { daysOverdue })` does. */
const recordStep = (state: ReceivableState, event: string, daysOverdue: number) =>
  activities.recordReceivableEvent({
    state,
    event,
    detail: { daysOverdue },
    key: `${state.receivableId}:${event}:${state.stateVersion}`,
  });

/** The receiver's check, as docs/api.md tells receivers to do it — no creditflow code. */
function receiverVerifies(secret: string, r: Received): boolean {
  const header = String(r.headers['x-creditflow-signature'] ?? '');
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300 || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${r.body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const receivedFor = (path: string, receivableId: string) =>
  received.filter(
    (r) => r.path === path && (JSON.parse(r.body) as WebhookEvent).data.receivableId === receivableId,
  );

describe('outgoing webhooks', () => {
  it('a receivable reaching +15 sends exactly one signed delivery, verified with the secret', async () => {
    const sub = await subscribe('/warning', ['receivable.warning']);
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(sub).toMatchObject({
      url: `${receiverUrl}/warning`,
      events: ['receivable.warning'],
      active: true,
    });

    // The secret is shown once: never in the list, to admins or auditors.
    for (const role of ['admin', 'auditor'] as const) {
      const list = await call('GET', '/v1/webhooks', undefined, role);
      expect(list.status).toBe(200);
      expect((list.body.items as { id: string }[]).some((s) => s.id === sub.id)).toBe(true);
      expect(JSON.stringify(list.body)).not.toContain(sub.secret);
      expect(JSON.stringify(list.body)).not.toContain('"secret"');
    }

    const state = receivableAt('credit-desk', 23);
    await recordStep(state, 'step-warning', 15);
    await recordStep(state, 'step-warning', 15); // the activity retried: the same event again
    const rows = await pool.query(
      'SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1',
      [sub.id],
    );
    expect(rows.rows[0].n).toBe(1);

    const [delivery] = await eventually(
      () => deliveries(sub.id),
      (d) => d[0]?.status === 'delivered',
      'the delivery',
    );
    const got = receivedFor('/warning', state.receivableId);
    expect(got).toHaveLength(1);
    const request = got[0] as Received;
    expect(receiverVerifies(sub.secret, request)).toBe(true);
    expect(receiverVerifies('whsec_someone-else', request)).toBe(false);
    expect(
      verifySignature(
        sub.secret,
        request.body,
        String(request.headers['x-creditflow-signature']),
        Date.now() / 1000,
      ),
    ).toMatchObject({ ok: true });
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-creditflow-event']).toBe('receivable.warning');
    expect(request.headers['x-creditflow-delivery']).toBe(delivery?.id);

    const eventId = `${state.receivableId}:step-warning:23`;
    expect(JSON.parse(request.body)).toEqual({
      id: eventId,
      type: 'receivable.warning',
      occurredAt: NOW.toISOString(),
      data: {
        receivableId: state.receivableId,
        counterpartyId,
        salespersonId,
        stage: 'credit-desk',
        outstandingMinor: 650_000,
        currency: 'CNY',
        dueDate: DUE,
        daysOverdue: 15,
      },
    });
    expect(delivery).toMatchObject({
      eventId,
      eventType: 'receivable.warning',
      receivableId: state.receivableId,
      status: 'delivered',
      attempts: 1,
      nextAttemptAt: null,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(delivery?.attemptLog).toMatchObject([
      { attempt: 1, statusCode: 200, error: null, retryInMs: null },
    ]);
    // The event is the credit record's entry: the same key, in the same transaction.
    const record = await pool.query('SELECT event_type FROM credit_records WHERE idempotency_key = $1', [
      eventId,
    ]);
    expect(record.rows).toEqual([{ event_type: 'step-warning' }]);
  });

  it('a receiver failing twice gets the delivery on the third attempt, after growing waits', async () => {
    behaviours.set('/flaky', (nth) => (nth <= 2 ? { status: 500, body: 'not yet' } : { status: 204 }));
    const sub = await subscribe('/flaky', 'all');
    const state = receivableAt('second-notice', 17);
    await recordStep(state, 'step-secondNotice', 7);

    const [delivery] = await eventually(
      () => deliveries(sub.id),
      (d) => d.some((x) => x.receivableId === state.receivableId && x.status !== 'pending'),
      'the third attempt',
    ).then((all) => all.filter((x) => x.receivableId === state.receivableId));
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatusCode: 204,
      lastError: null,
    });
    const log = delivery?.attemptLog ?? [];
    expect(log.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500: not yet'],
      [2, 500, 'HTTP 500: not yet'],
      [3, 204, null],
    ]);
    const [w1, w2] = [log[0]?.retryInMs as number, log[1]?.retryInMs as number];
    expect(w1).toBeGreaterThanOrEqual(RETRY.baseMs / 2);
    expect(w1).toBeLessThan(RETRY.baseMs);
    expect(w2).toBeGreaterThan(w1); // the waits grow
    expect(w2).toBeLessThan(RETRY.baseMs * 2);
    expect(log[2]?.retryInMs).toBeNull();
    // Each attempt started after the previous one and no sooner than its wait.
    const starts = log.map((a) => Date.parse(a.startedAt));
    expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(w1);
    expect((starts[2] as number) - (starts[1] as number)).toBeGreaterThanOrEqual(w2);

    // The receiver saw three requests of one delivery: same id and body, each validly signed.
    const got = receivedFor('/flaky', state.receivableId);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers['x-creditflow-delivery']))).toEqual(new Set([delivery?.id]));
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    expect(got.every((r) => receiverVerifies(sub.secret, r))).toBe(true);
    expect((JSON.parse(got[0]?.body ?? '{}') as WebhookEvent).type).toBe('receivable.second-notice');
    expect((await call('DELETE', `/v1/webhooks/${sub.id}`, undefined, 'admin')).status).toBe(200);
  });

  it('a receiver that never answers in time: each attempt times out, then the delivery is failed', async () => {
    behaviours.set('/slow', () => ({ status: 200, delayMs: TIMEOUT_MS + 1_000 }));
    const sub = await subscribe('/slow', ['receivable.due-check']);
    const state = receivableAt('overdue', 9);
    await recordStep(state, 'step-dueCheck', 1);
    const [delivery] = await eventually(
      () => deliveries(sub.id),
      (d) => d[0]?.status === 'failed',
      'the last attempt',
    );
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: RETRY.maxAttempts,
      nextAttemptAt: null,
      lastStatusCode: null,
      lastError: `timed out after ${TIMEOUT_MS} ms`,
    });
    expect(delivery?.attemptLog.map((a) => a.error)).toEqual(
      Array(3).fill(`timed out after ${TIMEOUT_MS} ms`),
    );
    expect(delivery?.attemptLog.map((a) => a.retryInMs === null)).toEqual([false, false, true]);
    expect(delivery?.attemptLog.every((a) => a.durationMs >= TIMEOUT_MS - 5)).toBe(true);
  });

  it('events a subscription did not ask for, events not published, and deactivated subscriptions get nothing', async () => {
    const only = await subscribe('/only-warning', ['receivable.warning']);
    const gone = await subscribe('/gone', 'all');
    const deleted = await call('DELETE', `/v1/webhooks/${gone.id}`, undefined, 'admin');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: gone.id, active: false });
    expect(deleted.body.deactivatedAt).toEqual(expect.any(String));

    const state = receivableAt('reminded', 11);
    await recordStep(state, 'step-reminder', 0); // only-warning did not ask for it
    await activities.recordReceivableEvent({
      state: { ...state, stateVersion: 12 },
      event: 'late-reason-recorded', // not a published event
      detail: { reason: 'cash flow' },
      key: `${state.receivableId}:late-reason-recorded:12`,
    });
    await recordStep({ ...state, stage: 'credit-desk', stateVersion: 30 }, 'step-warning', 15);

    const outbox = await pool.query(
      'SELECT subscription_id, event_type FROM webhook_deliveries WHERE receivable_id = $1 ORDER BY event_type',
      [state.receivableId],
    );
    const mine = outbox.rows.filter((r) => r.subscription_id === only.id || r.subscription_id === gone.id);
    expect(mine).toEqual([{ subscription_id: only.id, event_type: 'receivable.warning' }]);
    await eventually(
      () => deliveries(only.id),
      (d) => d.length === 1 && d[0]?.status === 'delivered',
      'the warning',
    );
    expect(
      receivedFor('/only-warning', state.receivableId).map((r) => r.headers['x-creditflow-event']),
    ).toEqual(['receivable.warning']);
    expect(received.filter((r) => r.path === '/gone')).toEqual([]);
    expect(await deliveries(gone.id)).toEqual([]);
  });

  it('deactivating a subscription cancels what it still had to send', async () => {
    await dispatcher.stop(); // hold deliveries back so one is pending when the subscription goes
    const sub = await subscribe('/cancelled', 'all');
    const state = receivableAt('credit-desk', 40);
    await recordStep(state, 'step-warning', 15);
    expect((await deliveries(sub.id)).map((d) => d.status)).toEqual(['pending']);

    expect((await call('DELETE', `/v1/webhooks/${sub.id}`, undefined, 'admin')).status).toBe(200);
    const [cancelled] = await deliveries(sub.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', attempts: 0, nextAttemptAt: null });
    dispatcher = newDispatcher();
    await dispatcher.runOnce();
    dispatcher.start();
    expect((await deliveries(sub.id))[0]).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(received.filter((r) => r.path === '/cancelled')).toEqual([]);
  });

  it('two dispatchers share the outbox without sending any delivery twice', async () => {
    await dispatcher.stop(); // two dispatchers of our own, passes side by side
    const sub = await subscribe('/busy', ['receivable.reminder']);
    const states = Array.from({ length: 20 }, (_, i) => receivableAt('reminded', 5 + i));
    await Promise.all(states.map((s) => recordStep(s, 'step-reminder', 0)));
    const [a, b] = [newDispatcher(3), newDispatcher(3)];
    let claimedByA = 0;
    let claimedByB = 0;
    const deadline = Date.now() + 20_000;
    while (received.filter((r) => r.path === '/busy').length < 20 && Date.now() < deadline) {
      const [na, nb] = await Promise.all([a.runOnce(), b.runOnce()]);
      claimedByA += na;
      claimedByB += nb;
      if (na + nb === 0) await new Promise((r) => setTimeout(r, 25));
    }
    dispatcher = newDispatcher();
    dispatcher.start();
    // Both took a share; together they attempted each delivery once.
    expect(claimedByA).toBeGreaterThan(0);
    expect(claimedByB).toBeGreaterThan(0);
    const got = received.filter((r) => r.path === '/busy');
    expect(got).toHaveLength(20);
    expect(new Set(got.map((r) => r.headers['x-creditflow-delivery'])).size).toBe(20);
    const all = await deliveries(sub.id);
    expect(all).toHaveLength(20);
    expect(all.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
  });

  it('a URL with an upper-case scheme is stored as the URL standard writes it (it was a 500)', async () => {
    const upper = `${receiverUrl.replace(/^http:/, 'HTTP:')}/Upper-Case`;
    const res = await call('POST', '/v1/webhooks', { url: upper, events: 'all' }, 'admin');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.url).toBe(`${receiverUrl}/Upper-Case`);
    const listed = await call('GET', '/v1/webhooks', undefined, 'admin');
    expect((listed.body.items as { id: string; url: string }[]).find((w) => w.id === res.body.id)?.url).toBe(
      `${receiverUrl}/Upper-Case`,
    );
    expect((await call('DELETE', `/v1/webhooks/${res.body.id}`, undefined, 'admin')).status).toBe(200);
    // The delivery log's paging stays within a PostgreSQL integer.
    const page = await call(
      'GET',
      `/v1/webhooks/${res.body.id}/deliveries?offset=2147483648`,
      undefined,
      'admin',
    );
    expect(page.status).toBe(400);
    expect(page.body.error?.fields?.map((f) => f.path)).toEqual(['query.offset']);
  });

  it('a bad subscription is refused with 400 naming the field; only admins subscribe', async () => {
    const post = (body: unknown) => call('POST', '/v1/webhooks', body, 'admin');
    const cases: [unknown, string, RegExp][] = [
      [{ events: 'all' }, 'url', /required/],
      [{ url: 'ftp://hooks.example.com/x', events: 'all' }, 'url', /http or https/],
      [{ url: 'not a url', events: 'all' }, 'url', /http or https/],
      [{ url: 'https://hooks.example.com/x' }, 'events', /required/],
      [{ url: 'https://hooks.example.com/x', events: [] }, 'events', /at least one/],
      [{ url: 'https://hooks.example.com/x', events: 'everything' }, 'events', /"all" or a list/],
      [
        { url: 'https://hooks.example.com/x', events: ['receivable.warning', 'receivable.nope'] },
        'events.1',
        /unknown event "receivable.nope"/,
      ],
      [
        { url: 'https://hooks.example.com/x', events: 'all', description: 'x'.repeat(501) },
        'description',
        /./,
      ],
    ];
    for (const [body, field, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error?.code).toBe('validation_failed');
      expect(res.body.error?.fields?.[0]?.path, JSON.stringify(body)).toBe(field);
      expect(res.body.error?.fields?.[0]?.message).toMatch(message);
    }
    const ok = { url: 'https://hooks.example.com/x', events: 'all' };
    for (const role of ['finance', 'manager', 'auditor'] as const)
      expect((await call('POST', '/v1/webhooks', ok, role)).status).toBe(403);
    expect((await call('DELETE', '/v1/webhooks/wh_00000000000000000000', undefined, 'auditor')).status).toBe(
      403,
    );
    expect((await call('DELETE', '/v1/webhooks/wh_00000000000000000000', undefined, 'admin')).status).toBe(
      404,
    );
    expect(
      (await call('GET', '/v1/webhooks/wh_00000000000000000000/deliveries', undefined, 'admin')).status,
    ).toBe(404);
    expect((await call('GET', '/v1/webhooks', undefined, 'marketing')).status).toBe(403);
  });
});

/** A DNS answer of our choosing for every name (an attacker's resolver, rebinding a name). */
const resolvesTo =
  (address: string): LookupFunction =>
  (_hostname, options, callback) => {
    const cb = callback as (err: null, address: unknown, family?: number) => void;
    if (options.all) cb(null, [{ address, family: 4 }]);
    else cb(null, address, 4);
  };

describe('where a webhook may go', () => {
  /** An API as deployed with no allow-list: only public receivers. */
  async function publicOnlyApi() {
    const strict = await buildApi({ client: system.client, pool, policy: () => DEFAULT_POLICY });
    const headers = { ...(await testAuth.headers('admin')), 'content-type': 'application/json' };
    return {
      subscribe: async (url: string) => {
        const res = await strict.inject({
          method: 'POST',
          url: '/v1/webhooks',
          headers,
          payload: { url, events: 'all' },
        });
        return { status: res.statusCode, body: res.json() as ApiBody };
      },
      close: () => strict.close(),
    };
  }

  it('a subscription to loopback, private, link-local, metadata or unresolvable hosts is refused naming url', async () => {
    const api = await publicOnlyApi();
    const before = await pool.query('SELECT count(*)::int AS n FROM webhook_subscriptions');
    try {
      for (const url of [
        'http://127.0.0.1:54329/',
        'http://169.254.169.254/latest/meta-data/',
        'http://[::1]:3000/',
        'http://2130706433:3000/',
        'http://0x7f000001:3000/',
        'http://[::ffff:169.254.169.254]/',
        'http://metadata.google.internal/',
        'http://localhost:3000/',
        'http://10.0.0.7/hook',
        'http://192.168.1.20/hook',
        'http://172.16.5.4/hook',
        'http://100.64.0.1/hook',
        'http://0.0.0.0:3000/',
        'http://[fd00:ec2::254]/',
        'http://[fe80::1]/',
        'http://127.1:3000/',
      ]) {
        const res = await api.subscribe(url);
        expect(res.status, url).toBe(400);
        expect(res.body.error?.code).toBe('validation_failed');
        expect(res.body.error?.fields?.[0]?.path, url).toBe('url');
        expect(res.body.error?.fields?.[0]?.message, url).toMatch(/not a public one|does not resolve/);
      }
      // Credentials in the URL would be stored and shown to every auditor.
      const withSecret = await api.subscribe('https://hook:s3cret@203.0.113.9/x');
      expect(withSecret.status).toBe(400);
      expect(withSecret.body.error?.fields?.[0]).toMatchObject({
        path: 'url',
        message: /user name or password/,
      });
      expect(JSON.stringify(withSecret.body)).not.toContain('s3cret');
      // A public address is fine (nothing is sent to it until an event).
      const ok = await api.subscribe('https://8.8.8.8/creditflow');
      expect(ok.status).toBe(201);
      await pool.query('UPDATE webhook_subscriptions SET active = false WHERE id = $1', [ok.body.id]);
    } finally {
      await api.close();
    }
    const after = await pool.query('SELECT count(*)::int AS n FROM webhook_subscriptions');
    expect(after.rows[0].n).toBe(before.rows[0].n + 1);
  });

  it('the allow-list admits on-premises receivers, and only those networks', async () => {
    // This file's API allows 127.0.0.1/32: loopback on that address only.
    expect(
      (await call('POST', '/v1/webhooks', { url: `${receiverUrl}/x`, events: 'all' }, 'admin')).status,
    ).toBe(201);
    await pool.query(`UPDATE webhook_subscriptions SET active = false WHERE url = $1`, [`${receiverUrl}/x`]);
    const other = await call(
      'POST',
      '/v1/webhooks',
      { url: 'http://127.0.0.2:3000/', events: 'all' },
      'admin',
    );
    expect(other.status).toBe(400);
    expect(other.body.error?.fields?.[0]?.path).toBe('url');
  });

  it('at delivery, a host whose DNS answer became private is refused; nothing reaches it', async () => {
    await dispatcher.stop(); // a dispatcher of our own, resolving the name as an attacker's DNS would
    const port = (receiver.address() as AddressInfo).port;
    // Allowed when subscribed (its name then resolved to a public address); now it answers 127.0.0.1.
    const { subscription } = await createWebhookQueries(pool).createSubscription({
      url: `http://rebound.creditflow.test:${port}/rebound`,
      events: 'all',
      description: 'DNS rebinding',
      createdBy: 'test',
    });
    const rebinding = resolvesTo('127.0.0.1');
    const state = receivableAt('credit-desk', 60);
    await recordStep(state, 'step-warning', 15);
    const strict = newDispatcher(10, { allowedNetworks: [], lookup: rebinding });
    await strict.runOnce();
    const [refused] = await deliveries(subscription.id);
    expect(refused).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(refused?.lastError).toMatch(
      /^refused: rebound\.creditflow\.test resolves to 127\.0\.0\.1 is a loopback address/,
    );
    expect(received.filter((r) => r.path === '/rebound')).toEqual([]);

    // A receiver at a literal loopback address stored before the rule: refused at delivery too.
    const legacy = await createWebhookQueries(pool).createSubscription({
      url: `http://127.0.0.1:${port}/legacy`,
      events: 'all',
      description: 'stored before the check',
      createdBy: 'test',
    });
    await recordStep({ ...state, stateVersion: 61 }, 'step-warning', 15);
    await strict.runOnce();
    const [legacyAttempt] = await deliveries(legacy.subscription.id);
    expect(legacyAttempt?.lastError).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/);
    expect(received.filter((r) => r.path === '/legacy')).toEqual([]);
    await pool.query('UPDATE webhook_subscriptions SET active = false WHERE id = ANY($1)', [
      [subscription.id, legacy.subscription.id],
    ]);
    dispatcher = newDispatcher();
    dispatcher.start();
  });
});
