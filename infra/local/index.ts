/**
 * The servers `npm start` runs on this machine — the Temporal dev server with its Web UI
 * (persistent SQLite under .data/), PostgreSQL and a loopback SMTP server with a web
 * inbox — each only when the environment does not point at an existing one
 * (TEMPORAL_ADDRESS, DATABASE_URL, SMTP_URL).
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { SEARCH_ATTRIBUTES } from '../temporal.js';
import { startLocalMailServer } from './mail-server.js';
import { localPostgresUrl, startLocalPostgres } from './postgres.js';
import { DEV_DYNAMIC_CONFIG, DEV_SQLITE_PRAGMAS, startLocalTemporal } from './temporal-dev.js';

export interface Servers {
  temporalAddress: string;
  /** The Temporal Web UI, when the dev server runs here. */
  temporalUiUrl: string | undefined;
  databaseUrl: string;
  /** True when PostgreSQL runs here (a local database of one's own, not DATABASE_URL's). */
  localDatabase: boolean;
  smtpUrl: string;
  /** The local SMTP server's web inbox. */
  inboxUrl: string | undefined;
  /** Stops the servers started here. */
  stop(): Promise<void>;
}

/** The database the command-line tools use: DATABASE_URL's, else the one `npm start` runs. */
export function databaseUrl(config: Config): string {
  return config.postgres.url ?? localPostgresUrl(config.postgres.embeddedPort);
}

/** Starts the servers the configuration does not name; `say` tells what is being started. */
export async function startLocalServers(config: Config, say: (s: string) => void): Promise<Servers> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops) await s().catch((err: Error) => console.error('while stopping:', err.message));
  };
  try {
    let temporalAddress = config.temporal.address;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      const cli = process.env.TEMPORAL_CLI;
      if (!cli) throw new Error('TEMPORAL_CLI is not set: run through `npm start`');
      say('starting the Temporal dev server…');
      const t = await startLocalTemporal({
        cli,
        dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
        port: config.temporal.devPort,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
        sqlitePragmas: DEV_SQLITE_PRAGMAS,
        dynamicConfig: DEV_DYNAMIC_CONFIG,
        searchAttributes: SEARCH_ATTRIBUTES,
      });
      stops.push(t.stop);
      temporalAddress = t.address;
      temporalUiUrl = t.uiUrl;
    }

    let databaseUrl = config.postgres.url;
    if (!databaseUrl) {
      say('starting PostgreSQL…');
      const pg = await startLocalPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.postgres.embeddedPort,
      });
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }

    let smtpUrl = config.mail.url;
    let inboxUrl: string | undefined;
    if (!smtpUrl) {
      const mail = await startLocalMailServer({
        storeDir: path.join(config.dataDir, 'mail'),
        smtpPort: config.mail.smtpPort,
        inboxPort: config.mail.inboxPort,
      });
      stops.push(mail.stop);
      smtpUrl = mail.smtpUrl;
      inboxUrl = mail.inboxUrl;
    }
    return {
      temporalAddress,
      temporalUiUrl,
      databaseUrl,
      localDatabase: !config.postgres.url,
      smtpUrl,
      inboxUrl,
      stop,
    };
  } catch (err) {
    // A server that did start must not outlive this failed start (the dev server is a child process).
    await stop();
    throw err;
  }
}
