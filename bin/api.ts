/**
 * `npm run api`: the HTTP API on its own (production, docker-compose), on the Temporal
 * and PostgreSQL servers the environment names. Runs until SIGINT/SIGTERM.
 */
import { runApi } from '../api/index.js';
import { loadConfig } from '../infra/config.js';
import { runUntilStopped } from '../infra/lifecycle.js';
import { createPolicyStore, loadPolicy } from '../infra/policy.js';
import { createPool, migrate } from '../store/db.js';
import { createStore } from '../store/index.js';

runUntilStopped(async (stops) => {
  const config = loadConfig();
  if (!config.temporal.address || !config.postgres.url)
    throw new Error('TEMPORAL_ADDRESS and DATABASE_URL must be set to run the API on its own');
  const pool = createPool(config.postgres.url, config.postgres.poolSize);
  stops.add(() => pool.end());
  await migrate(pool); // safe beside the worker's: migrations run under an advisory lock
  // The policy versions in PostgreSQL, shared with the worker and other API processes:
  // POLICY_FILE only seeds the first version.
  const policies = await createPolicyStore(pool, loadPolicy(config.policyFile));
  stops.add(() => policies.close());
  const api = await runApi(config, { store: createStore(pool), policies, logger: true });
  stops.add(api.stop);
  return undefined;
});
