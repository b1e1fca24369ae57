/**
 * Authentication: on every route that lists roles, the caller's `Authorization: Bearer <token>`
 * is checked in onRequest, before fastify reads the body, so an unauthenticated caller never
 * has its body read or parsed. The principal is `req.principal`.
 *
 * Failed attempts are limited per client address (@fastify/rate-limit): a credential that fails
 * counts (a missing one does not: it guesses nothing); past the limit in a minute, that address
 * gets 429 — without its credential being looked up — until the minute ends. Successful
 * requests are never counted or limited below the limit.
 */
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { Principal } from '../../store/credentials.js';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; null on public routes. */
    principal: Principal | null;
  }
}

export interface AuthenticationOptions {
  /** The principal behind an Authorization header, or null when it proves nothing. */
  authenticate: (authorization: string | undefined) => Promise<Principal | null>;
  /** Failed authentications an address may make in a minute. */
  failuresPerMinute: number;
}

/** RFC 6750: a 401 names the scheme; `invalid_token` when a credential was sent and failed. */
const challenge = (sent: boolean) =>
  sent ? 'Bearer realm="creditflow", error="invalid_token"' : 'Bearer realm="creditflow"';

export const authentication = fp<AuthenticationOptions>(
  async (app, { authenticate, failuresPerMinute }) => {
    app.decorateRequest('principal', null);
    await app.register(rateLimit, { global: false });
    const failures = app.createRateLimit({ max: failuresPerMinute, timeWindow: 60_000 });
    app.addHook('onRequest', async (req, res) => {
      if (!req.routeOptions.config.roles) return; // a public route, or no route at all
      const header = req.headers.authorization;
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
        throw new ApiError(401, 'unauthenticated', 'send a valid credential: Authorization: Bearer <token>');
      }
      req.principal = principal;
    });
  },
  { name: 'creditflow-authentication' },
);
