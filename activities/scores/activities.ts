/**
 * The score activities (docs/scores.md §2): refresh a customer's score (operations/scores.ts) with
 * the policy in force, as the system and its trigger; on the first refresh of a worsening episode,
 * tell the credit desk and the customer's salespeople by e-mail, once (effect key per score).
 */
import { type SystemActor, systemActor } from '../../domain/actor.js';
import { localDate } from '../../domain/calendar.js';
import { SCORE_WARNING_TASK } from '../../domain/customer-score.js';
import type { Policy } from '../../domain/policy.js';
import type { Mailer } from '../../infra/mail.js';
import { readPolicyInForce } from '../../infra/policy.js';
import { createMessageRenderer, type MessageRenderer } from '../../operations/correspondence/render.js';
import type { Operations } from '../../operations/index.js';
import type { RefreshOutcome } from '../../operations/scores.js';
import type { Store } from '../../store/index.js';

export interface ScoreActivityDeps {
  store: Store;
  operations: Operations;
  mailer: Mailer;
  company: { name: string; creditDesk: string[] };
  /** The e-mail renderer; default: the stored template versions over the shipped files. */
  renderer?: MessageRenderer;
  /** The policy in force; default: read from PostgreSQL. */
  policyInForce?: () => Promise<Policy>;
  /** The language of the staff e-mail. Default zh-CN. */
  staffLanguage?: string;
}

/** The actor of a refresh: `system:<trigger>` (several triggers in one debounced burst: joined by +). */
export const refreshActor = (triggers: readonly string[]): SystemActor =>
  systemActor(triggers.length ? [...triggers].sort().join('+') : 'refresh');

export function createScoreActivities(deps: ScoreActivityDeps) {
  const { store, operations, mailer, company } = deps;
  const renderer = deps.renderer ?? createMessageRenderer({ stored: store.templates });
  const policyInForce = deps.policyInForce ?? (() => readPolicyInForce(store.pool));

  async function warn(
    outcome: RefreshOutcome,
    policy: Policy,
    trigger: string,
    now?: number,
  ): Promise<boolean> {
    if (!outcome.warning.tell || !outcome.scoreId) return false;
    const c = await store.counterparties.get(outcome.counterpartyId);
    const salespeople = await operations.scores.salespeopleOf(outcome.counterpartyId);
    const to = [...new Set([...company.creditDesk, ...salespeople.map((s) => s.email)])];
    if (!to.length) return false;
    const history = await store.scores.recentScores(outcome.counterpartyId, 2);
    const before = history.length > 1 ? history[0] : undefined;
    const language = deps.staffLanguage ?? 'zh-CN';
    const weakest = [...outcome.contributions]
      .filter((x) => x.weight > 0)
      .sort((a, b) => a.points - b.points || b.weight - a.weight)
      .slice(0, 5);
    const warning = { dropPoints: 10, overRefreshes: 3, ...(policy.customer.score?.warning ?? {}) };
    const rendered = await renderer.render('score-early-warning', language, {
      language,
      company: { name: company.name },
      counterparty: { id: outcome.counterpartyId, name: c?.name ?? outcome.counterpartyId },
      before: {
        score: before?.score ?? null,
        customerClass: outcome.previousClass ?? before?.customerClass ?? null,
      },
      after: { score: outcome.score, customerClass: outcome.customerClass },
      reasons: outcome.warning.reasons,
      warning,
      weakest,
      trigger,
      triggerText: trigger,
      date: localDate(now ?? Date.now(), policy.timeZone),
    });
    const key = `score-early-warning:${outcome.counterpartyId}:${outcome.scoreId}`;
    // And an item in the credit desk's (and the salespeople's) My work, once per episode like the e-mail.
    await store.tasks.open({
      key,
      kind: SCORE_WARNING_TASK,
      assignee: company.creditDesk[0] ?? 'credit-desk',
      dueOn: null,
      detail: {
        counterpartyId: outcome.counterpartyId,
        before: {
          score: before?.score ?? null,
          customerClass: outcome.previousClass ?? before?.customerClass ?? null,
        },
        after: { score: outcome.score, customerClass: outcome.customerClass },
        reasons: outcome.warning.reasons,
        trigger,
      },
    });
    await store.effects.once(key, 'score-early-warning', null, () =>
      mailer.send({
        to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        effectKey: key,
        kind: 'score-early-warning',
      }),
    );
    return true;
  }

  async function refresh(counterpartyId: string, triggers: readonly string[], policy: Policy, now?: number) {
    const actor = refreshActor(triggers);
    const trigger = actor.name;
    try {
      const outcome = await operations.scores.refreshCustomerScore(counterpartyId, {
        trigger,
        policy,
        actor,
      });
      if (!outcome) return { changed: false, warned: false };
      return { changed: outcome.changed, warned: await warn(outcome, policy, trigger, now) };
    } catch (err) {
      // A dealer has no customer score: nothing to refresh.
      if ((err as { kind?: string }).kind === 'rejected') return { changed: false, warned: false };
      throw err;
    }
  }

  return {
    /** One customer, after a burst of behaviour changes. */
    async refreshCustomerScore(a: { counterpartyId: string; triggers: string[]; now?: number }) {
      return refresh(a.counterpartyId, a.triggers, await policyInForce(), a.now);
    },

    listCustomers: (): Promise<string[]> => operations.scores.customerIds(),

    /** A batch of the scheduled refresh. */
    async refreshCustomerScores(a: { counterpartyIds: string[]; trigger: string; now?: number }) {
      const policy = await policyInForce();
      let changed = 0;
      let warned = 0;
      for (const id of a.counterpartyIds) {
        const r = await refresh(id, [a.trigger], policy, a.now);
        if (r.changed) changed++;
        if (r.warned) warned++;
      }
      return { customers: a.counterpartyIds.length, changed, warned };
    },
  };
}

export type ScoreActivities = ReturnType<typeof createScoreActivities>;
