/**
 * The worker process on its own (production, docker-compose): connects to the
 * Temporal, PostgreSQL and SMTP servers the environment names, applies
 * migrations, registers search attributes and runs until SIGINT/SIGTERM.
 */
import { loadConfig } from '../infra/config.js';
import { createPool, migrate } from '../infra/db.js';
import { createMailer } from '../infra/mail.js';
import { loadPolicy } from '../infra/policy.js';
import { connectClient, connectWorker, registerSearchAttributes } from '../infra/temporal.js';
import { startCreditflowWorkers } from './all.js';

const config = loadConfig();
const need = (value: string | undefined, name: string) => {
  if (!value)
    throw new Error(`${name} must be set to run the worker on its own (npm start starts local servers)`);
  return value;
};
const address = need(config.temporal.address, 'TEMPORAL_ADDRESS');
const pool = createPool(need(config.postgres.url, 'DATABASE_URL'), config.postgres.poolSize);
await migrate(pool);
const { connection, client } = await connectClient(address, config.temporal.namespace);
await registerSearchAttributes(connection, config.temporal.namespace);

const workerConnection = await connectWorker(address);
const workers = await startCreditflowWorkers({
  connection: workerConnection,
  client,
  namespace: config.temporal.namespace,
  pool,
  mailer: createMailer(need(config.mail.url, 'SMTP_URL'), config.mail.from, {
    maxConnections: config.mail.maxConnections,
  }),
  company: config.company,
  policy: loadPolicy(config.policyFile),
  tuning: config.worker,
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void workers.shutdown());
await workers.running;
await workerConnection.close();
await connection.close();
await pool.end();
