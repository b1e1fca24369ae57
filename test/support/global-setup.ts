/**
 * Starts the real servers tests talk to — PostgreSQL (migrated), the loopback
 * SMTP server and the Temporal dev server (the built CLI, handed to the SDK's
 * createLocal as an existing path) — and bundles the workflow code once.
 * Each test project that needs servers runs this once.
 */

import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../infra/local/free-port.js';
import { startLocalMailServer } from '../../infra/local/mail-server.js';
import { startLocalPostgres } from '../../infra/local/postgres.js';
import { SEARCH_ATTRIBUTES } from '../../infra/temporal.js';
import { createPool, migrate } from '../../store/db.js';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../workers/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    smtpUrl: string;
    inboxUrl: string;
    temporalAddress: string;
    /** The Temporal Web UI (browser project only; '' elsewhere). */
    temporalUiUrl: string;
    workflowBundlePath: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export { freePort };

export default async function setup(project: TestProject) {
  const dir = path.join(ROOT, '.data', 'test', `${project.name}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  const [pgPort, smtpPort, inboxPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const [pgServer, mail, bundle] = await Promise.all([
    startLocalPostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort }),
    startLocalMailServer({ storeDir: path.join(dir, 'mail'), smtpPort, inboxPort }),
    bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: quietLogger }),
  ]);
  const pool = createPool(pgServer.url, 2);
  await migrate(pool);
  await pool.end();
  const workflowBundlePath = path.join(dir, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, bundle.code);

  let temporal: { env: TestWorkflowEnvironment; address: string; uiUrl: string } | undefined;
  if (project.name === 'integration' || project.name === 'browser') {
    // The browser tests look at workflows in the Temporal Web UI, so their dev server serves it.
    temporal = await startTemporal({ ui: project.name === 'browser' });
  }

  project.provide('databaseUrl', pgServer.url);
  project.provide('smtpUrl', mail.smtpUrl);
  project.provide('inboxUrl', mail.inboxUrl);
  project.provide('temporalAddress', temporal?.address ?? '');
  project.provide('temporalUiUrl', temporal?.uiUrl ?? '');
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await temporal?.env.teardown();
    await mail.stop();
    await pgServer.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

/**
 * The Temporal dev server (the built CLI) through the SDK's createLocal. The SDK gives it 5 s to
 * listen; on a loaded machine a start can miss that (the SDK then kills it), so it gets three tries.
 */
async function startTemporal(opts: { ui: boolean }) {
  const cli = process.env.TEMPORAL_CLI ?? path.join(ROOT, '.tools', 'bin', 'temporal');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const uiPort = opts.ui ? await freePort() : undefined;
    try {
      const env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: cli },
          ip: '127.0.0.1',
          port,
          searchAttributes: SEARCH_ATTRIBUTES,
          extraArgs: ['--log-level', 'error'],
          ...(uiPort ? { ui: true, uiPort } : {}),
        },
      });
      const uiUrl = uiPort ? `http://127.0.0.1:${uiPort}` : '';
      // The Web UI starts beside the frontend; the browser tests need it answering.
      if (uiUrl) await untilAnswers(uiUrl, 30_000);
      return { env, address: `127.0.0.1:${port}`, uiUrl };
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test(String(err))) throw err;
      console.warn(
        `the Temporal dev server missed the SDK's start deadline (try ${attempt} of 3); starting it again`,
      );
    }
  }
}

async function untilAnswers(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};
