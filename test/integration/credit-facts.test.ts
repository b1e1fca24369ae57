/**
 * Grades, classes, limits and terms change only through their process (issue #15 §2): an
 * upsert (API or import) sets them when it creates, records that with the credential as
 * actor, and refuses to change them afterwards; a manager's override changes them with a
 * reason, on the record. In-process API on the real PostgreSQL; no worker needed.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../domain/actor.js';
import { lowerOneStep } from '../../domain/rating.js';
import { createCredentialQueries } from '../../store/credentials.js';
import type { Pool } from '../../store/db.js';
import type { ReceivableState } from '../../workflows/receivable/contract.js';
import { directReceivableActivities, seedDealerAndSalesperson } from '../support/acme.js';
import type { ApiBody } from '../support/auth.js';
import { systemPerFile } from '../support/system.js';

let pool: Pool;

/** A person's credential: who the record must name. */
interface Person {
  credentialId: string;
  username: string;
  name: string;
  role: Role;
  token: string;
}
let li: Person; // finance
let wu: Person; // manager

async function person(role: Role, username: string, name: string): Promise<Person> {
  const login = `${username}-${randomUUID().slice(0, 6)}`;
  const { id, token } = await createCredentialQueries(pool).create({ name: login, displayName: name, role });
  return { credentialId: id, username: login, name, role, token };
}

const system = systemPerFile({ poolSize: 3 }, async () => {
  ({ pool } = system);
  li = await person('finance', 'li', '李丽');
  wu = await person('manager', 'wu', '吴经理');
});

async function as(who: Person, method: string, path: string, body?: unknown, contentType?: string) {
  const res = await fetch(`${system.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${who.token}`,
      ...(body === undefined ? {} : { 'content-type': contentType ?? 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

const actorOf = (p: Person) => ({
  credentialId: p.credentialId,
  username: p.username,
  name: p.name,
  role: p.role,
});

interface HistoryEntry {
  eventType: string;
  payload: Record<string, unknown>;
  source: string;
}
const history = async (id: string) =>
  (await as(li, 'GET', `/v1/counterparties/${id}`)).body.history as HistoryEntry[];

const dealer = (fields: Record<string, unknown> = {}) => {
  const id = `CF-D-${randomUUID().slice(0, 8)}`;
  return {
    id,
    name: 'Hangzhou Trading',
    kind: 'dealer',
    email: `${id.toLowerCase()}@dealer.test`,
    region: 'Hangzhou',
    creditGrade: 'CC',
    creditLimitMinor: 100_000,
    creditTermDays: 15,
    joinedOn: '2024-03-01',
    ...fields,
  };
};

describe('a counterparty', () => {
  it('is created with its initial grade, limit and term recorded as a credit fact naming the creating credential', async () => {
    const d = dealer();
    expect((await as(li, 'POST', '/v1/counterparties', d)).status).toBe(201);
    const [created, ...rest] = await history(d.id);
    expect(rest).toEqual([]);
    expect(created).toMatchObject({
      eventType: 'counterparty-created',
      source: `credential:${li.credentialId}`,
      payload: {
        before: null,
        after: { kind: 'dealer', creditGrade: 'CC', creditLimitMinor: 100_000, creditTermDays: 15 },
        actor: actorOf(li),
        reason: 'POST /v1/counterparties',
      },
    });
  });

  it('re-POSTed with another grade and limit is refused naming creditGrade; nothing changes, nothing is recorded', async () => {
    const d = dealer();
    expect((await as(li, 'POST', '/v1/counterparties', d)).status).toBe(201);
    const before = await history(d.id);
    const regrade = await as(li, 'POST', '/v1/counterparties', {
      ...d,
      creditGrade: 'AA',
      creditLimitMinor: 5_000_000_000,
    });
    expect(regrade.status).toBe(409);
    expect(regrade.body.error).toMatchObject({
      code: 'credit_fact_change_refused',
      fields: [
        {
          path: 'creditGrade',
          message: expect.stringContaining(`/v1/counterparties/${d.id}/credit-overrides`),
        },
      ],
    });
    const limitOnly = await as(li, 'POST', '/v1/counterparties', { ...d, creditLimitMinor: 5_000_000 });
    expect(limitOnly.status).toBe(409);
    expect(limitOnly.body.error?.fields?.[0]?.path).toBe('creditLimitMinor');
    const profile = (await as(li, 'GET', `/v1/counterparties/${d.id}`)).body;
    expect(profile).toMatchObject({ creditGrade: 'CC', creditLimitMinor: 100_000, creditTermDays: 15 });
    expect(profile.history).toEqual(before);
  });

  it('re-POSTed with its details changed (credit facts left out or the same) updates them, on the record', async () => {
    const d = dealer();
    expect((await as(li, 'POST', '/v1/counterparties', d)).status).toBe(201);
    const { creditGrade, creditLimitMinor, creditTermDays, ...details } = d;
    const renamed = await as(li, 'POST', '/v1/counterparties', { ...details, name: 'Hangzhou Trading Ltd.' });
    expect(renamed).toMatchObject({ status: 200, body: { created: false } });
    const same = await as(li, 'POST', '/v1/counterparties', { ...d, name: 'Hangzhou Trading Ltd.' });
    expect(same).toMatchObject({ status: 200, body: { created: false } });
    const profile = (await as(li, 'GET', `/v1/counterparties/${d.id}`)).body;
    expect(profile).toMatchObject({
      name: 'Hangzhou Trading Ltd.',
      creditGrade: 'CC',
      creditLimitMinor: 100_000,
    });
    expect((profile.history as HistoryEntry[]).map((h) => h.eventType)).toEqual([
      'counterparty-created',
      'counterparty-details-updated',
    ]);
    expect((profile.history as HistoryEntry[])[1]?.payload).toMatchObject({
      before: { name: 'Hangzhou Trading' },
      after: { name: 'Hangzhou Trading Ltd.' },
      actor: actorOf(li),
    });
  });

  it('does not turn from a dealer into a customer', async () => {
    const d = dealer();
    expect((await as(li, 'POST', '/v1/counterparties', d)).status).toBe(201);
    const { creditGrade, ...rest } = d;
    const turned = await as(li, 'POST', '/v1/counterparties', { ...rest, kind: 'customer' });
    expect(turned.status).toBe(409);
    expect(turned.body.error?.fields?.[0]?.path).toBe('kind');
  });
});

describe("a manager's credit override", () => {
  it('changes grade and limit with a reason: before, after, actor and reason in the record and the history', async () => {
    const d = dealer();
    expect((await as(li, 'POST', '/v1/counterparties', d)).status).toBe(201);
    const body = {
      creditGrade: 'BB',
      creditLimitMinor: 2_000_000,
      creditTermDays: 15,
      reason: 'bank guarantee received',
    };
    const override = await as(wu, 'POST', `/v1/counterparties/${d.id}/credit-overrides`, body);
    expect(override).toMatchObject({
      status: 201,
      body: {
        id: d.id,
        changed: true,
        before: { creditGrade: 'CC', creditLimitMinor: 100_000 },
        after: { creditGrade: 'BB', creditLimitMinor: 2_000_000 },
      },
    });
    const profile = (await as(li, 'GET', `/v1/counterparties/${d.id}`)).body;
    expect(profile).toMatchObject({ creditGrade: 'BB', creditLimitMinor: 2_000_000, creditTermDays: 15 });
    const last = (profile.history as HistoryEntry[]).at(-1);
    expect(last).toEqual({
      seq: expect.any(Number),
      recordedAt: expect.any(String),
      eventType: 'credit-override',
      source: `credential:${wu.credentialId}`,
      payload: {
        before: { creditGrade: 'CC', creditLimitMinor: 100_000 },
        after: { creditGrade: 'BB', creditLimitMinor: 2_000_000 },
        actor: actorOf(wu),
        reason: 'bank guarantee received',
      },
    });
    // The stored record is the one in the hash chain, and the chain still holds.
    const stored = await pool.query(
      `SELECT payload, source FROM credit_records WHERE subject_id = $1 AND event_type = 'credit-override'`,
      [d.id],
    );
    expect(stored.rows).toEqual([{ payload: last?.payload, source: last?.source }]);
    expect((await as(wu, 'GET', '/v1/credit-records/verification')).body).toMatchObject({ ok: true });

    // The same values again change nothing and record nothing.
    const again = await as(wu, 'POST', `/v1/counterparties/${d.id}/credit-overrides`, body);
    expect(again).toMatchObject({ status: 200, body: { changed: false, before: {}, after: {} } });
    expect(await history(d.id)).toHaveLength((profile.history as unknown[]).length);
  });

  it('is for managers only, needs a reason and a fact to set, and gives a dealer no class', async () => {
    const d = dealer();
    expect((await as(li, 'POST', '/v1/counterparties', d)).status).toBe(201);
    const path = `/v1/counterparties/${d.id}/credit-overrides`;
    expect((await as(li, 'POST', path, { creditGrade: 'AA', reason: 'finance wants it' })).status).toBe(403);
    const noReason = await as(wu, 'POST', path, { creditGrade: 'AA' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error?.fields?.map((f) => f.path)).toContain('reason');
    expect((await as(wu, 'POST', path, { reason: 'nothing to set' })).status).toBe(400);
    const asClass = await as(wu, 'POST', path, { customerClass: 'A', reason: 'r' });
    expect(asClass.status).toBe(422);
    expect(asClass.body.error?.fields?.[0]?.path).toBe('customerClass');
    expect(
      (
        await as(wu, 'POST', '/v1/counterparties/CF-nobody/credit-overrides', {
          creditGrade: 'AA',
          reason: 'r',
        })
      ).status,
    ).toBe(404);
    expect((await as(li, 'GET', `/v1/counterparties/${d.id}`)).body).toMatchObject({ creditGrade: 'CC' });
  });
});

describe('a salesperson', () => {
  it('is created with an initial limit on the record; re-POSTed by finance with a new limit is refused: the limit is a manager-approved proposal', async () => {
    const id = `CF-S-${randomUUID().slice(0, 8)}`;
    const s = {
      id,
      name: 'Wang Fang',
      email: `${id.toLowerCase()}@acme.test`,
      region: 'Shanghai',
      creditLimitMinor: 500_000,
    };
    expect((await as(li, 'POST', '/v1/salespeople', s)).status).toBe(201);
    const raised = await as(li, 'POST', '/v1/salespeople', { ...s, creditLimitMinor: 50_000_000 });
    expect(raised.status).toBe(409);
    expect(raised.body.error?.fields).toEqual([
      {
        path: 'creditLimitMinor',
        message: expect.stringContaining(`POST /v1/salespeople/${id}/limit-proposals`),
      },
    ]);
    const moved = await as(li, 'POST', '/v1/salespeople', { ...s, region: 'Suzhou' });
    expect(moved).toMatchObject({ status: 200, body: { created: false } });
    const profile = (await as(li, 'GET', `/v1/salespeople/${id}`)).body;
    expect(profile.creditLimitMinor).toBe(500_000);
    expect(profile.record).toEqual([
      expect.objectContaining({
        eventType: 'salesperson-created',
        source: `credential:${li.credentialId}`,
        payload: expect.objectContaining({
          before: null,
          after: expect.objectContaining({ creditLimitMinor: 500_000 }),
          actor: actorOf(li),
        }),
      }),
      expect.objectContaining({
        eventType: 'salesperson-details-updated',
        payload: expect.objectContaining({ before: { region: 'Shanghai' }, after: { region: 'Suzhou' } }),
      }),
    ]);
  });
});

describe('the counterparties import', () => {
  const HEADER = 'id,name,kind,email,region,creditGrade,creditLimitMinor,creditTermDays,joinedOn';
  const importCsv = async (rows: string[], importId: string) =>
    as(
      li,
      'POST',
      `/v1/imports/counterparties?importId=${importId}`,
      [HEADER, ...rows].join('\n'),
      'text/csv',
    );

  it("records a new row's initial grade with the importer as actor, and refuses a row that would re-grade, naming the field", async () => {
    const t = randomUUID().slice(0, 8);
    const id = `CF-I-${t}`;
    const row = (grade: string, name = 'Imported dealer') =>
      `${id},${name},dealer,${id.toLowerCase()}@dealer.test,Ningbo,${grade},300000,30,2024-03-01`;
    const first = await importCsv([row('CC')], `cf-${t}-1`);
    expect(first.body.counts).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 0 });
    const [created] = await history(id);
    expect(created).toMatchObject({
      eventType: 'counterparty-created',
      source: `credential:${li.credentialId}`,
      payload: {
        after: { creditGrade: 'CC', creditLimitMinor: 300_000 },
        actor: actorOf(li),
        reason: `import cf-${t}-1`,
      },
    });

    const regrade = await importCsv([row('AA', 'Imported dealer (renamed)')], `cf-${t}-2`);
    expect(regrade.body.counts).toEqual({ created: 0, updated: 0, unchanged: 0, rejected: 1 });
    expect(regrade.body.rejectedRows).toEqual([
      {
        row: 1,
        externalId: id,
        outcome: 'rejected',
        field: 'creditGrade',
        message: expect.stringMatching(/has creditGrade CC \(this says AA\): .*quarterly rating/),
      },
    ]);
    // Nothing of the refused row is stored, its new name included.
    expect((await as(li, 'GET', `/v1/counterparties/${id}`)).body).toMatchObject({
      creditGrade: 'CC',
      name: 'Imported dealer',
    });
    expect(await history(id)).toHaveLength(1);
    // Imported creations are appended in batches: the hash chain still holds.
    expect((await as(wu, 'GET', '/v1/credit-records/verification')).body).toMatchObject({ ok: true });
  });
});

describe('the processes name their actor', () => {
  it('the +15 downgrade records before, after, reason and itself as a system actor', async () => {
    const { counterpartyId } = await seedDealerAndSalesperson(pool, 'CF');
    const { activities } = directReceivableActivities(pool, new Date());
    const receivableId = `CF-R-${randomUUID().slice(0, 8)}`;
    const state = { receivableId, application: { counterpartyId } } as unknown as ReceivableState;
    const after = lowerOneStep('AB');
    expect(await activities.lowerCreditGrade({ state })).toEqual({ before: 'AB', after });
    expect((await history(counterpartyId)).at(-1)).toMatchObject({
      eventType: 'grade-lowered',
      source: 'system:overdue-downgrade',
      payload: {
        before: 'AB',
        after,
        reason: `receivable ${receivableId} 15+ days overdue without a valid reason`,
        receivableId,
        actor: { credentialId: null, username: 'system:overdue-downgrade', role: 'system' },
      },
    });
  });

  it('a customer score records the scoring credential', async () => {
    const id = `CF-C-${randomUUID().slice(0, 8)}`;
    const customer = {
      id,
      name: 'Shop',
      kind: 'customer',
      email: 'shop@cust.test',
      region: 'Shanghai',
      customerClass: 'C',
      joinedOn: '2024-01-01',
    };
    expect((await as(li, 'POST', '/v1/counterparties', customer)).status).toBe(201);
    const scored = await as(li, 'POST', `/v1/customers/${id}/score`, {});
    expect(scored.status, JSON.stringify(scored.body)).toBe(201);
    expect((await history(id)).at(-1)).toMatchObject({
      eventType: 'class-set-by-score',
      source: `credential:${li.credentialId}`,
      payload: { previousClass: 'C', actor: actorOf(li) },
    });
  });
});
