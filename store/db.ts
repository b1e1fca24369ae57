/** PostgreSQL pool and the numbered-migration runner (migrations/NNN_name.sql). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

// DATE columns are calendar dates in the company's time zone: keep them as
// 'YYYY-MM-DD' strings instead of letting pg turn them into local-midnight Dates.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// BIGINT money columns stay exact up to 2^53 minor units (90 trillion yuan).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${v} exceeds the safe integer range`);
  return n;
});

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/**
 * True when `err` says PostgreSQL cannot be reached or is going away, as opposed to
 * a bad query: SQLSTATE class 08 (connection exception), 57P01–57P03 (shut down by
 * an administrator, crashed, starting up or shutting down), a refused, reset or
 * timed-out socket, or pg's "Connection terminated" family.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown } | null | undefined;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^08...$/.test(code) || ['57P01', '57P02', '57P03'].includes(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code))
    return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (
    /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|connect ECONNREFUSED/.test(
      message,
    )
  )
    return true;
  // Node's happy-eyeballs connect (a host name with several addresses) fails with an AggregateError.
  return Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable);
}

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '..', 'migrations');

/** Applies every migration not yet applied, each in its own transaction, under an advisory lock. */
export async function migrate(pool: pg.Pool): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
        applied.push(file);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => {});
    client.release();
  }
  return applied;
}

/**
 * Sets the given fields (camelCase names, each mapped to its column by `columns`) on the row
 * `id` of `table`, and its `updated_at`. A field without a column is a programming error.
 */
export async function setColumns(
  client: pg.PoolClient,
  table: string,
  columns: Readonly<Record<string, string>>,
  id: string,
  values: Record<string, unknown>,
): Promise<void> {
  const entries = Object.entries(values);
  if (!entries.length) return;
  const sets = entries.map(([k], i) => {
    const column = columns[k];
    if (!column) throw new Error(`${table}: field ${k} cannot be set`);
    return `${column} = $${i + 2}`;
  });
  await client.query(`UPDATE ${table} SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
    id,
    ...entries.map(([, v]) => v),
  ]);
}

/** Runs `fn` in one transaction on one client: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
