/**
 * Issue #15 §1 for the salesperson, supply-override and customer-score acts: who acted is
 * the authenticated credential (its id, its person's name, its role), put there by the
 * server. A body that still names an actor is refused (400 naming the field) and changes
 * nothing; a person keying someone else's decision says so in `onBehalfOf`, stored apart
 * and labelled unverified.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../domain/actor.js';
import { type ApiBody, callAs, createPerson, type Person } from '../support/auth.js';
import { seedCounterparty, seedSalesperson } from '../support/seed.js';
import { systemPerFile } from '../support/system.js';

const tag = randomUUID().slice(0, 8);
const SELLER = `AS-${tag}`;
const CUSTOMER = `AC-${tag}`;
const DEALER = `AD-${tag}`;

let li: Person; // finance
let wang: Person; // manager

const person = (role: Role, username: string, name: string) =>
  createPerson(system.pool, role, username, name);
const as = (who: Person, method: string, path: string, body?: unknown) =>
  callAs(system.base, who, method, path, body);

const fieldsOf = (r: { body: ApiBody }) => r.body.error?.fields?.map((f) => f.path);

async function records(subjectId: string) {
  const { rows } = await system.pool.query<{
    eventType: string;
    source: string;
    payload: Record<string, unknown>;
  }>(
    'SELECT event_type AS "eventType", source, payload FROM credit_records WHERE subject_id = $1 ORDER BY seq',
    [subjectId],
  );
  return rows;
}

// The quarterly review runs as a workflow on the salesperson worker.
const system = systemPerFile({ poolSize: 3, workers: ['salesperson'] }, async () => {
  li = await person('finance', `li-${tag}`, '李丽');
  wang = await person('manager', `wang-${tag}`, '王强');
  await seedSalesperson(system.pool, {
    id: SELLER,
    name: 'Seller',
    email: 's@acme.test',
    creditLimitMinor: 5_000_000,
  });
  const party = { region: 'Hangzhou', creditLimitMinor: 100_000, creditTermDays: 30, joinedOn: '2024-01-01' };
  await seedCounterparty(system.pool, {
    ...party,
    id: CUSTOMER,
    name: 'Customer',
    kind: 'customer',
    email: 'c@c.test',
    customerClass: 'B',
  });
  await seedCounterparty(system.pool, {
    ...party,
    id: DEALER,
    name: 'Dealer',
    email: 'd@d.test',
    creditGrade: 'BB',
  });
});

describe('the actor of a salesperson act is the credential', () => {
  it("a limit proposal and a manager's decision record the credentials, never a body name", async () => {
    const refused = await as(li, 'POST', `/v1/salespeople/${SELLER}/limit-proposals`, {
      proposedLimitMinor: 9_000_000,
      evaluation: 'strong quarter',
      proposedBy: 'the-ceo',
    });
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused)).toEqual(['proposedBy']);
    const none = await system.pool.query(
      'SELECT 1 FROM salesperson_limit_proposals WHERE salesperson_id = $1',
      [SELLER],
    );
    expect(none.rowCount).toBe(0);

    const proposed = await as(li, 'POST', `/v1/salespeople/${SELLER}/limit-proposals`, {
      proposedLimitMinor: 6_000_000,
      evaluation: 'strong quarter',
    });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({
      proposedBy: `李丽 (li-${tag}, finance)`,
      proposedByActor: li.actor,
      decidedBy: null,
      decidedByActor: null,
    });

    const url = `/v1/salespeople/${SELLER}/limit-proposals/${proposed.body.id}/decision`;
    const named = await as(wang, 'POST', url, { approve: true, decidedBy: 'the-ceo', reason: 'agreed' });
    expect(named.status).toBe(400);
    expect(fieldsOf(named)).toEqual(['decidedBy']);
    expect(named.body.error?.message).toContain('the actor is the authenticated credential');
    // Nothing changed: still pending, the limit as it was.
    const still = await system.pool.query(
      `SELECT p.status, s.credit_limit_minor::int AS "limit" FROM salesperson_limit_proposals p
       JOIN salespeople s ON s.id = p.salesperson_id WHERE p.id = $1`,
      [proposed.body.id],
    );
    expect(still.rows).toEqual([{ status: 'pending', limit: 5_000_000 }]);

    // A claim to be verified is not the client's to make.
    const claimed = await as(wang, 'POST', url, {
      approve: true,
      reason: 'agreed',
      onBehalfOf: { name: '赵总', verified: true },
    });
    expect(claimed.status).toBe(400);
    expect(fieldsOf(claimed)).toEqual(['onBehalfOf']);

    const decided = await as(wang, 'POST', url, {
      approve: true,
      reason: 'agreed at the board meeting',
      onBehalfOf: { name: '赵总', note: 'signed minutes of 3 May' },
    });
    const onBehalf = {
      ...wang.actor,
      onBehalfOf: { name: '赵总', note: 'signed minutes of 3 May', verified: false },
    };
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      status: 'approved',
      proposedByActor: li.actor,
      decidedBy: `王强 (wang-${tag}, manager) on behalf of 赵总 (unverified)`,
      decidedByActor: onBehalf,
    });
    const profile = await as(wang, 'GET', `/v1/salespeople/${SELLER}`);
    expect(profile.body).toMatchObject({ creditLimitMinor: 6_000_000 });

    const history = (await records(SELLER)).filter((r) => r.eventType.startsWith('limit-'));
    expect(history).toEqual([
      {
        eventType: 'limit-proposed',
        source: `credential:${li.actor.credentialId}`,
        payload: expect.objectContaining({ actor: li.actor }),
      },
      {
        eventType: 'limit-approved',
        source: `credential:${wang.actor.credentialId}`,
        payload: expect.objectContaining({ actor: onBehalf }),
      },
    ]);
    expect(JSON.stringify(history)).not.toContain('the-ceo');
  });

  it('record events, credit scores and review decisions name the credential; their old actor fields are refused', async () => {
    const event = { kind: 'complaint', detail: 'late delivery, order 7' };
    const named = await as(li, 'POST', `/v1/salespeople/${SELLER}/record-events`, { ...event, source: 'x' });
    expect(named.status).toBe(400);
    expect(fieldsOf(named)).toEqual(['source']);
    expect((await as(li, 'POST', `/v1/salespeople/${SELLER}/record-events`, event)).status).toBe(201);

    // Its factors are the salesperson's record and the facts entered with date and source (docs/scores.md).
    const score = {};
    const scoredBy = await as(wang, 'POST', `/v1/salespeople/${SELLER}/credit-score`, {
      ...score,
      scoredBy: 'hr',
    });
    expect(scoredBy.status).toBe(400);
    expect(fieldsOf(scoredBy)).toEqual(['scoredBy']);
    expect((await as(wang, 'POST', `/v1/salespeople/${SELLER}/credit-score`, score)).status).toBe(201);

    const quarter = '2072-Q1';
    expect(
      (await as(li, 'POST', `/v1/salesperson-reviews/${quarter}`, { salespersonIds: [SELLER] })).status,
    ).toBe(201);
    const reviewUrl = `/v1/salesperson-reviews/${quarter}/${SELLER}/decision`;
    const reviewNamed = await as(wang, 'POST', reviewUrl, {
      accept: true,
      note: 'as proposed',
      decidedBy: 'x',
    });
    expect(reviewNamed.status).toBe(400);
    expect(fieldsOf(reviewNamed)).toEqual(['decidedBy']);
    const reviewed = await as(wang, 'POST', reviewUrl, { accept: true, note: 'as proposed' });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body).toMatchObject({
      status: 'decided',
      decidedBy: `王强 (wang-${tag}, manager)`,
      decidedByActor: wang.actor,
    });

    const byType = new Map((await records(SELLER)).map((r) => [r.eventType, r]));
    for (const [type, who] of [
      ['complaint', li],
      ['credit-scored', wang],
      ['quarterly-review-decided', wang],
    ] as const)
      expect(byType.get(type), type).toMatchObject({
        source: `credential:${who.actor.credentialId}`,
        payload: { actor: who.actor },
      });
  });
});

describe('the actor of a counterparty act is the credential', () => {
  it("a manager's supply stop is the credential's block and record; decidedBy is refused", async () => {
    const named = await as(wang, 'POST', `/v1/counterparties/${DEALER}/supply`, {
      action: 'stop',
      decidedBy: 'the-board',
      reason: 'audit hold',
    });
    expect(named.status).toBe(400);
    expect(fieldsOf(named)).toEqual(['decidedBy']);
    const noBlock = await system.pool.query('SELECT 1 FROM supply_blocks WHERE counterparty_id = $1', [
      DEALER,
    ]);
    expect(noBlock.rowCount).toBe(0);

    const stopped = await as(wang, 'POST', `/v1/counterparties/${DEALER}/supply`, {
      action: 'stop',
      reason: 'audit hold',
    });
    expect(stopped).toMatchObject({ status: 200, body: { supplyStopped: true } });
    const blocks = await system.pool.query('SELECT source FROM supply_blocks WHERE counterparty_id = $1', [
      DEALER,
    ]);
    expect(blocks.rows).toEqual([{ source: `manual:credential:${wang.actor.credentialId}` }]);
    expect(await records(DEALER)).toEqual([
      {
        eventType: 'supply-stopped-by-manager',
        source: `credential:${wang.actor.credentialId}`,
        payload: expect.objectContaining({ reason: 'audit hold', actor: wang.actor }),
      },
    ]);
  });

  it('a customer score names the scoring credential; scoredBy is refused', async () => {
    // Its factors are creditflow's record and the facts entered with date and source (docs/scores.md).
    const factors = {};
    const named = await as(li, 'POST', `/v1/customers/${CUSTOMER}/score`, { ...factors, scoredBy: 'x' });
    expect(named.status).toBe(400);
    expect(fieldsOf(named)).toEqual(['scoredBy']);
    expect(
      (await system.pool.query('SELECT 1 FROM customer_scores WHERE counterparty_id = $1', [CUSTOMER]))
        .rowCount,
    ).toBe(0);

    expect((await as(li, 'POST', `/v1/customers/${CUSTOMER}/score`, factors)).status).toBe(201);
    expect((await records(CUSTOMER)).filter((r) => r.eventType === 'class-set-by-score')).toEqual([
      {
        eventType: 'class-set-by-score',
        source: `credential:${li.actor.credentialId}`,
        payload: expect.objectContaining({ actor: li.actor }),
      },
    ]);
  });
});
