/**
 * Sign-in for people (the workspace at /app): a password per credential, kept as a salted
 * scrypt hash (`scrypt$N$r$p$salt$hash`); failed attempts that lock the credential for a
 * while; and the sessions a sign-in opens, kept only as a SHA-256 of their random id (the
 * cookie holds the id), each with its own CSRF token. The principal a session yields is the
 * one its credential's bearer token yields (store/credentials.ts): one actor either way.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Role } from '../domain/actor.js';
import type { Principal } from './credentials.js';
import type { Pool } from './db.js';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const SCRYPT = { N: 16_384, r: 8, p: 1 };
const KEY_LENGTH = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...SCRYPT, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const given = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// A hash to verify against when the login is unknown, so an unknown name takes as long as a wrong password.
const DUMMY = hashPassword(randomBytes(16).toString('hex'));

export type Language = 'zh-CN' | 'en';

export interface SignInRules {
  /** Failed attempts in a row after which the credential is locked. */
  maxFailures: number;
  /** How long a lock lasts. */
  lockMinutes: number;
  /** How long a session lasts without use. */
  idleMinutes: number;
  /** How long a session lasts at most. */
  sessionHours: number;
}

export type SignInOutcome =
  | { ok: true; sessionId: string; csrfToken: string; principal: Principal; language: Language | null }
  | { ok: false; why: 'wrong' }
  | { ok: false; why: 'locked'; until: Date };

interface CredentialRow {
  id: string;
  name: string;
  display_name: string | null;
  role: Role;
  salesperson_id: string | null;
  password_hash: string | null;
  failed_sign_ins: number;
  locked_until: Date | null;
  language: Language | null;
}

const principalOf = (row: Omit<CredentialRow, 'password_hash' | 'failed_sign_ins' | 'locked_until'>) => ({
  credentialId: row.id,
  name: row.name,
  displayName: row.display_name ?? row.name,
  role: row.role,
  salespersonId: row.salesperson_id,
});

export function createSessionQueries(pool: Pool) {
  return {
    /** Sets the password of the live credential with this login name; false when there is none. */
    async setPassword(login: string, password: string): Promise<boolean> {
      const hash = await hashPassword(password);
      const r = await pool.query(
        `UPDATE credentials SET password_hash = $2, failed_sign_ins = 0, locked_until = NULL
         WHERE id = (SELECT id FROM credentials WHERE name = $1 AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1)`,
        [login, hash],
      );
      return (r.rowCount ?? 0) > 0;
    },

    /**
     * Checks a login name and password. A wrong one counts against the credential; at
     * `maxFailures` in a row it is locked for `lockMinutes` (a right password then is refused
     * too, until the lock ends). A right one resets the count and opens a session.
     */
    async signIn(login: string, password: string, rules: SignInRules): Promise<SignInOutcome> {
      const { rows } = await pool.query<CredentialRow>(
        `SELECT id, name, display_name, role, salesperson_id, password_hash, failed_sign_ins, locked_until, language
         FROM credentials WHERE name = $1 AND revoked_at IS NULL AND password_hash IS NOT NULL`,
        [login],
      );
      const row = rows[0];
      if (!row?.password_hash) {
        await verifyPassword(password, await DUMMY);
        return { ok: false, why: 'wrong' };
      }
      if (row.locked_until && row.locked_until.getTime() > Date.now())
        return { ok: false, why: 'locked', until: row.locked_until };
      if (!(await verifyPassword(password, row.password_hash))) {
        const { rows: after } = await pool.query<{ locked_until: Date | null }>(
          `UPDATE credentials SET
             failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= $2 THEN 0 ELSE failed_sign_ins + 1 END,
             locked_until = CASE WHEN failed_sign_ins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
           WHERE id = $1 RETURNING locked_until`,
          [row.id, rules.maxFailures, rules.lockMinutes],
        );
        const until = after[0]?.locked_until;
        return until && until.getTime() > Date.now()
          ? { ok: false, why: 'locked', until }
          : { ok: false, why: 'wrong' };
      }
      await pool.query('UPDATE credentials SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1', [
        row.id,
      ]);
      // The person's ended and expired sessions go as a new one opens: the table stays small.
      await pool.query(
        `DELETE FROM sessions WHERE credential_id = $1 AND (ended_at IS NOT NULL OR expires_at <= now()
           OR last_seen_at <= now() - make_interval(mins => $2))`,
        [row.id, rules.idleMinutes],
      );
      const sessionId = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      await pool.query(
        `INSERT INTO sessions (id_hash, credential_id, csrf_token, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
        [sha256(sessionId), row.id, csrfToken, rules.sessionHours],
      );
      return { ok: true, sessionId, csrfToken, principal: principalOf(row), language: row.language };
    },

    /**
     * The principal of a live session (not ended, not expired, idle less than `idleMinutes`,
     * its credential not revoked), with its CSRF token and language; its last use is now.
     */
    async authenticate(
      sessionId: string,
      rules: Pick<SignInRules, 'idleMinutes'>,
    ): Promise<{ principal: Principal; csrfToken: string; language: Language | null } | null> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return null;
      const { rows } = await pool.query<CredentialRow & { csrf_token: string }>(
        `UPDATE sessions s SET last_seen_at = now()
         FROM credentials c
         WHERE s.id_hash = $1 AND c.id = s.credential_id AND c.revoked_at IS NULL
           AND s.ended_at IS NULL AND s.expires_at > now()
           AND s.last_seen_at > now() - make_interval(mins => $2)
         RETURNING c.id, c.name, c.display_name, c.role, c.salesperson_id, c.language, s.csrf_token`,
        [sha256(sessionId), rules.idleMinutes],
      );
      const row = rows[0];
      return row ? { principal: principalOf(row), csrfToken: row.csrf_token, language: row.language } : null;
    },

    async signOut(sessionId: string): Promise<void> {
      await pool.query('UPDATE sessions SET ended_at = now() WHERE id_hash = $1 AND ended_at IS NULL', [
        sha256(sessionId),
      ]);
    },

    /** The language a person chose for the workspace, remembered with their credential. */
    async setLanguage(credentialId: string, language: Language): Promise<void> {
      await pool.query('UPDATE credentials SET language = $2 WHERE id = $1', [credentialId, language]);
    },

    async language(credentialId: string): Promise<Language | null> {
      const { rows } = await pool.query<{ language: Language | null }>(
        'SELECT language FROM credentials WHERE id = $1',
        [credentialId],
      );
      return rows[0]?.language ?? null;
    },
  };
}

export type SessionQueries = ReturnType<typeof createSessionQueries>;
