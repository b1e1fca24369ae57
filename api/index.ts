/**
 * The HTTP API of a creditflow process: built over the store and the policy versions,
 * listening where the configuration says. Used by `npm start` and `npm run api`.
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import type { PolicyStore } from '../infra/policy.js';
import { connectClient } from '../infra/temporal.js';
import type { Operations } from '../operations/index.js';
import type { Store } from '../store/index.js';
import { startCredentialCache } from './credential-cache.js';
import { buildApi } from './server.js';

export interface RunningApi {
  url: string;
  /** Stops listening (and closes the Temporal connection it opened itself). */
  stop(): Promise<void>;
}

export async function runApi(
  config: Config,
  deps: {
    store: Store;
    operations: Operations;
    /** The policy versions in PostgreSQL (infra/policy.ts), shared with the workers. */
    policies: PolicyStore;
    /** A Temporal client to share (`npm start`: the workers'); else one on TEMPORAL_ADDRESS. */
    client?: Client;
    /** Log every request (the API process on its own). */
    logger?: boolean;
  },
): Promise<RunningApi> {
  const temporal = deps.client ? { client: deps.client, close: async () => {} } : await ownClient(config);
  const credentialCache = config.api.credentialCache
    ? await startCredentialCache(deps.store.credentials, config.api.credentialCache)
    : undefined;
  const building = buildApi({
    client: temporal.client,
    pool: deps.store.pool,
    store: deps.store,
    operations: deps.operations,
    policy: () => deps.policies.current(),
    policyStore: deps.policies,
    ...(deps.logger ? { logger: true } : {}),
    limits: config.http,
    webhookAllowedNetworks: config.webhooks.allowedNetworks,
    trustProxy: config.api.trustProxy,
    workflowCallTimeoutMs: config.api.workflowCallTimeoutMs,
    ...(credentialCache ? { credentialCache } : {}),
    company: config.company,
    temporalUiUrl: `http://${config.api.host === '0.0.0.0' ? 'localhost' : config.api.host}:${config.temporal.uiPort}`,
  });
  // The cache listens on a connection of its own: an API that fails to build closes it.
  const api = await building.catch(async (err) => {
    await credentialCache?.close();
    throw err;
  });
  await api.listen({ host: config.api.host, port: config.api.port });
  return {
    url: `http://${config.api.host}:${config.api.port}`,
    async stop() {
      await api.close();
      await temporal.close();
    },
  };
}

async function ownClient(config: Config) {
  if (!config.temporal.address) throw new Error('TEMPORAL_ADDRESS must be set to run the API on its own');
  const { connection, client } = await connectClient(
    config.temporal.address,
    config.temporal.namespace,
    config.temporal.security,
  );
  return { client, close: () => connection.close() };
}
