/**
 * The role matrix: who may call which route. Enforced in one place
 * (api/http.ts registerRoutes); a route missing here refuses to start, so nothing
 * is public by accident. Rules that depend on the record (a department votes only
 * for itself) are checked by the route with the helpers below; what a salesperson
 * sees of the records is api/visibility.ts's (another's answers as an unknown id).
 */

import { ROLES, type Role } from '../domain/actor.js';
import type { Principal } from './auth.js';
import { ApiError } from './errors.js';

export { ROLES, type Role };

const ALL: readonly Role[] = ROLES;
const STAFF_READERS: readonly Role[] = ['finance', 'marketing', 'manager', 'credit-desk', 'auditor', 'admin'];

/** `null` marks a public route. */
export const ROLE_MATRIX: Record<string, readonly Role[] | null> = {
  'GET /health': null,
  'GET /openapi.json': null,
  'GET /docs': null,
  'GET /docs/assets/:file': null,

  // Master data (normally from the CRM/ERP import)
  'POST /v1/counterparties': ['finance', 'admin'],
  'GET /v1/counterparties/:id': ALL,
  'POST /v1/counterparties/:id/supply': ['manager'],
  'POST /v1/counterparties/:id/credit-overrides': ['manager'],
  'POST /v1/salespeople': ['finance', 'admin'],

  // Receivables
  'POST /v1/credit-applications': ['sales', 'finance'],
  'GET /v1/receivables/:id': ALL, // sales: own only
  'GET /v1/receivables': ALL, // sales: own only
  'GET /v1/receivables/:id/record': ALL, // sales: own only
  'POST /v1/receivables/:id/decisions': ['finance', 'marketing', 'manager'], // each for its own department
  'POST /v1/receivables/:id/payments': ['finance', 'credit-desk'],
  'POST /v1/receivables/:id/valid-reasons': ['finance'],
  'POST /v1/receivables/:id/valid-reasons/end': ['finance'],
  'POST /v1/receivables/:id/late-reasons': ['sales', 'credit-desk'], // sales: own only
  'POST /v1/receivables/:id/legal-confirmation': ['manager'],
  'POST /v1/receivables/:id/write-off': ['manager'],

  // Audit and policy
  'GET /v1/credit-records/verification': ['auditor', 'manager', 'admin'],
  'GET /v1/policy': ALL,
  'PUT /v1/policy': ['admin'],
  'GET /v1/policy/versions': ALL,

  // Credit terms and customer scoring
  'POST /v1/credit-terms/analysis': ['finance', 'marketing', 'manager', 'sales', 'credit-desk', 'auditor'],
  'POST /v1/customers/:id/score': ['finance', 'credit-desk'],

  // Salespeople
  'POST /v1/salesperson-assessments/:month': ['finance'],
  'GET /v1/salesperson-assessments/:month': ['finance', 'manager', 'marketing', 'auditor', 'sales'], // sales: own row only
  'POST /v1/salespeople/:id/record-events': ['finance', 'marketing', 'manager'],
  'POST /v1/salespeople/:id/credit-score': ['manager', 'finance'],
  'GET /v1/salespeople/:id': [...STAFF_READERS, 'sales'], // sales: own only
  'POST /v1/salespeople/:id/limit-proposals': ['finance', 'marketing'],
  'POST /v1/salespeople/:id/limit-proposals/:proposalId/decision': ['manager'],
  'POST /v1/salesperson-reviews/:quarter': ['finance', 'manager'],
  'POST /v1/salesperson-reviews/:quarter/:salespersonId/decision': ['manager'],

  // Dealer rating (each department submits its own indicators)
  'PUT /v1/dealers/:id/performance/:month': ['finance', 'marketing'],
  'PUT /v1/dealers/:id/conduct/:quarter': ['marketing'],
  'PUT /v1/dealers/:id/sales/:quarter': ['finance'],
  'POST /v1/rating-cycles/month/:month': ['finance', 'marketing', 'manager'],
  'POST /v1/rating-cycles/quarter/:quarter': ['finance', 'marketing', 'manager'],
  'GET /v1/rating-cycles/quarter/:quarter': ALL, // counts only
  'POST /v1/dealers/:id/continuation-decision/:quarter': ['manager'],

  // Outgoing webhooks (no role but admin ever sees a signing secret)
  'POST /v1/webhooks': ['admin'],
  'GET /v1/webhooks': ['admin', 'auditor'],
  'DELETE /v1/webhooks/:id': ['admin'],
  'GET /v1/webhooks/:id/deliveries': ['admin', 'auditor'],

  // Bulk import from the CRM/ERP
  'POST /v1/imports/counterparties': ['finance', 'admin'],
  'POST /v1/imports/receivables': ['finance', 'admin'],
  'POST /v1/imports/payments': ['finance', 'admin'],
  'GET /v1/imports/:id': ['finance', 'admin', 'auditor'],
  'GET /v1/imports/:id/rows': ['finance', 'admin', 'auditor'],

  // Reports (§7): staff read everything; a salesperson only their own share
  'GET /v1/reports/aging': [...STAFF_READERS, 'sales'],
  'GET /v1/reports/dso': [...STAFF_READERS, 'sales'],
  'GET /v1/reports/grades': [...STAFF_READERS, 'sales'],
  'GET /v1/reports/limit-usage': [...STAFF_READERS, 'sales'],
  'GET /v1/reports/collections': [...STAFF_READERS, 'sales'],
  // The dashboard page and its scripts hold no data; it calls the reports with the reader's token.
  'GET /dashboard': null,
  'GET /dashboard/:file': null,
};

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
