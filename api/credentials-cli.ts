/**
 * `npm run credentials -- <command>`: create, list and revoke API credentials.
 *   create <role> <login> [--name <person's name>] [--salesperson <id>]   prints the token once
 *   list
 *   revoke <id>
 * Uses DATABASE_URL, else the local PostgreSQL that `npm start` runs.
 */
import { loadConfig } from '../infra/config.js';
import { createPool, migrate } from '../store/db.js';
import { createCredentialQueries } from './auth.js';
import { ROLES, type Role } from './roles.js';

const [command, ...args] = process.argv.slice(2);
const config = loadConfig();
const url =
  config.postgres.url ??
  `postgres://creditflow:creditflow@127.0.0.1:${config.postgres.embeddedPort}/creditflow`;
const pool = createPool(url, 1);
const usage = `usage: npm run credentials -- create <${ROLES.join('|')}> <login> [--name <person's name>] [--salesperson <id>] | list | revoke <id>`;

try {
  await migrate(pool);
  const credentials = createCredentialQueries(pool);
  if (command === 'create') {
    const [role, name] = args;
    if (!role || !ROLES.includes(role as Role) || !name) throw new Error(usage);
    const sp = args.indexOf('--salesperson');
    const salespersonId = sp >= 0 ? args[sp + 1] : undefined;
    const n = args.indexOf('--name');
    const displayName = n >= 0 ? args[n + 1] : undefined;
    if (n >= 0 && !displayName?.trim()) throw new Error(usage);
    if (role === 'sales' && !salespersonId) throw new Error('a sales credential needs --salesperson <id>');
    const { id, token } = await credentials.create({
      name,
      displayName: displayName?.trim() ?? null,
      role: role as Role,
      salespersonId: salespersonId ?? null,
    });
    console.log(
      `credential ${id} for ${displayName ? `${displayName} (${name})` : name} (${role}). Token, shown only now:\n${token}`,
    );
  } else if (command === 'list') {
    for (const c of await credentials.list())
      console.log(
        `${c.id}  ${c.role.padEnd(11)} ${c.name}${c.displayName !== c.name ? ` ${c.displayName}` : ''}${c.salespersonId ? ` (${c.salespersonId})` : ''}${c.revokedAt ? '  REVOKED' : ''}`,
      );
  } else if (command === 'revoke') {
    const [id] = args;
    if (!id) throw new Error(usage);
    console.log((await credentials.revoke(id)) ? `revoked ${id}` : `no active credential ${id}`);
  } else {
    throw new Error(usage);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await pool.end();
}
