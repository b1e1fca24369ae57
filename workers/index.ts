/**
 * The worker side of a creditflow process: the Temporal runtime (its metrics exported on
 * loopback for /metrics to append), /metrics and /health, the mailer, and the workers of the
 * process's role with the schedules they serve (workers/all.ts). Used by `npm start` and
 * `npm run worker`.
 */
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import { createMailer } from '../infra/mail.js';
import { createMetrics, serveMetrics, temporalMetricsTelemetry } from '../infra/metrics.js';
import type { PolicyStore } from '../infra/policy.js';
import { connectClient, connectWorker, registerSearchAttributes } from '../infra/temporal.js';
import type { Operations } from '../operations/index.js';
import type { Store } from '../store/index.js';
import { startCreditflowWorkers } from './all.js';

export interface RunningWorkers {
  /** A client on the workers' namespace, for an API in the same process to share. */
  client: Client;
  /** The Prometheus endpoint: creditflow's metrics and the Temporal workers'. */
  metricsUrl: string;
  /** Resolves when every worker has stopped. */
  running: Promise<void>;
  /** Shuts the workers down, then closes the mailer, their connections and /metrics. */
  stop(): Promise<void>;
}

export async function runWorkers(
  config: Config,
  deps: {
    store: Store;
    operations: Operations;
    /** The policy versions in PostgreSQL (infra/policy.ts), shared with the API. */
    policies: PolicyStore;
    temporalAddress: string;
    smtpUrl: string;
    /** Only the SDK's warnings and errors on the console (`npm start` keeps it for people). */
    quiet?: boolean;
  },
): Promise<RunningWorkers> {
  // Before any connection. The signals are the process's (infra/lifecycle.ts): it stops
  // the workers, then the servers, in order.
  const temporalMetricsAddress = `127.0.0.1:${config.metrics.temporalPort}`;
  Runtime.install({
    ...(deps.quiet ? { logger: new DefaultLogger('WARN') } : {}),
    shutdownSignals: [],
    telemetryOptions: temporalMetricsTelemetry(temporalMetricsAddress),
  });
  const { store, policies } = deps;
  const metrics = createMetrics({
    store,
    timeZone: () => policies.current().timeZone,
    temporalMetricsUrl: `http://${temporalMetricsAddress}/metrics`,
  });
  // GET /health on the same port: 200 from the workers' start until they stop.
  let polling = false;
  const metricsServer = await serveMetrics({
    host: config.metrics.host,
    port: config.metrics.port,
    registry: metrics,
    ready: () => polling,
  });
  const { connection, client } = await connectClient(
    deps.temporalAddress,
    config.temporal.namespace,
    config.temporal.security,
  );
  await registerSearchAttributes(connection, config.temporal.namespace);
  const workerConnection = await connectWorker(deps.temporalAddress, config.temporal.security);
  const mailer = createMailer(deps.smtpUrl, config.mail.from, {
    maxConnections: config.mail.maxConnections,
    metrics: metrics.metrics,
  });
  const workers = await startCreditflowWorkers({
    connection: workerConnection,
    client,
    namespace: config.temporal.namespace,
    store,
    operations: deps.operations,
    mailer,
    company: config.company,
    policies,
    metrics: metrics.metrics,
    worker: config.worker,
    webhooks: config.webhooks,
  });
  polling = true;
  const running = workers.running.finally(() => {
    polling = false;
  });
  return {
    client,
    metricsUrl: metricsServer.url,
    running,
    async stop() {
      polling = false;
      await workers.shutdown();
      // Its pooled SMTP connections would hold a local SMTP server's stop until it times out.
      mailer.close();
      await workerConnection.close();
      await connection.close();
      await metricsServer.close();
    },
  };
}
