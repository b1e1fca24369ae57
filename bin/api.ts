/**
 * `npm run api`: the HTTP API on its own (production, docker-compose), on the Temporal
 * and PostgreSQL servers the environment names. Runs until SIGINT/SIGTERM.
 */
import { runApi } from '../api/index.js';
import { loadConfig } from '../infra/config.js';
import { openDatabase } from '../infra/database.js';
import { runUntilStopped } from '../infra/lifecycle.js';

runUntilStopped(async (stops) => {
  const config = loadConfig();
  if (!config.temporal.address || !config.postgres.url)
    throw new Error('TEMPORAL_ADDRESS and DATABASE_URL must be set to run the API on its own');
  const { store, operations, policies, close } = await openDatabase(config, config.postgres.url);
  stops.add(close);
  const api = await runApi(config, { store, operations, policies, logger: true });
  stops.add(api.stop);
  return undefined;
});
