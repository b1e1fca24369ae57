/**
 * `npm run credentials` (bin/credentials.ts) as a person runs it: the real entry point
 * as a child process on the test database. A token it prints authenticates as the
 * person it names until it is revoked.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createCredentialQueries } from '../../store/credentials.js';
import { createPool } from '../../store/db.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pool = createPool(inject('databaseUrl'), 1);
afterAll(() => pool.end());

/** Runs the command with `args`; its exit code, standard output and error. */
async function credentials(...args: string[]) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'NODE_ENV') env[k] = v;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bin/credentials.ts', ...args],
      { cwd: ROOT, env: { ...env, DATABASE_URL: inject('databaseUrl') } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run credentials', () => {
  it('creates a person’s credential, shows the token once, lists it, and revokes it', async () => {
    const login = `cli${Date.now().toString(36)}`;
    const created = await credentials('create', 'finance', login, '--name', '李丽');
    expect(created.code, created.stderr).toBe(0);
    const m =
      /^credential ([a-z0-9]{12}) for 李丽 \((\w+)\) \(finance\)\. Token, shown only now:\n(cf_\S+)\n$/.exec(
        created.stdout,
      );
    expect(m?.[2]).toBe(login);
    const [, id, , token] = m as RegExpExecArray;
    const auth = createCredentialQueries(pool);
    expect(await auth.authenticate(`Bearer ${token}`)).toMatchObject({
      credentialId: id,
      name: login,
      displayName: '李丽',
      role: 'finance',
    });

    const listed = await credentials('list');
    expect(listed.stdout).toContain(`${id}  finance     ${login} 李丽`);

    expect((await credentials('revoke', id as string)).stdout).toBe(`revoked ${id}\n`);
    expect(await auth.authenticate(`Bearer ${token}`)).toBeNull();
    expect((await credentials('list')).stdout).toContain(`${login} 李丽  REVOKED`);
  });

  it('a misused command prints the usage and exits 1; a sales credential needs its salesperson', async () => {
    const bad = await credentials('create', 'nobody', 'x');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^usage: npm run credentials -- create </);
    const sales = await credentials('create', 'sales', 'x');
    expect(sales.code).toBe(1);
    expect(sales.stderr).toBe('a sales credential needs --salesperson <id>\n');
  });
});
