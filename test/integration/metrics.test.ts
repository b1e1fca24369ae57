/**
 * The worker's Prometheus endpoint through the real servers: receivables imported
 * overdue fire their timeline step at once (Temporal dev server → receivable worker →
 * PostgreSQL and SMTP), and one scrape of /metrics shows the steps fired, the e-mails
 * sent by kind, the outstanding amount by aging bucket read from PostgreSQL, and the
 * Temporal worker's own metrics from the SDK core's exporter.
 * Its own database and namespace, so the aging totals are this file's receivables only.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { Mailer } from '../../infra/mail.js';
import {
  createMetrics,
  type MetricsRegistry,
  serveMetrics,
  temporalMetricsTelemetry,
} from '../../infra/metrics.js';
import { createDataLayer } from '../../operations/index.js';
import { createReceivableWorker } from '../../workers/worker.js';
import {
  RECEIVABLE_TASK_QUEUE,
  RECEIVABLE_WORKFLOW_TYPE,
  type ReceivableInput,
  receivableWorkflowId,
} from '../../workflows/receivable/contract.js';
import { TEST_COMPANY, testMailer } from '../support/acme.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/global-setup.js';
import { type Isolated, isolatedDatabaseAndNamespace } from '../support/isolated.js';
import { seedCounterparty, seedSalesperson } from '../support/seed.js';

let iso: Isolated;
let client: Client;
let workerConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let mailer: Mailer;
let registry: MetricsRegistry;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  // Before any connection in this process: the SDK core serves the worker's metrics on loopback.
  const corePort = await freePort();
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: temporalMetricsTelemetry(`127.0.0.1:${corePort}`),
  });
  iso = await isolatedDatabaseAndNamespace('metrics');
  client = new Client({ connection: iso.connection, namespace: iso.namespace });
  const dataLayer = createDataLayer(iso.pool);
  registry = createMetrics({
    store: dataLayer.store,
    timeZone: () => DEFAULT_POLICY.timeZone,
    temporalMetricsUrl: `http://127.0.0.1:${corePort}/metrics`,
  });
  server = await serveMetrics({ host: '127.0.0.1', port: 0, registry });
  mailer = testMailer({ metrics: registry.metrics });
  workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await createReceivableWorker({
    connection: workerConnection,
    namespace: iso.namespace,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    ...dataLayer,
    mailer,
    company: TEST_COMPANY,
    metrics: registry.metrics,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await server?.close();
  mailer?.close();
  await workerConnection?.close();
  await iso?.dispose();
});

/** One scrape, as Prometheus does it: metric → labels → value. */
async function scrape(): Promise<{
  text: string;
  value(name: string, labels?: Record<string, string>): number | undefined;
}> {
  const res = await fetch(server.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  return {
    text,
    value(name, labels = {}) {
      for (const line of text.split('\n')) {
        const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (!m || m[1] !== name) continue;
        const have = Object.fromEntries(
          [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
        );
        if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
      }
      return undefined;
    },
  };
}

/** An ERP invoice due `dueOffsetDays` from today: it joins the timeline where it stands. */
async function importInvoice(
  dealer: string,
  seller: string,
  amountMinor: number,
  paidMinor: number,
  dueOffsetDays: number,
) {
  const today = localDate(Date.now(), DEFAULT_POLICY.timeZone);
  const dueDate = addDays(today, dueOffsetDays);
  const receivableId = `R-m-${randomUUID().slice(0, 8)}`;
  const input: ReceivableInput = {
    application: {
      receivableId,
      counterpartyId: dealer,
      salespersonId: seller,
      amountMinor,
      currency: 'CNY',
      requestedTermDays: 30,
    },
    // The day's notices of the dealer go as one message (docs/correspondence.md), gathered 12 s.
    policy: { ...DEFAULT_POLICY, correspondence: { gatherMinutes: 0.2 } },
    imported: { issueDate: addDays(dueDate, -30), dueDate, paidMinor, source: 'erp:metrics-test' },
  };
  await client.workflow.start(RECEIVABLE_WORKFLOW_TYPE, {
    workflowId: receivableWorkflowId(receivableId),
    taskQueue: RECEIVABLE_TASK_QUEUE,
    args: [input],
  });
  return receivableId;
}

describe('/metrics', () => {
  it('counts timeline steps and e-mails, totals the outstanding by aging bucket, and carries the Temporal worker metrics', async () => {
    const dealer = `D-m-${iso.tag}`;
    const seller = `S-m-${iso.tag}`;
    await seedCounterparty(iso.pool, {
      id: dealer,
      name: 'Metrics dealer',
      email: 'dealer@metrics.test',
      creditGrade: 'AA',
      creditLimitMinor: 100_000_000,
      creditTermDays: 60,
      joinedOn: '2020-01-01',
    });
    await seedSalesperson(iso.pool, {
      id: seller,
      name: 'Metrics seller',
      email: 'seller@metrics.test',
      region: 'Hangzhou',
    });

    const before = await scrape();
    expect(before.value('creditflow_timeline_steps_fired_total', { step: 'warning' }) ?? 0).toBe(0);
    for (const bucket of ['current', '1-7', '8-15', '16-30', '30+'])
      expect(before.value('creditflow_outstanding_minor', { bucket })).toBe(0);

    // 20 days overdue, 500,000 of 2,000,000 paid: the +15 warning fires now (handover, supply stop, letter).
    await importInvoice(dealer, seller, 2_000_000, 500_000, -20);
    // 3 days overdue (outside the home region): the due+1 check fires now (collection notice, late reason).
    await importInvoice(dealer, seller, 300_000, 0, -3);
    // Due in 20 days: nothing fires yet.
    await importInvoice(dealer, seller, 700_000, 0, 20);

    const after = await eventually(
      scrape,
      (m) =>
        m.value('creditflow_timeline_steps_fired_total', { step: 'warning' }) === 1 &&
        m.value('creditflow_timeline_steps_fired_total', { step: 'dueCheck' }) === 1 &&
        m.value('creditflow_open_receivables', { bucket: 'current' }) === 1 &&
        m.value('creditflow_emails_sent_total', { kind: 'debtor-notices' }) === 1 &&
        m.value('creditflow_emails_sent_total', { kind: 'salesperson-tasks' }) === 1,
      'the immediate steps to be taken and their e-mails sent',
    );
    // Each step once, and only the one due now (the earlier ones were skipped at import).
    expect(after.value('creditflow_timeline_steps_fired_total', { step: 'reminder' })).toBeUndefined();
    expect(after.value('creditflow_timeline_steps_fired_total', { step: 'secondNotice' })).toBeUndefined();
    // The warning letter and the collection notice are items of the dealer's one message of the
    // day (debtor-notices); the late-reason request one of the salesperson's (salesperson-tasks).
    for (const kind of ['credit-desk-handover', 'supply-stopped', 'debtor-notices', 'salesperson-tasks'])
      expect(after.value('creditflow_emails_sent_total', { kind }), kind).toBe(1);
    // Outstanding by days overdue, from PostgreSQL at scrape time.
    expect(
      Object.fromEntries(
        ['current', '1-7', '8-15', '16-30', '30+'].map((bucket) => [
          bucket,
          [
            after.value('creditflow_outstanding_minor', { bucket }),
            after.value('creditflow_open_receivables', { bucket }),
          ],
        ]),
      ),
    ).toEqual({
      current: [700_000, 1],
      '1-7': [300_000, 1],
      '8-15': [0, 0],
      '16-30': [1_500_000, 1],
      '30+': [0, 0],
    });

    // The Temporal worker's own metrics, from the SDK core, on the same page.
    expect(after.value('creditflow_temporal_metrics_up')).toBe(1);
    expect(after.text).toMatch(/^temporal_\w+/m);
    expect(
      after.value('temporal_activity_execution_latency_count', {
        activity_type: 'sendCorrespondence',
        task_queue: RECEIVABLE_TASK_QUEUE,
      }),
    ).toBeGreaterThanOrEqual(1);
    // Still one valid exposition: no metric is declared twice across the two sources.
    const types = [...after.text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(types.length).toBeGreaterThan(10);
    expect(types.filter((t, i) => types.indexOf(t) !== i)).toEqual([]);
  });
});
