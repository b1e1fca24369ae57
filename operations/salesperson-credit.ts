/**
 * A salesperson's credit (docs/domain.md §4, §5): entries on their credit record, the
 * month's assessment stored (the credit score is operations/scores.ts's), the receivables limit (a proposal from an
 * evaluation, a manager's decision) and the quarterly review (a proposal per salesperson,
 * a manager's decision). Each act and its credit-record event commit together; routes and
 * the salesperson workflows' activities call these.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type Actor, actorSource, type SystemActor } from '../domain/actor.js';
import { addDays, instantAt } from '../domain/calendar.js';
import {
  type AssessmentTableRow,
  proposeReview,
  quarterRange,
  usageBp,
} from '../domain/salesperson-review.js';
import { type CreditRecordRow, canonicalJson } from '../store/credit-record.js';
import { inTransaction } from '../store/db.js';
import type { Store } from '../store/index.js';
import type { LimitProposalRow, ReviewRow, SalespersonRow } from '../store/salespeople.js';
import { OperationRefused } from './refused.js';

export type SalespersonRecordKind = 'sale' | 'complaint' | 'collection' | 'violation';

/** The score of the latest 'credit-scored' event on a salesperson's record; null when never scored. */
export function latestCreditScore(record: readonly Pick<CreditRecordRow, 'eventType' | 'payload'>[]) {
  const last = [...record].reverse().find((r) => r.eventType === 'credit-scored');
  return last ? (last.payload.score as number) : null;
}

export function salespersonCreditOperations(store: Store) {
  const { pool, salespeople: q, creditRecord: records } = store;

  const salesperson = async (id: string): Promise<SalespersonRow> => {
    const p = await q.getSalesperson(id);
    if (!p) throw OperationRefused.notFound(`salesperson ${id}`);
    return p;
  };

  return {
    salesperson,

    /** The named salespeople, all known (null when none are named); a name that is not is refused. */
    async knownSalespeople(ids: string[] | undefined): Promise<string[] | null> {
      if (!ids) return null;
      const found = await q.salespersonIds(ids);
      const unknown = [...new Set(ids)].filter((id) => !found.includes(id));
      if (unknown.length)
        throw OperationRefused.rejected(`salespersonIds: unknown salesperson ${unknown.join(', ')}`, [
          { path: 'salespersonIds', message: `unknown salesperson ${unknown.join(', ')}` },
        ]);
      return found;
    },

    /** A sale, complaint, collection or violation on the salesperson's credit record. */
    async recordEvent(
      salespersonId: string,
      e: { kind: SalespersonRecordKind; detail: string; amountMinor?: number | undefined },
      actor: Actor,
    ): Promise<{ idempotencyKey: string }> {
      await salesperson(salespersonId);
      const key = `salesperson:${salespersonId}:${e.kind}:${randomUUID()}`;
      await inTransaction(pool, (c) =>
        records.append(c, {
          subjectType: 'salesperson',
          subjectId: salespersonId,
          eventType: e.kind,
          payload: {
            detail: e.detail,
            ...(e.amountMinor !== undefined ? { amountMinor: e.amountMinor } : {}),
            actor,
          },
          source: actorSource(actor),
          idempotencyKey: key,
        }),
      );
      return { idempotencyKey: key };
    },

    /** Proposes a new receivables limit from an evaluation; pending until a manager decides. */
    async proposeLimit(
      salespersonId: string,
      p: { proposedLimitMinor: number; evaluation: string },
      actor: Actor,
    ): Promise<LimitProposalRow> {
      const id = randomUUID();
      return inTransaction(pool, async (c) => {
        const sp = await q.lockSalesperson(c, salespersonId);
        if (!sp) throw OperationRefused.notFound(`salesperson ${salespersonId}`);
        const row = {
          id,
          salespersonId,
          previousLimitMinor: sp.creditLimitMinor,
          proposedLimitMinor: p.proposedLimitMinor,
          evaluation: p.evaluation,
        };
        await q.insertLimitProposal(c, row, actor);
        await records.append(c, {
          subjectType: 'salesperson',
          subjectId: salespersonId,
          eventType: 'limit-proposed',
          payload: { proposalId: id, ...row, actor },
          source: actorSource(actor),
          idempotencyKey: `salesperson:${salespersonId}:limit-proposed:${id}`,
        });
        return storedProposal(c, id);
      });
    },

    /** A manager approves (the limit takes effect) or rejects a pending proposal. */
    async decideLimitProposal(
      salespersonId: string,
      proposalId: string,
      d: { approve: boolean; reason: string },
      actor: Actor,
    ): Promise<LimitProposalRow> {
      return inTransaction(pool, async (c) => {
        const sp = await q.lockSalesperson(c, salespersonId);
        if (!sp) throw OperationRefused.notFound(`salesperson ${salespersonId}`);
        const p = await q.lockLimitProposal(c, salespersonId, proposalId);
        if (!p) throw OperationRefused.notFound(`limit proposal ${proposalId}`);
        if (p.status !== 'pending') throw OperationRefused.conflict(`the proposal is already ${p.status}`);
        const status = d.approve ? ('approved' as const) : ('rejected' as const);
        await q.decideLimitProposal(c, p.id, { status, decidedBy: actor, reason: d.reason });
        if (d.approve) await q.setLimit(c, salespersonId, p.proposedLimitMinor);
        await records.append(c, {
          subjectType: 'salesperson',
          subjectId: salespersonId,
          eventType: d.approve ? 'limit-approved' : 'limit-rejected',
          payload: {
            proposalId: p.id,
            previousLimitMinor: sp.creditLimitMinor,
            proposedLimitMinor: p.proposedLimitMinor,
            reason: d.reason,
            actor,
          },
          source: actorSource(actor),
          idempotencyKey: `salesperson:${salespersonId}:limit-decided:${p.id}`,
        });
        return storedProposal(c, p.id);
      });
    },

    /**
     * Stores a month's assessment table and puts each row on the salesperson's credit record, in one
     * transaction; answers how many rows were new or changed. Same figures, same key: a re-run appends
     * nothing; revised figures append a revision.
     */
    async recordMonthlyAssessment(
      month: string,
      rows: readonly AssessmentTableRow[],
      policyVersion: string,
      startedBy?: Actor | SystemActor,
    ): Promise<number> {
      let changed = 0;
      await inTransaction(pool, async (client) => {
        for (const row of rows) {
          if (await q.upsertAssessment(client, month, row, policyVersion)) changed++;
          const digest = createHash('sha256').update(canonicalJson(row)).digest('hex').slice(0, 16);
          await records.append(client, {
            subjectType: 'salesperson',
            subjectId: row.salespersonId,
            eventType: 'monthly-assessment',
            payload: {
              month,
              receivablesMinor: row.receivablesMinor,
              totalRateBp: row.totalRateBp,
              rewardPenaltyMinor: row.rewardPenaltyMinor,
              metrics: row.metrics,
              policyVersion,
              ...(startedBy ? { actor: startedBy } : {}),
            },
            source: startedBy ? actorSource(startedBy) : 'salesperson-assessment',
            idempotencyKey: `salesperson:${row.salespersonId}:assessment:${month}:${digest}`,
          });
        }
      });
      return changed;
    },

    /**
     * Proposes each salesperson's quarterly review from their score, the quarter's record (local midnight of
     * its first day to local midnight after its last) and assessments, and their limit usage now. A review
     * already decided stays as decided.
     */
    async proposeQuarterlyReviews(quarter: string, salespersonIds: readonly string[], timeZone: string) {
      const { first, last } = quarterRange(quarter);
      const start = new Date(instantAt(first, 0, timeZone)).toISOString();
      const end = new Date(instantAt(addDays(last, 1), 0, timeZone)).toISOString();
      for (const id of salespersonIds) {
        const p = await salesperson(id);
        const [counts, rewardPenalty, outstanding, record] = await Promise.all([
          q.recordCounts(id, start, end),
          q.rewardPenaltyBetween(id, first.slice(0, 7), last.slice(0, 7)),
          q.outstanding(id),
          records.listForSubject('salesperson', id),
        ]);
        const inputs = {
          score: latestCreditScore(record),
          complaints: counts.complaint ?? 0,
          violations: counts.violation ?? 0,
          assessmentRewardPenaltyMinor: rewardPenalty,
          limitMinor: p.creditLimitMinor,
          usageBp: usageBp(outstanding, p.creditLimitMinor),
        };
        const proposal = proposeReview(inputs);
        await q.upsertReview(pool, {
          quarter,
          salespersonId: id,
          inputs,
          proposedActions: [...proposal.actions],
          proposedLimitMinor: proposal.proposedLimitMinor,
          reasons: [...proposal.reasons],
        });
      }
      return { proposed: salespersonIds.length };
    },

    /**
     * A manager accepts the review's proposal or changes it (`actions` / `limitMinor` replace it); a decided
     * limit takes effect and the decision goes on the credit record.
     */
    async decideReview(
      quarter: string,
      salespersonId: string,
      d: {
        accept: boolean;
        actions?: string[] | undefined;
        limitMinor?: number | null | undefined;
        note: string;
      },
      actor: Actor,
    ): Promise<ReviewRow> {
      return inTransaction(pool, async (c) => {
        const r = await q.getReview(c, quarter, salespersonId, true);
        if (!r) throw OperationRefused.notFound(`review ${quarter} of ${salespersonId}`);
        if (r.status === 'decided') throw OperationRefused.conflict('the review is already decided');
        if (!d.accept && d.actions === undefined && d.limitMinor === undefined)
          throw OperationRefused.invalid('a changed decision names actions or limitMinor', [
            { path: 'actions', message: 'required when accept is false' },
          ]);
        const actions = d.accept ? r.proposedActions : (d.actions ?? r.proposedActions);
        const limitMinor = d.accept || d.limitMinor === undefined ? r.proposedLimitMinor : d.limitMinor;
        await q.decideReview(c, quarter, salespersonId, {
          actions,
          limitMinor,
          decidedBy: actor,
          note: d.note,
        });
        if (limitMinor !== null) {
          await q.lockSalesperson(c, salespersonId);
          await q.setLimit(c, salespersonId, limitMinor);
        }
        await records.append(c, {
          subjectType: 'salesperson',
          subjectId: salespersonId,
          eventType: 'quarterly-review-decided',
          payload: {
            quarter,
            proposedActions: r.proposedActions,
            actions,
            proposedLimitMinor: r.proposedLimitMinor,
            limitMinor,
            note: d.note,
            actor,
          },
          source: actorSource(actor),
          idempotencyKey: `salesperson:${salespersonId}:review:${quarter}`,
        });
        const decided = await q.getReview(c, quarter, salespersonId);
        if (!decided) throw new Error(`review ${quarter} of ${salespersonId} vanished`);
        return decided;
      });
    },
  };

  async function storedProposal(c: Parameters<typeof q.getLimitProposal>[0], id: string) {
    const stored = await q.getLimitProposal(c, id);
    if (!stored) throw new Error(`limit proposal ${id} vanished inside its transaction`);
    return stored;
  }
}

export type SalespersonCreditOperations = ReturnType<typeof salespersonCreditOperations>;
