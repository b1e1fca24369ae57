/**
 * SQL of the tasks people are given (a call, a visit, a late reason to record, a legal escalation or a
 * dealer's continuation to decide): opened once per key, marked done with who did it.
 */
import type { Pool, PoolClient } from 'pg';

export function createTaskQueries(pool: Pool) {
  return {
    /** Opens the task, once per key: a retry adds nothing. */
    async open(t: {
      key: string;
      kind: string;
      assignee: string;
      /** The receivable it is about, if any (a dealer's continuation decision is about none). */
      receivableId?: string;
      dueOn: string | null;
      detail: Record<string, unknown>;
    }): Promise<void> {
      await pool.query(
        `INSERT INTO tasks (key, kind, assignee, receivable_id, due_on, detail) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (key) DO NOTHING`,
        [t.key, t.kind, t.assignee, t.receivableId ?? null, t.dueOn, JSON.stringify(t.detail)],
      );
    },

    /** Marks an open task done, adding to its detail (who did it). */
    async complete(client: PoolClient, key: string, detail: Record<string, unknown>): Promise<void> {
      await client.query(
        `UPDATE tasks SET status = 'done', detail = detail || $2::jsonb WHERE key = $1 AND status = 'open'`,
        [key, JSON.stringify(detail)],
      );
    },
  };
}

export type TaskQueries = ReturnType<typeof createTaskQueries>;
