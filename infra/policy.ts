/**
 * The policy in force. Today: the repository defaults (domain/policy.ts). A company
 * file (POLICY_FILE) and an admin API come with the policy issue; each receivable
 * workflow already records the policy it started under.
 */
import { DEFAULT_POLICY, type Policy } from '../domain/policy.js';

export function loadPolicy(): Policy {
  return DEFAULT_POLICY;
}
