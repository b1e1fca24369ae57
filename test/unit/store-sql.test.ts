/** The statement shapes store/sql.ts writes once for the rating and salespeople modules. */
import { describe, expect, it } from 'vitest';
import { actorColumns, onConflictUpdate, upsertRow, upsertRows } from '../../store/sql.js';

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('store/sql.ts', () => {
  it('upserts a row by its key: every other column from the new row, the touched column set to now()', () => {
    expect(oneLine(upsertRow('t', ['k1', 'k2', 'a', 'b'], ['k1', 'k2'], { touch: 'submitted_at' }))).toBe(
      'INSERT INTO t (k1, k2, a, b) VALUES ($1, $2, $3, $4) ON CONFLICT (k1, k2) DO UPDATE SET a = EXCLUDED.a, b = EXCLUDED.b, submitted_at = now()',
    );
  });

  it('upserts several rows in one statement, numbering their values row after row', () => {
    expect(oneLine(upsertRows('t', ['k', 'a', 'b'], ['k'], 2, { touch: 'at' }))).toBe(
      'INSERT INTO t (k, a, b) VALUES ($1, $2, $3), ($4, $5, $6) ON CONFLICT (k) DO UPDATE SET a = EXCLUDED.a, b = EXCLUDED.b, at = now()',
    );
  });

  it('updates only a changed row when asked (all updated columns, or the named ones), and only where allowed', () => {
    expect(oneLine(upsertRow('t', ['k', 'a', 'b'], ['k'], { onlyWhenChanged: true }))).toBe(
      'INSERT INTO t (k, a, b) VALUES ($1, $2, $3) ON CONFLICT (k) DO UPDATE SET a = EXCLUDED.a, b = EXCLUDED.b WHERE (t.a, t.b) IS DISTINCT FROM (EXCLUDED.a, EXCLUDED.b)',
    );
    expect(
      oneLine(
        onConflictUpdate('t', ['k'], ['a', 'version'], {
          touch: 'at',
          where: "t.status = 'open'",
          onlyWhenChanged: ['a'],
        }),
      ),
    ).toBe(
      "ON CONFLICT (k) DO UPDATE SET a = EXCLUDED.a, version = EXCLUDED.version, at = now() WHERE t.status = 'open' AND (t.a) IS DISTINCT FROM (EXCLUDED.a)",
    );
  });

  it("names an actor by a readable line and the credential's JSON", () => {
    const actor = { credentialId: 'c-1', username: 'li', name: '李丽', role: 'finance' as const };
    expect(actorColumns(actor)).toEqual(['李丽 (li, finance)', JSON.stringify(actor)]);
  });
});
