/**
 * The debtor portal's links (docs/workspace.md): `portalLinkFor(counterpartyId)` gives the
 * address of the counterparty's own page, issuing a link or reusing a live one; finance
 * revokes them; the portal opens them. A token is `<linkId>.<mac>`, the mac an HMAC-SHA256
 * of the link id and the counterparty under the portal secret: random (the link id) and bound
 * to one counterparty. Only its SHA-256 is stored, so a copy of the database opens nothing;
 * with the secret the process can rebuild a live link's token and hand the same link out
 * again (a new process with another secret issues a new one instead).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { type Actor, actorSource, type DebtorActor } from '../domain/actor.js';
import { DEFAULT_PORTAL_POLICY, type PortalPolicy } from '../domain/portal.js';
import type { Store } from '../store/index.js';
import { type PortalLinkRow, tokenHash } from '../store/portal-links.js';

export interface PortalOptions {
  /** Where the portal is served, e.g. https://credit.example.com (the link is `<baseUrl>/portal/<token>`). */
  baseUrl: string;
  /** The secret the tokens' macs are made with (PORTAL_LINK_SECRET; random per process when unset). */
  secret: string;
}

export const portalOptionsFromEnv = (env: NodeJS.ProcessEnv = process.env): PortalOptions => ({
  baseUrl: (env.PUBLIC_URL ?? `http://localhost:${env.API_PORT ?? 3000}`).replace(/\/+$/, ''),
  secret: env.PORTAL_LINK_SECRET ?? randomBytes(32).toString('base64url'),
});

export type OpenedLink =
  | { status: 'ok'; link: PortalLinkRow }
  | { status: 'expired' | 'revoked' | 'unknown' };

const TOKEN_RE = /^([a-z0-9]{16})\.([A-Za-z0-9_-]{43})$/;

export function createPortalOperations(store: Store, options: PortalOptions = portalOptionsFromEnv()) {
  const mac = (linkId: string, counterpartyId: string) =>
    createHmac('sha256', options.secret).update(`portal:${linkId}:${counterpartyId}`).digest('base64url');
  const tokenOf = (linkId: string, counterpartyId: string) => `${linkId}.${mac(linkId, counterpartyId)}`;
  const urlOf = (token: string) => `${options.baseUrl}/portal/${token}`;

  async function rules(): Promise<PortalPolicy> {
    const inForce = (await store.policy.inForce()) as { portal?: Partial<PortalPolicy> } | undefined;
    return { ...DEFAULT_PORTAL_POLICY, ...inForce?.portal };
  }

  async function issue(counterpartyId: string): Promise<{ id: string; url: string; expiresAt: Date }> {
    const { linkDays } = await rules();
    const id = randomBytes(12)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 16);
    const token = tokenOf(id, counterpartyId);
    const expiresAt = new Date(Date.now() + linkDays * 86_400_000);
    await store.portalLinks.insert({ id, counterpartyId, tokenHash: tokenHash(token), expiresAt });
    return { id, url: urlOf(token), expiresAt };
  }

  return {
    rules,
    issue,

    /**
     * The address of the counterparty's portal page for a message: a live link with at least
     * half its life left, when this process can rebuild its token, else a new one.
     */
    async portalLinkFor(counterpartyId: string): Promise<string> {
      if (!(await store.counterparties.get(counterpartyId)))
        throw new Error(`unknown counterparty ${counterpartyId}`);
      const { linkDays } = await rules();
      const halfLife = (linkDays * 86_400_000) / 2;
      for (const link of await store.portalLinks.live(counterpartyId)) {
        if (link.expiresAt.getTime() - Date.now() < halfLife) continue;
        const token = tokenOf(link.id, counterpartyId);
        if (tokenHash(token) === link.tokenHash) return urlOf(token);
      }
      return (await issue(counterpartyId)).url;
    },

    /** The link a token opens: live, or why not. A token that is malformed is simply unknown. */
    async open(token: string): Promise<OpenedLink> {
      if (!TOKEN_RE.test(token)) return { status: 'unknown' };
      const link = await store.portalLinks.byTokenHash(tokenHash(token));
      if (!link) return { status: 'unknown' };
      if (link.revokedAt) return { status: 'revoked' };
      if (link.expiresAt.getTime() <= Date.now()) return { status: 'expired' };
      return { status: 'ok', link };
    },

    list: (counterpartyId: string) => store.portalLinks.list(counterpartyId),

    /** Finance revokes one link of the counterparty, or all its live links. */
    revoke: (counterpartyId: string, linkId: string | null, actor: Actor) =>
      store.portalLinks.revoke(counterpartyId, linkId, actor as unknown as Record<string, unknown>),

    /**
     * "We have paid": recorded as a credit fact with the debtor as actor, and a task for
     * finance to confirm it against the bank. It settles nothing: only a recorded payment does.
     */
    async claimPayment(
      receivableId: string,
      claim: { paidOn: string; amountMinor: number; currency: string; reference: string },
      actor: DebtorActor,
    ): Promise<{ claimId: string }> {
      const claimId = randomUUID();
      await store.transaction((client) =>
        store.creditRecord.append(client, {
          subjectType: 'receivable',
          subjectId: receivableId,
          eventType: 'payment-claimed-by-debtor',
          payload: { receivableId, claimId, ...claim, actor },
          source: actorSource(actor),
          idempotencyKey: `${receivableId}:payment-claim:${claimId}`,
        }),
      );
      await store.tasks.open({
        key: `${receivableId}:payment-claim:${claimId}`,
        kind: 'confirm-debtor-payment',
        assignee: 'finance',
        receivableId,
        dueOn: null,
        detail: { claimId, ...claim, counterpartyId: actor.counterpartyId, actor },
      });
      return { claimId };
    },

    /** A debtor's dispute: finance is given a task to look into it (the workflow records and pauses). */
    async tellFinanceOfDispute(receivableId: string, reason: string, actor: DebtorActor): Promise<void> {
      await store.tasks.open({
        key: `${receivableId}:debtor-dispute:${randomUUID()}`,
        kind: 'review-debtor-dispute',
        assignee: 'finance',
        receivableId,
        dueOn: null,
        detail: { reason, counterpartyId: actor.counterpartyId, actor },
      });
    },
  };
}

export type PortalOperations = ReturnType<typeof createPortalOperations>;
