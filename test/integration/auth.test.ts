/**
 * Authentication and the role matrix, route by route: no credential → 401, a role
 * the matrix does not list → 403, and the record-level rules (a department votes
 * only for itself; a salesperson sees only their own; an auditor writes nothing).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceivableQueries } from '../../activities/receivable/queries.js';
import { createCredentialQueries } from '../../api/auth.js';
import { ROLE_MATRIX, ROLES, type Role } from '../../api/roles.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { Pool } from '../../infra/db.js';
import { createPolicyStore } from '../../infra/policy.js';
import type { TestAuth } from '../support/auth.js';
import { type System, startSystem } from '../support/system.js';

let system: System;
let api: FastifyInstance;
let pool: Pool;
let auth: TestAuth;

beforeAll(async () => {
  system = await startSystem({
    poolSize: 3,
    api: async (pool) => {
      const policyStore = await createPolicyStore(pool, DEFAULT_POLICY);
      return { policy: () => policyStore.current(), policyStore };
    },
  });
  ({ api, pool, auth } = system);
});
afterAll(async () => {
  await system?.stop();
});

const concrete = (path: string) =>
  path.replace(/:[A-Za-z]+/g, (p) => (p === ':month' ? '2030-01' : p === ':quarter' ? '2030-Q1' : 'X-1'));

describe('the role matrix, route by route', () => {
  const routes = Object.entries(ROLE_MATRIX).map(([key, roles]) => {
    const [method, path] = key.split(' ') as [string, string];
    return { key, method, path, roles };
  });

  it.each(routes.filter((r) => r.roles !== null))('$key: no credential → 401', async ({ method, path }) => {
    const res = await api.inject({ method: method as 'GET', url: concrete(path) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it.each(routes.filter((r) => r.roles !== null && r.roles.length < ROLES.length))(
    '$key: a role it does not list → 403',
    async ({ method, path, roles }) => {
      const outsider = ROLES.find((r) => !roles?.includes(r) && r !== 'sales') as Role;
      const res = await api.inject({
        method: method as 'GET',
        url: concrete(path),
        headers: await auth.headers(outsider),
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
    const q = createReceivableQueries(pool);
    const s = randomUUID().slice(0, 8);
    await q.upsertCounterparty({
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
      await q.upsertSalesperson({
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
    expect(
      (await api.inject({ method: 'GET', url: `/v1/receivables/AR-other-${s}/record`, headers: mine }))
        .statusCode,
    ).toBe(403);
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
    const writes = Object.entries(ROLE_MATRIX).filter(
      ([k, roles]) => !k.startsWith('GET') && roles?.includes('auditor'),
    );
    // The one POST an auditor may call computes and stores nothing.
    expect(writes.map(([k]) => k)).toEqual(['POST /v1/credit-terms/analysis']);
  });
});
