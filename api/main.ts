/** The HTTP API process on its own (production, docker-compose). */
import { loadConfig } from '../infra/config.js';
import { createPool } from '../infra/db.js';
import { loadPolicy } from '../infra/policy.js';
import { connectClient } from '../infra/temporal.js';
import { buildApi } from './server.js';

const config = loadConfig();
if (!config.temporal.address || !config.postgres.url)
  throw new Error('TEMPORAL_ADDRESS and DATABASE_URL must be set to run the API on its own');
const pool = createPool(config.postgres.url);
const { client, connection } = await connectClient(config.temporal.address, config.temporal.namespace);
const policy = loadPolicy();
const api = await buildApi({ client, pool, policy: () => policy, logger: true });
await api.listen({ host: config.api.host, port: config.api.port });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await api.close();
    await connection.close();
    await pool.end();
    process.exit(0);
  });
}
