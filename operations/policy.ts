/**
 * Reading and writing the credit policy's versions. A new version is stored whole, with the
 * credential that changed it, and never over a version already stored; every process reads
 * the version in force from here. Validation (PolicySchema) and each process's cache of the
 * version in force, kept fresh by PostgreSQL's announcements, stay in infra/policy.ts
 * (PolicyStore), which writes and reads through these.
 */
import { type Actor, describeActor } from '../domain/actor.js';
import type { Policy } from '../domain/policy.js';
import type { Store } from '../store/index.js';
import type { PolicyVersionRow } from '../store/policy.js';

export function createPolicyOperations(store: Pick<Store, 'policy'>) {
  return {
    /** Stores a validated version: the admin's overrides and the whole policy; false when the version is taken. */
    async storeVersion(override: unknown, policy: Policy, changedBy: Actor): Promise<boolean> {
      return store.policy.insert({
        version: policy.version,
        override,
        policy,
        changedBy: describeActor(changedBy),
        changedByActor: changedBy,
      });
    },

    /** Every version, oldest first: who changed it (a readable line, and the credential), and when. */
    history(): Promise<PolicyVersionRow[]> {
      return store.policy.history();
    },

    /** The whole policy of the version in force as stored, or of one version; undefined when none is. */
    inForce: (): Promise<unknown | undefined> => store.policy.inForce(),
    byVersion: (version: string): Promise<unknown | undefined> => store.policy.byVersion(version),
  };
}

export type PolicyOperations = ReturnType<typeof createPolicyOperations>;
