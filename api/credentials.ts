/**
 * Managing the API's credentials from the command line (`npm run credentials`, bin/
 * credentials.ts), and the one credential per staff role `npm start` creates on a fresh
 * local database so a newcomer can call the API at once.
 */
import { writeFile } from 'node:fs/promises';
import { ROLES, type Role } from '../domain/actor.js';
import type { CredentialQueries } from '../store/credentials.js';
import type { SessionQueries } from '../store/sessions.js';

export const CREDENTIALS_USAGE = `usage: npm run credentials -- create <${ROLES.join('|')}> <login> [--name <person's name>] [--salesperson <id>] | list | revoke <id> | password <login> (the password on standard input)`;

/** The shortest password the workspace's sign-in takes. */
export const MIN_PASSWORD_LENGTH = 10;

/**
 * Runs one command — `create <role> <login> [--name <person's name>] [--salesperson <id>]`
 * (the token is shown once, here), `list`, `revoke <id>` — and returns what to print.
 * A misused command throws the usage.
 */
export async function runCredentialsCommand(
  credentials: CredentialQueries,
  argv: string[],
  passwords?: { sessions: Pick<SessionQueries, 'setPassword'>; read: () => Promise<string> },
): Promise<string> {
  const [command, ...args] = argv;
  if (command === 'password') {
    const [login] = args;
    if (!login || !passwords) throw new Error(CREDENTIALS_USAGE);
    const password = (await passwords.read()).replace(/\r?\n$/, '');
    if (password.length < MIN_PASSWORD_LENGTH)
      throw new Error(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    return (await passwords.sessions.setPassword(login, password))
      ? `password set for ${login}: they sign in at /app`
      : `no active credential named ${login}`;
  }
  if (command === 'create') {
    const [role, name] = args;
    if (!role || !ROLES.includes(role as Role) || !name) throw new Error(CREDENTIALS_USAGE);
    const sp = args.indexOf('--salesperson');
    const salespersonId = sp >= 0 ? args[sp + 1] : undefined;
    const n = args.indexOf('--name');
    const displayName = n >= 0 ? args[n + 1] : undefined;
    if (n >= 0 && !displayName?.trim()) throw new Error(CREDENTIALS_USAGE);
    if (role === 'sales' && !salespersonId) throw new Error('a sales credential needs --salesperson <id>');
    const { id, token } = await credentials.create({
      name,
      displayName: displayName?.trim() ?? null,
      role: role as Role,
      salespersonId: salespersonId ?? null,
    });
    return `credential ${id} for ${displayName ? `${displayName} (${name})` : name} (${role}). Token, shown only now:\n${token}`;
  }
  if (command === 'list') {
    return (await credentials.list())
      .map(
        (c) =>
          `${c.id}  ${c.role.padEnd(11)} ${c.name}${c.displayName !== c.name ? ` ${c.displayName}` : ''}${c.salespersonId ? ` (${c.salespersonId})` : ''}${c.revokedAt ? '  REVOKED' : ''}`,
      )
      .join('\n');
  }
  if (command === 'revoke') {
    const [id] = args;
    if (!id) throw new Error(CREDENTIALS_USAGE);
    return (await credentials.revoke(id)) ? `revoked ${id}` : `no active credential ${id}`;
  }
  throw new Error(CREDENTIALS_USAGE);
}

/**
 * On a database without credentials, one per staff role, their tokens written to `file`
 * (git-ignored, readable by its owner only). Only for a local database of one's own:
 * `npm start` never does it with DATABASE_URL set. True when it created them.
 */
export async function createLocalCredentials(credentials: CredentialQueries, file: string): Promise<boolean> {
  if ((await credentials.list()).length > 0) return false;
  const tokens: Record<string, string> = {};
  for (const role of ROLES.filter((r) => r !== 'sales')) {
    tokens[role] = (await credentials.create({ name: `local ${role}`, role })).token;
  }
  await writeFile(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return true;
}
