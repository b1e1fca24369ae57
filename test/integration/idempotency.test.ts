/**
 * Idempotency-Key on POST, through a real API on the real PostgreSQL and Temporal
 * dev server: a retry gets the first answer and runs nothing; another request with
 * the key is refused naming the header; keys are per credential; a request that
 * never reached its handler, or failed on our side, keeps nothing.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { describe, expect, inject, it } from 'vitest';
import { requestHash } from '../../api/plugins/idempotency.js';
import type { Role } from '../../api/roles.js';
import { buildApi } from '../../api/server.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { createCredentialQueries } from '../../store/credentials.js';
import type { Pool } from '../../store/db.js';
import { createIdempotencyQueries } from '../../store/idempotency.js';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { dealerRequest } from '../support/applications.js';
import type { ApiBody, TestAuth } from '../support/auth.js';
import { eventually, systemPerFile } from '../support/system.js';

let api: FastifyInstance;
let base: string;
let pool: Pool;
let auth: TestAuth;
let client: Client;

systemPerFile({ poolSize: 5 }, (s) => {
  ({ api, base, pool, auth, client } = s);
});

interface Answer {
  status: number;
  text: string;
  body: ApiBody;
  replayed: string | null;
  contentType: string | null;
}

async function post(
  path: string,
  body: unknown,
  opts: { key?: string; as?: Role; token?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : await auth.headers(opts.as ?? 'finance')),
      'content-type': 'application/json',
      ...(opts.key === undefined ? {} : { 'idempotency-key': opts.key }),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    body: JSON.parse(text) as ApiBody,
    replayed: res.headers.get('idempotent-replayed'),
    contentType: res.headers.get('content-type'),
  };
}

const newKey = () => `key-${randomUUID()}`;

const dealer = (id = `ID-${randomUUID().slice(0, 8)}`) => dealerRequest(id);

async function seedParties() {
  const d = dealer();
  const seller = {
    id: `IS-${randomUUID().slice(0, 8)}`,
    name: 'Seller',
    email: 'seller@acme.test',
    region: 'Shanghai',
  };
  expect((await post('/v1/counterparties', d)).status).toBe(201);
  expect((await post('/v1/salespeople', seller)).status).toBe(201);
  return { dealerId: d.id, salespersonId: seller.id };
}

async function workflowsFor(counterpartyId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of client.workflow.list({ query: `CounterpartyId = '${counterpartyId}'` }))
    ids.push(w.workflowId);
  return ids;
}

/** Waits (bounded) for the visibility store to list at least one workflow. */
const eventuallyListed = (counterpartyId: string): Promise<string[]> =>
  eventually(
    () => workflowsFor(counterpartyId),
    (ids) => ids.length > 0,
    `a workflow listed for ${counterpartyId}`,
  );

const keyRows = async (key: string) =>
  (
    await pool.query<{ credential_id: string; request_hash: string; status: number | null }>(
      'SELECT credential_id, request_hash, status FROM idempotency_keys WHERE key = $1',
      [key],
    )
  ).rows;

describe('Idempotency-Key on POST', () => {
  it('a retry with the same key and body gets the first answer and starts no second workflow', async () => {
    const { dealerId, salespersonId } = await seedParties();
    // No receivableId: without a key, each call would make a new receivable with a fresh id.
    const application = { counterpartyId: dealerId, salespersonId, amountMinor: 300_000 };
    const key = newKey();
    const first = await post('/v1/credit-applications', application, { key });
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    const retry = await post('/v1/credit-applications', application, { key });
    expect(retry.status).toBe(201);
    expect(retry.replayed).toBe('true');
    expect(retry.contentType).toBe(first.contentType);
    expect(retry.text).toBe(first.text);

    const receivableId = first.body.receivableId as string;
    expect(await eventuallyListed(dealerId)).toEqual([receivableWorkflowId(receivableId)]);
    // What is kept: a hash of the request, not the request.
    const rows = await keyRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.request_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.status).toBe(201);
  });

  it('the handler does not run again: an upsert replays "created", and key order in the body does not matter', async () => {
    const d = dealer();
    const key = newKey();
    const first = await post('/v1/counterparties', d, { key });
    expect(first).toMatchObject({ status: 201, body: { id: d.id, created: true } });
    const reordered = Object.fromEntries(Object.entries(d).reverse());
    const retry = await post('/v1/counterparties', reordered, { key });
    expect(retry).toMatchObject({ status: 201, replayed: 'true', body: { id: d.id, created: true } });
    // Without the key the handler runs, and says the counterparty already existed.
    const plain = await post('/v1/counterparties', d);
    expect(plain).toMatchObject({ status: 200, replayed: null, body: { created: false } });
  });

  it('the same key with another body or another path is refused with 422 naming the header', async () => {
    const d = dealer();
    const key = newKey();
    expect((await post('/v1/counterparties', d, { key })).status).toBe(201);
    const otherBody = await post('/v1/counterparties', { ...d, creditLimitMinor: 1 }, { key });
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.error).toMatchObject({
      code: 'idempotency_key_reused',
      fields: [{ path: 'Idempotency-Key' }],
    });
    const otherPath = await post(
      `/v1/counterparties/${d.id}/supply`,
      { action: 'stop', reason: 'r' },
      {
        key,
        as: 'manager',
      },
    );
    // A manager is another credential: the key is theirs to use.
    expect(otherPath.status).toBe(200);
    const salesperson = { id: `IS-${randomUUID().slice(0, 8)}`, name: 'S', email: 's@a.test', region: 'X' };
    const samePrincipalOtherPath = await post('/v1/salespeople', salesperson, { key });
    expect(samePrincipalOtherPath.status).toBe(422);
    expect(samePrincipalOtherPath.body.error?.code).toBe('idempotency_key_reused');
    // The counterparty's limit was not changed by the refused request.
    const limit = await pool.query('SELECT credit_limit_minor FROM counterparties WHERE id = $1', [d.id]);
    expect(limit.rows[0].credit_limit_minor).toBe(10_000_000);
  });

  it("two callers' keys never collide", async () => {
    const d = dealer();
    const key = newKey();
    const byFinance = await post('/v1/counterparties', d, { key, as: 'finance' });
    expect(byFinance).toMatchObject({ status: 201, body: { created: true } });
    // The same key and body from another credential runs for that caller: no replay of finance's answer.
    const byAdmin = await post('/v1/counterparties', d, { key, as: 'admin' });
    expect(byAdmin).toMatchObject({ status: 200, replayed: null, body: { created: false } });
    // Another body under the same key is no conflict for a third caller of the same role either.
    const { token } = await createCredentialQueries(pool).create({ name: 'second finance', role: 'finance' });
    const other = dealer();
    const byOtherFinance = await post('/v1/counterparties', other, { key, token });
    expect(byOtherFinance).toMatchObject({
      status: 201,
      replayed: null,
      body: { id: other.id, created: true },
    });
    expect(new Set((await keyRows(key)).map((r) => r.credential_id)).size).toBe(3);
  });

  it('a 400 from request validation keeps nothing: the same key then runs the corrected request', async () => {
    const d = dealer();
    const key = newKey();
    const invalid = await post('/v1/counterparties', { ...d, email: 'not-an-address' }, { key });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({ code: 'validation_failed', fields: [{ path: 'email' }] });
    expect(await keyRows(key)).toHaveLength(0);
    const fixed = await post('/v1/counterparties', d, { key });
    expect(fixed).toMatchObject({ status: 201, replayed: null, body: { created: true } });
  });

  it("a business refusal (4xx from the handler) is the request's answer and is replayed", async () => {
    const { salespersonId } = await seedParties();
    const missing = `ID-${randomUUID().slice(0, 8)}`;
    const application = { counterpartyId: missing, salespersonId, amountMinor: 1_000 };
    const key = newKey();
    const refused = await post('/v1/credit-applications', application, { key });
    expect(refused.status).toBe(422);
    expect(refused.body.error?.fields).toEqual([{ path: 'counterpartyId', message: expect.any(String) }]);
    // Even once the counterparty exists, the key stands for that refused request (send a new key).
    expect((await post('/v1/counterparties', dealer(missing))).status).toBe(201);
    const retry = await post('/v1/credit-applications', application, { key });
    expect(retry).toMatchObject({ status: 422, replayed: 'true', text: refused.text });
    expect(await workflowsFor(missing)).toEqual([]);
  });

  it('a 5xx releases the key, so a retry runs the request for real', async () => {
    const { dealerId, salespersonId } = await seedParties();
    // A second API on the same database whose Temporal connection is gone: starting a workflow fails.
    const deadConnection = await Connection.connect({ address: inject('temporalAddress') });
    const broken = await buildApi({
      client: new Client({ connection: deadConnection }),
      pool,
      policy: () => DEFAULT_POLICY,
    });
    await deadConnection.close();
    const key = newKey();
    const application = {
      receivableId: `IR-${randomUUID().slice(0, 8)}`,
      counterpartyId: dealerId,
      salespersonId,
      amountMinor: 5_000,
    };
    try {
      const failed = await broken.inject({
        method: 'POST',
        url: '/v1/credit-applications',
        headers: { ...(await auth.headers('finance')), 'idempotency-key': key },
        payload: application,
      });
      expect(failed.statusCode, failed.body).toBe(503);
    } finally {
      await broken.close();
    }
    expect(await keyRows(key)).toHaveLength(0);
    const retry = await post('/v1/credit-applications', application, { key });
    expect(retry).toMatchObject({ status: 201, replayed: null, body: { created: true } });
  });

  it('concurrent requests with one key run the handler once; the others wait for the answer or get 409', async () => {
    const { dealerId, salespersonId } = await seedParties();
    const application = { counterpartyId: dealerId, salespersonId, amountMinor: 7_000 };
    const key = newKey();
    await auth.headers('finance'); // one credential for all
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post('/v1/credit-applications', application, { key })),
    );
    const ran = answers.filter((a) => a.status === 201 && a.replayed === null);
    expect(ran).toHaveLength(1);
    const receivableId = ran[0]?.body.receivableId;
    for (const a of answers) {
      if (a.status === 409) {
        expect(a.body.error).toMatchObject({
          code: 'idempotency_key_in_flight',
          fields: [{ path: 'Idempotency-Key' }],
        });
      } else {
        expect(a.status).toBe(201);
        expect(a.body.receivableId).toBe(receivableId);
      }
    }
    // Once the first has answered, a retry gets its answer.
    expect(await post('/v1/credit-applications', application, { key })).toMatchObject({
      status: 201,
      replayed: 'true',
      body: { receivableId },
    });
    expect(await eventuallyListed(dealerId)).toEqual([receivableWorkflowId(receivableId as string)]);
  });

  it('a claim whose process died answers 409 until its lease runs out, then the retry runs', async () => {
    const d = dealer();
    const key = newKey();
    const credentialId = (await auth.token('finance')).split('_')[1] as string;
    // A process claimed the key for this very request and never answered.
    const hash = requestHash({ method: 'POST', url: '/v1/counterparties', query: {}, body: d });
    const crashed = await createIdempotencyQueries(pool).claim(credentialId, key, hash);
    expect(crashed.kind).toBe('claimed');
    const during = await post('/v1/counterparties', d, { key });
    expect(during.status).toBe(409);
    expect(during.body.error).toMatchObject({ code: 'idempotency_key_in_flight' });
    await pool.query(
      "UPDATE idempotency_keys SET locked_until = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    const after = await post('/v1/counterparties', d, { key });
    expect(after).toMatchObject({ status: 201, replayed: null, body: { created: true } });
    expect((await post('/v1/counterparties', d, { key })).replayed).toBe('true');
  });

  it('a malformed key is a 400 naming the header; non-POST routes ignore the header', async () => {
    const headers = await auth.headers('finance');
    for (const bad of ['', 'x'.repeat(256), 'tab\there', 'ключ']) {
      const res = await api.inject({
        method: 'POST',
        url: '/v1/counterparties',
        headers: { ...headers, 'idempotency-key': bad },
        payload: dealer(),
      });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json()).toMatchObject({
        error: { code: 'validation_failed', fields: [{ path: 'Idempotency-Key' }] },
      });
    }
    const d = dealer();
    const longest = await post('/v1/counterparties', d, { key: `~${'k'.repeat(252)} !` });
    expect(longest.status).toBe(201);
    const get = await api.inject({
      method: 'GET',
      url: `/v1/counterparties/${d.id}`,
      headers: { ...headers, 'idempotency-key': '' },
    });
    expect(get.statusCode).toBe(200);
  });

  it('keys expire after the retention period: then the key runs a new request', async () => {
    const d = dealer();
    const key = newKey();
    expect((await post('/v1/counterparties', d, { key })).status).toBe(201);
    await pool.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", [
      key,
    ]);
    const after = await post('/v1/counterparties', { ...d, name: 'Renamed' }, { key });
    expect(after).toMatchObject({ status: 200, replayed: null, body: { created: false } });
    // The sweep removes expired keys.
    await pool.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", [
      key,
    ]);
    expect(await createIdempotencyQueries(pool).purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await keyRows(key)).toHaveLength(0);
  });

  it('the OpenAPI document declares the header on every authenticated POST and on nothing else', async () => {
    const doc = (await api.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; in: string }[]; 'x-roles'?: string[] }>
      >;
    };
    let posts = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? []).some((p) => p.name === 'Idempotency-Key' && p.in === 'header');
        // A public POST (signing in, a debtor's act through its portal link) keeps no answers.
        const authenticated = op['x-roles'] !== undefined;
        expect(declared, `${method} ${path}`).toBe(method === 'post' && authenticated);
        if (method === 'post' && authenticated) posts++;
      }
    }
    expect(posts).toBeGreaterThan(10);
  });
});
