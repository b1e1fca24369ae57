/** The credit policy: read it, replace it with a new version (admin), list its versions. */
import { z } from 'zod';
import { calendarOf } from '../../domain/working-days.js';
import type { PolicyStore } from '../../infra/policy.js';
import { actorOf, authenticated } from '../auth.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { ROLES } from '../roles.js';
import { ActorResponse, refusedActorFields } from '../schemas.js';
import { policyCalendarWarnings } from './calendar.js';

const PolicyDocument = z.record(z.string(), z.unknown());

export function policyRoutes(deps: { store: PolicyStore }): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/policy',
      summary:
        'The credit policy in force for new work, with `warnings` (a year without holiday data: weekends only)',
      tag: 'policy',
      roles: ROLES,
      response: PolicyDocument,
      handler: async () => {
        const policy = deps.store.current();
        // The calendar in force (the defaults when the version predates it) and what it lacks.
        return {
          ...policy,
          calendar: calendarOf(policy),
          warnings: policyCalendarWarnings(policy),
        } as unknown as Record<string, unknown>;
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/v1/policy',
      summary: 'Replace the policy with a new version (overrides on top of the repository defaults)',
      tag: 'policy',
      roles: ['admin'],
      body: z.object({
        ...refusedActorFields('changedBy'),
        document: PolicyDocument.describe(
          'A partial policy: what differs from the defaults, with a new `version`',
        ),
      }),
      response: PolicyDocument,
      status: 201,
      handler: async ({ body, principal }) =>
        reply(
          201,
          (await deps.store.replace(body.document, actorOf(authenticated(principal)))) as unknown as Record<
            string,
            unknown
          >,
        ),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/policy/versions',
      summary: 'Every policy version stored through the API',
      tag: 'policy',
      roles: ROLES,
      response: z.object({
        items: z.array(
          z.object({
            version: z.string(),
            changedBy: z.string(),
            changedByActor: ActorResponse.nullable(),
            createdAt: z.string(),
          }),
        ),
      }),
      handler: async () => ({ items: await deps.store.history() }),
    }),
  ];
}
