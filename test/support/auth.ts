/**
 * Credentials for tests that call the API: real tokens, created in the test
 * database. `headersFor` picks a role the route lists, so a test states a role only
 * where the role is what it tests.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Role } from '../../api/roles.js';
import { buildApi } from '../../api/server.js';
import type { Actor } from '../../domain/actor.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { PolicyStore } from '../../infra/policy.js';
import { createCredentialQueries } from '../../store/credentials.js';

export interface TestAuth {
  token(role: Role, salespersonId?: string): Promise<string>;
  headers(role: Role, salespersonId?: string): Promise<{ authorization: string }>;
  /** Headers for the first non-sales role allowed on `METHOD url` (none on public routes). */
  headersFor(method: string, url: string): Promise<Record<string, string>>;
}

/** An operation of the API and the roles it lists (null: public). */
export interface RouteRoles {
  key: string;
  method: string;
  /** Fastify-style: /v1/receivables/:id */
  path: string;
  roles: readonly Role[] | null;
}

let routeTable: Promise<RouteRoles[]> | undefined;

/**
 * Every operation of the API with the roles it lists, as its OpenAPI document states them
 * (`x-roles`), read from an API built without a database or Temporal (nothing is called).
 */
export function routeRoles(): Promise<RouteRoles[]> {
  routeTable ??= (async () => {
    const nothing = async () => ({ rows: [], rowCount: 0 });
    const api = await buildApi({
      client: {} as Client,
      pool: { query: nothing } as unknown as Pool,
      policy: () => DEFAULT_POLICY,
      policyStore: {} as PolicyStore,
    });
    await api.ready();
    const doc = api.swagger() as unknown as {
      paths: Record<string, Record<string, { 'x-roles'?: Role[] }>>;
    };
    await api.close();
    return Object.entries(doc.paths).flatMap(([oaPath, operations]) =>
      Object.entries(operations).map(([m, operation]) => {
        const method = m.toUpperCase();
        const path = oaPath.replace(/\{(\w+)\}/g, ':$1');
        return { key: `${method} ${path}`, method, path, roles: operation['x-roles'] ?? null };
      }),
    );
  })();
  return routeTable;
}

export async function firstRoleFor(method: string, url: string): Promise<Role | null> {
  const path = url.split('?')[0] ?? url;
  for (const route of await routeRoles()) {
    if (route.method !== method) continue;
    const re = new RegExp(`^${route.path.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
    if (!re.test(path)) continue;
    if (route.roles === null) return null;
    const role = route.roles.find((r) => r !== 'sales');
    if (!role) throw new Error(`${route.key} is for salespeople only: state the salesperson`);
    return role;
  }
  throw new Error(`no route ${method} ${path} in the API`);
}

export function createTestAuth(pool: Pool): TestAuth {
  const credentials = createCredentialQueries(pool);
  const tokens = new Map<string, Promise<string>>();
  const token = (role: Role, salespersonId?: string) => {
    const key = `${role}:${salespersonId ?? ''}`;
    let t = tokens.get(key);
    if (!t) {
      t = credentials
        .create({ name: `test ${key}`, role, salespersonId: salespersonId ?? null })
        .then((c) => c.token);
      tokens.set(key, t);
    }
    return t;
  };
  const headers = async (role: Role, salespersonId?: string) => ({
    authorization: `Bearer ${await token(role, salespersonId)}`,
  });
  return {
    token,
    headers,
    async headersFor(method, url) {
      const role = await firstRoleFor(method, url);
      return role ? headers(role) : {};
    },
  };
}

export type ApiBody = Record<string, unknown> & {
  error?: { code: string; message: string; fields?: { path: string; message: string }[] };
};

/**
 * A JSON caller for an API listening at `base()`, authenticated as `as`, or as a
 * role the matrix allows on the route when no role is stated.
 */
export function apiCaller(base: () => string, auth: () => TestAuth) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    as?: Role,
  ): Promise<{ status: number; body: ApiBody }> => {
    const headers = as ? await auth().headers(as) : await auth().headersFor(method, path);
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as ApiBody };
  };
}

/** A person's own credential, as `npm run credentials -- create` makes it: its token and the actor the server must record for it. */
export interface Person {
  token: string;
  actor: Actor;
}

/** Creates `username`'s credential for the person `name` in `role` (a salesperson's own, when `salespersonId` is given). */
export async function createPerson(
  pool: Pool,
  role: Role,
  username: string,
  name: string,
  salespersonId?: string,
): Promise<Person> {
  const created = await createCredentialQueries(pool).create({
    name: username,
    displayName: name,
    role,
    salespersonId: salespersonId ?? null,
  });
  return { token: created.token, actor: { credentialId: created.id, username, name, role } };
}

/** A JSON call to the API at `base` with `who`'s own token. */
export async function callAs(base: string, who: Person, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${who.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}
