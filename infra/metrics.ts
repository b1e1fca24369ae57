/**
 * creditflow's Prometheus endpoint: one page at /metrics with creditflow's own metrics
 * (prom-client: timeline steps fired, e-mails sent, outstanding amount by aging bucket
 * read from PostgreSQL at scrape time, the Node process) followed by the Temporal
 * worker's, which the SDK's core exports on an internal loopback address of its own.
 */
import http from 'node:http';
import type { TelemetryOptions } from '@temporalio/worker';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { AGING_BUCKETS, type AgingBucket, type AgingTotal, agingTotals } from '../domain/aging.js';
import { localDate } from '../domain/calendar.js';
import type { Store } from '../store/index.js';

/** What activities count; handed to them through their factories' deps (optional there). */
export interface CreditflowMetrics {
  /** A receivable's timeline step fired (reminder, dueCheck, secondNotice, warning, legal). */
  stepFired(step: string): void;
  /** The SMTP server accepted an e-mail of this kind (payment-reminder, rating-grade …). */
  mailSent(kind: string): void;
}

/** Runtime.install's telemetry: the SDK core's Prometheus exporter at `bindAddress` (host:port). */
export function temporalMetricsTelemetry(bindAddress: string): TelemetryOptions {
  return { metrics: { prometheus: { bindAddress } } };
}

export interface MetricsRegistry {
  metrics: CreditflowMetrics;
  /** The whole page: creditflow's metrics, then the Temporal worker's. */
  render(): Promise<string>;
  contentType: string;
}

export function createMetrics(deps: {
  /** The data layer (the open receivables by due date). */
  store: Pick<Store, 'metrics'>;
  /** The company's time zone: a receivable is overdue by calendar days there. */
  timeZone: () => string;
  /** Where the SDK core's exporter serves, e.g. http://127.0.0.1:9465/metrics; none: no worker metrics. */
  temporalMetricsUrl?: string;
  clock?: () => Date;
}): MetricsRegistry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const clock = deps.clock ?? (() => new Date());
  const queries = deps.store.metrics;

  const steps = new Counter({
    name: 'creditflow_timeline_steps_fired_total',
    help: 'Receivable timeline steps fired (due−7 reminder, due+1 check, +7 second notice, +15 warning, +30 legal), by step, since this worker started',
    labelNames: ['step'],
    registers: [registry],
  });
  const mails = new Counter({
    name: 'creditflow_emails_sent_total',
    help: 'E-mails the SMTP server accepted from this worker, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });

  // Both aging gauges come from one query per scrape (prom-client collects them concurrently).
  let aging: Promise<Record<AgingBucket, AgingTotal>> | null = null;
  const readAging = () => {
    aging ??= queries
      .openReceivablesByDueDate()
      .then((open) => agingTotals(open, localDate(clock().getTime(), deps.timeZone())))
      .finally(() => {
        aging = null;
      });
    return aging;
  };
  /** A gauge by aging bucket, set at each scrape from the one aging read. */
  const agingGauge = (name: string, help: string, figure: (total: AgingTotal) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['bucket'],
      registers: [registry],
      async collect() {
        const totals = await readAging();
        for (const b of AGING_BUCKETS) this.set({ bucket: b }, figure(totals[b]));
      },
    });
  agingGauge(
    'creditflow_outstanding_minor',
    'Outstanding amount of open issued receivables, in minor units, by aging bucket (days overdue: current = not yet due, 1-7, 8-15, 16-30, 30+ = more than 30)',
    (t) => t.outstandingMinor,
  );
  agingGauge(
    'creditflow_open_receivables',
    'Open issued receivables with an outstanding amount, by aging bucket (as creditflow_outstanding_minor)',
    (t) => t.receivables,
  );
  const temporalUp = new Gauge({
    name: 'creditflow_temporal_metrics_up',
    help: "1 when the Temporal worker's metrics were read for this scrape, 0 when not",
    registers: [registry],
  });

  return {
    metrics: {
      stepFired: (step) => steps.inc({ step }),
      mailSent: (kind) => mails.inc({ kind }),
    },
    contentType: registry.contentType,
    async render() {
      let temporal = '';
      if (deps.temporalMetricsUrl) {
        try {
          const res = await fetch(deps.temporalMetricsUrl, { signal: AbortSignal.timeout(2_000) });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          temporal = await res.text();
          temporalUp.set(1);
        } catch {
          temporalUp.set(0);
        }
      }
      const own = await registry.metrics();
      return temporal ? `${own.trimEnd()}\n${temporal}` : own;
    },
  };
}

/**
 * Serves `render()` at GET /metrics, and, given `ready`, GET /health: 200 while the
 * workers poll, 503 before they start and once they stop. The container's health check
 * asks /health rather than /metrics: it costs nothing, where /metrics queries PostgreSQL
 * and is served before the workers have connected. Port 0 picks a free one.
 */
export async function serveMetrics(opts: {
  host: string;
  port: number;
  registry: MetricsRegistry;
  ready?: () => boolean;
}): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const route = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && route === '/health' && opts.ready) {
      const ready = opts.ready();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(`${JSON.stringify({ ok: ready })}\n`);
      return;
    }
    if (req.method !== 'GET' || route !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
      return;
    }
    opts.registry.render().then(
      (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
      (err: Error) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
