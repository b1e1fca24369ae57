/**
 * The folders depend on each other one way (docs/decisions.md, "The data layer"): the HTTP
 * API and the Temporal activities share the store and the operations, never each other's
 * code; the store and the credit rules depend on nothing that calls them; infrastructure
 * does not reach up into the API or the workers. Type-only imports are allowed where noted:
 * they vanish from the running code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(ROOT, dir))) {
      const rel = path.join(dir, name);
      if (statSync(path.join(ROOT, rel)).isDirectory()) walk(rel);
      else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
    }
  };
  walk(folder);
  return out;
}

/** Each relative import of a file: the top folder it reaches, and whether it is type-only. */
function importsOf(file: string): { folder: string; typeOnly: boolean; line: string }[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const found: { folder: string; typeOnly: boolean; line: string }[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)) {
    const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), m[3] as string));
    found.push({
      folder: target.split(path.sep)[0] as string,
      typeOnly: Boolean(m[2]),
      line: `${file}: ${m[0].split('\n')[0]}`,
    });
  }
  return found;
}

function offending(from: string, rule: { forbidden: string[]; typesAllowed: boolean }): string[] {
  return sourceFiles(from)
    .flatMap(importsOf)
    .filter((i) => rule.forbidden.includes(i.folder) && !(rule.typesAllowed && i.typeOnly))
    .map((i) => i.line);
}

describe('which folder may import which', () => {
  it('api/ imports nothing from activities/ but types', () => {
    expect(offending('api', { forbidden: ['activities'], typesAllowed: true })).toEqual([]);
  });

  it('activities/ import nothing from api/ but types', () => {
    expect(offending('activities', { forbidden: ['api'], typesAllowed: true })).toEqual([]);
  });

  it('store/ (the data layer) imports nothing from the layers that call it', () => {
    expect(
      offending('store', {
        forbidden: ['api', 'activities', 'operations', 'workers', 'bin'],
        typesAllowed: false,
      }),
    ).toEqual([]);
  });

  it('domain/ (the credit rules) imports nothing outside domain/', () => {
    expect(
      offending('domain', {
        forbidden: ['api', 'activities', 'operations', 'store', 'workers', 'workflows', 'infra', 'bin'],
        typesAllowed: false,
      }),
    ).toEqual([]);
  });

  it('infra/ reaches neither the API, the workers nor the entry points', () => {
    expect(offending('infra', { forbidden: ['api', 'workers', 'bin'], typesAllowed: false })).toEqual([]);
  });
});
