/**
 * Exactly-once external effects under activity retries and worker restarts: each
 * effect (an e-mail, a letter, a supply stop, a grade change) has a key per
 * receivable and step, claimed in PostgreSQL before the effect and marked done
 * after it. A retry of a done effect returns its stored result and does nothing.
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './db.js';

export interface Effects {
  once<T>(key: string, step: string, receivableId: string | null, effect: () => Promise<T>): Promise<T>;
  /** Runs `effect` inside a transaction that also marks the key done: all or nothing. */
  onceInTransaction<T>(
    key: string,
    step: string,
    receivableId: string | null,
    effect: (client: PoolClient) => Promise<T>,
  ): Promise<T>;
  /**
   * onceInTransaction for a batch of keys (no receivable): one transaction claims every key not done
   * before and runs `effect` with those keys; it answers a result for each, stored under its key. Returns
   * every key's result, and whether it was written now.
   */
  allOnceInTransaction<T>(
    keys: readonly string[],
    step: string,
    effect: (client: PoolClient, claimed: ReadonlySet<string>) => Promise<Map<string, T>>,
  ): Promise<Map<string, { result: T; fresh: boolean }>>;
}

export function createEffects(pool: Pool): Effects {
  return {
    async once(key, step, receivableId, effect) {
      await pool.query(
        `INSERT INTO effects (key, receivable_id, step, status) VALUES ($1, $2, $3, 'claimed') ON CONFLICT (key) DO NOTHING`,
        [key, receivableId, step],
      );
      const { rows } = await pool.query<{ status: string; result: unknown }>(
        'SELECT status, result FROM effects WHERE key = $1',
        [key],
      );
      if (rows[0]?.status === 'done') return rows[0].result as Awaited<ReturnType<typeof effect>>;
      const result = await effect();
      await pool.query(`UPDATE effects SET status = 'done', result = $2, done_at = now() WHERE key = $1`, [
        key,
        JSON.stringify(result ?? null),
      ]);
      return result;
    },
    async onceInTransaction(key, step, receivableId, effect) {
      type Result = Awaited<ReturnType<typeof effect>>;
      const ran = await inTransaction(pool, async (client): Promise<{ result: Result } | null> => {
        const claimed = await client.query(
          `INSERT INTO effects (key, receivable_id, step, status, done_at) VALUES ($1, $2, $3, 'done', now())
           ON CONFLICT (key) DO NOTHING RETURNING key`,
          [key, receivableId, step],
        );
        if (claimed.rowCount === 0) return null; // done before: nothing written here
        const result = await effect(client);
        await client.query('UPDATE effects SET result = $2 WHERE key = $1', [
          key,
          JSON.stringify(result ?? null),
        ]);
        return { result };
      });
      if (ran) return ran.result;
      const { rows } = await pool.query<{ result: unknown }>('SELECT result FROM effects WHERE key = $1', [
        key,
      ]);
      return rows[0]?.result as Result;
    },
    async allOnceInTransaction<T>(
      keys: readonly string[],
      step: string,
      effect: (client: PoolClient, claimed: ReadonlySet<string>) => Promise<Map<string, T>>,
    ) {
      const written = await inTransaction(pool, async (client) => {
        const claimed = await client.query<{ key: string }>(
          `INSERT INTO effects (key, receivable_id, step, status, done_at)
           SELECT key, NULL, $2, 'done', now() FROM unnest($1::text[]) AS key
           ON CONFLICT (key) DO NOTHING RETURNING key`,
          [keys, step],
        );
        const fresh = new Set(claimed.rows.map((r) => r.key));
        if (!fresh.size) return new Map<string, T>();
        const results = await effect(client, fresh);
        // Only the keys claimed here are this run's: a result for any other is not stored.
        const stored = new Map([...fresh].map((key) => [key, results.get(key) as T]));
        await client.query(
          `UPDATE effects AS e SET result = r.result::jsonb
           FROM unnest($1::text[], $2::text[]) AS r(key, result) WHERE e.key = r.key`,
          [[...stored.keys()], [...stored.values()].map((result) => JSON.stringify(result ?? null))],
        );
        return stored;
      });
      const answers = new Map<string, { result: T; fresh: boolean }>();
      for (const [key, result] of written) answers.set(key, { result, fresh: true });
      const before = keys.filter((key) => !written.has(key));
      if (before.length) {
        const { rows } = await pool.query<{ key: string; result: T }>(
          'SELECT key, result FROM effects WHERE key = ANY($1)',
          [before],
        );
        for (const r of rows) answers.set(r.key, { result: r.result, fresh: false });
      }
      return answers;
    },
  };
}
