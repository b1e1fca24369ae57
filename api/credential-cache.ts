/**
 * The credentials this API process has verified, kept in memory so a request with a known
 * bearer token costs no PostgreSQL round trip (api/plugins/authentication.ts asks here).
 *
 * Revocation stays immediate: PostgreSQL announces every change to a credential on
 * CREDENTIALS_CHANNEL in the transaction that makes it (migration 028), and this process,
 * listening on a connection of its own, forgets the credential as the announcement arrives.
 * While it is not listening (starting, or its connection dropped) it keeps nothing and looks
 * every request up, until it listens again. Entries are keyed by a SHA-256 of the
 * Authorization header (no token is kept), at most `maxEntries` of them (the oldest go
 * first), each for at most `maxAgeMs` after it was verified: the safety net for an
 * announcement lost on a connection cut without a word.
 */
import { createHash } from 'node:crypto';
import { keepListening } from '../infra/listening.js';
import type { CredentialQueries, Principal } from '../store/credentials.js';

export interface CredentialCacheOptions {
  /** The credential store's answer for an Authorization header (one primary-key read). */
  lookup: (header: string) => Promise<Principal | null>;
  /** Opens the connection that hears credential changes (store/credentials.ts). */
  listener: CredentialQueries['listener'];
  /** Credentials kept at most (default 10,000). */
  maxEntries?: number;
  /** How long a verified credential is kept at most, in ms (default 60,000). */
  maxAgeMs?: number;
  log?: (message: string) => void;
  /** The clock (tests). */
  now?: () => number;
}

export interface CredentialCache {
  /** The principal behind an Authorization header, or null when it proves nothing. */
  authenticate(header: string | undefined): Promise<Principal | null>;
  /** Connects and listens (retrying in the background when it cannot); until then, nothing is kept. */
  start(): Promise<void>;
  /** Stops listening and forgets everything. */
  close(): Promise<void>;
  /** True while the announcements are heard (and so credentials are kept). */
  readonly listening: boolean;
  /** Credentials kept now. */
  readonly size: number;
}

export const DEFAULT_CREDENTIAL_CACHE = { maxEntries: 10_000, maxAgeMs: 60_000 };

export function createCredentialCache(opts: CredentialCacheOptions): CredentialCache {
  const maxEntries = opts.maxEntries ?? DEFAULT_CREDENTIAL_CACHE.maxEntries;
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_CREDENTIAL_CACHE.maxAgeMs;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((m: string) => console.warn(m));
  // Insertion order is verification order: the first entry is the oldest.
  const entries = new Map<string, { principal: Principal; verifiedAt: number }>();
  const keyOf = new Map<string, string>();
  // Bumped by every announcement and every change in listening: a look-up that began before
  // one keeps nothing, as what it read may already be out of date.
  let epoch = 0;
  let listening = false;

  const forget = (credentialId: string) => {
    epoch++;
    const key = keyOf.get(credentialId);
    if (key === undefined) return;
    entries.delete(key);
    keyOf.delete(credentialId);
  };
  const forgetAll = () => {
    epoch++;
    entries.clear();
    keyOf.clear();
  };
  const keep = (key: string, principal: Principal) => {
    const previous = keyOf.get(principal.credentialId);
    if (previous !== undefined) entries.delete(previous);
    while (entries.size >= maxEntries) {
      const oldest = entries.entries().next().value;
      if (!oldest) break;
      entries.delete(oldest[0]);
      keyOf.delete(oldest[1].principal.credentialId);
    }
    entries.set(key, { principal, verifiedAt: now() });
    keyOf.set(principal.credentialId, key);
  };

  const announcements = keepListening((lost) => opts.listener({ changed: forget, lost }), {
    // Whatever changed while not listening was never kept: start from nothing.
    listening: () => {
      forgetAll();
      listening = true;
    },
    lost: () => {
      if (listening)
        log('credential cache: lost the announcements; looking every request up until they are heard again');
      listening = false;
      forgetAll();
    },
  });

  return {
    async authenticate(header) {
      if (header === undefined) return null;
      const key = listening ? createHash('sha256').update(header).digest('base64') : undefined;
      if (key !== undefined) {
        const hit = entries.get(key);
        if (hit && now() - hit.verifiedAt < maxAgeMs) return hit.principal;
        if (hit) {
          entries.delete(key);
          keyOf.delete(hit.principal.credentialId);
        }
      }
      const began = epoch;
      const principal = await opts.lookup(header);
      if (principal && key !== undefined && listening && epoch === began) keep(key, principal);
      return principal;
    },
    start: () => announcements.start(),
    async close() {
      listening = false;
      forgetAll();
      await announcements.close();
    },
    get listening() {
      return listening;
    },
    get size() {
      return entries.size;
    },
  };
}

/** The cache over the store's credentials, started (listening, or retrying in the background). */
export async function startCredentialCache(
  credentials: Pick<CredentialQueries, 'authenticate' | 'listener'>,
  limits: { maxEntries: number; maxAgeMs: number },
  log?: (message: string) => void,
): Promise<CredentialCache> {
  const cache = createCredentialCache({
    ...limits,
    lookup: (header) => credentials.authenticate(header),
    listener: (on) => credentials.listener(on),
    ...(log ? { log } : {}),
  });
  await cache.start();
  return cache;
}
