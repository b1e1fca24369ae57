/**
 * The real path, as `npm start` runs it: HTTP API → Temporal dev server → worker
 * → PostgreSQL and the SMTP server, all real processes on loopback.
 */
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { Pool } from '../../store/db.js';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { fileFor, seedParties } from '../support/applications.js';
import { eventually, mails, type System, systemPerFile } from '../support/system.js';

let pool: Pool;
let base: string;
let client: Client;

const system = systemPerFile({ worker: true }, (s) => {
  ({ pool, client, base } = s);
});

const call: System['call'] = (...args) => system.call(...args);

const seed = () => seedParties(call, { dealer: (s) => `华东经销商 ${s}`, seller: (s) => `王伟 ${s}` });

/** A fresh dealer and salesperson, and a credit application filed for them. */
async function fileApplication(terms: { amountMinor: number; requestedTermDays?: number }) {
  const seeded = await seed();
  await fileFor(call, seeded, terms);
  return seeded;
}

describe('walking skeleton through the real servers', () => {
  it('files an application, starts receivable:<id> once, stores it, e-mails the approvers', async () => {
    const { dealer, seller, receivableId } = await seed();
    const body = {
      receivableId,
      counterpartyId: dealer.id,
      salespersonId: seller.id,
      amountMinor: 500_000,
      requestedTermDays: 30,
    };
    const first = await call('POST', '/v1/credit-applications', body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      receivableId,
      workflowId: `receivable:${receivableId}`,
      created: true,
    });

    const again = await call('POST', '/v1/credit-applications', body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ receivableId, created: false });
    const runs = [];
    for await (const w of client.workflow.list({
      query: `WorkflowId = '${receivableWorkflowId(receivableId)}'`,
    }))
      runs.push(w);
    expect(runs).toHaveLength(1);

    const state = await eventually(
      async () => (await call('GET', `/v1/receivables/${receivableId}`)).body,
      (s) => s.stage === 'awaiting-approval',
      'automatic checks',
    );
    expect(state).toMatchObject({ receivableId, outstandingMinor: 0, policyVersion: DEFAULT_POLICY.version });
    const row = await pool.query(
      'SELECT counterparty_id, requested_minor, stage FROM receivables WHERE id = $1',
      [receivableId],
    );
    expect(row.rows[0]).toMatchObject({ counterparty_id: dealer.id, requested_minor: 500_000 });
    // The start carried the search attributes the run shows first, so the run's first write to
    // what the Web UI shows is the checks' outcome, once. The run asks one patch, whose
    // TemporalChangeVersion the SDK writes first. No memo: the summary line is the run's
    // current details, which a worker serves and the history does not keep.
    const handle = client.workflow.getHandle(receivableWorkflowId(receivableId));
    const written = ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
      e.upsertWorkflowSearchAttributesEventAttributes
        ? ['search attributes']
        : e.workflowPropertiesModifiedEventAttributes
          ? ['memo']
          : [],
    );
    expect(written).toEqual(['search attributes', 'search attributes']);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('stage awaiting-approval');

    const approvalMails = await eventually(
      () => mails(`${receivableId}:approval-request`),
      (m) => m.length > 0,
      'approval e-mail',
    );
    expect(approvalMails).toHaveLength(1);
    expect(approvalMails[0]?.to).toEqual(['finance@acme.test', 'marketing@acme.test']);
    expect(approvalMails[0]?.text).toContain(dealer.name);
  });

  it('reads a receivable from the state its workflow recorded, and from the workflow before that', async () => {
    const { receivableId } = await fileApplication({
      amountMinor: 300_000,
      requestedTermDays: 30,
    });
    const recorded = await eventually(
      async () =>
        (await pool.query('SELECT state FROM receivables WHERE id = $1', [receivableId])).rows[0]?.state,
      (s) => s?.stage === 'awaiting-approval',
      'the checks recorded',
    );
    expect(recorded).toMatchObject({ receivableId, stage: 'awaiting-approval', stateVersion: 2 });
    // The answer is the recorded state, field for field.
    expect((await call('GET', `/v1/receivables/${receivableId}`)).body).toEqual(recorded);
    // No snapshot yet (as for a receivable filed a moment ago): the workflow itself answers, the same.
    await pool.query('UPDATE receivables SET state = NULL WHERE id = $1', [receivableId]);
    const live = await call('GET', `/v1/receivables/${receivableId}`);
    expect(live.status).toBe(200);
    expect(live.body).toEqual(recorded);
  });

  it('approves through the API, takes a payment and closes; refusals name the field', async () => {
    const { dealer, receivableId } = await fileApplication({
      amountMinor: 200_000,
      requestedTermDays: 30,
    });
    const fin = await call('POST', `/v1/receivables/${receivableId}/decisions`, {
      department: 'finance',
      approve: true,
      approvedAmountMinor: 200_000,
      approvedTermDays: 30,
    });
    expect(fin.status).toBe(200);
    const again = await call('POST', `/v1/receivables/${receivableId}/decisions`, {
      department: 'finance',
      approve: true,
    });
    expect(again.status).toBe(422);
    expect(again.body.error?.message).toMatch(/finance has already decided/);
    const mkt = await call(
      'POST',
      `/v1/receivables/${receivableId}/decisions`,
      { department: 'marketing', approve: true },
      'marketing',
    );
    expect(mkt.status).toBe(200);
    expect(mkt.body).toMatchObject({ stage: 'issued', approvedMinor: 200_000, outstandingMinor: 200_000 });
    // The credit profile counts it: limit 10,000,000 − exposure 200,000 = 9,800,000 available.
    const profile = await eventually(
      async () => (await call('GET', `/v1/counterparties/${dealer.id}`)).body,
      (p) => p.exposureMinor === 200_000,
      'exposure in the profile',
    );
    expect(profile).toMatchObject({
      creditGrade: 'AA',
      creditLimitMinor: 10_000_000,
      availableMinor: 9_800_000,
      creditTermDays: 60,
      supplyStopped: false,
    });

    const today = mkt.body.issueDate as string;
    const over = await call('POST', `/v1/receivables/${receivableId}/payments`, {
      paymentId: 'P-1',
      amountMinor: 200_001,
      paidOn: today,
    });
    expect(over.status).toBe(422);
    expect(over.body.error?.fields?.[0]?.path).toBe('amountMinor');
    const paid = await call('POST', `/v1/receivables/${receivableId}/payments`, {
      paymentId: 'P-1',
      amountMinor: 198_000,
      paidOn: today,
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ settled: true, outstandingMinor: 0, discountMinor: 2_000 });
    await eventually(
      async () => (await call('GET', `/v1/receivables/${receivableId}`)).body.stage,
      (s) => s === 'paid',
      'receivable paid',
    );
    const events = await eventually(
      async () =>
        (
          (await call('GET', `/v1/receivables/${receivableId}/record`)).body.events as { eventType: string }[]
        ).map((e) => e.eventType),
      (types) => types.includes('receivable-settled'),
      'settlement recorded',
    );
    expect(events).toEqual(
      expect.arrayContaining([
        'application-filed',
        'receivable-issued',
        'payment-received',
        'receivable-settled',
      ]),
    );
  });

  it('answers bad input with 400/404/422 in the one error shape, storing nothing', async () => {
    const bad = await call('POST', '/v1/credit-applications', {
      counterpartyId: 'D-x',
      salespersonId: 'S-x',
      amountMinor: 12.5,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed' });
    expect(bad.body.error?.fields?.map((f) => f.path)).toEqual(['amountMinor']);

    const unknown = await call('POST', '/v1/credit-applications', {
      receivableId: 'R-never',
      counterpartyId: 'nobody',
      salespersonId: 'nobody-either',
      amountMinor: 100,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error?.fields?.map((f) => f.path)).toEqual(['counterpartyId', 'salespersonId']);
    expect((await pool.query("SELECT 1 FROM receivables WHERE id = 'R-never'")).rowCount).toBe(0);

    // Authenticated: a caller without a credential is refused before its body is read.
    const notJson = await fetch(`${base}/v1/credit-applications`, {
      method: 'POST',
      headers: { ...(await system.auth.headers('finance')), 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('validation_failed');

    const missing = await call('GET', '/v1/receivables/R-does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not_found');
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const doc = await call('GET', '/openapi.json');
    const paths = doc.body.paths as Record<
      string,
      Record<string, { requestBody?: { content: Record<string, { schema: { properties: object } }> } }>
    >;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/v1/credit-applications',
        '/v1/receivables/{id}',
        '/v1/receivables/{id}/payments',
      ]),
    );
    const schema = paths['/v1/credit-applications']?.post?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(schema?.properties ?? {})).toEqual(
      expect.arrayContaining(['counterpartyId', 'amountMinor', 'requestedTermDays']),
    );
  });

  it('lets managers find receivables by search attribute', async () => {
    const { dealer, receivableId } = await fileApplication({ amountMinor: 100_000 });
    const found = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const w of client.workflow.list({
          query: `CounterpartyId = '${dealer.id}' AND Stage = 'awaiting-approval'`,
        }))
          ids.push(w.workflowId);
        return ids;
      },
      (ids) => ids.length === 1,
      'visibility',
    );
    expect(found).toEqual([receivableWorkflowId(receivableId)]);
  });

  it("a manager's supply override stops and resumes supply, recorded in the counterparty's history", async () => {
    const { dealer } = await seed();
    const stop = await call('POST', `/v1/counterparties/${dealer.id}/supply`, {
      action: 'stop',
      reason: 'audit hold',
    });
    expect(stop.body).toMatchObject({ supplyStopped: true });
    expect((await call('GET', `/v1/counterparties/${dealer.id}`)).body.supplyStopped).toBe(true);
    const resume = await call('POST', `/v1/counterparties/${dealer.id}/supply`, {
      action: 'resume',
      reason: 'cleared',
    });
    // The manual block is the manager credential's, whatever a body might have said.
    const managerId = (await system.auth.token('manager')).split('_')[1];
    expect(resume.body).toMatchObject({
      supplyStopped: false,
      liftedBlocks: [`manual:credential:${managerId}`],
    });
    const profile = await call('GET', `/v1/counterparties/${dealer.id}`);
    expect(profile.body.supplyStopped).toBe(false);
    expect((profile.body.history as { eventType: string }[]).map((e) => e.eventType)).toEqual([
      'counterparty-created',
      'supply-stopped-by-manager',
      'supply-resumed-by-manager',
    ]);
    const missing = await call('POST', '/v1/counterparties/nobody/supply', {
      action: 'stop',
      reason: 'x',
    });
    expect(missing.status).toBe(404);
  });
});
