/**
 * creditflow's business operations: the transactional acts on credit facts (stop or
 * resume supply, lower a grade, propose and decide a salesperson's limit, decide a
 * review, read and write the policy, …). Routes parse, authorize and call them;
 * activities call them; neither writes SQL nor opens transactions itself. Built once
 * over the store, like the store over the pool.
 */
import type { Store } from '../store/index.js';
import { createCreditFactOperations } from './credit-facts.js';
import { createMasterData } from './master-data.js';
import { createPolicyOperations } from './policy.js';
import { createReceivableRecordOperations } from './receivable-record.js';
import { createSupplyOperations } from './supply.js';

export function createOperations(store: Store) {
  return {
    store,
    creditFacts: createCreditFactOperations(store),
    masterData: createMasterData(store),
    policy: createPolicyOperations(store),
    receivableRecord: createReceivableRecordOperations(store),
    supply: createSupplyOperations(store),
  };
}

export type Operations = ReturnType<typeof createOperations>;
