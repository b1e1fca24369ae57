/**
 * Starts the real servers tests talk to — PostgreSQL (migrated), the loopback
 * SMTP server and the Temporal dev server (the built CLI, handed to the SDK's
 * createLocal as an existing path) — and bundles the workflow code once.
 * Each test project that needs servers runs this once.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { createPool, migrate } from '../../infra/db.js';
import { startLocalMailServer } from '../../infra/local/mail-server.js';
import { startLocalPostgres } from '../../infra/local/postgres.js';
import { SEARCH_ATTRIBUTES } from '../../infra/temporal.js';
import { WORKFLOWS_PATH } from '../../workers/receivable.worker.js';

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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject) {
  const dir = path.join(ROOT, '.data', 'test', `${project.name}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  const [pgPort, smtpPort, inboxPort, temporalPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const [pgServer, mail, bundle] = await Promise.all([
    startLocalPostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort }),
    startLocalMailServer({ storeDir: path.join(dir, 'mail'), smtpPort, inboxPort }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
  ]);
  const pool = createPool(pgServer.url, 2);
  await migrate(pool);
  await pool.end();
  const workflowBundlePath = path.join(dir, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, bundle.code);

  let temporal: TestWorkflowEnvironment | undefined;
  // The browser tests look at workflows in the Temporal Web UI, so their dev server serves it.
  const uiPort = project.name === 'browser' ? await freePort() : undefined;
  if (project.name === 'integration' || project.name === 'browser') {
    const cli = process.env.TEMPORAL_CLI ?? path.join(ROOT, '.tools', 'bin', 'temporal');
    temporal = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli },
        ip: '127.0.0.1',
        port: temporalPort,
        searchAttributes: SEARCH_ATTRIBUTES,
        extraArgs: ['--log-level', 'error'],
        ...(uiPort ? { ui: true, uiPort } : {}),
      },
    });
  }

  project.provide('databaseUrl', pgServer.url);
  project.provide('smtpUrl', mail.smtpUrl);
  project.provide('inboxUrl', mail.inboxUrl);
  project.provide('temporalAddress', temporal ? `127.0.0.1:${temporalPort}` : '');
  project.provide('temporalUiUrl', uiPort ? `http://127.0.0.1:${uiPort}` : '');
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await temporal?.teardown();
    await mail.stop();
    await pgServer.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};
