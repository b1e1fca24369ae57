/**
 * Payments through the API against the real servers: the full amount inside the
 * discount window, payments to closed receivables (409 naming the stage), a retry of
 * an applied payment id (its first answer, also after close) and the same id with
 * another amount or date (409 naming paymentId).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar.js';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { fileFor, issue, seedParties } from '../support/applications.js';
import { type System, systemPerFile } from '../support/system.js';

const system = systemPerFile({ worker: true });

const call: System['call'] = (...args) => system.call(...args);
const AMOUNT = 200_000;

/** A fresh dealer and salesperson and an application for AMOUNT, 30 days; issued unless `decide` says otherwise. */
async function application(decide: 'issue' | 'reject' = 'issue') {
  const parties = await seedParties(call, { dealer: (s) => `Dealer ${s}`, seller: (s) => `Seller ${s}` });
  const { receivableId } = parties;
  expect((await fileFor(call, parties, { amountMinor: AMOUNT, requestedTermDays: 30 })).status).toBe(201);
  if (decide === 'reject') {
    const rejected = await call('POST', `/v1/receivables/${receivableId}/decisions`, {
      department: 'finance',
      approve: false,
      reason: 'limit exhausted',
    });
    expect(rejected.body).toMatchObject({ stage: 'rejected' });
    return { receivableId, today: '' };
  }
  const issued = await issue(call, receivableId, AMOUNT, 30);
  expect(issued.body).toMatchObject({ stage: 'issued' });
  return { receivableId, today: issued.body.issueDate as string };
}

/** Waits until the receivable's workflow has closed: it takes no more Updates. */
const closed = (receivableId: string) =>
  system.client.workflow.getHandle(receivableWorkflowId(receivableId)).result();

const pay = (receivableId: string, paymentId: string, amountMinor: number, paidOn: string) =>
  call('POST', `/v1/receivables/${receivableId}/payments`, {
    paymentId,
    amountMinor,
    paidOn,
  });

describe('payments', () => {
  it('the full amount inside the discount window settles; after close, a retry answers its first result and a new payment 409 naming the stage', async () => {
    const { receivableId, today } = await application();
    const paymentId = `P-${randomUUID().slice(0, 8)}`;
    const paid = await pay(receivableId, paymentId, AMOUNT, today);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    const first = { paymentId, outstandingMinor: 0, discountMinor: 0, settled: true };
    expect(paid.body).toEqual({ ...first, duplicate: false });
    expect((await closed(receivableId)).stage).toBe('paid');

    const retry = await pay(receivableId, paymentId, AMOUNT, today);
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body).toEqual({ ...first, duplicate: true });

    const another = await pay(receivableId, `P-${randomUUID().slice(0, 8)}`, 1_000, today);
    expect(another.status, JSON.stringify(another.body)).toBe(409);
    expect(another.body.error).toMatchObject({
      code: 'conflict',
      message: `receivable ${receivableId} is paid: it takes no payments`,
    });

    const changed = await pay(receivableId, paymentId, AMOUNT - 1, today);
    expect(changed.status).toBe(409);
    expect(changed.body.error?.fields?.[0]?.path).toBe('paymentId');
    // The GET agrees: the receivable exists, paid.
    expect((await call('GET', `/v1/receivables/${receivableId}`)).body.stage).toBe('paid');
  });

  it('a rejected receivable answers a payment 409 naming its stage, not 404', async () => {
    const { receivableId } = await application('reject');
    expect((await closed(receivableId)).stage).toBe('rejected');
    const r = await pay(receivableId, `P-${randomUUID().slice(0, 8)}`, 1_000, '2026-01-05');
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.error?.message).toBe(`receivable ${receivableId} is rejected: it takes no payments`);
  });

  it('a written-off receivable answers a payment 409 naming its stage', async () => {
    const { receivableId, today } = await application();
    const off = await call(
      'POST',
      `/v1/receivables/${receivableId}/write-off`,
      { reason: 'debtor insolvent' },
      'manager',
    );
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect((await closed(receivableId)).stage).toBe('written-off');
    const r = await pay(receivableId, `P-${randomUUID().slice(0, 8)}`, 1_000, today);
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.error?.message).toBe(`receivable ${receivableId} is written-off: it takes no payments`);
  });

  it('the same payment id with another amount or date answers 409 naming paymentId; the same payment again its first answer', async () => {
    const { receivableId, today } = await application();
    const paymentId = `P-${randomUUID().slice(0, 8)}`;
    const first = await pay(receivableId, paymentId, 50_000, today);
    expect(first.body).toEqual({
      paymentId,
      outstandingMinor: 150_000,
      discountMinor: 0,
      settled: false,
      duplicate: false,
    });
    await pay(receivableId, `P-${randomUUID().slice(0, 8)}`, 30_000, today);

    for (const [amountMinor, paidOn] of [
      [60_000, today],
      [50_000, addDays(today, -3)],
    ] as const) {
      const r = await pay(receivableId, paymentId, amountMinor, paidOn);
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.error?.code).toBe('conflict');
      expect(r.body.error?.fields?.[0]?.path).toBe('paymentId');
      expect(r.body.error?.message).toMatch(
        new RegExp(`^paymentId: ${paymentId} was already applied with amountMinor 50000 and paidOn ${today}`),
      );
    }
    // Its first answer, not the balance now (120,000 after the second payment).
    const again = await pay(receivableId, paymentId, 50_000, today);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true });

    // A payment id names one payment: on another receivable it is a conflict too.
    const other = await application();
    const elsewhere = await pay(other.receivableId, paymentId, 50_000, other.today);
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.error?.fields?.[0]?.path).toBe('paymentId');

    const balance = await call('GET', `/v1/receivables/${receivableId}`);
    expect(balance.body).toMatchObject({ outstandingMinor: 120_000, paidMinor: 80_000 });
  });

  it('an unknown receivable is still 404', async () => {
    const r = await pay(`R-${randomUUID()}`, `P-${randomUUID().slice(0, 8)}`, 1_000, '2026-01-05');
    expect(r.status).toBe(404);
  });
});
