/**
 * The worker process on its own (production, docker-compose): connects to the
 * Temporal, PostgreSQL and SMTP servers the environment names, applies
 * migrations, registers search attributes, serves /metrics and runs until
 * SIGINT/SIGTERM.
 */
import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../infra/config.js';
import { createMailer } from '../infra/mail.js';
import { createMetrics, serveMetrics, temporalMetricsTelemetry } from '../infra/metrics.js';
import { createPolicyStore, loadPolicy } from '../infra/policy.js';
import { connectClient, connectWorker, registerSearchAttributes } from '../infra/temporal.js';
import { createPool, migrate } from '../store/db.js';
import { createStore } from '../store/index.js';
import { startCreditflowWorkers } from './all.js';

const config = loadConfig();
// Before any connection: the SDK core exports the worker's metrics on loopback, for /metrics to append.
const temporalMetricsAddress = `127.0.0.1:${config.metrics.temporalPort}`;
Runtime.install({ telemetryOptions: temporalMetricsTelemetry(temporalMetricsAddress) });
const need = (value: string | undefined, name: string) => {
  if (!value)
    throw new Error(`${name} must be set to run the worker on its own (npm start starts local servers)`);
  return value;
};
const address = need(config.temporal.address, 'TEMPORAL_ADDRESS');
const pool = createPool(need(config.postgres.url, 'DATABASE_URL'), config.postgres.poolSize);
await migrate(pool);
const store = createStore(pool);
// The policy versions in PostgreSQL, shared with the API: POLICY_FILE only seeds the first version.
const policies = await createPolicyStore(store.policy, loadPolicy(config.policyFile));
const metrics = createMetrics({
  store,
  timeZone: () => policies.current().timeZone,
  temporalMetricsUrl: `http://${temporalMetricsAddress}/metrics`,
});
const metricsServer = await serveMetrics({
  host: config.metrics.host,
  port: config.metrics.port,
  registry: metrics,
});
console.log(`creditflow worker metrics at ${metricsServer.url}`);
const { connection, client } = await connectClient(
  address,
  config.temporal.namespace,
  config.temporal.security,
);
await registerSearchAttributes(connection, config.temporal.namespace);

const workerConnection = await connectWorker(address, config.temporal.security);
const workers = await startCreditflowWorkers({
  connection: workerConnection,
  client,
  namespace: config.temporal.namespace,
  pool,
  store,
  mailer: createMailer(need(config.mail.url, 'SMTP_URL'), config.mail.from, {
    maxConnections: config.mail.maxConnections,
    metrics: metrics.metrics,
  }),
  company: config.company,
  policies,
  metrics: metrics.metrics,
  tuning: config.worker,
  webhooks: config.webhooks,
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void workers.shutdown());
await workers.running;
await policies.close();
await metricsServer.close();
await workerConnection.close();
await connection.close();
await pool.end();
