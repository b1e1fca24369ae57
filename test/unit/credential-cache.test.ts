/**
 * The API's credential cache (api/credential-cache.ts) over a credential store and an
 * announcement connection of the test's own: what it keeps, when it forgets, and that it
 * keeps nothing while it is not listening.
 */
import { describe, expect, it } from 'vitest';
import { createCredentialCache } from '../../api/credential-cache.js';
import type { Principal } from '../../store/credentials.js';

const principal = (credentialId: string): Principal => ({
  credentialId,
  name: credentialId,
  displayName: credentialId,
  role: 'finance',
  salespersonId: null,
});
const header = (id: string) => `Bearer cf_${id}_secret`;

/** A credential store answering from `live` (id → valid), counting look-ups; and the announcement line. */
function fixture(opts: { maxEntries?: number; maxAgeMs?: number } = {}) {
  const live = new Set<string>();
  const lookups: string[] = [];
  let clock = 0;
  let pending: { header: string; resolve: () => void } | undefined;
  let holdNext = false;
  let refuse = false;
  let connection: { changed: (id: string) => void; lost: () => void } | undefined;
  const cache = createCredentialCache({
    ...opts,
    now: () => clock,
    log: () => {},
    async lookup(h) {
      lookups.push(h);
      const id = /^Bearer cf_(\w+)_secret$/.exec(h)?.[1] ?? '';
      // Read now, as PostgreSQL would; answered later when held.
      const valid = live.has(id);
      if (holdNext) {
        holdNext = false;
        await new Promise<void>((resolve) => {
          pending = { header: h, resolve };
        });
      }
      return valid ? principal(id) : null;
    },
    listener(on) {
      return {
        async start() {
          if (refuse) throw new Error('connection refused');
          connection = on;
        },
        async end() {
          connection = undefined;
        },
      };
    },
  });
  return {
    cache,
    live,
    lookups,
    tick: (ms: number) => {
      clock += ms;
    },
    announce: (id: string) => connection?.changed(id),
    drop: () => {
      const c = connection;
      connection = undefined;
      c?.lost();
    },
    refuseConnections: (v: boolean) => {
      refuse = v;
    },
    holdNextLookup: () => {
      holdNext = true;
    },
    release: () => pending?.resolve(),
  };
}

describe('the credential cache', () => {
  it('keeps a verified credential: its next requests are not looked up', async () => {
    const f = fixture();
    f.live.add('a');
    await f.cache.start();
    expect(await f.cache.authenticate(header('a'))).toMatchObject({ credentialId: 'a' });
    expect(await f.cache.authenticate(header('a'))).toMatchObject({ credentialId: 'a' });
    expect(f.lookups).toHaveLength(1);
    await f.cache.close();
  });

  it('keeps no failed credential and no missing header', async () => {
    const f = fixture();
    await f.cache.start();
    expect(await f.cache.authenticate(header('x'))).toBeNull();
    expect(await f.cache.authenticate(header('x'))).toBeNull();
    expect(await f.cache.authenticate(undefined)).toBeNull();
    expect(f.lookups).toHaveLength(2);
    await f.cache.close();
  });

  it('forgets a credential as its change is announced: the next request is looked up and refused', async () => {
    const f = fixture();
    f.live.add('a');
    f.live.add('b');
    await f.cache.start();
    await f.cache.authenticate(header('a'));
    await f.cache.authenticate(header('b'));
    f.live.delete('a'); // revoked…
    f.announce('a'); // …and announced in the same transaction
    expect(await f.cache.authenticate(header('a'))).toBeNull();
    expect(await f.cache.authenticate(header('b'))).toMatchObject({ credentialId: 'b' });
    expect(f.lookups).toEqual([header('a'), header('b'), header('a')]);
    await f.cache.close();
  });

  it('a look-up under way when an announcement arrives keeps nothing', async () => {
    const f = fixture();
    f.live.add('a');
    await f.cache.start();
    f.holdNextLookup();
    const first = f.cache.authenticate(header('a')); // reads "valid"…
    f.live.delete('a');
    f.announce('a'); // …the revocation commits before its answer comes back
    f.release();
    expect(await first).toMatchObject({ credentialId: 'a' }); // that request began before the revocation
    expect(await f.cache.authenticate(header('a'))).toBeNull();
    expect(f.lookups).toHaveLength(2);
    await f.cache.close();
  });

  it('keeps a credential at most maxAgeMs after it was verified', async () => {
    const f = fixture({ maxAgeMs: 60_000 });
    f.live.add('a');
    await f.cache.start();
    await f.cache.authenticate(header('a'));
    f.tick(59_999);
    await f.cache.authenticate(header('a'));
    expect(f.lookups).toHaveLength(1);
    f.tick(1);
    f.live.delete('a'); // an announcement that never arrived
    expect(await f.cache.authenticate(header('a'))).toBeNull();
    expect(f.lookups).toHaveLength(2);
    await f.cache.close();
  });

  it('keeps at most maxEntries credentials, the oldest going first', async () => {
    const f = fixture({ maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) f.live.add(id);
    await f.cache.start();
    for (const id of ['a', 'b', 'c']) await f.cache.authenticate(header(id));
    expect(f.cache.size).toBe(2);
    await f.cache.authenticate(header('c'));
    await f.cache.authenticate(header('b'));
    expect(f.lookups).toHaveLength(3);
    await f.cache.authenticate(header('a'));
    expect(f.lookups).toHaveLength(4);
    await f.cache.close();
  });

  it('before it listens, and from the moment its connection drops until it listens again, it keeps nothing', async () => {
    const f = fixture();
    f.live.add('a');
    // Not started: not listening, every request looked up.
    await f.cache.authenticate(header('a'));
    await f.cache.authenticate(header('a'));
    expect(f.lookups).toHaveLength(2);

    await f.cache.start();
    expect(f.cache.listening).toBe(true);
    await f.cache.authenticate(header('a'));
    await f.cache.authenticate(header('a'));
    expect(f.lookups).toHaveLength(3);

    // The connection drops, and reconnecting fails for now: a revocation made meanwhile is
    // never announced to this process, and yet its very next request is refused.
    f.refuseConnections(true);
    f.drop();
    expect(f.cache.listening).toBe(false);
    expect(f.cache.size).toBe(0);
    f.live.delete('a');
    expect(await f.cache.authenticate(header('a'))).toBeNull();
    f.live.add('a');
    await f.cache.authenticate(header('a'));
    await f.cache.authenticate(header('a'));
    expect(f.lookups).toHaveLength(6);
    expect(f.cache.size).toBe(0);
    await f.cache.close();
  });

  it('a look-up that began before the cache listened keeps nothing', async () => {
    const f = fixture();
    f.live.add('a');
    f.holdNextLookup();
    const first = f.cache.authenticate(header('a'));
    await f.cache.start();
    f.release();
    await first;
    expect(f.cache.size).toBe(0);
    await f.cache.close();
  });
});
