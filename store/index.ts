/**
 * creditflow's data layer: every SQL statement of the project lives in this folder, one
 * module per table family. `createStore(pool)` builds them all once; the API, the
 * activities, the workers and the command-line tools are handed the same store.
 */

import { createCorrespondenceQueries } from './correspondence.js';
import { createCounterpartyQueries } from './counterparties.js';
import { createCredentialQueries } from './credentials.js';
import { createCreditRecordQueries } from './credit-record.js';
import { inTransaction, type Pool, type PoolClient } from './db.js';
import { createEffects } from './effects.js';
import { createIdempotencyQueries } from './idempotency.js';
import { createImportQueries } from './imports.js';
import { createLetterQueries } from './letters.js';
import { createMetricsQueries } from './metrics.js';
import { createPolicyQueries } from './policy.js';
import { createPortalLinkQueries } from './portal-links.js';
import { createRatingQueries } from './rating.js';
import { createReceivableQueries } from './receivables.js';
import { createReportQueries } from './reports.js';
import { createSalespersonQueries } from './salespeople.js';
import { createScoreQueries } from './scores.js';
import { createSessionQueries } from './sessions.js';
import { createStatementQueries } from './statements.js';
import { createTaskQueries } from './tasks.js';
import { createTemplateQueries } from './templates.js';
import { createWebhookQueries } from './webhooks.js';
import { createWorkQueries } from './work.js';

export function createStore(pool: Pool) {
  return {
    pool,
    /** Resolves when the database answers (the health check). */
    reachable: async () => {
      await pool.query('SELECT 1');
    },
    credentials: createCredentialQueries(pool),
    /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
    transaction: <T>(fn: (client: PoolClient) => Promise<T>) => inTransaction(pool, fn),
    counterparties: createCounterpartyQueries(pool),
    correspondence: createCorrespondenceQueries(pool),
    creditRecord: createCreditRecordQueries(pool),
    effects: createEffects(pool),
    idempotency: createIdempotencyQueries(pool),
    imports: createImportQueries(pool),
    letters: createLetterQueries(pool),
    metrics: createMetricsQueries(pool),
    policy: createPolicyQueries(pool),
    rating: createRatingQueries(pool),
    receivables: createReceivableQueries(pool),
    reports: createReportQueries(pool),
    salespeople: createSalespersonQueries(pool),
    statements: createStatementQueries(pool),
    scores: createScoreQueries(pool),
    tasks: createTaskQueries(pool),
    templates: createTemplateQueries(pool),
    webhooks: createWebhookQueries(pool),
    sessions: createSessionQueries(pool),
    portalLinks: createPortalLinkQueries(pool),
    work: createWorkQueries(pool),
  };
}

export type Store = ReturnType<typeof createStore>;
