/**
 * What every creditflow process opens on its database: the pool, the migrations applied
 * (safe beside other processes starting: they run under an advisory lock), the store
 * built once over the pool, and the policy versions in PostgreSQL (POLICY_FILE only
 * seeds the first version; every process follows a new one within seconds).
 */

import { createDataLayer, type Operations } from '../operations/index.js';
import { createPool, migrate } from '../store/db.js';
import type { Store } from '../store/index.js';
import type { Config } from './config.js';
import { createPolicyStore, loadPolicy, type PolicyStore } from './policy.js';

export interface Database {
  store: Store;
  /** The business operations over the store, built once. */
  operations: Operations;
  policies: PolicyStore;
  /** The migrations this start applied, by file name. */
  applied: string[];
  close(): Promise<void>;
}

export async function openDatabase(config: Config, url: string): Promise<Database> {
  const pool = createPool(url, config.postgres.poolSize);
  try {
    const applied = await migrate(pool);
    const dataLayer = createDataLayer(pool);
    const policies = await createPolicyStore(dataLayer.store.policy, loadPolicy(config.policyFile));
    return {
      ...dataLayer,
      policies,
      applied,
      async close() {
        await policies.close();
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end();
    throw err;
  }
}
