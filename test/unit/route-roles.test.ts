/** Every route states who may call it where it is defined: one that does not refuses to start. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AnyRoute, defineRoute, registerRoutes } from '../../api/http.js';
import { authentication } from '../../api/plugins/authentication.js';
import { errorMapping } from '../../api/plugins/errors.js';
import { roles } from '../../api/plugins/roles.js';
import { validation } from '../../api/plugins/validation.js';

const route = (access: Partial<Pick<AnyRoute, 'roles' | 'public'>>) =>
  defineRoute({
    method: 'GET',
    path: '/v1/something',
    summary: 'something',
    tag: 'test',
    ...access,
    response: z.object({ ok: z.boolean() }),
    handler: async () => ({ ok: true }),
  });

async function start(r: AnyRoute) {
  const app = Fastify();
  await app.register(errorMapping);
  await app.register(validation);
  await app.register(authentication, {
    failuresPerMinute: 20,
    authenticate: async (header) =>
      header === 'Bearer finance'
        ? { credentialId: 'c', name: 'f', displayName: 'f', role: 'finance', salespersonId: null }
        : null,
  });
  await app.register(roles);
  await registerRoutes(app, [r]);
  await app.ready();
  return app;
}

describe('a route states its roles where it is defined', () => {
  it('a route with no roles and not public refuses to start, naming the route', async () => {
    await expect(start(route({}))).rejects.toThrow(/GET \/v1\/something must declare either its roles/);
  });

  it('a route that states both roles and public refuses to start', async () => {
    await expect(start(route({ roles: ['finance'], public: true }))).rejects.toThrow(/must declare either/);
  });

  it('its roles are enforced: no credential 401, another role 403, a listed role 200', async () => {
    const app = await start(route({ roles: ['finance'] }));
    expect((await app.inject({ url: '/v1/something' })).statusCode).toBe(401);
    const other = await start(route({ roles: ['manager'] }));
    const refused = await other.inject({
      url: '/v1/something',
      headers: { authorization: 'Bearer finance' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    const ok = await app.inject({ url: '/v1/something', headers: { authorization: 'Bearer finance' } });
    expect(ok.json()).toEqual({ ok: true });
  });

  it('a public route needs no credential', async () => {
    const app = await start(route({ public: true }));
    expect((await app.inject({ url: '/v1/something' })).json()).toEqual({ ok: true });
  });
});
