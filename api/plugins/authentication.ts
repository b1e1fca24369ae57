/**
 * Authentication: on every route that lists roles, the caller is proved in onRequest, before
 * fastify reads the body, so an unauthenticated caller never has its body read or parsed. The
 * principal is `req.principal`. Two ways, one principal: a machine sends
 * `Authorization: Bearer <token>`; a person signed in at /app sends the session cookie
 * (`cf_session`, store/sessions.ts), and the same credential's principal comes out of either.
 *
 * A session-authenticated request that changes state (anything but GET/HEAD/OPTIONS) must also
 * carry the session's CSRF token in `X-CSRF-Token` (a synchronizer token: the page reads it from
 * GET /app/session, which another site cannot read); without it, 403. A bearer request needs
 * none: a browser never attaches an Authorization header by itself.
 *
 * Failed attempts are limited per client address (@fastify/rate-limit): a credential that fails
 * counts (a missing one does not: it guesses nothing); past the limit in a minute, that address
 * gets 429 — without its credential being looked up — until the minute ends. Successful
 * requests are never counted or limited below the limit.
 */
import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../../store/credentials.js';
import { ApiError } from '../errors.js';

export interface WebSession {
  id: string;
  csrfToken: string;
  language: 'zh-CN' | 'en' | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; null on public routes. */
    principal: Principal | null;
    /** The signed-in person's session, when the principal came from the session cookie. */
    webSession: WebSession | null;
  }
}

export interface AuthenticationOptions {
  /** The principal behind an Authorization header, or null when it proves nothing. */
  authenticate: (authorization: string | undefined) => Promise<Principal | null>;
  /** The principal, CSRF token and language of a live session id, or null. */
  authenticateSession?: (
    sessionId: string,
  ) => Promise<{ principal: Principal; csrfToken: string; language: 'zh-CN' | 'en' | null } | null>;
  /** Failed authentications an address may make in a minute. */
  failuresPerMinute: number;
}

export const SESSION_COOKIE = 'cf_session';

/** The CSRF token sent equals the session's, compared in constant time. */
function sameToken(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Served over TLS (directly, or behind a proxy fastify trusts): the cookie is Secure. */
export const overTls = (req: FastifyRequest) => req.protocol === 'https';

/**
 * The session cookie's Set-Cookie value: HttpOnly, SameSite=Lax (Strict would drop it when a
 * person follows a link to /app from an e-mail), Secure over TLS. An empty id clears it.
 */
export function sessionCookie(req: FastifyRequest, sessionId: string, maxAgeSeconds: number): string {
  return req.server.serializeCookie(SESSION_COOKIE, sessionId, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: overTls(req),
    maxAge: maxAgeSeconds,
    ...(sessionId ? {} : { expires: new Date(0) }),
  });
}

/** RFC 6750: a 401 names the scheme; `invalid_token` when a credential was sent and failed. */
const challenge = (sent: boolean) =>
  sent ? 'Bearer realm="creditflow", error="invalid_token"' : 'Bearer realm="creditflow"';

export const authentication = fp<AuthenticationOptions>(
  async (app, { authenticate, authenticateSession, failuresPerMinute }) => {
    app.decorateRequest('principal', null);
    app.decorateRequest('webSession', null);
    await app.register(cookie);
    await app.register(rateLimit, { global: false });
    const failures = app.createRateLimit({ max: failuresPerMinute, timeWindow: 60_000 });
    app.addHook('onRequest', async (req, res) => {
      if (!req.routeOptions.config.roles) return; // a public route, or no route at all
      const header = req.headers.authorization;
      const sessionId = header === undefined ? req.cookies[SESSION_COOKIE] : undefined;
      if (header === undefined && sessionId && authenticateSession) {
        const session = await authenticateSession(sessionId);
        if (session) {
          if (!SAFE_METHODS.has(req.method) && !sameToken(req.headers['x-csrf-token'], session.csrfToken))
            throw new ApiError(
              403,
              'csrf',
              'a signed-in change needs the X-CSRF-Token header of its session (GET /app/session)',
            );
          req.principal = session.principal;
          req.webSession = { id: sessionId, csrfToken: session.csrfToken, language: session.language };
          return;
        }
      }
      if (header !== undefined) {
        const seen = await failures(req, { increment: false });
        if (!seen.isAllowed && seen.remaining === 0) {
          const seconds = Math.max(1, seen.ttlInSeconds);
          res.header('retry-after', String(seconds));
          throw new ApiError(
            429,
            'too_many_failed_authentications',
            `too many failed authentications from your address; retry in ${seconds} s`,
          );
        }
      }
      const principal = header === undefined ? null : await authenticate(header);
      if (!principal) {
        if (header !== undefined) await failures(req);
        res.header('www-authenticate', challenge(header !== undefined));
        throw new ApiError(
          401,
          'unauthenticated',
          'send a valid credential: Authorization: Bearer <token>, or sign in at /app',
        );
      }
      req.principal = principal;
    });
  },
  { name: 'creditflow-authentication' },
);
