/**
 * The salespeople's activities. The monthly assessment: the month's figures → the
 * assessment → the stored table and a credit-record event per person (one transaction),
 * then finance's e-mail (written by mail.ts), once per month (effect key). The quarterly
 * review: the salespeople to review, and their proposals a batch at a time
 * (operations/salesperson-credit.ts).
 */
import { createHash } from 'node:crypto';
import { type Actor, type SystemActor, systemActor } from '../../domain/actor.js';
import { assessmentCsv } from '../../domain/csv.js';
import type { Policy } from '../../domain/policy.js';
import { assessSalespersonMonth } from '../../domain/salesperson-assessment.js';
import { type AssessmentTableRow, monthRange } from '../../domain/salesperson-review.js';
import type { Mailer } from '../../infra/mail.js';
import { readPolicyInForce } from '../../infra/policy.js';
import { createMessageRenderer, type MessageRenderer } from '../../operations/correspondence/render.js';
import type { Operations } from '../../operations/index.js';
import type { Store } from '../../store/index.js';

export interface SalespersonActivityDeps {
  store: Store;
  operations: Operations;
  mailer: Mailer;
  company: { name: string; financeApprovers: string[]; managers: string[] };
  /** Writes the messages: the company's templates in force when sent (default: stored, else shipped). */
  renderer?: MessageRenderer;
}

/** Finance's e-mail key: one per month, or per month and scope for a run limited to some salespeople. */
export function assessmentMailKey(month: string, ids: string[] | null): string {
  if (!ids) return `salesperson-assessment:${month}:finance-table`;
  const scope = createHash('sha256')
    .update([...ids].sort().join(','))
    .digest('hex')
    .slice(0, 16);
  return `salesperson-assessment:${month}:finance-table:scope-${scope}`;
}

export function createSalespersonActivities(deps: SalespersonActivityDeps) {
  const { store, operations, mailer, company } = deps;
  const { pool, salespeople: q, effects } = store;
  const renderer = deps.renderer ?? createMessageRenderer({ stored: store.templates });

  return {
    /** The policy version in force now, for a scheduled run (its schedule carries none). */
    policyInForce: (): Promise<Policy> => readPolicyInForce(pool),

    /**
     * Each salesperson's credit score after the month's assessment (docs/scores.md): the collection
     * record from the assessment just stored, the rest from the record and facts; recorded once per
     * distinct inputs, so a re-run of the month records nothing new.
     */
    async scoreSalespeopleAfterAssessment(a: {
      month: string;
      policy: Policy;
      salespersonIds: string[] | null;
    }): Promise<{ scored: number; recorded: number }> {
      const ids = await q.salespersonIds(a.salespersonIds);
      let recorded = 0;
      for (const id of ids) {
        const r = await operations.scores.scoreSalesperson(id, {
          policy: a.policy,
          actor: systemActor(`salesperson-assessment:${a.month}`),
        });
        if (r.recorded) recorded++;
      }
      return { scored: ids.length, recorded };
    },

    /** The salespeople a quarter's review covers, in id order: the named ones, or all. */
    listSalespeopleForReview: (a: { salespersonIds: string[] | null }): Promise<string[]> =>
      q.salespersonIds(a.salespersonIds),

    /** Proposes a batch's quarterly reviews; a decided review stays as decided. */
    proposeSalespersonReviews: (a: {
      quarter: string;
      timeZone: string;
      salespersonIds: string[];
    }): Promise<{ proposed: number }> =>
      operations.salespersonCredit.proposeQuarterlyReviews(a.quarter, a.salespersonIds, a.timeZone),

    async computeSalespersonAssessment(a: {
      month: string;
      policy: Policy;
      salespersonIds: string[] | null;
      /** Who started the run; absent for a run started before actors were recorded. */
      startedBy?: Actor | SystemActor;
    }): Promise<{ salespeople: number; changed: number; totalRewardPenaltyMinor: number }> {
      const { first, last, days } = monthRange(a.month);
      const sp = a.policy.salesperson;
      const discount = a.policy.receivable.cashDiscount;
      const discountDays = discount.rateBp > 0 ? discount.days : 0;
      const [figures, company] = await Promise.all([
        q.monthFigures(first, last, discountDays, a.salespersonIds),
        q.companyReceivables(last),
      ]);
      const rows: AssessmentTableRow[] = figures.map((f) => {
        // creditflow sees credit sales only: they are the month's sales as well.
        const input = {
          receivablesMinor: f.receivablesMinor,
          creditSalesMinor: f.creditSalesMinor,
          daysInPeriod: days,
          collectedMinor: f.collectedMinor,
          contractAmountMinor: f.contractAmountMinor,
          companyReceivablesMinor: company,
          badDebtsMinor: f.badDebtsMinor,
          salesMinor: f.creditSalesMinor,
          discountOfferedMinor: f.discountOfferedMinor,
          paidWithDiscountMinor: f.paidWithDiscountMinor,
        };
        const result = assessSalespersonMonth(input, sp.rateTable, sp.baselines);
        return {
          salespersonId: f.salespersonId,
          salespersonName: f.salespersonName,
          ...input,
          metrics: { ...result.metrics },
          rates: { ...result.rates },
          totalRateBp: result.totalRateBp,
          rewardPenaltyMinor: result.rewardPenaltyMinor,
        };
      });
      const changed = await operations.salespersonCredit.recordMonthlyAssessment(
        a.month,
        rows,
        a.policy.version,
        a.startedBy,
      );
      return {
        salespeople: rows.length,
        changed,
        totalRewardPenaltyMinor: rows.reduce((s, r) => s + r.rewardPenaltyMinor, 0),
      };
    },

    /** E-mails the month's table (text, HTML and the CSV inline) to finance, once per key. */
    async mailSalespersonAssessment(a: { month: string; salespersonIds: string[] | null }): Promise<{
      key: string;
      messageId: string;
    }> {
      const key = assessmentMailKey(a.month, a.salespersonIds);
      const rows = await q.assessmentTable(a.month, a.salespersonIds);
      // The amounts are in the policy's currency.
      const { currency } = await readPolicyInForce(pool);
      const sent = await effects.once(key, 'salesperson-assessment-mail', null, async () => {
        const mail = await renderer.render('salesperson-assessment', 'zh-CN', {
          companyName: company.name,
          month: a.month,
          currency,
          totalMinor: rows.reduce((s, r) => s + r.rewardPenaltyMinor, 0),
          rows: rows.map((r) => ({
            salespersonId: r.salespersonId,
            salespersonName: r.salespersonName,
            receivablesMinor: r.receivablesMinor,
            totalRateBp: r.totalRateBp,
            rewardPenaltyMinor: r.rewardPenaltyMinor,
          })),
        });
        return mailer.send({
          to: company.financeApprovers,
          subject: mail.subject,
          // The table as CSV (minor units) stays inline in the text part: data, not wording.
          text: `${mail.text}\nCSV:\n${assessmentCsv(a.month, rows)}`,
          html: mail.html,
          effectKey: key,
          kind: 'salesperson-assessment',
        });
      });
      return { key, messageId: sent.messageId };
    },
  };
}

export type SalespersonActivities = ReturnType<typeof createSalespersonActivities>;
