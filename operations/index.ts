/**
 * creditflow's business operations: the transactional acts on credit facts (stop or
 * resume supply, lower a grade, propose and decide a salesperson's limit, decide a
 * review, read and write the policy, …). Routes parse, authorize and call them;
 * activities call them; neither writes SQL nor opens transactions itself. Built once
 * over the store, like the store over the pool.
 */
import type { Pool } from '../store/db.js';
import { createStore, type Store } from '../store/index.js';
import { createCreditFactOperations } from './credit-facts.js';
import { createMasterData } from './master-data.js';
import { createPolicyOperations } from './policy.js';
import { createPortalOperations } from './portal.js';
import { ratingOperations } from './rating.js';
import { createReceivableRecordOperations } from './receivable-record.js';
import { salespersonCreditOperations } from './salesperson-credit.js';
import { createScoreOperations } from './scores.js';
import { createSupplyOperations } from './supply.js';

export function createOperations(store: Store) {
  return {
    store,
    rating: ratingOperations(store),
    salespersonCredit: salespersonCreditOperations(store),
    creditFacts: createCreditFactOperations(store),
    masterData: createMasterData(store),
    policy: createPolicyOperations(store),
    receivableRecord: createReceivableRecordOperations(store),
    supply: createSupplyOperations(store),
    scores: createScoreOperations(store),
    portal: createPortalOperations(store),
  };
}

export type Operations = ReturnType<typeof createOperations>;

/** The store over `pool` and the operations over it, each built once: what an entry point hands down. */
export function createDataLayer(pool: Pool): { store: Store; operations: Operations } {
  const store = createStore(pool);
  return { store, operations: createOperations(store) };
}
