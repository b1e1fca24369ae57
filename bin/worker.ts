/**
 * `npm run worker`: the workers on their own (production, docker-compose), on the
 * Temporal, PostgreSQL and SMTP servers the environment names. Applies migrations,
 * registers search attributes, serves /metrics, and runs until SIGINT/SIGTERM.
 */
import { loadConfig } from '../infra/config.js';
import { runUntilStopped } from '../infra/lifecycle.js';
import { createPolicyStore, loadPolicy } from '../infra/policy.js';
import { createPool, migrate } from '../store/db.js';
import { createStore } from '../store/index.js';
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
  const pool = createPool(need(config.postgres.url, 'DATABASE_URL'), config.postgres.poolSize);
  stops.add(() => pool.end());
  await migrate(pool); // safe beside the API's: migrations run under an advisory lock
  // The policy versions in PostgreSQL, shared with the API: POLICY_FILE only seeds the first version.
  const policies = await createPolicyStore(pool, loadPolicy(config.policyFile));
  stops.add(() => policies.close());
  const workers = await runWorkers(config, { store: createStore(pool), policies, temporalAddress, smtpUrl });
  stops.add(workers.stop);
  console.log(`creditflow worker metrics at ${workers.metricsUrl}`);
  return { running: workers.running };
});
