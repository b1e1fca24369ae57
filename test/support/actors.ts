/** Actors for workflow tests, which call Updates directly as the API would after authenticating. */
import type { Actor, Role } from '../../domain/actor.js';

export const testActor = (role: Role, username: string = role): Actor => ({
  credentialId: `cred${username.replace(/[^a-z0-9]/g, '').slice(0, 8)}`,
  username,
  name: username,
  role,
});
