/**
 * The migration runner's checksums (store/db.ts, migrations/README.md), on a database of
 * this file's own: an applied file edited or removed stops the start with its name, a
 * database from before checksums gets them recorded, and a second run changes nothing.
 */
import { appendFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate, migrationChecksum } from '../../store/db.js';
import { type Isolated, isolatedDatabaseAndNamespace } from '../support/isolated.js';

let iso: Isolated;
/** A copy of migrations/ each test may edit. */
let dir: string;

beforeAll(async () => {
  iso = await isolatedDatabaseAndNamespace('migrations');
});
afterAll(async () => {
  await iso?.dispose();
});
beforeEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = await mkdtemp(path.join(tmpdir(), 'creditflow-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function recorded() {
  return (
    await iso.pool.query<{ name: string; checksum: string | null; applied_at: Date }>(
      'SELECT name, checksum, applied_at FROM schema_migrations ORDER BY name',
    )
  ).rows;
}

async function sqlFiles() {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
}

describe('migrations with a checksum', () => {
  it('records the sha256 of every applied file, and a second run changes nothing', async () => {
    const before = await recorded();
    expect(before.map((r) => r.name)).toEqual(await sqlFiles());
    for (const row of before)
      expect(row.checksum, row.name).toBe(
        migrationChecksum(await readFile(path.join(MIGRATIONS_DIR, row.name), 'utf8')),
      );
    expect(await migrate(iso.pool)).toEqual([]);
    expect(await recorded()).toEqual(before);
  });

  it('tolerates the reserved, never-used numbers (010, 014, 016, 018): no gap is an error', async () => {
    const numbers = (await sqlFiles()).map((f) => f.slice(0, 3));
    for (const gap of ['010', '014', '016', '018']) expect(numbers).not.toContain(gap);
    expect(await migrate(iso.pool, { dir })).toEqual([]);
  });

  it('an applied migration edited afterwards stops the start, naming the file', async () => {
    const before = await recorded();
    await appendFile(path.join(dir, '005_salesperson.sql'), '\n-- an afterthought\n');
    await expect(migrate(iso.pool, { dir })).rejects.toThrow(
      /migration 005_salesperson\.sql was edited after it was applied/,
    );
    expect(await recorded()).toEqual(before);
  });

  it('nothing new is applied when an older file was edited', async () => {
    await appendFile(path.join(dir, '001_core.sql'), '\nSELECT 1;\n');
    await writeFile(path.join(dir, '900_later.sql'), 'CREATE TABLE later_one (id int);\n');
    await expect(migrate(iso.pool, { dir })).rejects.toThrow(/001_core\.sql/);
    const exists = await iso.pool.query("SELECT to_regclass('later_one') AS t");
    expect(exists.rows[0].t).toBeNull();
  });

  it('line endings alone are not an edit', async () => {
    const file = path.join(dir, '006_credentials.sql');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\n/g, '\r\n'));
    expect(await migrate(iso.pool, { dir })).toEqual([]);
  });

  it('an applied migration whose file is gone stops the start, naming it', async () => {
    await rm(path.join(dir, '009_webhooks.sql'));
    await expect(migrate(iso.pool, { dir })).rejects.toThrow(
      /migration 009_webhooks\.sql was applied to this database but migrations\/009_webhooks\.sql is missing/,
    );
  });

  it('two files with one number, or a misnamed file, stop the start', async () => {
    await writeFile(path.join(dir, '019_another.sql'), 'SELECT 1;\n');
    await expect(migrate(iso.pool, { dir })).rejects.toThrow(
      /migrations\/019_another\.sql and migrations\/019_import_lease\.sql share the number 019/,
    );
    await rm(path.join(dir, '019_another.sql'));
    await writeFile(path.join(dir, '20_typo.sql'), 'SELECT 1;\n');
    await expect(migrate(iso.pool, { dir })).rejects.toThrow(
      /migrations\/20_typo\.sql: a migration is named NNN_name\.sql/,
    );
  });

  it('a database migrated before checksums gets them recorded on the next start, then checked', async () => {
    const before = await recorded();
    // The table as the runner made it before checksums.
    await iso.pool.query('ALTER TABLE schema_migrations DROP COLUMN checksum');
    expect(await migrate(iso.pool)).toEqual([]);
    const after = await recorded();
    expect(after).toEqual(before);
    expect(after.every((r) => r.checksum !== null)).toBe(true);
    // Rows without a checksum (e.g. left by an older process) get theirs too.
    await iso.pool.query("UPDATE schema_migrations SET checksum = NULL WHERE name = '002_rating.sql'");
    expect(await migrate(iso.pool)).toEqual([]);
    expect(await recorded()).toEqual(before);
    await appendFile(path.join(dir, '002_rating.sql'), '\n-- edited\n');
    await expect(migrate(iso.pool, { dir })).rejects.toThrow(/002_rating\.sql was edited/);
  });

  it('two processes starting at once (two worker replicas) apply a new file once, under the lock', async () => {
    // Slow enough that the two overlap, and fails if run twice: without the advisory lock
    // both would find it unapplied and one of the two starts would stop here.
    await writeFile(
      path.join(dir, '950_two_at_once.sql'),
      'SELECT pg_sleep(0.5);\nCREATE TABLE migration_test_together (id int);\n',
    );
    try {
      const [a, b] = await Promise.all([migrate(iso.pool, { dir }), migrate(iso.pool, { dir })]);
      expect([...(a ?? []), ...(b ?? [])]).toEqual(['950_two_at_once.sql']);
      expect((await recorded()).filter((r) => r.name === '950_two_at_once.sql')).toHaveLength(1);
    } finally {
      await iso.pool.query("DELETE FROM schema_migrations WHERE name = '950_two_at_once.sql'");
      await iso.pool.query('DROP TABLE IF EXISTS migration_test_together');
    }
  });

  it('a new file is applied once and recorded with its checksum', async () => {
    const sql = 'CREATE TABLE migration_test_new (id int);\n';
    await writeFile(path.join(dir, '900_new_table.sql'), sql);
    expect(await migrate(iso.pool, { dir })).toEqual(['900_new_table.sql']);
    const row = (await recorded()).find((r) => r.name === '900_new_table.sql');
    expect(row?.checksum).toBe(migrationChecksum(sql));
    expect(await migrate(iso.pool, { dir })).toEqual([]);
    // Back on the repository's files, the newer migration is a newer release's: no error.
    expect(await migrate(iso.pool)).toEqual([]);
  });
});
