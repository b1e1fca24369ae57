/**
 * What waits for people (GET /v1/my-work, the workspace's "My work"): applications awaiting a
 * department's vote or a manager, open tasks of a kind, pending salesperson limit proposals and
 * review decisions. Oldest first. Read-only.
 */
import type { Pool } from './db.js';

export interface WaitingApplication {
  receivableId: string;
  counterpartyId: string;
  counterpartyName: string;
  salespersonId: string;
  amountMinor: number;
  currency: string;
  stage: string;
  since: string;
  state: Record<string, unknown> | null;
}

export interface OpenTask {
  key: string;
  kind: string;
  receivableId: string | null;
  counterpartyId: string | null;
  counterpartyName: string | null;
  salespersonId: string | null;
  dueOn: string | null;
  since: string;
  detail: Record<string, unknown>;
}

const LIMIT = 200;

export function createWorkQueries(pool: Pool) {
  return {
    /**
     * Applications in `stages` that `department` has not voted on (none: any), oldest first;
     * only `salespersonId`'s when given.
     */
    async applications(stages: string[], department: string | null): Promise<WaitingApplication[]> {
      const { rows } = await pool.query(
        `SELECT r.id AS "receivableId", r.counterparty_id AS "counterpartyId", c.name AS "counterpartyName",
                r.salesperson_id AS "salespersonId", r.requested_minor AS "amountMinor", r.currency, r.stage,
                r.created_at AS since, r.state
         FROM receivables r JOIN counterparties c ON c.id = r.counterparty_id
         WHERE r.stage = ANY($1) AND ($2::text IS NULL OR r.state IS NULL OR (r.state->'votes'->$2) IS NULL)
         ORDER BY r.created_at, r.id LIMIT ${LIMIT}`,
        [stages, department],
      );
      return rows.map((r) => ({ ...r, amountMinor: Number(r.amountMinor), since: iso(r.since) }));
    },

    /**
     * Open tasks of these kinds, oldest first; when `salespersonId` is given, only those about its
     * receivables or about a counterparty it sells to.
     */
    async tasks(kinds: string[], salespersonId: string | null): Promise<OpenTask[]> {
      const { rows } = await pool.query(
        `SELECT t.key, t.kind, t.receivable_id AS "receivableId",
                COALESCE(r.counterparty_id, t.detail->>'dealerId', t.detail->>'counterpartyId') AS "counterpartyId",
                c.name AS "counterpartyName", r.salesperson_id AS "salespersonId",
                to_char(t.due_on, 'YYYY-MM-DD') AS "dueOn", t.created_at AS since, t.detail
         FROM tasks t
         LEFT JOIN receivables r ON r.id = t.receivable_id
         LEFT JOIN counterparties c ON c.id = COALESCE(r.counterparty_id, t.detail->>'dealerId', t.detail->>'counterpartyId')
         WHERE t.status = 'open' AND t.kind = ANY($1)
           AND ($2::text IS NULL OR r.salesperson_id = $2
                -- a task about a counterparty (no receivable): for the salespeople who sell to it
                OR (t.receivable_id IS NULL AND EXISTS (
                  SELECT 1 FROM receivables rs WHERE rs.counterparty_id = c.id AND rs.salesperson_id = $2)))
         ORDER BY t.created_at, t.id LIMIT ${LIMIT}`,
        [kinds, salespersonId],
      );
      return rows.map((r) => ({ ...r, since: iso(r.since) }));
    },

    async limitProposals() {
      const { rows } = await pool.query(
        `SELECT p.id, p.salesperson_id AS "salespersonId", s.name AS "salespersonName",
                p.previous_limit_minor AS "previousLimitMinor", p.proposed_limit_minor AS "proposedLimitMinor",
                p.evaluation, p.proposed_by AS "proposedBy", p.created_at AS since
         FROM salesperson_limit_proposals p JOIN salespeople s ON s.id = p.salesperson_id
         WHERE p.status = 'pending' ORDER BY p.created_at, p.id LIMIT ${LIMIT}`,
      );
      return rows.map((r) => ({
        ...r,
        previousLimitMinor: r.previousLimitMinor === null ? null : Number(r.previousLimitMinor),
        proposedLimitMinor: Number(r.proposedLimitMinor),
        since: iso(r.since),
      })) as {
        id: string;
        salespersonId: string;
        salespersonName: string;
        previousLimitMinor: number | null;
        proposedLimitMinor: number;
        evaluation: string;
        proposedBy: string;
        since: string;
      }[];
    },

    async reviews() {
      const { rows } = await pool.query(
        `SELECT v.quarter, v.salesperson_id AS "salespersonId", s.name AS "salespersonName",
                v.proposed_actions AS "proposedActions", v.proposed_limit_minor AS "proposedLimitMinor",
                v.reasons, v.proposed_at AS since
         FROM salesperson_reviews v JOIN salespeople s ON s.id = v.salesperson_id
         WHERE v.status = 'proposed' ORDER BY v.proposed_at, v.quarter, v.salesperson_id LIMIT ${LIMIT}`,
      );
      return rows.map((r) => ({
        ...r,
        proposedLimitMinor: r.proposedLimitMinor === null ? null : Number(r.proposedLimitMinor),
        since: iso(r.since),
      })) as {
        quarter: string;
        salespersonId: string;
        salespersonName: string;
        proposedActions: unknown;
        proposedLimitMinor: number | null;
        reasons: unknown;
        since: string;
      }[];
    },

    /** A debtor's open items: its receivables open for payment, oldest due first. */
    async openItems(counterpartyId: string) {
      const { rows } = await pool.query(
        `SELECT id AS "receivableId", currency, approved_minor AS "amountMinor", outstanding_minor AS "outstandingMinor",
                to_char(issue_date, 'YYYY-MM-DD') AS "issueDate", to_char(due_date, 'YYYY-MM-DD') AS "dueDate",
                stage, paused_by AS "pausedBy"
         FROM receivables
         WHERE counterparty_id = $1 AND outstanding_minor > 0 AND stage NOT IN ('applied', 'awaiting-approval', 'manager-review', 'rejected', 'paid', 'written-off')
         ORDER BY due_date NULLS LAST, id LIMIT 500`,
        [counterpartyId],
      );
      return rows.map((r) => ({
        ...r,
        amountMinor: Number(r.amountMinor ?? 0),
        outstandingMinor: Number(r.outstandingMinor),
      })) as {
        receivableId: string;
        currency: string;
        amountMinor: number;
        outstandingMinor: number;
        issueDate: string | null;
        dueDate: string | null;
        stage: string;
        pausedBy: string | null;
      }[];
    },

    /** Marks an open task of one of `kinds` done, adding to its detail; false when there is none. */
    async completeTask(key: string, kinds: string[], detail: Record<string, unknown>): Promise<boolean> {
      const r = await pool.query(
        `UPDATE tasks SET status = 'done', detail = detail || $3::jsonb WHERE key = $1 AND kind = ANY($2) AND status = 'open'`,
        [key, kinds, JSON.stringify(detail)],
      );
      return (r.rowCount ?? 0) > 0;
    },

    /** How many times an event of this type is in a receivable's credit record. */
    async countEvents(receivableId: string, eventType: string): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM credit_records WHERE subject_type = 'receivable' AND subject_id = $1 AND event_type = $2`,
        [receivableId, eventType],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : String(d));

export type WorkQueries = ReturnType<typeof createWorkQueries>;
