/**
 * Inputs that used to answer 500, hang or leave work stuck (issue #15 §5), through the real API,
 * Temporal dev server and worker: a body nested thousands deep, dates far in the future, and a
 * workflow that cannot answer. Each answers a 4xx (or a 504 for the workflow) in the one error
 * shape, within seconds, and changes nothing. docs/api.md, Limits states the bounds.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { addDays, localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import {
  RECEIVABLE_WORKFLOW_TYPE,
  receivableWorkflowId,
  recordValidReason,
} from '../../workflows/receivable/contract.js';
import { testActor } from '../support/actors.js';
import type { ApiBody } from '../support/auth.js';
import { eventually, systemPerFile } from '../support/system.js';

const system = systemPerFile({ worker: true });

const tag = () => randomUUID().slice(0, 8);
const today = () => localDate(Date.now(), DEFAULT_POLICY.timeZone);

/** A raw POST (the body as given, not re-serialised), as finance. */
async function postRaw(path: string, body: string, base = system.base) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...(await system.auth.headers('finance')), 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

describe('a JSON body nested thousands deep', () => {
  it('is a 400 naming the body, even in an unknown field, and creates nothing', async () => {
    const id = `DEEP-${tag()}`;
    const dealer = JSON.stringify({
      id,
      name: 'Deep dealer',
      kind: 'dealer',
      email: `${id.toLowerCase()}@dealer.test`,
      region: 'Hangzhou',
      joinedOn: '2024-01-01',
    });
    const deep = `${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}`;
    const res = await postRaw('/v1/counterparties', `${dealer.slice(0, -1)},"extra":${deep}}`);
    expect(res).toEqual({
      status: 400,
      body: {
        error: {
          code: 'validation_failed',
          message: 'invalid body: body nested deeper than 64 levels',
          fields: [{ path: 'body', message: 'nested deeper than 64 levels' }],
        },
      },
    });
    expect((await system.call('GET', `/v1/counterparties/${id}`)).status).toBe(404);

    // As deep as a 1 MiB body allows: an array half a million levels deep.
    const arrays = await postRaw('/v1/credit-applications', `${'['.repeat(500_000)}${']'.repeat(500_000)}`);
    expect(arrays.status).toBe(400);
    expect(arrays.body.error?.fields).toEqual([{ path: 'body', message: 'nested deeper than 64 levels' }]);
  });
});

/** An invoice issued a week ago, due in three weeks: imported, so it stands issued at once. */
async function issuedReceivable() {
  const t = tag();
  const [dealer, seller, receivableId] = [`DD-${t}`, `DS-${t}`, `DR-${t}`];
  const created = await Promise.all([
    system.call('POST', '/v1/counterparties', {
      id: dealer,
      name: 'Date dealer',
      kind: 'dealer',
      email: `dd-${t}@dealer.test`,
      region: 'Hangzhou',
      creditGrade: 'AA',
      creditLimitMinor: 10_000_000,
      joinedOn: '2024-01-01',
    }),
    system.call('POST', '/v1/salespeople', {
      id: seller,
      name: 'Date seller',
      email: `ds-${t}@acme.test`,
      region: 'Shanghai',
    }),
  ]);
  expect(created.map((c) => c.status)).toEqual([201, 201]);
  const res = await fetch(`${system.base}/v1/imports/receivables`, {
    method: 'POST',
    headers: { ...(await system.auth.headers('finance')), 'content-type': 'application/x-ndjson' },
    body: JSON.stringify({
      receivableId,
      counterpartyId: dealer,
      salespersonId: seller,
      amountMinor: 500_000,
      issueDate: addDays(today(), -7),
      dueDate: addDays(today(), 21),
    }),
  });
  expect(res.status).toBe(201);
  await eventually(
    async () => (await system.call('GET', `/v1/receivables/${receivableId}`)).body.stage,
    (stage) => stage === 'issued',
    `${receivableId} issued`,
  );
  return receivableId;
}

describe('dates far from today', () => {
  it('a promise to pay or an extension to 9999-12-31 is a prompt 400 naming the date; the receivable goes on', async () => {
    const id = await issuedReceivable();
    const validReason = (body: object) =>
      system.call('POST', `/v1/receivables/${id}/valid-reasons`, {
        reason: 'the debtor asked',
        ...body,
      });
    const cases: [object, string, RegExp][] = [
      [{ kind: 'promise', promisedBy: '9999-12-31' }, 'promisedBy', /from 1900-01-01 to 2999-12-31/],
      [{ kind: 'extension', newDueDate: '9999-12-31' }, 'newDueDate', /from 1900-01-01 to 2999-12-31/],
      [{ kind: 'promise', promisedBy: addDays(today(), 800) }, 'promisedBy', /more than 731 days ahead/],
      [{ kind: 'extension', newDueDate: addDays(today(), 800) }, 'newDueDate', /more than 731 days ahead/],
    ];
    for (const [body, field, message] of cases) {
      const started = Date.now();
      const res = await validReason(body);
      expect(Date.now() - started, JSON.stringify(body)).toBeLessThan(5_000);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error?.fields).toEqual([{ path: field, message: expect.stringMatching(message) }]);
    }
    const old = await system.call('POST', `/v1/receivables/${id}/payments`, {
      paymentId: `P-old-${tag()}`,
      amountMinor: 1_000,
      paidOn: addDays(today(), -2_000),
    });
    expect(old.status).toBe(400);
    expect(old.body.error?.fields).toEqual([
      { path: 'paidOn', message: expect.stringMatching(/more than 1827 days back/) },
    ]);

    // Straight to the workflow, past the API: its Update validator refuses, so its task never fails.
    const handle = system.client.workflow.getHandle(receivableWorkflowId(id));
    const direct = await handle
      .executeUpdate(recordValidReason, {
        args: [
          { kind: 'promise', promisedBy: '2999-12-31', reason: 'far', actor: testActor('finance', 'li') },
        ],
      })
      .catch((e) => e);
    expect(direct).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((direct as WorkflowUpdateFailedError).cause?.message).toMatch(
      /^promisedBy: 2999-12-31 is more than 731 days ahead/,
    );

    // Nothing changed, and the receivable still takes a promise inside the window.
    const promise = await validReason({ kind: 'promise', promisedBy: addDays(today(), 30) });
    expect(promise.status, JSON.stringify(promise.body)).toBe(200);
    expect(promise.body).toMatchObject({ dueDate: addDays(today(), 21), validReason: { kind: 'promise' } });
  });
});

describe('a workflow that cannot answer', () => {
  it('an Update or a query answers 504 in the one error shape within the deadline, not a hang', async () => {
    const api = await buildApi({
      client: system.client,
      pool: system.pool,
      policy: () => DEFAULT_POLICY,
      workflowCallTimeoutMs: 1_500,
    });
    const base = await api.listen({ host: '127.0.0.1', port: 0 });
    // A receivable's workflow no worker runs: its task queue is polled by nobody.
    const id = `NOWORKER-${tag()}`;
    const handle = await system.client.workflow.start(RECEIVABLE_WORKFLOW_TYPE, {
      workflowId: receivableWorkflowId(id),
      taskQueue: `nobody-polls-${id}`,
      args: [],
    });
    try {
      const timeout = {
        code: 'workflow_timeout',
        message:
          'the workflow did not answer in time; what was asked may still take effect: read it back before retrying',
      };
      const started = Date.now();
      const payment = await postRaw(
        `/v1/receivables/${id}/payments`,
        JSON.stringify({ paymentId: `P-${tag()}`, amountMinor: 100, paidOn: today() }),
        base,
      );
      const paymentMs = Date.now() - started;
      expect(payment).toEqual({ status: 504, body: { error: timeout } });
      expect(paymentMs).toBeGreaterThanOrEqual(1_400);
      expect(paymentMs).toBeLessThan(6_000);

      const readAt = Date.now();
      const read = await fetch(`${base}/v1/receivables/${id}`, {
        headers: await system.auth.headers('finance'),
      });
      expect(Date.now() - readAt).toBeLessThan(6_000);
      expect({ status: read.status, body: await read.json() }).toEqual({
        status: 504,
        body: { error: timeout },
      });
    } finally {
      await handle.terminate('test over');
      await api.close();
    }
  });
});
