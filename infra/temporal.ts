/** Connecting to Temporal and registering creditflow's custom search attributes. */
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { RatingSearch } from '../workflows/rating/contract.js';
import { ReceivableSearch } from '../workflows/receivable/contract.js';
import type { TemporalSecurity } from './config.js';

// temporal.api.enums.v1.IndexedValueType
const INDEXED_VALUE_TYPE: Record<string, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};

export const SEARCH_ATTRIBUTES = [...Object.values(ReceivableSearch), ...Object.values(RatingSearch)];

/**
 * Adds every custom search attribute creditflow uses; existing ones are left as they are.
 * Two workers starting together may both find one missing: the one whose add fails then
 * finds them all there and goes on.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = async (): Promise<Record<string, unknown>> => {
    try {
      return (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    } catch {
      // Temporal's Java test server has no list call: add all and let it skip duplicates.
      return {};
    }
  };
  const missing = (known: Record<string, unknown>) => SEARCH_ATTRIBUTES.filter((k) => !(k.name in known));
  const toAdd = missing(await existing());
  if (toAdd.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(toAdd.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type] as number])),
    });
  } catch (err) {
    if (missing(await existing()).length > 0) throw err;
  }
}

/** Connection options for `address`: plain, or TLS / mTLS / an API key (Temporal Cloud). */
async function connectionOptions(address: string, security: TemporalSecurity | undefined) {
  if (!security) return { address };
  const read = (file: string | undefined) => (file ? readFile(file) : Promise.resolve(undefined));
  const [crt, key, ca] = await Promise.all([
    read(security.tls?.certPath),
    read(security.tls?.keyPath),
    read(security.tls?.caPath),
  ]);
  return {
    address,
    tls: {
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(security.tls?.serverName ? { serverNameOverride: security.tls.serverName } : {}),
    },
    ...(security.apiKey ? { apiKey: security.apiKey } : {}),
  };
}

export async function connectClient(address: string, namespace: string, security?: TemporalSecurity) {
  const connection = await Connection.connect(await connectionOptions(address, security));
  return { connection, client: new Client({ connection, namespace }) };
}

export const connectWorker = async (address: string, security?: TemporalSecurity) =>
  NativeConnection.connect(await connectionOptions(address, security));
