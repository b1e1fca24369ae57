/**
 * Debtor portal links (migration 027): one counterparty each, kept only as a SHA-256 of the
 * token, expiring, revocable. The token itself is built by operations/portal.ts.
 */
import { createHash } from 'node:crypto';
import type { Pool } from './db.js';

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface PortalLinkRow {
  id: string;
  counterpartyId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

const COLUMNS = `id, counterparty_id AS "counterpartyId", token_hash AS "tokenHash", created_at AS "createdAt",
  expires_at AS "expiresAt", revoked_at AS "revokedAt"`;

export function createPortalLinkQueries(pool: Pool) {
  return {
    async insert(l: {
      id: string;
      counterpartyId: string;
      tokenHash: string;
      expiresAt: Date;
    }): Promise<void> {
      await pool.query(
        'INSERT INTO portal_links (id, counterparty_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)',
        [l.id, l.counterpartyId, l.tokenHash, l.expiresAt],
      );
    },

    /** The link a token opens, whatever its state (the caller tells expired and revoked apart). */
    async byTokenHash(hash: string): Promise<PortalLinkRow | undefined> {
      const { rows } = await pool.query<PortalLinkRow>(
        `SELECT ${COLUMNS} FROM portal_links WHERE token_hash = $1`,
        [hash],
      );
      return rows[0];
    },

    /** The counterparty's live links, the one expiring last first. */
    async live(counterpartyId: string): Promise<PortalLinkRow[]> {
      const { rows } = await pool.query<PortalLinkRow>(
        `SELECT ${COLUMNS} FROM portal_links
         WHERE counterparty_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY expires_at DESC`,
        [counterpartyId],
      );
      return rows;
    },

    async list(counterpartyId: string): Promise<PortalLinkRow[]> {
      const { rows } = await pool.query<PortalLinkRow>(
        `SELECT ${COLUMNS} FROM portal_links WHERE counterparty_id = $1 ORDER BY created_at DESC LIMIT 100`,
        [counterpartyId],
      );
      return rows;
    },

    /** Revokes one link of the counterparty (or all its live links when `id` is absent); how many. */
    async revoke(counterpartyId: string, id: string | null, by: Record<string, unknown>): Promise<number> {
      const r = await pool.query(
        `UPDATE portal_links SET revoked_at = now(), revoked_by = $3
         WHERE counterparty_id = $1 AND ($2::text IS NULL OR id = $2) AND revoked_at IS NULL`,
        [counterpartyId, id, JSON.stringify(by)],
      );
      return r.rowCount ?? 0;
    },
  };
}

export type PortalLinkQueries = ReturnType<typeof createPortalLinkQueries>;
