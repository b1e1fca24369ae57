/**
 * The policy admin API: a new version is validated field by field, stored, and
 * recorded in the input (history) of every receivable workflow started after it.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createCredentialQueries } from '../../store/credentials.js';
import type { Pool } from '../../store/db.js';
import { type ReceivableInput, receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { seedCounterparty, seedSalesperson } from '../support/seed.js';
import { type System, systemPerFile } from '../support/system.js';

let pool: Pool;
let client: Client;

const system = systemPerFile({ poolSize: 3, policyStore: true }, (s) => {
  ({ pool, client } = s);
});
const call: System['call'] = (...args) => system.call(...args);

describe('policy admin API', () => {
  it('refuses a bad document naming the field, and keeps the policy in force', async () => {
    const before = (await call('GET', '/v1/policy')).body.version;
    const bad = await call('PUT', '/v1/policy', {
      document: { version: 'bad-1', receivable: { businessHour: 25 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.fields?.map((f) => f.path)).toEqual(['receivable.businessHour']);
    expect((await call('GET', '/v1/policy')).body.version).toBe(before);
  });

  it('records the admin credential as who changed the policy; a changedBy in the body is refused', async () => {
    const version = `acme-${randomUUID().slice(0, 6)}`;
    const named = await call('PUT', '/v1/policy', { changedBy: 'the-ceo', document: { version } });
    expect(named.status).toBe(400);
    expect(named.body.error?.fields?.map((f) => f.path)).toEqual(['changedBy']);
    expect((await call('GET', '/v1/policy')).body.version).not.toBe(version);

    const admin = await createCredentialQueries(pool).create({
      name: `chen-${version}`,
      displayName: '陈静',
      role: 'admin',
    });
    const put = await fetch(`${system.base}/v1/policy`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ document: { version } }),
    });
    expect(put.status).toBe(201);
    const versions = (await call('GET', '/v1/policy/versions')).body.items as Record<string, unknown>[];
    expect(versions.find((v) => v.version === version)).toMatchObject({
      changedBy: `陈静 (chen-${version}, admin)`,
      changedByActor: { credentialId: admin.id, username: `chen-${version}`, name: '陈静', role: 'admin' },
    });
  });

  it('stores a new version that new receivable workflows record in their history', async () => {
    const version = `acme-${randomUUID().slice(0, 6)}`;
    const put = await call('PUT', '/v1/policy', {
      document: { version, receivable: { cashDiscount: { rateBp: 200, days: 15 } } },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ version, receivable: { cashDiscount: { rateBp: 200, days: 15 } } });
    const again = await call('PUT', '/v1/policy', { document: { version } });
    expect(again.status).toBe(400);
    expect(again.body.error?.fields?.map((f) => f.path)).toEqual(['version']);
    const versions = (await call('GET', '/v1/policy/versions')).body.items as { version: string }[];
    expect(versions.map((v) => v.version)).toContain(version);

    const suffix = randomUUID().slice(0, 8);
    await seedCounterparty(pool, {
      id: `PD-${suffix}`,
      name: 'P dealer',
      email: 'p@d.test',
      language: 'en',
      creditGrade: 'AA',
      creditLimitMinor: 1_000_000,
      creditTermDays: 60,
    });
    await seedSalesperson(pool, { id: `PS-${suffix}`, name: 'P seller', email: 'p@s.test' });
    const started = await call('POST', '/v1/credit-applications', {
      receivableId: `PR-${suffix}`,
      counterpartyId: `PD-${suffix}`,
      salespersonId: `PS-${suffix}`,
      amountMinor: 1000,
    });
    expect(started.status).toBe(201);
    const history = await client.workflow.getHandle(receivableWorkflowId(`PR-${suffix}`)).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = JSON.parse(Buffer.from(payload?.data ?? new Uint8Array()).toString()) as ReceivableInput;
    expect(input.policy.version).toBe(version);
    expect(input.policy.receivable.cashDiscount).toEqual({ rateBp: 200, days: 15 });
    await client.workflow.getHandle(receivableWorkflowId(`PR-${suffix}`)).terminate('policy test done');
  });
});
