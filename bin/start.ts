/**
 * `npm start`: the whole system on one machine — the Temporal dev server with its Web UI,
 * PostgreSQL and a loopback SMTP server with a web inbox (each unless the environment
 * points at an existing one: infra/local/), then the workers and the HTTP API in this
 * process. Ctrl-C stops it all; the data stays in .data/.
 */
import path from 'node:path';
import { createLocalCredentials } from '../api/credentials.js';
import { runApi } from '../api/index.js';
import { loadConfig } from '../infra/config.js';
import { openDatabase } from '../infra/database.js';
import { runUntilStopped, say } from '../infra/lifecycle.js';
import { startLocalServers } from '../infra/local/index.js';
import { runWorkers } from '../workers/index.js';

runUntilStopped(async (stops) => {
  const config = loadConfig();
  const servers = await startLocalServers(config, say);
  stops.add(servers.stop);
  const { store, operations, policies, applied, close } = await openDatabase(config, servers.databaseUrl);
  stops.add(close);
  if (applied.length) say(`applied migrations: ${applied.join(', ')}`);
  say(`credit policy ${policies.current().version}`);
  const tokens = path.join(config.dataDir, 'dev-credentials.json');
  if (servers.localDatabase && (await createLocalCredentials(store.credentials, tokens)))
    say(`created local API credentials, one per role: ${path.relative(process.cwd(), tokens)}`);

  say('starting the workers (bundling workflows)…');
  const workers = await runWorkers(config, {
    store,
    operations,
    policies,
    temporalAddress: servers.temporalAddress,
    smtpUrl: servers.smtpUrl,
    quiet: true,
  });
  stops.add(workers.stop);
  const api = await runApi(config, { store, operations, policies, client: workers.client });
  stops.add(api.stop);

  say('creditflow is up:');
  const line = (what: string, where: string) => console.log(`  ${what.padEnd(16)} ${where}`);
  line('HTTP API', `${api.url}  (OpenAPI: ${api.url}/openapi.json)`);
  line('API docs', `${api.url}/docs`);
  line('Reports', `${api.url}/dashboard  (asks for an API token; or add #token=<token>)`);
  line('Temporal', `${servers.temporalAddress}  namespace ${config.temporal.namespace}`);
  if (servers.temporalUiUrl) line('Temporal Web UI', servers.temporalUiUrl);
  line('PostgreSQL', servers.databaseUrl.replace(/:[^:@/]+@/, ':***@'));
  line('SMTP', servers.smtpUrl);
  if (servers.inboxUrl) line('Mail inbox', servers.inboxUrl);
  line('Metrics', `${workers.metricsUrl}  (Prometheus: creditflow and the Temporal workers)`);
  console.log('  Ctrl-C stops everything; data stays in .data/');
  return { running: workers.running };
});
