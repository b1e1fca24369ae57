/**
 * The API's request path with the credential cache (api/credential-cache.ts), as two API
 * processes run it: API A (the system's) and API B, each with its own pool and its own
 * cache listening for credential changes. A credential revoked through A's process is
 * refused by B once PostgreSQL's announcement reaches B; B's listening connection cut, B
 * keeps nothing until it listens again. And with a cached credential, a credit application
 * costs one PostgreSQL round trip and a receivable's GET one.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject as injected, it } from 'vitest';
import {
  type CredentialCache,
  createCredentialCache,
  startCredentialCache,
} from '../../api/credential-cache.js';
import { buildApi } from '../../api/server.js';
import type { PolicyStore } from '../../infra/policy.js';
import { CREDENTIALS_CHANNEL, createCredentialQueries } from '../../store/credentials.js';
import { createPool, type Pool } from '../../store/db.js';
import { createStore } from '../../store/index.js';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { seedDealerAndSalesperson } from '../support/acme.js';
import { createPerson, type Person } from '../support/auth.js';
import { eventually, systemPerFile } from '../support/system.js';

const LIMITS = { maxEntries: 1_000, maxAgeMs: 60_000 };
const B_NAME = `api-b-${process.pid}`;

const system = systemPerFile({
  worker: true,
  policyStore: true,
  api: async (pool) => ({
    credentialCache: await startCredentialCache(createStore(pool).credentials, LIMITS),
  }),
});

// API B: its own pool (named, so its listening connection can be told apart), whose queries are counted.
let poolB: Pool;
let apiB: FastifyInstance;
let cacheB: CredentialCache;
let queriesB = 0;
const heardB: string[] = [];
let refuseListening = false;

beforeAll(async () => {
  const url = new URL(injected('databaseUrl'));
  url.searchParams.set('application_name', B_NAME);
  poolB = createPool(url.toString(), 3);
  const counted = new Proxy(poolB, {
    get(target, key) {
      if (key === 'query')
        return (...args: Parameters<Pool['query']>) => {
          queriesB++;
          return (target.query as (...a: unknown[]) => unknown)(...args);
        };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Pool;
  const store = createStore(counted);
  const credentials = createCredentialQueries(counted);
  cacheB = createCredentialCache({
    ...LIMITS,
    lookup: (header) => credentials.authenticate(header),
    // The store's connection, with the test told of each announcement B hears, and able to
    // keep B from listening again for a while.
    listener: (on) => {
      const connection = credentials.listener({
        changed: (id) => {
          on.changed(id);
          heardB.push(id);
        },
        lost: on.lost,
      });
      return {
        async start() {
          if (refuseListening) throw new Error('the test keeps API B from listening');
          await connection.start();
        },
        end: () => connection.end(),
      };
    },
    log: () => {},
  });
  await cacheB.start();
  apiB = await buildApi({
    client: system.client,
    pool: counted,
    store,
    policy: () => policies().current(),
    policyStore: policies(),
    credentialCache: cacheB,
  });
  await apiB.ready();
});
afterAll(async () => {
  await apiB?.close();
  await poolB?.end();
});

/** What API B answers `who` on `METHOD url`, and the PostgreSQL queries it made for it. */
async function onB(who: Person, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const before = queriesB;
  const res = await apiB.inject({
    method,
    url,
    headers: { authorization: `Bearer ${who.token}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown>, queries: queriesB - before };
}

const policies = () => system.policyStore as PolicyStore;
const revokeThroughA = (who: Person) => createCredentialQueries(system.pool).revoke(who.actor.credentialId);

describe('the credential cache across two API processes', () => {
  it('B answers a credential it verified without a look-up; revoked through A, B refuses it as the announcement arrives', async () => {
    const li = await createPerson(system.pool, 'finance', `li-${randomUUID().slice(0, 6)}`, '李丽');
    expect(await onB(li, 'GET', '/v1/policy')).toMatchObject({ status: 200, queries: 1 });
    expect(await onB(li, 'GET', '/v1/policy')).toMatchObject({ status: 200, queries: 0 });
    // A's own cache knows it too.
    const onA = () =>
      system.api.inject({
        method: 'GET',
        url: '/v1/policy',
        headers: { authorization: `Bearer ${li.token}` },
      });
    expect((await onA()).statusCode).toBe(200);

    expect(await revokeThroughA(li)).toBe(true);
    await eventually(
      async () => heardB,
      (heard) => heard.includes(li.actor.credentialId),
      'the announcement on API B',
      { timeoutMs: 10_000, intervalMs: 10 },
    );
    // Well inside the cache's 60 s: the announcement, not the age, ended it.
    expect(await onB(li, 'GET', '/v1/policy')).toMatchObject({ status: 401, queries: 1 });
    await eventually(
      async () => (await onA()).statusCode,
      (status) => status === 401,
      'the revocation on API A',
      { timeoutMs: 10_000, intervalMs: 10 },
    );
  });

  it('B’s listening connection cut: B keeps nothing, refuses a credential revoked meanwhile at once, and keeps credentials again once it listens', async () => {
    const wang = await createPerson(system.pool, 'finance', `wang-${randomUUID().slice(0, 6)}`, '王伟');
    const zhao = await createPerson(system.pool, 'manager', `zhao-${randomUUID().slice(0, 6)}`, '赵敏');
    await onB(wang, 'GET', '/v1/policy');
    expect(await onB(wang, 'GET', '/v1/policy')).toMatchObject({ status: 200, queries: 0 });
    expect(cacheB.listening).toBe(true);

    refuseListening = true;
    const cut = await system.pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query = $2',
      [B_NAME, `LISTEN ${CREDENTIALS_CHANNEL}`],
    );
    expect(cut.rowCount).toBe(1);
    await eventually(
      async () => cacheB.listening,
      (listening) => !listening,
      'API B noticing its connection dropped',
      { timeoutMs: 10_000, intervalMs: 10 },
    );
    expect(cacheB.size).toBe(0);
    // Not listening: every request is looked up, and nothing is kept.
    expect(await onB(wang, 'GET', '/v1/policy')).toMatchObject({ status: 200, queries: 1 });
    expect(await onB(wang, 'GET', '/v1/policy')).toMatchObject({ status: 200, queries: 1 });
    // A revocation B cannot hear is in force on B's very next request.
    await revokeThroughA(wang);
    expect(heardB).not.toContain(wang.actor.credentialId);
    expect(await onB(wang, 'GET', '/v1/policy')).toMatchObject({ status: 401, queries: 1 });

    refuseListening = false;
    await eventually(async () => cacheB.listening, Boolean, 'API B listening again', 60_000);
    expect(await onB(zhao, 'GET', '/v1/policy')).toMatchObject({ status: 200, queries: 1 });
    expect(await onB(zhao, 'GET', '/v1/policy')).toMatchObject({ status: 200, queries: 0 });
  });
});

describe('round trips on the request path, the credential cached', () => {
  it('a credit application without Idempotency-Key makes one PostgreSQL query; a receivable’s GET one', async () => {
    const chen = await createPerson(system.pool, 'finance', `chen-${randomUUID().slice(0, 6)}`, '陈静');
    const { counterpartyId, salespersonId } = await seedDealerAndSalesperson(system.pool, 'CC');
    await onB(chen, 'GET', '/v1/policy'); // verified once, kept
    const receivableId = `CC-${randomUUID().slice(0, 8)}`;
    const filed = await onB(chen, 'POST', '/v1/credit-applications', {
      receivableId,
      counterpartyId,
      salespersonId,
      amountMinor: 500_000,
      requestedTermDays: 30,
    });
    expect(filed).toMatchObject({ status: 201, queries: 1 });

    // Unknown parties are still named, from the same one query.
    const unknown = await onB(chen, 'POST', '/v1/credit-applications', {
      counterpartyId: 'NO-SUCH-DEALER',
      salespersonId,
      amountMinor: 500_000,
    });
    expect(unknown).toMatchObject({
      status: 422,
      queries: 1,
      body: { error: { fields: [{ path: 'counterpartyId' }] } },
    });

    // Once the workflow recorded its state, the GET is that one primary-key read.
    const store = createStore(system.pool);
    await eventually(
      () => store.receivables.getReceivableState(receivableId),
      (s) => s !== undefined,
      'the receivable state recorded',
    );
    expect(await onB(chen, 'GET', `/v1/receivables/${receivableId}`)).toMatchObject({
      status: 200,
      queries: 1,
      body: { receivableId },
    });
    await system.client.workflow.getHandle(receivableWorkflowId(receivableId)).terminate('test done');
  });
});
