/**
 * Who may call which route: each route states its roles where it is defined
 * (`roles: [...]`, or `public: true`), and this plugin enforces them. A route that states
 * neither refuses to start, so nothing is public by accident. Rules that depend on the
 * record (a department votes only for itself, a salesperson sees only their own) are the
 * routes' (api/roles.ts, api/visibility.ts).
 */
import fp from 'fastify-plugin';
import type { Role } from '../../domain/actor.js';
import { ApiError } from '../errors.js';

/** What a route declares about its callers, kept in its fastify `config`. */
export interface RouteAccess {
  roles?: readonly Role[];
  public?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccess {}
}

export const roles = fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as RouteAccess;
      const declared = Number(Array.isArray(config.roles)) + Number(config.public === true);
      if (declared !== 1)
        throw new Error(
          `route ${[route.method].flat().join(',')} ${route.url} must declare either its roles (roles: [...]) or public: true`,
        );
    });
    // After authentication (api/plugins/authentication.ts), still before the body is read.
    app.addHook('onRequest', async (req) => {
      const allowed = req.routeOptions.config.roles;
      const principal = req.principal;
      if (!allowed || !principal || allowed.includes(principal.role)) return;
      throw new ApiError(
        403,
        'forbidden',
        `the ${principal.role} role may not ${req.method} ${req.routeOptions.url}`,
      );
    });
  },
  { name: 'creditflow-roles', dependencies: ['creditflow-authentication'] },
);
