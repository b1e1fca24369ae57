/**
 * The actor of every receivable act is the authenticated credential (issue #15 §1):
 * a body naming someone else (`decidedBy`, `recordedBy`) is refused with a 400 naming
 * the field, and the credit record, its `source`, the tasks and the Temporal history
 * carry the credential's id, login name, person's name and role. A person acting for
 * someone else says so in `onBehalfOf`, stored beside the actor and labelled unverified.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Role } from '../../domain/actor.js';
import { addDays, localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { dealerBody, salespersonBody } from '../support/applications.js';
import { type ApiBody, callAs, createPerson, type Person } from '../support/auth.js';
import { eventually, systemPerFile } from '../support/system.js';

const system = systemPerFile({ worker: true });

/** A person's own credential: its token and the actor the server must record for it. */
const person = (role: Role, username: string, displayName: string, salespersonId?: string) =>
  createPerson(system.pool, role, username, displayName, salespersonId);
const as = (who: Person, method: string, path: string, body?: unknown) =>
  callAs(system.base, who, method, path, body);

interface RecordEvent {
  eventType: string;
  payload: Record<string, unknown>;
  source: string;
}
const recordOf = async (receivableId: string) =>
  (await system.call('GET', `/v1/receivables/${receivableId}/record`)).body as unknown as {
    events: RecordEvent[];
    tasks: { kind: string; status: string }[];
  };
const eventsOf = async (receivableId: string, type: string) =>
  // No record yet (404) reads as no events: an imported invoice is recorded just after its import.
  ((await recordOf(receivableId)).events ?? []).filter((e) => e.eventType === type);

let li: Person; // finance
let zhao: Person; // marketing
let wang: Person; // the receivable's salesperson
let chen: Person; // another salesperson
let boss: Person; // manager
let receivableId: string;
let dealer: string;
let seller: string;

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  dealer = `D-act-${suffix}`;
  seller = `S-act-${suffix}`;
  const other = `S-act2-${suffix}`;
  const created = await Promise.all([
    system.call('POST', '/v1/counterparties', dealerBody(dealer, `经销商 ${suffix}`, suffix)),
    system.call('POST', '/v1/salespeople', salespersonBody(seller, '王伟', suffix)),
    system.call('POST', '/v1/salespeople', salespersonBody(other, '陈静', suffix, 's2')),
  ]);
  for (const c of created) expect(c.status).toBe(201);
  [li, zhao, wang, chen, boss] = await Promise.all([
    person('finance', `li-${suffix}`, '李丽'),
    person('marketing', `zhao-${suffix}`, '赵敏'),
    person('sales', `wang-${suffix}`, '王伟', seller),
    person('sales', `chen-${suffix}`, '陈静', other),
    person('manager', `boss-${suffix}`, '张总'),
  ]);
  receivableId = `R-act-${suffix}`;
  const filed = await as(wang, 'POST', '/v1/credit-applications', {
    receivableId,
    counterpartyId: dealer,
    salespersonId: seller,
    amountMinor: 400_000,
    requestedTermDays: 30,
  });
  expect(filed.status).toBe(201);
  await eventually(
    async () => (await system.call('GET', `/v1/receivables/${receivableId}`)).body.stage,
    (s) => s === 'awaiting-approval',
    'automatic checks',
  );
});

describe('the actor is the credential, never the body', () => {
  it('records who filed the application', async () => {
    const [filed] = await eventsOf(receivableId, 'application-filed');
    expect(filed?.payload.actor).toEqual(wang.actor);
    expect(filed?.source).toBe(`credential:${wang.actor.credentialId}`);
  });

  it('a vote naming "the-ceo" is refused naming decidedBy; the vote records the credential', async () => {
    const url = `/v1/receivables/${receivableId}/decisions`;
    const vote = { department: 'finance', approve: true, approvedAmountMinor: 400_000, approvedTermDays: 30 };
    const claimed = await as(li, 'POST', url, { ...vote, decidedBy: 'the-ceo' });
    expect(claimed.status).toBe(400);
    expect(claimed.body.error?.code).toBe('validation_failed');
    expect(claimed.body.error?.fields?.map((f) => f.path)).toEqual(['decidedBy']);
    expect(claimed.body.error?.message).toMatch(/decidedBy.*authenticated credential/);
    expect(await eventsOf(receivableId, 'decision-finance')).toEqual([]);

    const voted = await as(li, 'POST', url, vote);
    expect(voted.status).toBe(200);
    expect((voted.body.votes as Record<string, { actor: Actor }>).finance?.actor).toEqual(li.actor);
    const [decision] = await eventsOf(receivableId, 'decision-finance');
    expect(decision?.payload.actor).toEqual({
      credentialId: li.actor.credentialId,
      username: li.actor.username,
      name: '李丽',
      role: 'finance',
    });
    expect(decision?.payload).not.toHaveProperty('decidedBy');
    expect(decision?.source).toBe(`credential:${li.actor.credentialId}`);
  });

  it('a vote keyed for someone else stores onBehalfOf beside the actor, unverified; the Update carries it', async () => {
    const voted = await as(zhao, 'POST', `/v1/receivables/${receivableId}/decisions`, {
      department: 'marketing',
      approve: true,
      onBehalfOf: { name: '市场部刘总', note: 'paper decision of 3 March' },
    });
    expect(voted.status).toBe(200);
    expect(voted.body.stage).toBe('issued');
    const [decision] = await eventsOf(receivableId, 'decision-marketing');
    expect(decision?.payload.actor).toEqual({
      ...zhao.actor,
      onBehalfOf: { name: '市场部刘总', note: 'paper decision of 3 March', verified: false },
    });
    expect(decision?.source).toBe(`credential:${zhao.actor.credentialId}`);

    // The Temporal history shows who did what: the accepted Updates' arguments carry the actor.
    const history = await system.client.workflow.getHandle(receivableWorkflowId(receivableId)).fetchHistory();
    const updates = (history.events ?? []).flatMap((e) => {
      const request = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      const data = request?.input?.args?.payloads?.[0]?.data;
      return request && data
        ? [{ name: request.input?.name, args: JSON.parse(new TextDecoder().decode(data)) }]
        : [];
    });
    expect(updates.map((u) => [u.name, u.args.actor?.credentialId])).toEqual([
      ['decideApplication', li.actor.credentialId],
      ['decideApplication', zhao.actor.credentialId],
    ]);
  });

  it('a payment naming recordedBy is refused; the payment record’s source is the credential', async () => {
    const url = `/v1/receivables/${receivableId}/payments`;
    // The second vote's Update returns once the vote is taken; the workflow issues the
    // receivable (and sets its issue date) in its next task, so wait for that.
    const { issueDate } = await eventually(
      async () => (await system.call('GET', `/v1/receivables/${receivableId}`)).body,
      (r) => r.stage !== 'awaiting-approval' && typeof r.issueDate === 'string',
      'receivable issued',
    );
    const payment = { paymentId: 'P-act-1', amountMinor: 100_000, paidOn: issueDate };
    const claimed = await as(li, 'POST', url, { ...payment, recordedBy: 'the-ceo' });
    expect(claimed.status).toBe(400);
    expect(claimed.body.error?.fields?.map((f) => f.path)).toEqual(['recordedBy']);
    expect(await eventsOf(receivableId, 'payment-received')).toEqual([]);

    const paid = await as(li, 'POST', url, payment);
    expect(paid.status).toBe(200);
    const [received] = await eventsOf(receivableId, 'payment-received');
    expect(received?.source).toBe(`credential:${li.actor.credentialId}`);
    expect(received?.payload.actor).toEqual(li.actor);
    expect(received?.payload).not.toHaveProperty('recordedBy');
  });

  it("a salesperson's late reason is theirs: another salesperson's name in the body is refused", async () => {
    const url = `/v1/receivables/${receivableId}/late-reasons`;
    const claimed = await as(wang, 'POST', url, {
      reason: 'customer on holiday',
      recordedBy: chen.actor.name,
    });
    expect(claimed.status).toBe(400);
    expect(claimed.body.error?.fields?.map((f) => f.path)).toEqual(['recordedBy']);

    const recorded = await as(wang, 'POST', url, { reason: 'customer on holiday' });
    expect(recorded.status).toBe(200);
    expect(recorded.body.lateReasons).toEqual([
      expect.objectContaining({ reason: 'customer on holiday', actor: wang.actor }),
    ]);
    const late = await eventsOf(receivableId, 'late-reason-recorded');
    expect(late).toEqual([
      expect.objectContaining({
        source: `credential:${wang.actor.credentialId}`,
        payload: expect.objectContaining({ reason: 'customer on holiday', actor: wang.actor }),
      }),
    ]);
  });

  it('a dispute, its end and a write-off record their credentials; old name fields are refused', async () => {
    const base = `/v1/receivables/${receivableId}`;
    const refused = await Promise.all([
      as(li, 'POST', `${base}/valid-reasons`, { kind: 'dispute', reason: 'damaged', recordedBy: 'x' }),
      as(li, 'POST', `${base}/valid-reasons/end`, { note: 'settled', recordedBy: 'x' }),
      as(boss, 'POST', `${base}/write-off`, { reason: 'insolvent', decidedBy: 'the-board' }),
      as(boss, 'POST', `${base}/legal-confirmation`, { proceed: true, note: 'go', decidedBy: 'the-board' }),
    ]);
    expect(refused.map((r) => [r.status, r.body.error?.fields?.[0]?.path])).toEqual([
      [400, 'recordedBy'],
      [400, 'recordedBy'],
      [400, 'decidedBy'],
      [400, 'decidedBy'],
    ]);
    expect(
      (await as(li, 'POST', `${base}/valid-reasons`, { kind: 'dispute', reason: 'damaged' })).status,
    ).toBe(200);
    expect((await as(li, 'POST', `${base}/valid-reasons/end`, { note: 'settled' })).status).toBe(200);
    const writtenOff = await as(boss, 'POST', `${base}/write-off`, {
      reason: 'insolvent',
      onBehalfOf: { name: '董事会' },
    });
    expect(writtenOff.status).toBe(200);
    const { events } = await recordOf(receivableId);
    const byType = (type: string) => events.find((e) => e.eventType === type);
    expect(byType('dispute-recorded')).toMatchObject({
      source: `credential:${li.actor.credentialId}`,
      payload: { actor: li.actor },
    });
    expect(byType('valid-reason-ended')).toMatchObject({
      source: `credential:${li.actor.credentialId}`,
      payload: { actor: li.actor, note: 'settled' },
    });
    expect(byType('written-off-as-bad-debt')).toMatchObject({
      source: `credential:${boss.actor.credentialId}`,
      payload: { actor: { ...boss.actor, onBehalfOf: { name: '董事会', verified: false } } },
    });
    // No record of this receivable names anyone by a typed-in name.
    for (const e of events) {
      expect(e.payload).not.toHaveProperty('decidedBy');
      expect(e.payload).not.toHaveProperty('recordedBy');
    }
  });
});

describe('imports: the importing credential is the actor', () => {
  const upload = async (who: Person, kind: string, contentType: string, body: string) => {
    const res = await fetch(`${system.base}/v1/imports/${kind}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${who.token}`, 'content-type': contentType },
      body,
    });
    return { status: res.status, body: (await res.json()) as ApiBody };
  };

  it('an imported invoice keeps its import as source and names who imported it; its payments are theirs', async () => {
    const id = `INV-act-${randomUUID().slice(0, 8)}`;
    const today = localDate(Date.now(), DEFAULT_POLICY.timeZone);
    const invoices = await upload(
      li,
      'receivables',
      'application/json',
      JSON.stringify([
        {
          receivableId: id,
          counterpartyId: dealer,
          salespersonId: seller,
          amountMinor: 500_000,
          issueDate: addDays(today, -3),
          dueDate: addDays(today, 27),
        },
      ]),
    );
    expect(invoices.status).toBe(201);
    const [imported] = await eventually(
      () => eventsOf(id, 'receivable-imported'),
      (e) => e.length === 1,
      'the imported invoice recorded',
    );
    expect(imported).toMatchObject({
      source: `import:${invoices.body.importId}`,
      payload: { actor: li.actor },
    });

    // The old recordedBy column is no column any more: the file is refused naming it.
    const named = await upload(
      li,
      'payments',
      'text/csv',
      `paymentId,receivableId,amountMinor,paidOn,recordedBy\nPI-1-${id},${id},1000,${today},the-ceo\n`,
    );
    expect(named.status).toBe(400);
    expect(named.body.error?.fields?.map((f) => f.path)).toEqual(['header.recordedBy']);

    const paid = await upload(
      li,
      'payments',
      'text/csv',
      `paymentId,receivableId,amountMinor,paidOn\nPI-2-${id},${id},1000,${today}\n`,
    );
    expect(paid.status).toBe(201);
    expect(paid.body.counts).toMatchObject({ created: 1, rejected: 0 });
    const [received] = await eventsOf(id, 'payment-received');
    expect(received).toMatchObject({
      source: `credential:${li.actor.credentialId}`,
      payload: { paymentId: `PI-2-${id}`, actor: li.actor },
    });
  });
});

describe("a manager's supply override", () => {
  it('"the-board" in the body is refused; the block and the record name the manager\'s credential', async () => {
    const url = `/v1/counterparties/${dealer}/supply`;
    const claimed = await as(boss, 'POST', url, {
      action: 'stop',
      reason: 'audit hold',
      decidedBy: 'the-board',
    });
    expect(claimed.status).toBe(400);
    expect(claimed.body.error?.fields?.map((f) => f.path)).toEqual(['decidedBy']);
    const blocks = () =>
      system.pool
        .query('SELECT source FROM supply_blocks WHERE counterparty_id = $1', [dealer])
        .then((r) => r.rows.map((row) => row.source));
    expect(await blocks()).toEqual([]);

    const stopped = await as(boss, 'POST', url, { action: 'stop', reason: 'audit hold' });
    expect(stopped.status).toBe(200);
    expect(await blocks()).toEqual([`manual:credential:${boss.actor.credentialId}`]);
    const recorded = await system.pool.query(
      `SELECT source, payload FROM credit_records WHERE subject_id = $1 AND event_type = 'supply-stopped-by-manager'`,
      [dealer],
    );
    expect(recorded.rows).toEqual([
      {
        source: `credential:${boss.actor.credentialId}`,
        payload: expect.objectContaining({ reason: 'audit hold', actor: boss.actor }),
      },
    ]);
    expect((await as(boss, 'POST', url, { action: 'resume', reason: 'cleared' })).status).toBe(200);
  });
});
