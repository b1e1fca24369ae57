/**
 * SQL for the policy versions (migration 017): every version stored whole, the seed, the
 * version in force (the newest), and the announcement of each new one on POLICY_CHANNEL.
 * Validation and the process's cache of versions are infra/policy.ts's.
 */
import type pg from 'pg';
import type { Actor } from '../domain/actor.js';
import { inTransaction, type ListenConnection, listenConnection } from './db.js';

/** The channel on which PostgreSQL announces each new version (migration 017's trigger). */
export const POLICY_CHANNEL = 'creditflow_policy';

export interface PolicyVersionRow {
  version: string;
  changedBy: string;
  changedByActor: Actor | null;
  createdAt: string;
}

export function createPolicyQueries(pool: pg.Pool) {
  return {
    /** The version in force (the newest stored whole), or undefined when none is stored. */
    async inForceVersion(): Promise<string | undefined> {
      const { rows } = await pool.query<{ version: string }>(
        'SELECT version FROM policies WHERE policy IS NOT NULL ORDER BY created_at DESC, version DESC LIMIT 1',
      );
      return rows[0]?.version;
    },

    /** The document of the version in force, as stored. */
    async inForce(): Promise<unknown | undefined> {
      const { rows } = await pool.query<{ policy: unknown }>(
        'SELECT policy FROM policies WHERE policy IS NOT NULL ORDER BY created_at DESC, version DESC LIMIT 1',
      );
      return rows[0]?.policy;
    },

    /** The whole policy of a stored version, as stored. */
    async byVersion(version: string): Promise<unknown | undefined> {
      const { rows } = await pool.query<{ policy: unknown }>(
        'SELECT policy FROM policies WHERE version = $1 AND policy IS NOT NULL',
        [version],
      );
      return rows[0]?.policy;
    },

    /** Stores a new version; false when the version is already stored. */
    async insert(v: {
      version: string;
      override: unknown;
      policy: unknown;
      changedBy: string;
      changedByActor: Actor;
    }): Promise<boolean> {
      const inserted = await pool.query(
        `INSERT INTO policies (version, document, changed_by, changed_by_actor, policy) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (version) DO NOTHING RETURNING version`,
        [
          v.version,
          JSON.stringify(v.override),
          v.changedBy,
          JSON.stringify(v.changedByActor),
          JSON.stringify(v.policy),
        ],
      );
      return (inserted.rowCount ?? 0) > 0;
    },

    /** Every version, oldest first. */
    async history(): Promise<PolicyVersionRow[]> {
      const r = await pool.query<Omit<PolicyVersionRow, 'createdAt'> & { createdAt: Date }>(
        `SELECT version, changed_by AS "changedBy", changed_by_actor AS "changedByActor", created_at AS "createdAt"
         FROM policies ORDER BY created_at, version`,
      );
      return r.rows.map((x) => ({ ...x, createdAt: x.createdAt.toISOString() }));
    },

    /**
     * Stores `seed` as the first version when no seed is stored (placed before any version
     * already there), then completes the versions stored before migration 017 (overrides
     * only): `complete(storedSeed)` gives each one's whole policy, or null to leave it out of
     * force. Under a lock, so processes starting together seed once. Returns the stored seed.
     */
    async seed(
      seed: { version: string },
      complete: (storedSeed: unknown) => (row: { version: string; document: unknown }) => unknown | null,
    ): Promise<unknown | undefined> {
      return inTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('creditflow:policy-seed'))");
        let stored = (await client.query<{ policy: unknown }>('SELECT policy FROM policies WHERE seed'))
          .rows[0];
        if (!stored) {
          await client.query(
            `INSERT INTO policies (version, document, changed_by, policy, seed, created_at)
             VALUES ($1, $2, 'POLICY_FILE', $2, true,
                     LEAST(now(), (SELECT min(created_at) - interval '1 millisecond' FROM policies)))
             ON CONFLICT (version) DO NOTHING`,
            [seed.version, JSON.stringify(seed)],
          );
          stored = (await client.query<{ policy: unknown }>('SELECT policy FROM policies WHERE seed'))
            .rows[0];
        }
        const whole = complete(stored?.policy);
        const legacy = await client.query<{ version: string; document: unknown }>(
          'SELECT version, document FROM policies WHERE policy IS NULL',
        );
        for (const row of legacy.rows) {
          const p = whole(row);
          if (p !== null)
            await client.query('UPDATE policies SET policy = $2 WHERE version = $1', [
              row.version,
              JSON.stringify(p),
            ]);
        }
        return stored?.policy;
      });
    },

    /**
     * A connection of its own that hears each new version announced; `lost` when it fails or
     * ends. Call `start()` to connect and LISTEN.
     */
    listener(on: { announced: () => void; lost: () => void }): ListenConnection {
      return listenConnection(pool, POLICY_CHANNEL, { notified: () => on.announced(), lost: on.lost });
    },
  };
}

export type PolicyQueries = ReturnType<typeof createPolicyQueries>;
