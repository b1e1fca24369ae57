/**
 * `npm run verify-records`: walks the credit record's hash chain and proves it
 * unchanged, or names the first record that was altered. Exit 0 when intact.
 * Uses DATABASE_URL, else the local PostgreSQL that `npm start` runs.
 */
import { loadConfig } from '../infra/config.js';
import { databaseUrl } from '../infra/local/index.js';
import { createPool } from '../store/db.js';
import { createStore } from '../store/index.js';

const pool = createPool(databaseUrl(loadConfig()), 1);
try {
  const result = await createStore(pool).creditRecord.verify();
  if (result.ok) {
    console.log(`credit record intact: ${result.count} records, every hash and link holds`);
  } else {
    console.error(
      `credit record BROKEN at record #${result.brokenAt}: ${result.why} (${result.count} records read)`,
    );
    process.exitCode = 1;
  }
} finally {
  await pool.end();
}
