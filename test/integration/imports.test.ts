/**
 * Bulk import through the real servers: HTTP API (streamed bodies) → PostgreSQL,
 * and for receivables and payments the Temporal dev server and worker.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { addDays, localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { Pool } from '../../store/db.js';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import type { ApiBody, TestAuth } from '../support/auth.js';
import { eventually, type System, systemPerFile } from '../support/system.js';

let base: string;
let pool: Pool;
let testAuth: TestAuth;
let client: Client;

const system = systemPerFile({ worker: true, poolSize: 10 }, (s) => {
  ({ base, pool, client, auth: testAuth } = s);
});

const call: System['call'] = (...args) => system.call(...args);

type Kind = 'counterparties' | 'receivables' | 'payments';
type Body = string | AsyncIterable<Uint8Array>;
/** Node's fetch (undici) streams an async iterable with `duplex: 'half'`; the DOM typings jsdom's types bring know neither. */
const nodeInit = (init: import('undici-types').RequestInit) => init as unknown as RequestInit;
interface ImportAnswer extends ApiBody {
  importId: string;
  status: string;
  counts: { created: number; updated: number; unchanged: number; rejected: number };
  rowsProcessed: number;
  rejectedRows: {
    row: number;
    externalId: string | null;
    outcome: string;
    field: string | null;
    message: string;
  }[];
  report: string;
}

/** POSTs a file to an import route as finance, streamed as the request body. */
async function importFile(
  kind: Kind,
  contentType: string,
  body: Body,
  importId?: string,
  idempotencyKey?: string,
) {
  const res = await fetch(
    `${base}/v1/imports/${kind}${importId ? `?importId=${importId}` : ''}`,
    nodeInit({
      method: 'POST',
      headers: {
        ...(await testAuth.headers('finance')),
        'content-type': contentType,
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body,
      duplex: 'half',
    }),
  );
  return {
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    body: (await res.json()) as ImportAnswer,
  };
}

const outcomes = (a: ImportAnswer) => a.counts;
const rejections = (a: ImportAnswer) => a.rejectedRows.map((r) => [r.row, r.externalId, r.field]);

const today = () => localDate(Date.now(), DEFAULT_POLICY.timeZone);
const tag = () => randomUUID().slice(0, 8);
const CSV_HEADER =
  'id,name,kind,email,region,creditGrade,customerClass,creditLimitMinor,creditTermDays,joinedOn';

describe('counterparties', () => {
  it('CSV: created, then updated, then unchanged on a re-run; bad rows rejected naming row and field', async () => {
    const t = tag();
    const file = (dealerName: string) =>
      [
        CSV_HEADER,
        `D1-${t},${dealerName},dealer,d1-${t}@dealer.test,Hangzhou,AA,,10000000,60,2024-03-01`,
        `C1-${t},"Shanghai Retail, Ltd.",customer,c1-${t}@cust.test,Shanghai,,B,500000,30,2024-05-01`,
        `D2-${t},Bad mail,dealer,not-an-email,Suzhou,AB,,0,,2024-03-01`,
        `D3-${t},Graded customer,customer,d3-${t}@cust.test,Suzhou,AA,,0,,2024-03-01`,
        `D4-${t},No limit,dealer,d4-${t}@dealer.test,Ningbo,BB,,lots,30,2024-03-01`,
      ].join('\n');

    const first = await importFile('counterparties', 'text/csv', file('华东经销商'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'done',
      format: 'csv',
      kind: 'counterparties',
      rowsProcessed: 5,
    });
    expect(outcomes(first.body)).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 3 });
    expect(rejections(first.body)).toEqual([
      [3, `D2-${t}`, 'email'],
      [4, `D3-${t}`, 'creditGrade'],
      [5, `D4-${t}`, 'creditLimitMinor'],
    ]);
    expect(first.body.rejectedRows[1]?.message).toBe(
      'creditGrade: customers carry a class A–D, not a dealer grade',
    );
    const stored = await call('GET', `/v1/counterparties/C1-${t}`);
    expect(stored.body).toMatchObject({
      name: 'Shanghai Retail, Ltd.',
      customerClass: 'B',
      creditGrade: null,
      creditLimitMinor: 500_000,
      contactName: null,
      language: 'zh-CN',
    });
    // Nothing of a rejected row is stored.
    expect((await call('GET', `/v1/counterparties/D2-${t}`)).status).toBe(404);

    const renamed = await importFile('counterparties', 'text/csv', file('华东经销商 (杭州)'));
    expect(outcomes(renamed.body)).toEqual({ created: 0, updated: 1, unchanged: 1, rejected: 3 });
    expect((await call('GET', `/v1/counterparties/D1-${t}`)).body.name).toBe('华东经销商 (杭州)');

    const before = await pool.query('SELECT updated_at FROM counterparties WHERE id = $1', [`D1-${t}`]);
    const again = await importFile('counterparties', 'text/csv', file('华东经销商 (杭州)'));
    expect(outcomes(again.body)).toEqual({ created: 0, updated: 0, unchanged: 2, rejected: 3 });
    const after = await pool.query('SELECT updated_at FROM counterparties WHERE id = $1', [`D1-${t}`]);
    expect(after.rows[0].updated_at).toEqual(before.rows[0].updated_at);

    // The report, from the import's own id.
    const status = await call('GET', `/v1/imports/${again.body.importId}`);
    expect(status.body).toMatchObject({ status: 'done', rowsProcessed: 5, counts: outcomes(again.body) });
    const rows = await call('GET', `${again.body.report}?limit=2`);
    expect(rows.body.items).toEqual([
      { row: 1, externalId: `D1-${t}`, outcome: 'unchanged', field: null, message: null },
      { row: 2, externalId: `C1-${t}`, outcome: 'unchanged', field: null, message: null },
    ]);
    const next = await call('GET', rows.body.next as string);
    expect((next.body.items as { row: number }[]).map((r) => r.row)).toEqual([3, 4]);
    const onlyRejected = await call('GET', `${again.body.report}?outcome=rejected`);
    expect((onlyRejected.body.items as { row: number }[]).map((r) => r.row)).toEqual([3, 4, 5]);
    expect(onlyRejected.body.next).toBeNull();
  });

  it('Idempotency-Key: the same file again gets the first answer; another file under the key 422', async () => {
    const t = tag();
    const key = `import-${t}`;
    const file = (name: string) =>
      `${CSV_HEADER}\nK1-${t},${name},dealer,k1-${t}@dealer.test,Hangzhou,AA,,10000000,60,2024-03-01\n`;
    const first = await importFile('counterparties', 'text/csv', file('First name'), undefined, key);
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    expect(outcomes(first.body)).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 0 });

    const retry = await importFile('counterparties', 'text/csv', file('First name'), undefined, key);
    expect(retry.status).toBe(201);
    expect(retry.replayed).toBe('true');
    expect(retry.body).toEqual(first.body); // the first answer, not a second (all-unchanged) import
    const runs = await pool.query('SELECT count(*)::int AS n FROM imports WHERE idempotency_key = $1', [key]);
    expect(runs.rows[0].n).toBe(1);

    const other = await importFile('counterparties', 'text/csv', file('Other name'), undefined, key);
    expect(other.status).toBe(422);
    expect(other.body.error?.code).toBe('idempotency_key_reused');
    expect(other.body.error?.fields?.map((f) => f.path)).toEqual(['Idempotency-Key']);
    expect((await call('GET', `/v1/counterparties/K1-${t}`)).body.name).toBe('First name');

    const bad = await importFile('counterparties', 'text/csv', file('x'), undefined, 'tab\there');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.fields?.map((f) => f.path)).toEqual(['Idempotency-Key']);
  });

  it('NDJSON and a JSON array: the same upsert; a bad line or an unknown field is one rejected row', async () => {
    const t = tag();
    const dealer = {
      id: `N1-${t}`,
      name: 'Nanjing Trading',
      kind: 'dealer',
      email: `n1-${t}@dealer.test`,
      region: 'Nanjing',
      creditGrade: 'BA',
      creditLimitMinor: 2_000_000,
      creditTermDays: 45,
      joinedOn: '2024-01-01',
      language: 'en',
    };
    const ndjson = [
      JSON.stringify(dealer),
      '{"id": "N2-broken", "name": ',
      '',
      JSON.stringify({ ...dealer, id: `N3-${t}`, colour: 'red' }),
    ].join('\n');
    const first = await importFile('counterparties', 'application/x-ndjson', ndjson);
    expect(first.body).toMatchObject({ status: 'done', format: 'ndjson', rowsProcessed: 3 });
    expect(outcomes(first.body)).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 2 });
    expect(rejections(first.body)).toEqual([
      [2, null, null],
      [3, `N3-${t}`, 'colour'],
    ]);
    expect(first.body.rejectedRows[0]?.message).toMatch(/^not valid JSON/);

    const again = await importFile('counterparties', 'application/x-ndjson', `${JSON.stringify(dealer)}\n`);
    expect(outcomes(again.body)).toEqual({ created: 0, updated: 0, unchanged: 1, rejected: 0 });

    // A row may update details, never a credit fact: a new limit is refused naming it.
    const array = JSON.stringify([
      { ...dealer, region: 'Nanjing Jiangning' },
      { ...dealer, id: `N4-${t}` },
      { ...dealer, creditLimitMinor: 3_000_000 },
    ]);
    const viaJson = await importFile('counterparties', 'application/json', array);
    expect(viaJson.body).toMatchObject({ format: 'json' });
    expect(outcomes(viaJson.body)).toEqual({ created: 1, updated: 1, unchanged: 0, rejected: 1 });
    expect(rejections(viaJson.body)).toEqual([[3, `N1-${t}`, 'creditLimitMinor']]);
    expect((await call('GET', `/v1/counterparties/N1-${t}`)).body).toMatchObject({
      region: 'Nanjing Jiangning',
      creditLimitMinor: 2_000_000,
    });
  });

  it('a header that does not fit fails the import at once (400 naming the column); ids, types and roles are checked', async () => {
    const importId = `bad-header-${tag()}`;
    const res = await importFile('counterparties', 'text/csv', 'id,name,colour\nX-1,x,red\n', importId);
    expect(res.status).toBe(400);
    expect(res.body.error?.fields?.map((f) => f.path)).toEqual([
      'header.colour',
      'header.kind',
      'header.email',
      'header.region',
      'header.joinedOn',
    ]);
    expect((await call('GET', `/v1/imports/${importId}`)).body).toMatchObject({
      status: 'failed',
      rowsProcessed: 0,
      error: expect.stringMatching(/^the CSV header does not fit counterparties/),
    });

    const taken = await importFile('counterparties', 'text/csv', `${CSV_HEADER}\n`, importId);
    expect(taken.status).toBe(409);

    const plain = await importFile('counterparties', 'text/plain', 'hello');
    expect(plain.status).toBe(415);
    expect(plain.body.error?.message).toBe(
      'send the body as text/csv, application/x-ndjson, application/json',
    );

    const marketing = await fetch(`${base}/v1/imports/counterparties`, {
      method: 'POST',
      headers: { ...(await testAuth.headers('marketing')), 'content-type': 'text/csv' },
      body: `${CSV_HEADER}\n`,
    });
    expect(marketing.status).toBe(403);
  });

  it('20,000 rows stream through: progress shows while the file is still arriving, then all are created', async () => {
    const t = tag();
    const total = 20_000;
    const half = 10_000;
    const importId = `big-${t}`;
    let release: () => void = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let bytesSent = 0;
    let sentWhenProgressSeen = 0;
    const encoder = new TextEncoder();
    async function* rows() {
      let chunk = '';
      for (let i = 1; i <= total; i++) {
        chunk += `${JSON.stringify({
          id: `B${i}-${t}`,
          name: `Bulk dealer ${i}`,
          kind: 'dealer',
          email: `b${i}@bulk.test`,
          region: 'Hangzhou',
          creditGrade: 'BB',
          creditLimitMinor: i * 100,
          creditTermDays: 30,
          joinedOn: '2024-01-01',
        })}\n`;
        if (i % 500 === 0 || i === total) {
          const bytes = encoder.encode(chunk);
          bytesSent += bytes.length;
          chunk = '';
          yield bytes;
        }
        // The second half is sent only once the server has shown progress on the first.
        if (i === half) await released;
      }
    }

    const started = Date.now();
    const answer = importFile('counterparties', 'application/x-ndjson', rows(), importId);
    const running = await eventually(
      async () => (await call('GET', `/v1/imports/${importId}`)).body,
      (b) => b.status === 'running' && Number(b.rowsProcessed) >= 5_000,
      'progress while the upload is held at half',
    );
    sentWhenProgressSeen = bytesSent;
    expect(running.rowsProcessed).toBeLessThanOrEqual(half);
    release();
    const done = await answer;
    const seconds = (Date.now() - started) / 1000;

    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ status: 'done', rowsProcessed: total });
    expect(outcomes(done.body)).toEqual({ created: total, updated: 0, unchanged: 0, rejected: 0 });
    // Larger than the API's 1 MiB JSON limit, and processed while at most half of it had been sent.
    expect(bytesSent).toBeGreaterThan(1024 * 1024);
    expect(sentWhenProgressSeen).toBeLessThan(bytesSent * 0.6);
    const count = await pool.query(
      "SELECT count(*)::int AS n FROM counterparties WHERE id LIKE 'B%-' || $1",
      [t],
    );
    expect(count.rows[0].n).toBe(total);
    const last = await call('GET', `/v1/imports/${importId}/rows?afterRow=${total - 1}`);
    expect(last.body.items).toEqual([
      { row: total, externalId: `B${total}-${t}`, outcome: 'created', field: null, message: null },
    ]);
    console.info(
      `import of ${total} counterparties (${(bytesSent / 1024 / 1024).toFixed(1)} MiB NDJSON): ${seconds.toFixed(1)} s, ${Math.round(total / seconds)} rows/s`,
    );
  });

  it('an upload cut off midway fails the import, keeps the rows that arrived; the re-run completes it', async () => {
    const t = tag();
    const importId = `cut-${t}`;
    const line = (i: number) =>
      `${JSON.stringify({
        id: `K${i}-${t}`,
        name: `Cut dealer ${i}`,
        kind: 'dealer',
        email: `k${i}@cut.test`,
        region: 'Wuxi',
        joinedOn: '2024-01-01',
      })}\n`;
    const controller = new AbortController();
    const aborted = new Promise((r) => controller.signal.addEventListener('abort', r));
    async function* firstPart() {
      for (let i = 1; i <= 2_000; i += 100)
        yield new TextEncoder().encode(Array.from({ length: 100 }, (_, k) => line(i + k)).join(''));
      await aborted; // the rest never comes
    }
    const answer = fetch(
      `${base}/v1/imports/counterparties?importId=${importId}`,
      nodeInit({
        method: 'POST',
        headers: { ...(await testAuth.headers('finance')), 'content-type': 'application/x-ndjson' },
        body: firstPart(),
        duplex: 'half',
        signal: controller.signal,
      }),
    ).catch((e: Error) => e);
    await eventually(
      async () => (await call('GET', `/v1/imports/${importId}`)).body,
      (b) => b.rowsProcessed === 2_000,
      'the rows that arrived',
    );
    controller.abort();
    expect(await answer).toBeInstanceOf(Error);
    const failed = await eventually(
      async () => (await call('GET', `/v1/imports/${importId}`)).body,
      (b) => b.status === 'failed',
      'the import failed',
    );
    expect(failed).toMatchObject({ rowsProcessed: 2_000, counts: { created: 2_000 } });
    expect(failed.error).toMatch(/upload ended|aborted/);

    const whole = Array.from({ length: 2_500 }, (_, i) => line(i + 1)).join('');
    const rerun = await importFile('counterparties', 'application/x-ndjson', whole);
    expect(outcomes(rerun.body)).toEqual({ created: 500, updated: 0, unchanged: 2_000, rejected: 0 });
  });
});

async function seedParties() {
  const t = tag();
  const dealer = {
    id: `RD-${t}`,
    name: `Import dealer ${t}`,
    kind: 'dealer',
    email: `rd-${t}@dealer.test`,
    region: 'Hangzhou',
    creditGrade: 'AA',
    creditLimitMinor: 50_000_000,
    creditTermDays: 60,
    joinedOn: '2024-01-01',
  };
  expect((await call('POST', '/v1/counterparties', dealer)).status).toBe(201);
  const seller = { id: `RS-${t}`, name: `Seller ${t}`, email: `rs-${t}@acme.test`, region: 'Shanghai' };
  expect((await call('POST', '/v1/salespeople', seller)).status).toBe(201);
  return { t, counterpartyId: dealer.id, salespersonId: seller.id };
}

describe('receivables', () => {
  it('each invoice starts its workflow as imported, where it stands; a re-run starts nothing', async () => {
    const { t, counterpartyId, salespersonId } = await seedParties();
    const d = today();
    const invoice = (id: string, fields: Record<string, unknown>) =>
      JSON.stringify({ receivableId: id, counterpartyId, salespersonId, amountMinor: 1_000_000, ...fields });
    const file = [
      invoice(`INV-A-${t}`, { issueDate: addDays(d, -10), dueDate: addDays(d, 20), paidMinor: 100_000 }),
      invoice(`INV-B-${t}`, { issueDate: addDays(d, -40), dueDate: addDays(d, -10) }),
      invoice(`INV-C-${t}`, { counterpartyId: `nobody-${t}`, issueDate: d, dueDate: addDays(d, 30) }),
      invoice(`INV-D-${t}`, { issueDate: d, dueDate: addDays(d, -1) }),
      invoice(`INV-E-${t}`, { issueDate: d, dueDate: addDays(d, 30), paidMinor: 1_000_000 }),
      invoice(`INV-F-${t}`, { salespersonId: `nobody-${t}`, issueDate: d, dueDate: addDays(d, 30) }),
      invoice(`INV-G-${t}`, { issueDate: addDays(d, 1), dueDate: addDays(d, 30) }),
    ].join('\n');

    const first = await importFile('receivables', 'application/x-ndjson', file);
    expect(first.status).toBe(201);
    expect(outcomes(first.body)).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 5 });
    expect(rejections(first.body)).toEqual([
      [3, `INV-C-${t}`, 'counterpartyId'],
      [4, `INV-D-${t}`, 'dueDate'],
      [5, `INV-E-${t}`, 'paidMinor'],
      [6, `INV-F-${t}`, 'salespersonId'],
      [7, `INV-G-${t}`, 'issueDate'],
    ]);
    expect(first.body.rejectedRows[0]?.message).toBe(`unknown counterparty nobody-${t}`);

    const a = await eventually(
      async () => (await call('GET', `/v1/receivables/INV-A-${t}`)).body,
      (s) => s.stage === 'issued',
      'INV-A issued',
    );
    expect(a).toMatchObject({
      issueDate: addDays(d, -10),
      dueDate: addDays(d, 20),
      paidMinor: 100_000,
      outstandingMinor: 900_000,
      approvedMinor: 1_000_000,
      stepsTaken: [],
    });
    // Ten days overdue: reminder and due check are passed (skipped), the +7 second notice fires now.
    const b = await eventually(
      async () => (await call('GET', `/v1/receivables/INV-B-${t}`)).body,
      (s) => s.stage === 'second-notice',
      'INV-B at its +7 step',
    );
    expect(b.stepsTaken).toEqual(['reminder', 'dueCheck', 'secondNotice']);
    const record = await call('GET', `/v1/receivables/INV-B-${t}/record`);
    expect(record.body.events).toContainEqual(
      expect.objectContaining({
        eventType: 'receivable-imported',
        source: `import:${first.body.importId}`,
      }),
    );
    for (const id of [`INV-C-${t}`, `INV-D-${t}`]) {
      const started = await client.workflow
        .getHandle(receivableWorkflowId(id))
        .describe()
        .catch(() => null);
      expect(started).toBeNull();
    }

    const again = await importFile('receivables', 'application/x-ndjson', file);
    expect(outcomes(again.body)).toEqual({ created: 0, updated: 0, unchanged: 2, rejected: 5 });
    const runs = [];
    for await (const w of client.workflow.list({ query: `CounterpartyId = '${counterpartyId}'` }))
      runs.push(w);
    expect(runs.map((r) => r.workflowId).sort()).toEqual([
      receivableWorkflowId(`INV-A-${t}`),
      receivableWorkflowId(`INV-B-${t}`),
    ]);

    const changed = await importFile(
      'receivables',
      'text/csv',
      `receivableId,counterpartyId,salespersonId,amountMinor,issueDate,dueDate\nINV-A-${t},${counterpartyId},${salespersonId},1200000,${addDays(d, -10)},${addDays(d, 20)}\n`,
    );
    expect(rejections(changed.body)).toEqual([[1, `INV-A-${t}`, 'amountMinor']]);
    expect(changed.body.rejectedRows[0]?.message).toMatch(/already exists with amountMinor 1000000/);
  });
});

describe('payments', () => {
  it('applied once by payment id; a duplicate is unchanged, an overpayment or unknown receivable rejected', async () => {
    const { t, counterpartyId, salespersonId } = await seedParties();
    const d = today();
    const receivableId = `INV-P-${t}`;
    const invoices = await importFile(
      'receivables',
      'application/json',
      JSON.stringify([
        {
          receivableId,
          counterpartyId,
          salespersonId,
          amountMinor: 1_000_000,
          issueDate: addDays(d, -5),
          dueDate: addDays(d, 25),
        },
      ]),
    );
    expect(outcomes(invoices.body).created).toBe(1);

    // Sent straight after the invoice import: a payment waits for its invoice to stand issued.
    const header = 'paymentId,receivableId,amountMinor,paidOn';
    const file = [
      header,
      `P1-${t},${receivableId},300000,${d}`,
      `P1-${t},${receivableId},300000,${d}`,
      `P2-${t},${receivableId},800000,${d}`,
      `P3-${t},nobody-${t},1000,${d}`,
      `P4-${t},${receivableId},700000,${d}`,
    ].join('\n');
    const first = await importFile('payments', 'text/csv', file);
    expect(first.status).toBe(201);
    expect(first.body.rejectedRows.map((r) => [r.row, r.field, r.message])).toEqual([
      [
        3,
        'amountMinor',
        'amountMinor: 800000 exceeds the 700000 that settles this receivable (overpayment refused)',
      ],
      [4, 'receivableId', `unknown receivable nobody-${t}`],
    ]);
    expect(outcomes(first.body)).toEqual({ created: 2, updated: 0, unchanged: 1, rejected: 2 });
    const report = await call('GET', `${first.body.report}?limit=10`);
    expect(report.body.items).toMatchObject([
      { row: 1, outcome: 'created', message: 'outstanding 700000' },
      { row: 2, outcome: 'unchanged', message: 'already applied' },
      { row: 3, outcome: 'rejected' },
      { row: 4, outcome: 'rejected' },
      { row: 5, outcome: 'created', message: 'outstanding 0, settled' },
    ]);
    const settled = await eventually(
      async () => (await call('GET', `/v1/receivables/${receivableId}`)).body,
      (s) => s.stage === 'paid',
      'the receivable paid',
    );
    expect(settled).toMatchObject({ paidMinor: 1_000_000, outstandingMinor: 0 });
    const stored = await pool.query('SELECT id FROM payments WHERE receivable_id = $1 ORDER BY id', [
      receivableId,
    ]);
    expect(stored.rows.map((r) => r.id)).toEqual([`P1-${t}`, `P4-${t}`]);

    // The receivable's workflow has closed; the same file again changes nothing.
    await eventually(
      async () =>
        (await client.workflow.getHandle(receivableWorkflowId(receivableId)).describe()).status.name,
      (s) => s === 'COMPLETED',
      'the workflow closed',
    );
    const again = await importFile('payments', 'text/csv', file);
    expect(outcomes(again.body)).toEqual({ created: 0, updated: 0, unchanged: 3, rejected: 2 });
    expect(again.body.rejectedRows.map((r) => r.message)).toEqual([
      `receivable ${receivableId} is paid: it takes no more payments`,
      `unknown receivable nobody-${t}`,
    ]);
    const altered = await importFile(
      'payments',
      'text/csv',
      `${header}\nP1-${t},${receivableId},350000,${d}\n`,
    );
    expect(rejections(altered.body)).toEqual([[1, `P1-${t}`, 'amountMinor']]);
    expect(
      (await pool.query('SELECT count(*)::int AS n FROM payments WHERE receivable_id = $1', [receivableId]))
        .rows[0].n,
    ).toBe(2);
  });
});

describe('inputs that used to answer 500 or leave an import running', () => {
  it('a row number or offset beyond a PostgreSQL integer is a 400 naming it', async () => {
    const done = await importFile('counterparties', 'text/csv', `${CSV_HEADER}\n`);
    expect(done.status).toBe(201);
    for (const [path, field] of [
      [`/v1/imports/${done.body.importId}/rows?afterRow=2147483648`, 'query.afterRow'],
      [`/v1/imports/${done.body.importId}/rows?afterRow=1e300`, 'query.afterRow'],
      ['/v1/receivables?offset=2147483648', 'query.offset'],
    ] as const) {
      const res = await call('GET', path);
      expect(res.status, path).toBe(400);
      expect(new Set(res.body.error?.fields?.map((f) => f.path))).toEqual(new Set([field]));
    }
    const last = await call('GET', `/v1/imports/${done.body.importId}/rows?afterRow=2147483647`);
    expect(last).toMatchObject({ status: 200, body: { items: [], next: null } });
  });

  it('an opening quote inside a CSV field fails the import (400 naming the body) on every kind', async () => {
    const headers: Record<Kind, string> = {
      counterparties: CSV_HEADER,
      receivables: 'receivableId,counterpartyId,salespersonId,amountMinor,issueDate,dueDate',
      payments: 'paymentId,receivableId,amountMinor,paidOn',
    };
    for (const kind of ['counterparties', 'receivables', 'payments'] as const) {
      for (const body of ['a"b', `${headers[kind]}\nx"y\n`]) {
        const importId = `quote-${kind}-${tag()}`;
        const res = await importFile(kind, 'text/csv', body, importId);
        expect(res.status, `${kind} ${body}`).toBe(400);
        expect(res.body.error).toMatchObject({
          code: 'validation_failed',
          message: expect.stringMatching(/^the CSV cannot be read on: Invalid Opening Quote/),
          fields: [{ path: 'body', message: expect.stringMatching(/Invalid Opening Quote/) }],
        });
        expect((await call('GET', `/v1/imports/${importId}`)).body).toMatchObject({
          status: 'failed',
          error: expect.stringMatching(/Invalid Opening Quote/),
        });
      }
    }
  });

  it('a CSV header with a NUL fails the import (400), its error stored with the NUL written as \\u0000', async () => {
    const importId = `nul-${tag()}`;
    const res = await importFile('counterparties', 'text/csv', `id\u0000,${CSV_HEADER}\n`, importId);
    expect(res.status).toBe(400);
    expect(res.body.error?.fields?.[0]).toEqual({
      path: 'header.id\\u0000',
      message: expect.stringMatching(/^unknown column/),
    });
    const stored = await call('GET', `/v1/imports/${importId}`);
    expect(stored.body).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('header.id\\u0000'),
    });
  });

  /** An import as a process that died mid-way leaves it: running, its lease long out. */
  async function abandonedImport(key?: string) {
    const importId = `abandoned-${tag()}`;
    // The finance credential's id, from its token cf_<id>_<secret>.
    const credential = key ? (await testAuth.token('finance')).split('_')[1] : null;
    await pool.query(
      `INSERT INTO imports (id, kind, format, started_by, credential_id, idempotency_key, started_at, progress_at,
         lease_until, rows_processed, created_count)
       VALUES ($1, 'counterparties', 'csv', 'test finance:', $2, $3, now() - interval '10 minutes',
         now() - interval '9 minutes', now() - interval '8 minutes', 3, 3)`,
      [importId, credential, key ?? null],
    );
    return importId;
  }

  it('an import whose API process died is failed when read, and when an API starts; its key is free again', async () => {
    const read = await abandonedImport();
    const seen = await call('GET', `/v1/imports/${read}`);
    expect(seen.body).toMatchObject({
      status: 'failed',
      rowsProcessed: 3,
      error: expect.stringMatching(
        /^the API process running this import stopped \(its lease ran out at .*Z\)/,
      ),
    });
    expect(seen.body.finishedAt).not.toBeNull();

    const atStart = await abandonedImport();
    const another = await buildApi({ client, pool, policy: () => DEFAULT_POLICY });
    await another.close();
    const row = await pool.query('SELECT status, error FROM imports WHERE id = $1', [atStart]);
    expect(row.rows[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/stopped/) });

    // The same Idempotency-Key runs the file anew instead of answering 409 "still running" forever.
    const key = `abandoned-key-${tag()}`;
    await abandonedImport(key);
    const retry = await importFile('counterparties', 'text/csv', `${CSV_HEADER}\n`, undefined, key);
    expect(retry.status).toBe(201);
    expect(retry.body.status).toBe('done');
  });

  it('a live import keeps its lease while its upload pauses longer than the lease', async () => {
    const leased = await buildApi({ client, pool, policy: () => DEFAULT_POLICY, importLeaseMs: 1_000 });
    const leasedBase = await leased.listen({ host: '127.0.0.1', port: 0 });
    let resume: () => void = () => {};
    const resumed = new Promise<void>((r) => {
      resume = r;
    });
    try {
      const t = tag();
      const importId = `paused-${t}`;
      // The pause falls inside the second record: the CSV parser hands over a record once it
      // sees what follows it.
      const second = `P2-${t},Paused,dealer,p2-${t}@dealer.test,Wuxi,AA,,0,,2024-01-01\n`;
      async function* paused() {
        yield new TextEncoder().encode(
          `${CSV_HEADER}\nP1-${t},Paused,dealer,p1-${t}@dealer.test,Wuxi,AA,,0,,2024-01-01\n${second.slice(0, 5)}`,
        );
        await resumed;
        yield new TextEncoder().encode(second.slice(5));
      }
      const headers = await testAuth.headers('finance');
      const answer = fetch(
        `${leasedBase}/v1/imports/counterparties?importId=${importId}`,
        nodeInit({
          method: 'POST',
          headers: { ...headers, 'content-type': 'text/csv' },
          body: paused(),
          duplex: 'half',
        }),
      );
      const status = async () =>
        (await (await fetch(`${leasedBase}/v1/imports/${importId}`, { headers })).json()) as ImportAnswer;
      await eventually(status, (b) => b.rowsProcessed === 1, 'the first row recorded');
      await new Promise((r) => setTimeout(r, 2_500)); // two and a half leases without a row
      expect((await status()).status).toBe('running');
      resume();
      const res = await answer;
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ status: 'done', counts: { created: 2 } });
    } finally {
      resume(); // an unfinished upload would hold close() open
      await leased.close();
    }
  });
});
