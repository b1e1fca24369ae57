/**
 * `npm run verify-records`: walks the credit record's hash chain and proves it
 * unchanged, or names the first record that was altered. Exit 0 when intact.
 * Uses DATABASE_URL, else the local PostgreSQL that `npm start` runs.
 */
import { createCreditRecordQueries } from '../store/credit-record.js';
import { createPool } from '../store/db.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const url =
  config.postgres.url ??
  `postgres://creditflow:creditflow@127.0.0.1:${config.postgres.embeddedPort}/creditflow`;
const pool = createPool(url, 1);
try {
  const result = await createCreditRecordQueries(pool).verify();
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
