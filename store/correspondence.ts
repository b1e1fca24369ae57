/**
 * SQL of grouped correspondence (migration 022): which message carries which item. An item is
 * one receivable's step for one reader (`<receivableId>:<step><round>`); a message is one e-mail
 * to a debtor or a salesperson listing several. Each item key is claimed by exactly one message
 * key, in one transaction, so no item is ever in two messages; a retried claim of the same
 * message key finds the same items. Items wait in their reader's day's queue until a message
 * claims them (migration 029): only an item that finds the day asleep wakes its workflow. A
 * step's items may be planned ahead with the instant they fall due (migration 030): the day's
 * workflow is told of the instant once, and its message then takes them from here.
 */
import type { Pool, PoolClient } from 'pg';
import { CLOSED_STAGES } from '../domain/receivable-stages.js';
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

/** A reader's day of correspondence. */
export interface ReaderDay {
  audience: CorrespondenceAudience;
  partyId: string;
  /** 'YYYY-MM-DD'. */
  day: string;
}

/** An item waiting in its reader's day for the next message. */
export interface QueuedItem {
  itemKey: string;
  receivableId: string;
  step: string;
}

/** What a planned item was planned on: the receivable's due date and paused days then. */
export interface PlanBasis {
  dueDate: string;
  pausedDays: number;
}

/**
 * Locks a reader's day's row until the transaction ends, creating it asleep if it is new, and
 * says whether the day is awake and which planned instant its workflow was last told of: one
 * round trip (the upsert locks the row it returns).
 */
async function lockDay(
  client: PoolClient,
  day: readonly string[],
): Promise<{ awake: boolean; plannedFor: Date | null }> {
  const { rows } = await client.query<{ awake: boolean; plannedFor: Date | null }>(
    `INSERT INTO correspondence_days (audience, party_id, day) VALUES ($1, $2, $3)
     ON CONFLICT (audience, party_id, day) DO UPDATE SET awake = correspondence_days.awake
     RETURNING awake, planned_for AS "plannedFor"`,
    [...day],
  );
  return rows[0] ?? { awake: false, plannedFor: null };
}

export function createCorrespondenceQueries(pool: Pool) {
  return {
    /**
     * Queues `item` for its reader's day (migration 029) and says whether to wake the day's
     * workflow: yes when the day was asleep (nothing queued, no message on its way), and yes
     * when the item was already queued and is still waiting (a retried step: its first attempt
     * may have failed before the signal). An item some message already claimed is not queued.
     * An item planned ahead (migration 030) that still waits becomes an ordinary queued item:
     * its step has fired, so the plan's conditions no longer apply, and the day it was planned
     * for already knows of it.
     */
    async queue(day: ReaderDay, item: QueuedItem): Promise<{ wake: boolean }> {
      return inTransaction(pool, async (client) => {
        const { awake } = await lockDay(client, [day.audience, day.partyId, day.day]);
        const inserted = await client.query(
          `INSERT INTO correspondence_queue (item_key, audience, party_id, day, receivable_id, step)
           SELECT $4, $1, $2, $3, $5, $6
           WHERE NOT EXISTS (SELECT 1 FROM correspondence_items WHERE item_key = $4)
           ON CONFLICT (item_key) DO NOTHING`,
          [day.audience, day.partyId, day.day, item.itemKey, item.receivableId, item.step],
        );
        if (inserted.rowCount === 1) {
          if (awake) return { wake: false };
          await client.query(
            `UPDATE correspondence_days SET awake = true WHERE audience = $1 AND party_id = $2 AND day = $3`,
            [day.audience, day.partyId, day.day],
          );
          return { wake: true };
        }
        // Still waiting: planned (made ordinary here, no wake) or queued by an earlier attempt (wake).
        const { rows } = await client.query<{ waiting: boolean; planned: boolean }>(
          `WITH unplanned AS (
             UPDATE correspondence_queue SET planned_for = NULL, plan_due_date = NULL, plan_paused_days = NULL
             WHERE item_key = $1 AND planned_for IS NOT NULL RETURNING 1)
           SELECT EXISTS (SELECT 1 FROM correspondence_queue WHERE item_key = $1) AS waiting,
                  EXISTS (SELECT 1 FROM unplanned) AS planned`,
          [item.itemKey],
        );
        return { wake: rows[0]?.waiting === true && rows[0]?.planned !== true };
      });
    },

    /**
     * Plans `item` for its reader's day, due at `at` (migration 030), and says whether to tell
     * the day's workflow of that instant: yes unless the day is awake and was already told of
     * it, and yes when the item was already planned (a retried plan: its first attempt may have
     * failed before telling). An item already claimed by a message, or queued by its fired
     * step, is left as it is. Planning an item again moves it to this day and instant.
     */
    async plan(day: ReaderDay, item: QueuedItem, at: Date, basis: PlanBasis): Promise<{ tell: boolean }> {
      return inTransaction(pool, async (client) => {
        const { awake, plannedFor } = await lockDay(client, [day.audience, day.partyId, day.day]);
        const { rows } = await client.query<{ inserted: boolean }>(
          `INSERT INTO correspondence_queue
             (item_key, audience, party_id, day, receivable_id, step, planned_for, plan_due_date, plan_paused_days)
           SELECT $4, $1, $2, $3, $5, $6, $7, $8, $9
           WHERE NOT EXISTS (SELECT 1 FROM correspondence_items WHERE item_key = $4)
           ON CONFLICT (item_key) DO UPDATE SET audience = EXCLUDED.audience, party_id = EXCLUDED.party_id,
             day = EXCLUDED.day, planned_for = EXCLUDED.planned_for, plan_due_date = EXCLUDED.plan_due_date,
             plan_paused_days = EXCLUDED.plan_paused_days
           WHERE correspondence_queue.planned_for IS NOT NULL
           RETURNING xmax = 0 AS inserted`,
          [
            day.audience,
            day.partyId,
            day.day,
            item.itemKey,
            item.receivableId,
            item.step,
            at,
            basis.dueDate,
            basis.pausedDays,
          ],
        );
        const row = rows[0];
        if (!row) return { tell: false };
        if (row.inserted && awake && plannedFor?.getTime() === at.getTime()) return { tell: false };
        await client.query(
          `UPDATE correspondence_days SET awake = true, planned_for = $4
           WHERE audience = $1 AND party_id = $2 AND day = $3`,
          [day.audience, day.partyId, day.day, at],
        );
        return { tell: true };
      });
    },

    /**
     * Claims `items` (the ones the day was signalled) for `message` in one transaction and
     * returns what the message holds: the items it claimed now or on an earlier attempt, and the
     * items another message claimed first (those stay out of this one).
     *
     * The message also takes its day's queued items that are due at `now`, oldest first, up to
     * `max` items in all (only on its first attempt: a retried send keeps what it claimed).
     * Every item is judged by its receivable's row as the transaction reads it: a receivable
     * paid, closed or unknown since its step is claimed as left out, with the reason. A planned
     * item whose receivable no longer stands as planned (another due date or paused days, or a
     * valid reason holding) leaves the queue unclaimed: its step, if it fires, queues it again.
     * The day sleeps again when nothing is left queued, planned or due, and `morePending` says
     * when something due is left.
     */
    async claim(
      message: CorrespondenceMessageRow,
      items: QueuedItem[],
      max: number,
      now: Date = new Date(),
    ): Promise<{
      mine: ClaimedItem[];
      elsewhere: { itemKey: string; messageKey: string }[];
      morePending: boolean;
    }> {
      return inTransaction(pool, async (client) => {
        const day = [message.audience, message.partyId, message.day];
        await client.query(
          `INSERT INTO correspondence_messages (message_key, audience, party_id, day, workflow_id)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_key) DO NOTHING`,
          [message.messageKey, message.audience, message.partyId, message.day, message.workflowId],
        );
        // The day's row serialises this claim with the items being queued for the day.
        await lockDay(client, day);
        const earlier = await client.query(
          `SELECT 1 FROM correspondence_items WHERE message_key = $1 LIMIT 1`,
          [message.messageKey],
        );
        if (earlier.rowCount === 0)
          await client.query(
            `DELETE FROM correspondence_queue q USING receivables r
             WHERE q.audience = $1 AND q.party_id = $2 AND q.day = $3
               AND q.planned_for IS NOT NULL AND q.planned_for <= $4 AND r.id = q.receivable_id
               AND r.stage <> ALL($5::text[]) AND r.outstanding_minor > 0
               AND (r.due_date IS DISTINCT FROM q.plan_due_date OR r.paused_by IS NOT NULL
                    OR COALESCE((r.state->>'pausedDays')::integer, 0) IS DISTINCT FROM q.plan_paused_days)`,
            [...day, now, CLOSED_STAGES],
          );
        // The signalled items in their order, then (first attempt only) the day's queued ones.
        const { rows: claiming } = await client.query<Omit<ClaimedItem, 'messageKey'>>(
          `SELECT c.item_key AS "itemKey", c.receivable_id AS "receivableId", c.step,
                  (r.id IS NOT NULL AND r.stage <> ALL($4::text[]) AND r.outstanding_minor > 0) AS included,
                  CASE WHEN r.id IS NULL THEN 'receivable unknown'
                       WHEN r.stage = ANY($4::text[]) OR r.outstanding_minor <= 0 THEN 'receivable ' || r.stage
                  END AS "leftOutReason"
           FROM (SELECT s.item_key, s.receivable_id, s.step, 0 AS source, s.n, NULL::timestamptz AS queued_at
                 FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS s(item_key, receivable_id, step, n)
                 UNION ALL
                 (SELECT q.item_key, q.receivable_id, q.step, 1, 0, q.queued_at
                  FROM correspondence_queue q
                  WHERE $8 AND q.audience = $1 AND q.party_id = $2 AND q.day = $3 AND q.item_key <> ALL($5::text[])
                    AND (q.planned_for IS NULL OR q.planned_for <= $10)
                  ORDER BY q.queued_at, q.item_key LIMIT $9)) c
           LEFT JOIN receivables r ON r.id = c.receivable_id
           ORDER BY c.source, c.n, c.queued_at, c.item_key`,
          [
            ...day,
            CLOSED_STAGES,
            items.map((i) => i.itemKey),
            items.map((i) => i.receivableId),
            items.map((i) => i.step),
            earlier.rowCount === 0,
            Math.max(0, max - items.length),
            now,
          ],
        );
        if (claiming.length > 0)
          await client.query(
            `INSERT INTO correspondence_items (item_key, message_key, receivable_id, step, included, left_out_reason)
             SELECT i.key, $1, i.receivable_id, i.step, i.included, i.reason
             FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[])
               AS i(key, receivable_id, step, included, reason)
             ON CONFLICT (item_key) DO NOTHING`,
            [
              message.messageKey,
              claiming.map((i) => i.itemKey),
              claiming.map((i) => i.receivableId),
              claiming.map((i) => i.step),
              claiming.map((i) => i.included),
              claiming.map((i) => i.leftOutReason),
            ],
          );
        // Whatever some message now holds leaves the queue; the day sleeps when it is empty.
        await client.query(
          `DELETE FROM correspondence_queue q USING correspondence_items c
           WHERE c.item_key = q.item_key AND q.audience = $1 AND q.party_id = $2 AND q.day = $3`,
          day,
        );
        const { rows: left } = await client.query<{ due: boolean; any: boolean }>(
          `SELECT COALESCE(bool_or(planned_for IS NULL OR planned_for <= $4), false) AS due, count(*) > 0 AS any
           FROM correspondence_queue WHERE audience = $1 AND party_id = $2 AND day = $3`,
          [...day, now],
        );
        const morePending = left[0]?.due === true;
        // Items planned for later keep the day awake: its workflow knows their instant.
        await client.query(
          `UPDATE correspondence_days SET awake = $4,
             planned_for = CASE WHEN $4 THEN planned_for END
           WHERE audience = $1 AND party_id = $2 AND day = $3`,
          [...day, left[0]?.any === true],
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
          morePending,
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
