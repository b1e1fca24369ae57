/**
 * Roles: each route lists the roles that may call it where it is defined (`roles: [...]`
 * in api/routes/*.ts; api/plugins/roles.ts enforces them, and a route that lists none and is
 * not `public: true` refuses to start). Rules that depend on the record (a department votes
 * only for itself) are checked by the route with the helpers below; what a salesperson
 * sees of the records is api/visibility.ts's (another's answers as an unknown id).
 */

import { ROLES, type Role } from '../domain/actor.js';
import type { Principal } from './auth.js';
import { ApiError } from './errors.js';

export { ROLES, type Role };

/** Every staff role that reads the books (all but sales, whose reads are their own share). */
export const STAFF_READERS: readonly Role[] = [
  'finance',
  'marketing',
  'manager',
  'credit-desk',
  'auditor',
  'admin',
];

/** A salesperson may act on, or read, only what is theirs. */
export function assertOwnSalesperson(principal: Principal | undefined, salespersonId: string): void {
  if (principal?.role === 'sales' && principal.salespersonId !== salespersonId)
    throw new ApiError(403, 'forbidden', 'a salesperson sees only their own receivables and figures');
}

/** Finance votes for finance, marketing for marketing, a manager as manager. */
export function assertOwnDepartment(principal: Principal | undefined, department: string): void {
  if (principal && principal.role !== department)
    throw new ApiError(
      403,
      'forbidden',
      `only ${department} casts ${department}'s decision (you are ${principal.role})`,
      [{ path: 'department', message: `not yours to cast as ${principal.role}` }],
    );
}
