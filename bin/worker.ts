/**
 * `npm run worker`: the workers on their own (production, docker-compose), on the
 * Temporal, PostgreSQL and SMTP servers the environment names. Applies migrations,
 * registers search attributes, serves /metrics, and runs until SIGINT/SIGTERM.
 */
import '../infra/worker-heap.js';
import { loadConfig } from '../infra/config.js';
import { openDatabase } from '../infra/database.js';
import { runUntilStopped } from '../infra/lifecycle.js';
import { runWorkers } from '../workers/index.js';

const need = (value: string | undefined, name: string) => {
  if (!value)
    throw new Error(`${name} must be set to run the worker on its own (npm start starts local servers)`);
  return value;
};

runUntilStopped(async (stops) => {
  const config = loadConfig();
  const temporalAddress = need(config.temporal.address, 'TEMPORAL_ADDRESS');
  const smtpUrl = need(config.mail.url, 'SMTP_URL');
  const { store, operations, policies, close } = await openDatabase(
    config,
    need(config.postgres.url, 'DATABASE_URL'),
  );
  stops.add(close);
  const workers = await runWorkers(config, { store, operations, policies, temporalAddress, smtpUrl });
  stops.add(workers.stop);
  console.log(`creditflow worker metrics at ${workers.metricsUrl}`);
  return { running: workers.running };
});
