/**
 * Authentication and each route's roles, route by route: no credential → 401, a role
 * the route does not list → 403, and the record-level rules (a department votes
 * only for itself; a salesperson sees only their own; an auditor writes nothing).
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../../api/limits.js';
import { ROLES } from '../../api/roles.js';
import { buildApi } from '../../api/server.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { createCredentialQueries } from '../../store/credentials.js';
import type { Pool } from '../../store/db.js';
import { createStore } from '../../store/index.js';
import { type ApiBody, routeRoles, type TestAuth } from '../support/auth.js';
import { systemPerFile } from '../support/system.js';

let api: FastifyInstance;
let pool: Pool;
let auth: TestAuth;

const system = systemPerFile({ poolSize: 3, policyStore: true }, (s) => {
  ({ api, pool, auth } = s);
});

const concrete = (path: string) =>
  path.replace(/:[A-Za-z]+/g, (p) => (p === ':month' ? '2030-01' : p === ':quarter' ? '2030-Q1' : 'X-1'));

const routes = await routeRoles();

/** A salesperson's credential (its salesperson recorded once): the outsider of routes every staff role may call. */
let outsiderSalesperson: Promise<unknown> | undefined;
async function salesOutsider() {
  outsiderSalesperson ??= createStore(pool).salespeople.upsertSalesperson({
    id: 'SP-OUTSIDER',
    name: 'outsider',
    email: 'outsider@s.test',
    region: 'Shanghai',
    phone: null,
    creditLimitMinor: null,
  });
  await outsiderSalesperson;
  return auth.headers('sales', 'SP-OUTSIDER');
}

describe("each route's roles, route by route", () => {
  it.each(routes.filter((r) => r.roles !== null))('$key: no credential → 401', async ({ method, path }) => {
    const res = await api.inject({ method: method as 'GET', url: concrete(path) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it.each(routes.filter((r) => r.roles !== null && r.roles.length < ROLES.length))(
    '$key: a role it does not list → 403',
    async ({ method, path, roles }) => {
      // A staff role when one is left out; else sales (a salesperson's credential names its salesperson).
      const outsider = ROLES.find((r) => !roles?.includes(r) && r !== 'sales');
      const res = await api.inject({
        method: method as 'GET',
        url: concrete(path),
        headers: outsider ? await auth.headers(outsider) : await salesOutsider(),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: { code: 'forbidden' } });
    },
  );

  it('public routes need no credential', async () => {
    expect((await api.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const doc = (await api.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { 'x-roles'?: string[] }>>;
    };
    expect(doc.paths['/v1/receivables/{id}/write-off']?.post?.['x-roles']).toEqual(['manager']);
  });
});

describe('credentials and record-level rules', () => {
  it('a forged, malformed or revoked token is refused with 401', async () => {
    const credentials = createCredentialQueries(pool);
    const { id, token } = await credentials.create({ name: 'temp', role: 'finance' });
    const get = (t: string) =>
      api.inject({ method: 'GET', url: '/v1/policy', headers: { authorization: `Bearer ${t}` } });
    expect((await get(token)).statusCode).toBe(200);
    expect((await get(`${token.slice(0, -2)}xx`)).statusCode).toBe(401);
    expect((await get('not-a-token')).statusCode).toBe(401);
    await credentials.revoke(id);
    expect((await get(token)).statusCode).toBe(401);
    const stored = await pool.query('SELECT token_hash FROM credentials WHERE id = $1', [id]);
    // The secret is everything after cf_<id>_ (base64url: it may itself hold '_').
    const secret = token.slice('cf_'.length + id.length + 1);
    expect(secret).toHaveLength(43);
    expect(stored.rows[0].token_hash).not.toContain(secret);
  });

  it('only finance casts finance’s vote', async () => {
    const res = await api.inject({
      method: 'POST',
      url: '/v1/receivables/R-any/decisions',
      headers: await auth.headers('marketing'),
      payload: {
        department: 'finance',
        approve: true,
        approvedAmountMinor: 1,
        approvedTermDays: 30,
      },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { fields: [{ path: 'department' }] } });
  });

  it('a salesperson sees only their own receivables; an auditor reads all and writes nothing', async () => {
    const q = createStore(pool);
    const s = randomUUID().slice(0, 8);
    await q.counterparties.upsertCounterparty({
      id: `AD-${s}`,
      name: 'A dealer',
      kind: 'dealer',
      email: 'a@d.test',
      language: 'en',
      region: 'Hangzhou',
      contactName: null,
      creditGrade: 'AA',
      customerClass: null,
      creditLimitMinor: 1_000_000,
      creditTermDays: 60,
      joinedOn: '2024-01-01',
    });
    for (const who of ['mine', 'other']) {
      await q.salespeople.upsertSalesperson({
        id: `AS-${who}-${s}`,
        name: who,
        email: `${who}@s.test`,
        region: 'Shanghai',
        phone: null,
        creditLimitMinor: null,
      });
      await pool.query(
        `INSERT INTO receivables (id, workflow_id, counterparty_id, salesperson_id, currency, requested_minor, requested_term_days, stage, policy_version)
         VALUES ($1, $2, $3, $4, 'CNY', 100, 30, 'issued', 'test')`,
        [`AR-${who}-${s}`, `receivable:AR-${who}-${s}`, `AD-${s}`, `AS-${who}-${s}`],
      );
    }
    const mine = await auth.headers('sales', `AS-mine-${s}`);
    const list = await api.inject({
      method: 'GET',
      url: `/v1/receivables?counterpartyId=AD-${s}`,
      headers: mine,
    });
    expect((list.json() as { items: { id: string }[] }).items.map((r) => r.id)).toEqual([`AR-mine-${s}`]);
    // Another's receivable answers as an unknown one (test/integration/salesperson-visibility.test.ts).
    expect(
      (await api.inject({ method: 'GET', url: `/v1/receivables/AR-other-${s}/record`, headers: mine }))
        .statusCode,
    ).toBe(404);
    expect(
      (await api.inject({ method: 'GET', url: `/v1/receivables/AR-mine-${s}/record`, headers: mine }))
        .statusCode,
    ).toBe(200);
    const filing = await api.inject({
      method: 'POST',
      url: '/v1/credit-applications',
      headers: mine,
      payload: { counterpartyId: `AD-${s}`, salespersonId: `AS-other-${s}`, amountMinor: 100 },
    });
    expect(filing.statusCode).toBe(403);

    const auditor = await auth.headers('auditor');
    const all = await api.inject({
      method: 'GET',
      url: `/v1/receivables?counterpartyId=AD-${s}`,
      headers: auditor,
    });
    expect((all.json() as { items: unknown[] }).items).toHaveLength(2);
    const writes = (await routeRoles()).filter((r) => r.method !== 'GET' && r.roles?.includes('auditor'));
    // The POSTs an auditor may call compute and store nothing (a marginal analysis, a template's
    // preview); besides, in the workspace, an auditor signs out and picks a language
    // (docs/workspace.md): no credit fact either.
    expect(writes.map((r) => r.key).sort()).toEqual(
      [
        'POST /app/sign-out',
        'POST /v1/credit-terms/analysis',
        'POST /v1/templates/:kind/:language/preview',
        'PUT /v1/me/language',
      ].sort(),
    );
  });
});

/**
 * A raw HTTP exchange: writes `parts` (waiting `gapMs` between them), then gathers what the
 * server answers until it closes the connection or `deadlineMs` passes.
 */
function rawExchange(
  base: string,
  parts: string[],
  { gapMs = 0, deadlineMs = 10_000 } = {},
): Promise<{ text: string; closed: boolean; ms: number }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), deadlineMs);
    socket.on('data', (d) => {
      text += d.toString('utf8');
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const part of parts) {
        if (done || socket.destroyed) return;
        socket.write(part);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}
const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
const jsonOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as ApiBody;

describe('headers on every answer', () => {
  it('nosniff, frame protection, a strict CSP and no-store on answers, errors included', async () => {
    const ok = await api.inject({ method: 'GET', url: '/v1/policy', headers: await auth.headers('finance') });
    const missing = await api.inject({
      method: 'GET',
      url: '/v1/receivables/R-none',
      headers: await auth.headers('finance'),
    });
    const noRoute = await api.inject({ method: 'GET', url: '/v1/nothing-here' });
    for (const res of [ok, missing, noRoute]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(ok.statusCode).toBe(200);
  });

  it('401 names the scheme: WWW-Authenticate Bearer, invalid_token when a token failed', async () => {
    const none = await api.inject({ method: 'GET', url: '/v1/policy' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="creditflow"');
    const bad = await api.inject({
      method: 'GET',
      url: '/v1/policy',
      headers: { authorization: 'Bearer nope' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toBe('Bearer realm="creditflow", error="invalid_token"');
    expect(bad.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('the dashboard and /docs keep their own page policies', async () => {
    const dashboard = await api.inject({ method: 'GET', url: '/dashboard' });
    expect(String(dashboard.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(dashboard.headers['cache-control']).toBe('no-cache');
    const docs = await api.inject({ method: 'GET', url: '/docs' });
    expect(String(docs.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(docs.headers['x-frame-options']).toBe('DENY');
  });
});

describe('authentication before the body', () => {
  it('an unauthenticated request is refused without its body being parsed', async () => {
    const res = await api.inject({
      method: 'POST',
      url: '/v1/counterparties',
      headers: { 'content-type': 'application/json' },
      payload: '{"id": not json',
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('a refused caller is answered at once, without waiting for the body it announced', async () => {
    for (const [path, type] of [
      ['/v1/counterparties', 'application/json'],
      ['/v1/imports/counterparties', 'text/csv'],
    ]) {
      const res = await rawExchange(system.base, [
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: 50000000\r\n\r\n{`,
      ]);
      expect(statusOf(res.text), path).toBe(401);
      expect(jsonOf(res.text)).toMatchObject({ error: { code: 'unauthenticated' } });
      expect(res.closed, `${path}: the connection closes rather than read the body`).toBe(true);
    }
  });
});

describe('failed authentication is limited', () => {
  it('past the limit a minute, an address gets 429 (Retry-After, the one error shape); missing credentials and successes do not count', async () => {
    const limited = await buildApi({
      client: system.client,
      pool,
      policy: () => DEFAULT_POLICY,
      limits: { ...DEFAULT_HTTP_LIMITS, authFailuresPerMinute: 3 },
    });
    try {
      const get = (authorization?: string) =>
        limited.inject({
          method: 'GET',
          url: '/v1/receivables?limit=1',
          headers: authorization ? { authorization } : {},
        });
      const good = (await auth.headers('finance')).authorization;
      for (let i = 0; i < 10; i++) expect((await get(good)).statusCode).toBe(200);
      for (let i = 0; i < 10; i++) expect((await get()).statusCode).toBe(401);
      for (let i = 0; i < 3; i++)
        expect((await get(`Bearer cf_aaaaaaaaaaaa_${'x'.repeat(43)}`)).statusCode).toBe(401);
      const refused = await get('Bearer guess');
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toEqual({
        error: { code: 'too_many_failed_authentications', message: expect.stringMatching(/retry in \d+ s/) },
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // The address is held off for the rest of the minute: no credential from it is looked at.
      expect((await get(good)).statusCode).toBe(429);
      // Another address is not.
      const elsewhere = await limited.inject({
        method: 'GET',
        url: '/v1/receivables?limit=1',
        headers: { authorization: good },
        remoteAddress: '192.0.2.10',
      });
      expect(elsewhere.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('behind a trusted proxy (API_TRUST_PROXY) the limit is per forwarded client; anyone else forwards nothing', async () => {
    const behindProxy = await buildApi({
      client: system.client,
      pool,
      policy: () => DEFAULT_POLICY,
      limits: { ...DEFAULT_HTTP_LIMITS, authFailuresPerMinute: 1 },
      trustProxy: ['127.0.0.1'],
    });
    try {
      const good = (await auth.headers('finance')).authorization;
      const bad = `Bearer cf_aaaaaaaaaaaa_${'x'.repeat(43)}`;
      const get = (authorization: string, forwardedFor: string, remoteAddress = '127.0.0.1') =>
        behindProxy.inject({
          method: 'GET',
          url: '/v1/receivables?limit=1',
          headers: { authorization, 'x-forwarded-for': forwardedFor },
          remoteAddress,
        });
      expect((await get(bad, '198.51.100.1')).statusCode).toBe(401);
      expect((await get(bad, '198.51.100.1')).statusCode).toBe(429);
      // Another client through the same proxy is not held off.
      expect((await get(good, '198.51.100.2')).statusCode).toBe(200);
      // A sender that is not the proxy is limited by its own address, whatever it forwards.
      expect((await get(bad, '198.51.100.3', '192.0.2.20')).statusCode).toBe(401);
      expect((await get(good, '198.51.100.4', '192.0.2.20')).statusCode).toBe(429);
    } finally {
      await behindProxy.close();
    }
  });
});

describe('slow clients are cut off', () => {
  const SHORT: HttpLimits = {
    ...DEFAULT_HTTP_LIMITS,
    headersTimeoutMs: 500,
    requestTimeoutMs: 800,
    uploadStallMs: 800,
  };
  let slow: Awaited<ReturnType<typeof buildApi>>;
  let slowBase: string;
  beforeAll(async () => {
    slow = await buildApi({ client: system.client, pool, policy: () => DEFAULT_POLICY, limits: SHORT });
    slowBase = await slow.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('headers that do not arrive in time: 408 in the one error shape, connection closed', async () => {
    const res = await rawExchange(slowBase, ['GET /health HTTP/1.1\r\n', 'Host: x\r\n', 'X-Slow: 1\r\n'], {
      gapMs: 200,
    });
    expect(res.closed).toBe(true);
    expect(res.ms).toBeLessThan(5_000);
    expect(statusOf(res.text)).toBe(408);
    expect(jsonOf(res.text)).toMatchObject({ error: { code: 'request_timeout' } });
  });

  it('a body that does not arrive in time: 408, connection closed', async () => {
    const { authorization } = await auth.headers('finance');
    const res = await rawExchange(slowBase, [
      `POST /v1/counterparties HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":`,
    ]);
    expect(res.closed).toBe(true);
    expect(res.ms).toBeLessThan(5_000);
    expect(statusOf(res.text)).toBe(408);
    expect(jsonOf(res.text)).toMatchObject({ error: { code: 'request_timeout' } });
  });

  it('an upload may take longer than a request, as long as it keeps sending; a stalled one gets 408', async () => {
    const { authorization } = await auth.headers('finance');
    const t = randomUUID().slice(0, 8);
    const rows = Array.from(
      { length: 25 },
      (_, i) =>
        `SLOW${i}-${t},Dealer ${i},dealer,s${i}-${t}@dealer.test,Hangzhou,AA,,1000000,60,2024-03-01\n`,
    );
    const csv = `id,name,kind,email,region,creditGrade,customerClass,creditLimitMinor,creditTermDays,joinedOn\n${rows.join('')}`;
    const head = (length: number) =>
      `POST /v1/imports/counterparties HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: text/csv\r\nContent-Length: ${length}\r\n\r\n`;
    // 26 pieces 100 ms apart: over 2.5 s in all, three times the request timeout, never stalled.
    const pieces = [head(Buffer.byteLength(csv)), ...csv.split(/(?<=\n)/)];
    const steady = await rawExchange(slowBase, pieces, { gapMs: 100, deadlineMs: 20_000 });
    expect(statusOf(steady.text)).toBe(201);
    expect(steady.ms).toBeGreaterThan(SHORT.requestTimeoutMs * 2);

    const stalled = await rawExchange(slowBase, [head(Buffer.byteLength(csv) + 1000), csv]);
    expect(stalled.ms).toBeLessThan(8_000);
    expect(statusOf(stalled.text)).toBe(408);
    expect(jsonOf(stalled.text)).toMatchObject({ error: { code: 'request_timeout' } });
  });
});
