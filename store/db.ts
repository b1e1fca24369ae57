/** PostgreSQL pool and the numbered-migration runner with checksums (migrations/NNN_name.sql). */
import { createHash } from 'node:crypto';
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

/** A connection of its own that LISTENs on one channel; `start()` connects and listens. */
export interface ListenConnection {
  start(): Promise<void>;
  end(): Promise<void>;
}

/**
 * A connection of its own, outside `pool`, that LISTENs on `channel`: `notified` with each
 * announcement's payload, `lost` when the connection fails or ends. Keep-alive probes notice
 * a connection cut without a word instead of waiting on it forever.
 */
export function listenConnection(
  pool: pg.Pool,
  channel: string,
  on: { notified: (payload: string) => void; lost: () => void },
): ListenConnection {
  const client = new pg.Client({ ...pool.options, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
  client.on('notification', (n) => {
    if (n.channel === channel) on.notified(n.payload ?? '');
  });
  client.on('error', on.lost);
  client.on('end', on.lost);
  return {
    async start() {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    },
    end: () => client.end(),
  };
}

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

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '..', 'migrations');

/** A migration file's name: three digits, an underscore, a name (migrations/README.md). */
const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

/**
 * An applied migration's file no longer matches what was applied (or is gone): the start
 * stops, because the database and the files that describe it now disagree.
 */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * The sha256 of a migration's text, line endings normalised to LF: a checkout that turns
 * them into CRLF (git's core.autocrlf) is the same migration, any other byte is not.
 */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * Applies every migration not yet applied, in the order of their numbers, each in its own
 * transaction, under an advisory lock (the API and the worker start side by side), and
 * records each file's checksum. Before applying anything it checks the applied ones: a
 * file edited after it was applied, or removed, stops the start with the file's name.
 * Rows from before checksums were recorded get theirs on the first run.
 *
 * Our own runner rather than node-pg-migrate or postgrator: migrations are plain numbered
 * SQL files that PostgreSQL runs as they are, one transaction per file, and this is all
 * the runner has to do; a library would add a dependency, its own bookkeeping table and a
 * file-naming convention of its own to reach the same place.
 *
 * Numbers may skip: 010, 014, 016 and 018 were reserved by work done in parallel and never
 * used (migrations/README.md). A gap is no error and is never filled later — a new
 * migration takes the next number after the highest.
 */
export async function migrate(pool: pg.Pool, options: { dir?: string } = {}): Promise<string[]> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const files = await migrationFiles(dir);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), checksum text)',
    );
    // Databases migrated before checksums were recorded.
    await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text');
    const done = new Map(
      (
        await client.query<{ name: string; checksum: string | null }>(
          'SELECT name, checksum FROM schema_migrations ORDER BY name',
        )
      ).rows.map((r) => [r.name, r.checksum]),
    );
    const last = [...files.keys()].at(-1) ?? '';
    for (const [name, recorded] of done) {
      const file = files.get(name);
      if (file === undefined) {
        // Numbered past every file: a newer release migrated this database (a rolling
        // update, a rollback). Nothing of this code's was changed; let it start.
        if (name > last) continue;
        throw new MigrationError(
          `migration ${name} was applied to this database but migrations/${name} is missing: restore the file (an applied migration is never removed; undo it in a new migration)`,
        );
      }
      if (recorded === null) {
        await client.query('UPDATE schema_migrations SET checksum = $2 WHERE name = $1', [
          name,
          file.checksum,
        ]);
      } else if (recorded !== file.checksum) {
        throw new MigrationError(
          `migration ${name} was edited after it was applied to this database (sha256 applied ${recorded}, file now ${file.checksum}): restore migrations/${name} as it was and put the change in a new migration`,
        );
      }
    }
    for (const [name, file] of files) {
      if (done.has(name)) continue;
      await client.query('BEGIN');
      try {
        await client.query(file.sql);
        await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
          name,
          file.checksum,
        ]);
        await client.query('COMMIT');
        applied.push(name);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(err as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => {});
    client.release();
  }
  return applied;
}

/** The migration files of `dir` by name, in order, with their text and checksum. */
async function migrationFiles(dir: string): Promise<Map<string, { sql: string; checksum: string }>> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const byNumber = new Map<string, string>();
  for (const name of names) {
    const number = MIGRATION_FILE.exec(name)?.[1];
    // A misnamed file would otherwise be skipped without a word.
    if (number === undefined)
      throw new MigrationError(
        `migrations/${name}: a migration is named NNN_name.sql (migrations/README.md)`,
      );
    const other = byNumber.get(number);
    if (other !== undefined)
      throw new MigrationError(
        `migrations/${other} and migrations/${name} share the number ${number}: renumber the one not yet applied anywhere`,
      );
    byNumber.set(number, name);
  }
  const files = new Map<string, { sql: string; checksum: string }>();
  for (const name of names) {
    const sql = await readFile(path.join(dir, name), 'utf8');
    files.set(name, { sql, checksum: migrationChecksum(sql) });
  }
  return files;
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

/**
 * Runs `fn` in one transaction on one client: committed when it returns, rolled back when it
 * throws. While the client is checked out the pool does not listen for its errors, and a
 * server going away between two of its queries (while `fn` awaits something else) would
 * emit an error no one handles and end the process; here it fails the transaction instead,
 * and the client is discarded, not returned to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onLost = (err: Error) => {
    lost = err;
  };
  client.on('error', onLost);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.removeListener('error', onLost);
    client.release(lost);
  }
}

/** Drops `database` on the server `admin` connects to, closing its connections (a test's own database). */
export async function dropDatabase(admin: pg.ClientConfig, database: string): Promise<void> {
  const client = new pg.Client(admin);
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database.replaceAll('"', '')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Creates `database` on the server `admin` connects to, unless it exists (the local server of
 * `npm start`, whose data directory starts empty).
 */
export async function ensureDatabase(admin: pg.ClientConfig, database: string): Promise<void> {
  const client = new pg.Client(admin);
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '')}"`);
  } finally {
    await client.end();
  }
}
