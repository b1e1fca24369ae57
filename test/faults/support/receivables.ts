/**
 * Receivables for the fault tests, on the real-time dev server: imported ERP
 * invoices join the timeline where they stand, so a due date chosen relative to
 * today makes a given escalation step fire at once (no waiting for days).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { addDays, localDate } from '../../../domain/calendar.js';
import { DEFAULT_POLICY, type Policy } from '../../../domain/policy.js';
import type { Pool } from '../../../store/db.js';
import {
  getReceivable,
  RECEIVABLE_TASK_QUEUE,
  type ReceivableInput,
  type ReceivableState,
  receivableWorkflowId,
  recordPayment,
  type TimelineStep,
} from '../../../workflows/receivable/contract.js';
import { seedDealerAndSalesperson } from '../../support/acme.js';
import { testActor } from '../../support/actors.js';

export const TZ = DEFAULT_POLICY.timeZone;

/**
 * The fault tests run in real time, today: a day's grouped message (docs/correspondence.md)
 * gathers for 3 seconds, not the default 10 minutes, and a step fires on its own day even when
 * today is a weekend or a holiday (docs/calendar.md). The worker reads both from the workflow's
 * input, never from the stored version, so the version's name stays the one the worker knows.
 */
export const forRealTime = (policy: Policy): Policy => ({
  ...policy,
  correspondence: policy.correspondence ?? { gatherMinutes: 0.05 },
  calendar: policy.calendar ?? { registry: 'CN', nonWorkingDay: 'as-is', entries: [] },
});
export const AMOUNT = 2_000_000;

/** Today in the company's time zone. */
export const companyToday = () => localDate(Date.now(), TZ);

/**
 * The due date (relative to today) that makes `step` the one an import fires at
 * once: its day was yesterday, the next step's day is days away.
 */
export function dueDateFiring(step: TimelineStep, today = companyToday()): string {
  const t = DEFAULT_POLICY.receivable.timeline;
  const offset = {
    reminder: t.reminderDays,
    dueCheck: t.dueCheckDays,
    secondNotice: t.secondNoticeDays,
    warning: t.warningDays,
    legal: t.legalDays,
  }[step];
  return addDays(today, -1 - offset);
}

/** The stage a receivable stands in right after `step` (before anyone answers it). */
export const STAGE_AFTER: Record<TimelineStep, ReceivableState['stage']> = {
  reminder: 'reminded',
  dueCheck: 'overdue',
  secondNotice: 'second-notice',
  warning: 'credit-desk',
  legal: 'legal-review',
};

export interface Parties {
  counterpartyId: string;
  salespersonId: string;
}

export function receivableKit(pool: Pool, client: Client) {
  return {
    /** A new dealer and salesperson for one receivable. */
    async seedParties(region?: string): Promise<Parties> {
      return seedDealerAndSalesperson(pool, 'F', region);
    },
    /**
     * Imports an ERP invoice due on `dueDate`, for `parties` already seeded (so it can
     * start while PostgreSQL is down) or a new dealer; returns its receivable id.
     */
    async importInvoice(opts: {
      dueDate: string;
      region?: string;
      policy?: Policy;
      parties?: Parties;
    }): Promise<{ id: string; counterpartyId: string }> {
      const { counterpartyId, salespersonId } = opts.parties ?? (await this.seedParties(opts.region));
      const id = `R-${randomUUID().slice(0, 8)}`;
      const input: ReceivableInput = {
        application: {
          receivableId: id,
          counterpartyId,
          salespersonId,
          amountMinor: AMOUNT,
          currency: 'CNY',
          requestedTermDays: 30,
        },
        policy: forRealTime(opts.policy ?? DEFAULT_POLICY),
        imported: {
          issueDate: addDays(opts.dueDate, -30),
          dueDate: opts.dueDate,
          paidMinor: 0,
          source: 'erp:faults',
        },
      };
      await client.workflow.start('receivableWorkflow', {
        workflowId: receivableWorkflowId(id),
        taskQueue: RECEIVABLE_TASK_QUEUE,
        args: [input],
      });
      return { id, counterpartyId };
    },
    /** Finance records payment `paymentId` of the whole amount today (an Update on the receivable's workflow). */
    payInFull: (id: string, paymentId: string) =>
      client.workflow.getHandle(receivableWorkflowId(id)).executeUpdate(recordPayment, {
        args: [
          { paymentId, amountMinor: AMOUNT, paidOn: companyToday(), actor: testActor('finance', 'faults') },
        ],
      }),
    state: (id: string) =>
      client.workflow.getHandle(receivableWorkflowId(id)).query<ReceivableState>(getReceivable),
    async count(sql: string, params: unknown[]): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) x`, params);
      return Number(rows[0]?.n ?? 0);
    },
    /** Task keys of a receivable (without the `<id>:` prefix), sorted. */
    async taskKeys(id: string): Promise<string[]> {
      const { rows } = await pool.query<{ key: string }>(
        'SELECT key FROM tasks WHERE receivable_id = $1 ORDER BY key',
        [id],
      );
      return rows.map((r) => r.key.slice(id.length + 1));
    },
    /**
     * Effect rows of a receivable: key (without prefix) → status; an item of a grouped message
     * (docs/correspondence.md) has its message's status ('unsent' while the message has none).
     */
    async effects(id: string): Promise<Record<string, string>> {
      const { rows } = await pool.query<{ key: string; status: string }>(
        `SELECT key, status FROM effects WHERE receivable_id = $1
         UNION ALL
         SELECT i.item_key, coalesce(e.status, 'unsent') FROM correspondence_items i
           LEFT JOIN effects e ON e.key = i.message_key
         WHERE i.receivable_id = $1 AND i.included`,
        [id],
      );
      return Object.fromEntries(rows.map((r) => [r.key.slice(id.length + 1), r.status]));
    },
    /** Grouped messages (by key) and the item keys each claimed, of receivables `ids`. */
    async claims(ids: string[]): Promise<{ itemKey: string; messageKey: string; included: boolean }[]> {
      const { rows } = await pool.query(
        `SELECT item_key AS "itemKey", message_key AS "messageKey", included FROM correspondence_items
         WHERE receivable_id = ANY($1) ORDER BY item_key`,
        [ids],
      );
      return rows;
    },
  };
}

export type ReceivableKit = ReturnType<typeof receivableKit>;
