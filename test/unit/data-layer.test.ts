/**
 * Every SQL statement lives in store/ (the data layer): no source folder outside it calls
 * `.query(` on a pool or client, or writes SQL in a string or template literal. Comments may
 * speak of SQL; code may not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCE_FOLDERS = [
  'api',
  'activities',
  'operations',
  'workers',
  'infra',
  'domain',
  'workflows',
  'bin',
  'bench',
];

/** The string and template literals of a source text (comments skipped), with their line. */
function literalsOf(text: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '/' && next === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (text[k] === '\n') line++;
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      const start = line;
      let j = i + 1;
      let depth = 0; // ${ … } inside a template
      while (j < n) {
        const d = text[j];
        if (d === '\\') j += 2;
        else {
          if (d === '\n') line++;
          if (c === '`' && d === '$' && text[j + 1] === '{') {
            depth++;
            j += 2;
            continue;
          }
          if (c === '`' && depth > 0 && d === '}') depth--;
          else if (d === c && depth === 0) break;
          else if (c !== '`' && d === '\n') break; // an unterminated quote: not a string
          j++;
        }
      }
      found.push({ line: start, text: text.slice(i + 1, j) });
      i = j + 1;
    } else i++;
  }
  return found;
}

/** SQL as this project writes it: upper-case keywords. */
const SQL =
  /\bSELECT\b[\s\S]*\bFROM\b|\bSELECT\s+(1|pg_|nextval|EXISTS)|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\b(CREATE|ALTER|DROP)\s+(TABLE|INDEX|DATABASE|VIEW|FUNCTION|TRIGGER)\b|\bTRUNCATE\s+\w|\bLISTEN\s+\w|\bNOTIFY\s+\w|^(BEGIN|COMMIT|ROLLBACK)$/;
/** A query on a PostgreSQL pool or client (not a Temporal workflow query: `handle.query(getX)`). */
const QUERY_CALL = /\.query\s*(<[^>]*>)?\s*\(\s*['"`]|\b(pool|client|admin|db|tx|\w+Pool)\.query\s*[<(]/;

/** Where `text` writes SQL or queries PostgreSQL: line and what was found. */
function sqlIn(text: string): { line: number; found: string }[] {
  const hits: { line: number; found: string }[] = [];
  for (const l of literalsOf(text))
    if (SQL.test(l.text.trim())) hits.push({ line: l.line, found: l.text.trim().slice(0, 80) });
  text.split('\n').forEach((code, k) => {
    const m = QUERY_CALL.exec(code);
    if (m) hits.push({ line: k + 1, found: code.trim().slice(0, 80) });
  });
  return hits;
}

function sourceFiles(dir: string): string[] {
  const full = path.join(ROOT, dir);
  let entries: string[];
  try {
    entries = readdirSync(full);
  } catch {
    return []; // a folder not (yet) there, e.g. bin/
  }
  return entries.flatMap((e) => {
    const rel = path.join(dir, e);
    if (e === 'node_modules') return [];
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|js|mjs)$/.test(e) ? [rel.split(path.sep).join('/')] : [];
  });
}

describe('the data layer', () => {
  it('the check finds SQL and pool queries, and leaves comments and Temporal queries alone', () => {
    expect(sqlIn("const r = await pool.query('SELECT 1');")).not.toEqual([]);
    expect(sqlIn('const sql = `SELECT id FROM receivables WHERE id = $1`;')).not.toEqual([]);
    expect(sqlIn('client.query(`INSERT INTO payments (id) VALUES ($1)`, [id]);')).not.toEqual([]);
    expect(sqlIn("const q = 'UPDATE counterparties SET name = $2 WHERE id = $1';")).not.toEqual([]);
    expect(sqlIn('// SELECT 1 FROM somewhere, in a comment\n/* DELETE FROM x */')).toEqual([]);
    expect(sqlIn('const state = await handle(id).query(getReceivable);')).toEqual([]);
    expect(sqlIn("const message = 'select the counterparty from the list';")).toEqual([]);
  });

  it('no SQL outside store/', () => {
    const offending: string[] = [];
    for (const file of SOURCE_FOLDERS.flatMap(sourceFiles)) {
      for (const hit of sqlIn(readFileSync(path.join(ROOT, file), 'utf8')))
        offending.push(`${file}:${hit.line}: ${hit.found}`);
    }
    expect(offending).toEqual([]);
  });
});
