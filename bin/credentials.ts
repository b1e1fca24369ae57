/**
 * `npm run credentials -- <command>`: create, list and revoke API credentials.
 *   create <role> <login> [--name <person's name>] [--salesperson <id>]   prints the token once
 *   list
 *   revoke <id>
 *   password <login>      sets the person's workspace password, read from standard input
 * e.g. `npm run credentials -- create finance li --name 李丽`. Uses DATABASE_URL, else the
 * local PostgreSQL that `npm start` runs.
 */
import { runCredentialsCommand } from '../api/credentials.js';
import { loadConfig } from '../infra/config.js';
import { databaseUrl } from '../infra/local/index.js';
import { createPool, migrate } from '../store/db.js';
import { createStore } from '../store/index.js';

const pool = createPool(databaseUrl(loadConfig()), 1);
try {
  await migrate(pool);
  const store = createStore(pool);
  const out = await runCredentialsCommand(store.credentials, process.argv.slice(2), {
    sessions: store.sessions,
    read: async () => {
      if (process.stdin.isTTY) process.stderr.write('password: ');
      let text = '';
      for await (const chunk of process.stdin) {
        text += chunk;
        if (text.includes('\n')) break;
      }
      return text.split('\n')[0] ?? '';
    },
  });
  if (out) console.log(out);
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await pool.end();
}
