/** The HTTP API process on its own (production, docker-compose). */
import { loadConfig } from '../infra/config.js';
import { createPolicyStore, loadPolicy } from '../infra/policy.js';
import { connectClient } from '../infra/temporal.js';
import { createPool, migrate } from '../store/db.js';
import { createStore } from '../store/index.js';
import { buildApi } from './server.js';

const config = loadConfig();
if (!config.temporal.address || !config.postgres.url)
  throw new Error('TEMPORAL_ADDRESS and DATABASE_URL must be set to run the API on its own');
const pool = createPool(config.postgres.url, config.postgres.poolSize);
await migrate(pool); // safe beside the worker's: migrations run under an advisory lock
const store = createStore(pool);
const { client, connection } = await connectClient(
  config.temporal.address,
  config.temporal.namespace,
  config.temporal.security,
);
// The policy versions in PostgreSQL, shared with the worker and other API processes:
// POLICY_FILE only seeds the first version.
const policyStore = await createPolicyStore(store.policy, loadPolicy(config.policyFile));
const api = await buildApi({
  client,
  pool,
  store,
  policy: () => policyStore.current(),
  policyStore,
  logger: true,
  limits: config.http,
  webhookAllowedNetworks: config.webhooks.allowedNetworks,
  workflowCallTimeoutMs: config.api.workflowCallTimeoutMs,
});
await api.listen({ host: config.api.host, port: config.api.port });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await api.close();
    await policyStore.close();
    await connection.close();
    await pool.end();
    process.exit(0);
  });
}
