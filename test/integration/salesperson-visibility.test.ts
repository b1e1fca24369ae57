/**
 * A salesperson's world is their own receivables and the counterparties they sell to.
 * Anything else answers exactly as an unknown id does — same status, same body — on
 * every route a salesperson may call, so "someone else's" cannot be told from "none".
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../api/roles.js';
import { createCreditRecordQueries } from '../../store/credit-record.js';
import { inTransaction } from '../../store/db.js';
import { seedDealerAndSalesperson } from '../support/acme.js';
import type { ApiBody } from '../support/auth.js';
import { ANALYSIS_BASE, CASH_OPTION, N30_OPTION } from '../support/credit-examples.js';
import { eventually, systemPerFile } from '../support/system.js';

let mine: { counterpartyId: string; salespersonId: string };
let other: { counterpartyId: string; salespersonId: string };
const t = randomUUID().slice(0, 8);
const R_MINE = `RV-mine-${t}`;
const R_OTHER = `RV-other-${t}`;
const UNKNOWN = `RV-none-${t}`;

/** Calls as a salesperson credential (for `salespersonId`), or as a staff role. */
async function as(
  who: { sales: string } | Role,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: ApiBody }> {
  const headers =
    typeof who === 'string' ? await system.auth.headers(who) : await system.auth.headers('sales', who.sales);
  const res = await fetch(`${system.base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

/** Two answers are the same once the id asked for is set aside. */
const sameAnswer = (
  a: { status: number; body: ApiBody },
  aId: string,
  b: { status: number; body: ApiBody },
  bId: string,
) => {
  expect(a.status).toBe(b.status);
  expect(JSON.stringify(a.body).replaceAll(aId, '<id>')).toBe(JSON.stringify(b.body).replaceAll(bId, '<id>'));
};

const ANALYSIS = { options: [CASH_OPTION, N30_OPTION], ...ANALYSIS_BASE };

const system = systemPerFile({ worker: true }, async () => {
  mine = await seedDealerAndSalesperson(system.pool, 'VM');
  other = await seedDealerAndSalesperson(system.pool, 'VO');
  const file = (receivableId: string, who: typeof mine) =>
    as('finance', 'POST', '/v1/credit-applications', {
      receivableId,
      counterpartyId: who.counterpartyId,
      salespersonId: who.salespersonId,
      amountMinor: 100_000,
      requestedTermDays: 30,
    });
  expect((await file(R_MINE, mine)).status).toBe(201);
  expect((await file(R_OTHER, other)).status).toBe(201);
  // Both recorded in PostgreSQL (the workflow's first record).
  await eventually(
    async () =>
      (await system.pool.query('SELECT id FROM receivables WHERE id = ANY($1)', [[R_MINE, R_OTHER]]))
        .rowCount,
    (n) => n === 2,
    'both receivables recorded',
  );
});

const me = () => ({ sales: mine.salespersonId });

describe("a salesperson and another salesperson's receivables", () => {
  it("re-filing another's receivable id reveals nothing about it: 409 naming receivableId, no stage", async () => {
    const refile = await as(me(), 'POST', '/v1/credit-applications', {
      receivableId: R_OTHER,
      counterpartyId: mine.counterpartyId,
      salespersonId: mine.salespersonId,
      amountMinor: 100_000,
    });
    expect(refile.status).toBe(409);
    expect(refile.body).toEqual({
      error: {
        code: 'conflict',
        message: `receivableId: ${R_OTHER} is already in use; file under another id`,
        fields: [{ path: 'receivableId', message: 'already in use' }],
      },
    });
    // Their own receivable re-filed is the usual idempotent answer.
    const own = await as(me(), 'POST', '/v1/credit-applications', {
      receivableId: R_MINE,
      counterpartyId: mine.counterpartyId,
      salespersonId: mine.salespersonId,
      amountMinor: 100_000,
    });
    expect(own).toMatchObject({ status: 200, body: { receivableId: R_MINE, created: false } });
  });

  it.each([
    ['GET', (id: string) => `/v1/receivables/${id}`, undefined],
    ['GET', (id: string) => `/v1/receivables/${id}/record`, undefined],
    ['POST', (id: string) => `/v1/receivables/${id}/late-reasons`, { reason: 'cash flow' }],
  ] as const)(
    "%s %s: another's receivable answers exactly as an unknown one (404)",
    async (method, path, body) => {
      const others = await as(me(), method, path(R_OTHER), body);
      const unknown = await as(me(), method, path(UNKNOWN), body);
      expect(others.status).toBe(404);
      sameAnswer(others, R_OTHER, unknown, UNKNOWN);
    },
  );

  it('their own receivable is theirs to read', async () => {
    expect((await as(me(), 'GET', `/v1/receivables/${R_MINE}`)).status).toBe(200);
    expect((await as(me(), 'GET', `/v1/receivables/${R_MINE}/record`)).status).toBe(200);
  });

  it("listing by another salesperson's id lists nothing, as an unknown id does", async () => {
    const others = await as(me(), 'GET', `/v1/receivables?salespersonId=${other.salespersonId}`);
    expect(others).toEqual({ status: 200, body: { items: [] } });
    const byCounterparty = await as(me(), 'GET', `/v1/receivables?counterpartyId=${other.counterpartyId}`);
    expect(byCounterparty).toEqual({ status: 200, body: { items: [] } });
    const all = await as(me(), 'GET', '/v1/receivables');
    expect((all.body.items as { id: string }[]).map((r) => r.id)).toEqual([R_MINE]);
  });
});

describe('a salesperson and counterparties they do not sell to', () => {
  it("GET /v1/counterparties/:id: 404 as for an unknown id; their own counterparty's profile is shown", async () => {
    const others = await as(me(), 'GET', `/v1/counterparties/${other.counterpartyId}`);
    const unknown = await as(me(), 'GET', `/v1/counterparties/VX-${t}`);
    expect(others.status).toBe(404);
    sameAnswer(others, other.counterpartyId, unknown, `VX-${t}`);
    const own = await as(me(), 'GET', `/v1/counterparties/${mine.counterpartyId}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      id: mine.counterpartyId,
      creditGrade: 'AB',
      creditLimitMinor: 100_000_000,
    });
  });

  it("a counterparty's history shows a salesperson its facts, withholding what they say about others' receivables", async () => {
    const records = createCreditRecordQueries(system.pool);
    await inTransaction(system.pool, async (client) => {
      for (const receivableId of [R_MINE, R_OTHER])
        await records.append(client, {
          subjectType: 'counterparty',
          subjectId: mine.counterpartyId,
          eventType: 'supply-stopped',
          payload: { receivableId, reason: `receivable ${receivableId} 15+ days overdue` },
          source: 'workflow',
          idempotencyKey: `${receivableId}:visibility-test:${t}`,
        });
    });
    type History = { history: { eventType: string; payload: Record<string, unknown> }[] };
    const seen = (await as(me(), 'GET', `/v1/counterparties/${mine.counterpartyId}`))
      .body as unknown as History;
    const stops = seen.history.filter((e) => e.eventType === 'supply-stopped');
    expect(stops.map((e) => e.payload.receivableId ?? null)).toEqual([R_MINE, null]);
    expect(JSON.stringify(seen)).not.toContain(R_OTHER);
    // Staff see every fact whole.
    const staff = (await as('finance', 'GET', `/v1/counterparties/${mine.counterpartyId}`))
      .body as unknown as History;
    expect(
      staff.history.filter((e) => e.eventType === 'supply-stopped').map((e) => e.payload.receivableId),
    ).toEqual([R_MINE, R_OTHER]);
  });

  it('a credit-term analysis for such a counterparty answers as for an unknown one (422 naming counterpartyId)', async () => {
    const others = await as(me(), 'POST', '/v1/credit-terms/analysis', {
      ...ANALYSIS,
      counterpartyId: other.counterpartyId,
    });
    const unknown = await as(me(), 'POST', '/v1/credit-terms/analysis', {
      ...ANALYSIS,
      counterpartyId: `VX-${t}`,
    });
    expect(others.status).toBe(422);
    expect(others.body.error?.fields?.[0]?.path).toBe('counterpartyId');
    sameAnswer(others, other.counterpartyId, unknown, `VX-${t}`);
    const own = await as(me(), 'POST', '/v1/credit-terms/analysis', {
      ...ANALYSIS,
      counterpartyId: mine.counterpartyId,
    });
    expect(own.status).toBe(200);
  });
});

describe("a salesperson and another salesperson's figures", () => {
  it('GET /v1/salespeople/:id: 404 as for an unknown id', async () => {
    const others = await as(me(), 'GET', `/v1/salespeople/${other.salespersonId}`);
    const unknown = await as(me(), 'GET', `/v1/salespeople/VS-${t}`);
    expect(others.status).toBe(404);
    sameAnswer(others, other.salespersonId, unknown, `VS-${t}`);
    expect((await as(me(), 'GET', `/v1/salespeople/${mine.salespersonId}`)).status).toBe(200);
  });

  it.each(['aging', 'grades', 'limit-usage'])(
    "reports/%s for another salesperson's id: the empty answer an unknown id gets",
    async (report) => {
      const others = await as(me(), 'GET', `/v1/reports/${report}?salespersonId=${other.salespersonId}`);
      const unknown = await as(me(), 'GET', `/v1/reports/${report}?salespersonId=VS-${t}`);
      expect(others.status).toBe(200);
      sameAnswer(others, other.salespersonId, unknown, `VS-${t}`);
      expect(JSON.stringify(others.body)).not.toContain(other.counterpartyId);
    },
  );

  it('limit usage shows their own counterparties and row, nobody else’s', async () => {
    const usage = await as(me(), 'GET', '/v1/reports/limit-usage');
    const body = usage.body as unknown as { counterparties: { id: string }[]; salespeople: { id: string }[] };
    expect(body.counterparties.map((c) => c.id)).toEqual([mine.counterpartyId]);
    expect(body.salespeople.map((s) => s.id)).toEqual([mine.salespersonId]);
  });
});
