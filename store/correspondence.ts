/**
 * SQL of grouped correspondence (migration 022): which message carries which item. An item is
 * one receivable's step for one reader (`<receivableId>:<step><round>`); a message is one e-mail
 * to a debtor or a salesperson listing several. Each item key is claimed by exactly one message
 * key, in one transaction, so no item is ever in two messages; a retried claim of the same
 * message key finds the same items.
 */
import type { Pool } from 'pg';
import { inTransaction } from './db.js';

export type CorrespondenceAudience = 'debtor' | 'salesperson';

export interface CorrespondenceMessageRow {
  messageKey: string;
  audience: CorrespondenceAudience;
  partyId: string;
  /** 'YYYY-MM-DD', the working day the message is for. */
  day: string;
  workflowId: string;
}

export interface ClaimedItem {
  itemKey: string;
  messageKey: string;
  receivableId: string;
  step: string;
  /** False: the receivable was paid or closed before the send; the item is recorded, not sent. */
  included: boolean;
  leftOutReason: string | null;
}

export function createCorrespondenceQueries(pool: Pool) {
  return {
    /**
     * Claims `items` for `message` in one transaction and returns what the message holds:
     * the items it claimed now or on an earlier attempt, and the items another message
     * claimed first (those stay out of this one).
     */
    async claim(
      message: CorrespondenceMessageRow,
      items: Omit<ClaimedItem, 'messageKey'>[],
    ): Promise<{ mine: ClaimedItem[]; elsewhere: { itemKey: string; messageKey: string }[] }> {
      return inTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO correspondence_messages (message_key, audience, party_id, day, workflow_id)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_key) DO NOTHING`,
          [message.messageKey, message.audience, message.partyId, message.day, message.workflowId],
        );
        if (items.length > 0)
          await client.query(
            `INSERT INTO correspondence_items (item_key, message_key, receivable_id, step, included, left_out_reason)
             SELECT i.key, $1, i.receivable_id, i.step, i.included, i.reason
             FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[])
               AS i(key, receivable_id, step, included, reason)
             ON CONFLICT (item_key) DO NOTHING`,
            [
              message.messageKey,
              items.map((i) => i.itemKey),
              items.map((i) => i.receivableId),
              items.map((i) => i.step),
              items.map((i) => i.included),
              items.map((i) => i.leftOutReason),
            ],
          );
        const { rows } = await client.query<ClaimedItem>(
          `SELECT item_key AS "itemKey", message_key AS "messageKey", receivable_id AS "receivableId", step,
                  included, left_out_reason AS "leftOutReason"
           FROM correspondence_items WHERE message_key = $1 OR item_key = ANY($2::text[]) ORDER BY claimed_at, item_key`,
          [message.messageKey, items.map((i) => i.itemKey)],
        );
        return {
          mine: rows.filter((r) => r.messageKey === message.messageKey),
          elsewhere: rows
            .filter((r) => r.messageKey !== message.messageKey)
            .map((r) => ({ itemKey: r.itemKey, messageKey: r.messageKey })),
        };
      });
    },

    /** Every claimed item of receivables `ids` (their messages and whether each was sent). */
    async itemsOf(ids: readonly string[]): Promise<ClaimedItem[]> {
      const { rows } = await pool.query<ClaimedItem>(
        `SELECT item_key AS "itemKey", message_key AS "messageKey", receivable_id AS "receivableId", step,
                included, left_out_reason AS "leftOutReason"
         FROM correspondence_items WHERE receivable_id = ANY($1::text[]) ORDER BY item_key`,
        [ids],
      );
      return rows;
    },
  };
}

export type CorrespondenceQueries = ReturnType<typeof createCorrespondenceQueries>;
