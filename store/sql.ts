/**
 * The statement shapes the store's modules share, written once: the one row of a keyed SELECT, the upsert of a row keyed by
 * its natural key, and the pair of columns that name an actor (a readable line and the
 * credential as JSON).
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { type Actor, describeActor, type SystemActor } from '../domain/actor.js';

/** The first row a keyed SELECT answers (on the pool or in a transaction), or undefined when none. */
export async function oneRow<T extends QueryResultRow>(
  db: Pool | PoolClient,
  sql: string,
  params: unknown[],
): Promise<T | undefined> {
  const { rows } = await db.query<T>(sql, params);
  return rows[0];
}

/**
 * `ON CONFLICT (key) DO UPDATE SET` each of `update` from the new row, `touch` set to now(); with
 * `onlyWhenChanged`, only when one of those columns differs (so the row count says "changed"), with
 * `where`, only when that holds.
 */
export function onConflictUpdate(
  table: string,
  key: readonly string[],
  update: readonly string[],
  opts: { touch?: string; onlyWhenChanged?: readonly string[]; where?: string } = {},
): string {
  const sets = [
    ...update.map((c) => `${c} = EXCLUDED.${c}`),
    ...(opts.touch ? [`${opts.touch} = now()`] : []),
  ];
  const changed = opts.onlyWhenChanged
    ? `(${opts.onlyWhenChanged.map((c) => `${table}.${c}`).join(', ')}) IS DISTINCT FROM (${opts.onlyWhenChanged.map((c) => `EXCLUDED.${c}`).join(', ')})`
    : undefined;
  const where = [opts.where, changed].filter(Boolean).join(' AND ');
  return `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${sets.join(', ')}${where ? ` WHERE ${where}` : ''}`;
}

/**
 * `INSERT INTO table (columns) VALUES ($1, …)` and, on the key, the other columns updated
 * (see onConflictUpdate); bind the values in `columns` order.
 */
export function upsertRow(
  table: string,
  columns: readonly string[],
  key: readonly string[],
  opts: { touch?: string; onlyWhenChanged?: readonly string[] | true; where?: string } = {},
): string {
  return upsertRows(table, columns, key, 1, opts);
}

/**
 * upsertRow for `rows` rows in one statement: bind the values row after row, each in `columns` order. The
 * rows' keys must differ (one statement cannot update a row twice).
 */
export function upsertRows(
  table: string,
  columns: readonly string[],
  key: readonly string[],
  rows: number,
  opts: { touch?: string; onlyWhenChanged?: readonly string[] | true; where?: string } = {},
): string {
  const update = columns.filter((c) => !key.includes(c));
  const values = Array.from(
    { length: rows },
    (_, r) => `(${columns.map((_, i) => `$${r * columns.length + i + 1}`).join(', ')})`,
  ).join(', ');
  const onlyWhenChanged = opts.onlyWhenChanged === true ? update : opts.onlyWhenChanged;
  const conflict = onConflictUpdate(table, key, update, {
    ...(opts.touch ? { touch: opts.touch } : {}),
    ...(opts.where ? { where: opts.where } : {}),
    ...(onlyWhenChanged ? { onlyWhenChanged } : {}),
  });
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values} ${conflict}`;
}

/** The values of an actor's two columns (`…_by`, `…_by_actor`): the readable line and the credential. */
export const actorColumns = (actor: Actor | SystemActor): [string, string] => [
  describeActor(actor),
  JSON.stringify(actor),
];
