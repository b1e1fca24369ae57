/**
 * API credentials: `cf_<id>_<secret>` tokens, kept as a SHA-256 of the secret (a 256-bit
 * random value, so a fast hash is the right tool); a token is shown once, when it is
 * created, and can be revoked. api/plugins/authentication.ts reads the Authorization header with it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../domain/actor.js';
import { type ListenConnection, listenConnection, type Pool } from './db.js';

/**
 * The channel on which PostgreSQL announces a credential's id whenever what it proves changes
 * (revoked, deleted, another role…: migration 028's trigger, in the changing transaction).
 */
export const CREDENTIALS_CHANNEL = 'creditflow_credentials';

/** Who a valid credential says is calling. */
export interface Principal {
  credentialId: string;
  /** The login name (`li`). */
  name: string;
  /** The person's own name (`李丽`); the login name when none was given. */
  displayName: string;
  role: Role;
  /** For the sales role: the salesperson whose figures this credential may see. */
  salespersonId: string | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const TOKEN_RE = /^cf_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function createCredentialQueries(pool: Pool) {
  return {
    async create(c: {
      name: string;
      /** The person's own name, when it differs from the login name. */
      displayName?: string | null;
      role: Role;
      salespersonId?: string | null;
    }): Promise<{ id: string; token: string }> {
      const id = randomBytes(9)
        .toString('base64url')
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '0')
        .slice(0, 12);
      const secret = randomBytes(32).toString('base64url');
      await pool.query(
        'INSERT INTO credentials (id, name, display_name, role, salesperson_id, token_hash) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, c.name, c.displayName ?? null, c.role, c.salespersonId ?? null, sha256(secret)],
      );
      return { id, token: `cf_${id}_${secret}` };
    },

    /** Revokes a credential; the change is announced on CREDENTIALS_CHANNEL as it commits (migration 028). */
    async revoke(id: string): Promise<boolean> {
      const r = await pool.query(
        'UPDATE credentials SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
        [id],
      );
      return (r.rowCount ?? 0) > 0;
    },

    async list() {
      const r = await pool.query(
        `SELECT id, name, COALESCE(display_name, name) AS "displayName", role, salesperson_id AS "salespersonId", created_at AS "createdAt", revoked_at AS "revokedAt"
         FROM credentials ORDER BY created_at`,
      );
      return r.rows as {
        id: string;
        name: string;
        displayName: string;
        role: Role;
        salespersonId: string | null;
        createdAt: Date;
        revokedAt: Date | null;
      }[];
    },

    /** The principal behind an Authorization header, or null when it proves nothing. */
    async authenticate(header: string | undefined): Promise<Principal | null> {
      const m = header ? /^Bearer (\S+)$/.exec(header) : null;
      const token = m?.[1];
      const parts = token ? TOKEN_RE.exec(token) : null;
      if (!token || !parts?.[1] || !parts[2]) return null;
      const { rows } = await pool.query<{
        name: string;
        display_name: string | null;
        role: Role;
        salesperson_id: string | null;
        token_hash: string;
      }>(
        'SELECT name, display_name, role, salesperson_id, token_hash FROM credentials WHERE id = $1 AND revoked_at IS NULL',
        [parts[1]],
      );
      const row = rows[0];
      if (!row) return null;
      const expected = Buffer.from(row.token_hash, 'hex');
      const given = Buffer.from(sha256(parts[2]), 'hex');
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      // One primary-key read; an API process keeps the answer (api/credential-cache.ts) and
      // forgets it when CREDENTIALS_CHANNEL announces a change.
      return {
        credentialId: parts[1],
        name: row.name,
        displayName: row.display_name ?? row.name,
        role: row.role,
        salespersonId: row.salesperson_id,
      };
    },

    /**
     * A connection of its own that hears each credential change announced (`changed` with the
     * credential's id); `lost` when it fails or ends. Call `start()` to connect and LISTEN.
     */
    listener(on: { changed: (credentialId: string) => void; lost: () => void }): ListenConnection {
      return listenConnection(pool, CREDENTIALS_CHANNEL, { notified: on.changed, lost: on.lost });
    },
  };
}

export type CredentialQueries = ReturnType<typeof createCredentialQueries>;
