/**
 * Who is calling: the principal a credential proves (`Authorization: Bearer cf_<id>_<secret>`,
 * checked by api/plugins/authentication.ts against store/credentials.ts), and the actor
 * recorded for it.
 */
import type { Actor, OnBehalfOf } from '../domain/actor.js';
import type { Principal } from '../store/credentials.js';

// The authenticated caller, as the credential store answers it (store/credentials.ts).
export type { Principal } from '../store/credentials.js';

/** The actor the server records for a request: the credential, never the body. */
export function actorOf(principal: Principal, onBehalfOf?: Omit<OnBehalfOf, 'verified'>): Actor {
  return {
    credentialId: principal.credentialId,
    username: principal.name,
    name: principal.displayName,
    role: principal.role,
    ...(onBehalfOf ? { onBehalfOf: { ...onBehalfOf, verified: false as const } } : {}),
  };
}

/** The principal on an authenticated route (api/plugins/authentication.ts answers 401 before a handler runs without one). */
export function authenticated(principal: Principal | undefined): Principal {
  if (!principal) throw new Error('an authenticated route ran without a principal');
  return principal;
}
