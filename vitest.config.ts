import { defineConfig } from 'vitest/config';

// Five kinds of tests:
//  unit        pure rules, no servers;
//  workflows   the real workflow code on Temporal's time-skipping test server,
//              with real activities against PostgreSQL and the SMTP server;
//  integration the whole path (HTTP API → Temporal dev server → worker →
//              PostgreSQL and SMTP), as `npm start` runs it;
//  browser     the dashboard and the Temporal Web UI in headless Chromium
//              (playwright-core), against the same real servers; one file at a time;
//  faults      servers killed and restarted under the running system; each file
//              starts its own servers (test/faults/support/servers.ts).
export default defineConfig({
  test: {
    // vitest's own summary, then one plain closing line for CI (test/support/closing-line.ts).
    reporters: ['default', './test/support/closing-line.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'workflows',
          include: ['test/workflows/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // The fault files mostly wait (timeouts, outages, timers) on servers of their
          // own: run them side by side, after the other projects, whatever the core count.
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
