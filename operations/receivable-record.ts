/**
 * Recording what happens to a receivable: each act goes into the credit record together with
 * the workflow's latest snapshot, the task it answers, and its webhook event, in one
 * transaction — an event is published if and only if it is recorded. Retries are no-ops:
 * the record's idempotency key is also the webhook event's id. The record is each
 * transaction's last write, so the chain's lock is held only from it to the COMMIT.
 */
import type { WebhookEvent } from '../domain/webhooks.js';
import type { CreditRecordInput } from '../store/credit-record.js';
import type { Store } from '../store/index.js';
import type { ReceivableState } from '../workflows/receivable/contract.js';

/** A credit-record event about a receivable (its subject is the receivable). */
type ReceivableRecord = Omit<CreditRecordInput, 'subjectType' | 'subjectId'>;

export function createReceivableRecordOperations(store: Store) {
  const { receivables, creditRecord, webhooks } = store;
  const about = (receivableId: string, r: ReceivableRecord): CreditRecordInput => ({
    subjectType: 'receivable',
    subjectId: receivableId,
    ...r,
  });

  return {
    /** The receivable's row, its first snapshot and its first credit-record event, together (once per id). */
    async recordNew(filed: ReceivableState, workflowId: string, record: ReceivableRecord): Promise<void> {
      await store.transaction(async (client) => {
        await receivables.insertApplication(client, filed.application, workflowId, filed.policyVersion);
        await receivables.saveSnapshot(client, filed);
        await creditRecord.append(client, about(filed.receivableId, record));
      });
    },

    /**
     * An event of the receivable: its record, the snapshot, the task it answers marked done (by
     * whom), and its webhook event. True when this call recorded it (not a retry).
     */
    async recordEvent(e: {
      state: ReceivableState;
      record: ReceivableRecord;
      answers?: { taskKey: string; doneBy: unknown };
      webhook?: WebhookEvent;
    }): Promise<boolean> {
      return store.transaction(async (client) => {
        await receivables.saveSnapshot(client, e.state);
        if (e.answers) await store.tasks.complete(client, e.answers.taskKey, { doneBy: e.answers.doneBy });
        if (e.webhook) await webhooks.enqueue(client, e.webhook);
        // Last: the chain's lock is held from here to the COMMIT, not across the writes above.
        return creditRecord.append(client, about(e.state.receivableId, e.record));
      });
    },

    /** A payment applied: its row, its record and the snapshot, together. */
    async recordPayment(
      state: ReceivableState,
      payment: { id: string; amountMinor: number; discountMinor: number; paidOn: string },
      record: ReceivableRecord,
    ): Promise<void> {
      await store.transaction(async (client) => {
        await receivables.insertPayment(client, { ...payment, receivableId: state.receivableId });
        await receivables.saveSnapshot(client, state);
        await creditRecord.append(client, about(state.receivableId, record));
      });
    },

    /** The snapshot and a webhook event without a record (the +30 step, published when proposed). */
    async publish(state: ReceivableState, webhook: WebhookEvent): Promise<void> {
      await store.transaction(async (client) => {
        await receivables.saveSnapshot(client, state);
        await webhooks.enqueue(client, webhook);
      });
    },
  };
}

export type ReceivableRecordOperations = ReturnType<typeof createReceivableRecordOperations>;
