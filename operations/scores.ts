/**
 * Scores that keep themselves (docs/scores.md): the facts a person enters (with date and source),
 * a customer's score refreshed from creditflow's own record, the class change as a credit fact
 * that takes effect (class, limit, term), the early-warning episode, a salesperson's score from
 * their assessments and record, and the collections forecast with its backtest.
 */
import { createHash } from 'node:crypto';
import { type Actor, actorSource, type SystemActor } from '../domain/actor.js';
import { addDays, daysBetween, localDate } from '../domain/calendar.js';
import {
  backtestForecast,
  type CollectionsForecast,
  collectionsForecast,
  type OpenReceivable,
} from '../domain/collections-forecast.js';
import {
  CUSTOMER_CLASSES,
  type CustomerClass,
  classLimitMinor,
  DEFAULT_FACTOR_SCORER,
} from '../domain/customer-class.js';
import {
  CUSTOMER_FACT_KEYS,
  currentFacts,
  customerScorePolicy,
  type FactorContribution,
  SALESPERSON_FACT_KEYS,
  type ScoreFact,
  scoreCustomer,
  type WarningReason,
  warningEpisode,
  worseningTrend,
} from '../domain/customer-score.js';
import { monthsBack, paymentBehaviour } from '../domain/payment-behaviour.js';
import type { Policy } from '../domain/policy.js';
import { salespersonCreditScore } from '../domain/salesperson-assessment.js';
import { canonicalJson } from '../store/credit-record.js';
import type { Store } from '../store/index.js';
import type { StoredFact } from '../store/scores.js';
import { OperationRefused } from './refused.js';

export type FactSubject = 'counterparty' | 'salesperson';

/** What a fact's value must be, per factor. */
function factRefusal(factor: string, value: unknown): string | null {
  if (factor === 'industryRisk')
    return value === 'low' || value === 'medium' || value === 'high' ? null : 'must be low, medium or high';
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return 'must be a whole number';
  if (factor === 'customerFeedbackScore' && (value < 0 || value > 100)) return 'must be from 0 to 100';
  if (
    ['currentRatioBp', 'debtRatioBp', 'contractFulfilmentBp', 'salesTargetAchievementBp'].includes(factor) &&
    value < 0
  )
    return 'must not be negative';
  if (factor === 'creditReportScore' && (value < 0 || value > 100_000)) return 'must be from 0 to 100000';
  return null;
}

export interface RefreshOutcome {
  counterpartyId: string;
  /** False when nothing changed since the last refresh (nothing stored). */
  changed: boolean;
  score: number;
  customerClass: CustomerClass;
  previousClass: CustomerClass | null;
  contributions: readonly FactorContribution[];
  missing: readonly { factor: string; why: string }[];
  warning: { reasons: WarningReason[]; open: boolean; tell: boolean };
  scoreId: string | null;
}

export function createScoreOperations(store: Store) {
  const { scores: q, counterparties, creditRecord } = store;

  const asFacts = (rows: readonly StoredFact[]): ScoreFact[] =>
    rows.map((r) => ({ factor: r.factor, value: r.value, asOf: r.asOf, document: r.document }));

  return {
    /** A fact a person enters (with the document's date and name); also a credit-record event. */
    async enterFact(
      subjectType: FactSubject,
      subjectId: string,
      f: { factor: string; value: number | string; asOf: string; document: string },
      actor: Actor,
    ): Promise<StoredFact> {
      const keys: readonly string[] =
        subjectType === 'counterparty' ? CUSTOMER_FACT_KEYS : SALESPERSON_FACT_KEYS;
      if (!keys.includes(f.factor))
        throw OperationRefused.invalid(`factor: must be one of ${keys.join(', ')}`, [
          { path: 'factor', message: `must be one of ${keys.join(', ')}` },
        ]);
      const bad = factRefusal(f.factor, f.value);
      if (bad) throw OperationRefused.invalid(`value: ${bad}`, [{ path: 'value', message: bad }]);
      if (subjectType === 'counterparty') {
        const c = await counterparties.get(subjectId);
        if (!c) throw OperationRefused.notFound(`customer ${subjectId}`);
        if (c.kind !== 'customer')
          throw OperationRefused.rejected(
            `${subjectId} is a dealer: dealers get a nine-grade rating, not a customer score`,
            [{ path: 'id', message: 'is a dealer' }],
          );
      } else if (!(await store.salespeople.getSalesperson(subjectId))) {
        throw OperationRefused.notFound(`salesperson ${subjectId}`);
      }
      return store.transaction(async (client) => {
        const stored = await q.insertFact(client, { subjectType, subjectId, ...f, actor: { ...actor } });
        await creditRecord.append(client, {
          subjectType,
          subjectId,
          eventType: 'score-fact-entered',
          payload: {
            factId: stored.id,
            factor: f.factor,
            value: f.value,
            asOf: f.asOf,
            document: f.document,
            actor,
          },
          source: actorSource(actor),
          idempotencyKey: `${subjectType}:${subjectId}:score-fact:${stored.id}`,
        });
        return stored;
      });
    },

    listFacts: (subjectType: FactSubject, subjectId: string) => q.listFacts(subjectType, subjectId),

    /**
     * Recomputes the customer's score from its facts and its behaviour on the record. Nothing is
     * stored when the outcome equals the last refresh's. A class change is a credit fact (before,
     * after, contributions, actor) and takes effect: the class, the limit (scaled by the classes'
     * multipliers; class D: 0) and the term (the class's longest). Undefined for an unknown id;
     * refused for a dealer.
     */
    async refreshCustomerScore(
      counterpartyId: string,
      a: { trigger: string; policy: Policy; actor: Actor | SystemActor; now?: number; note?: string },
    ): Promise<RefreshOutcome | undefined> {
      const { policy } = a;
      const sp = customerScorePolicy(policy.customer.score);
      const c = await counterparties.get(counterpartyId);
      if (!c) return undefined;
      if (c.kind !== 'customer')
        throw OperationRefused.rejected(
          `${counterpartyId} is a dealer: dealers get a nine-grade rating, not a customer score`,
          [{ path: 'id', message: 'is a dealer' }],
        );
      const today = localDate(a.now ?? Date.now(), policy.timeZone);
      // Looked up before the transaction (never a pooled query under the record's lock).
      const from = monthsBack(today, sp.windowMonths);
      const [record, facts, recent] = await Promise.all([
        q.behaviourRecord(counterpartyId, addDays(from, -1), policy.timeZone),
        q.listFacts('counterparty', counterpartyId),
        q.recentScores(counterpartyId, sp.warning.overRefreshes),
      ]);
      const behaviour = paymentBehaviour({ asOf: today, windowMonths: sp.windowMonths, ...record });
      const tradingMonths = Math.max(
        0,
        Math.floor((Date.parse(today) - Date.parse(c.joinedOn)) / (30.4375 * 86_400_000)),
      );
      const scored = scoreCustomer({
        facts: asFacts(facts),
        behaviour,
        tradingMonths,
        today,
        policy: policy.customer.score ?? {},
        scorer: policy.customer.scorer ?? DEFAULT_FACTOR_SCORER,
        thresholds: policy.customer.thresholds,
      });
      // No upgrade while a receivable stands 15+ days overdue without a valid reason: the +15
      // downgrade (docs/domain.md §1) holds until it is paid, written off or has a reason.
      const previousClass = (c.customerClass as CustomerClass | null) ?? null;
      const overdue = record.receivables.some(
        (r) => r.settledOn === null && r.pausedBy === null && daysBetween(r.dueDate, today) >= 15,
      );
      const heldAt =
        overdue &&
        previousClass &&
        CUSTOMER_CLASSES.indexOf(scored.customerClass) < CUSTOMER_CLASSES.indexOf(previousClass)
          ? previousClass
          : null;
      const result = heldAt ? { ...scored, customerClass: heldAt } : scored;
      const digest = createHash('sha256')
        .update(
          canonicalJson({
            s: result.score,
            c: result.customerClass,
            f: result.contributions,
            v: policy.version,
          }),
        )
        .digest('hex')
        .slice(0, 32);
      const last = recent[recent.length - 1];
      const history = [...recent, { score: result.score, customerClass: result.customerClass }];
      const reasons = worseningTrend(history, sp.warning, previousClass);
      const episode = warningEpisode(last?.warningOpen ?? false, reasons);
      const outcome = {
        counterpartyId,
        score: result.score,
        customerClass: result.customerClass,
        previousClass,
        contributions: result.contributions,
        missing: result.missing,
      };
      if (last && last.inputsDigest === digest && previousClass === result.customerClass) {
        // Nothing stored. The last refresh stands, with its warning: when it opened an episode, a
        // retry still tells (the e-mail is sent once per score, by its effect key).
        const opened = last.warningOpen && !(recent[recent.length - 2]?.warningOpen ?? false);
        return {
          ...outcome,
          changed: false,
          warning: {
            reasons: last.warningOpen ? worseningTrend(recent, sp.warning) : [],
            open: last.warningOpen,
            tell: opened,
          },
          scoreId: last.id,
        };
      }
      const factorScores = Object.fromEntries(result.contributions.map((x) => [x.factor, x.points]));
      const scoreId = await store.transaction(async (client) => {
        const locked = await counterparties.lock(client, counterpartyId);
        const before = {
          customerClass: (locked?.customerClass as CustomerClass | null) ?? null,
          creditLimitMinor: locked?.creditLimitMinor ?? 0,
          creditTermDays: locked?.creditTermDays ?? null,
        };
        const id = await q.insertScore(client, {
          counterpartyId,
          score: result.score,
          customerClass: result.customerClass,
          factorScores,
          trigger: a.trigger,
          inputsDigest: digest,
          contributions: result.contributions,
          warningOpen: episode.open,
        });
        const classChanged = before.customerClass !== result.customerClass;
        if (classChanged || a.actor.credentialId !== null) {
          const after = classChanged ? classEffect(before, result.customerClass, policy) : before;
          if (classChanged) await counterparties.setFields(client, counterpartyId, after);
          await creditRecord.append(client, {
            subjectType: 'counterparty',
            subjectId: counterpartyId,
            eventType: 'class-set-by-score',
            payload: {
              score: result.score,
              before,
              after,
              previousClass: before.customerClass,
              customerClass: result.customerClass,
              contributions: result.contributions,
              missing: result.missing,
              trigger: a.trigger,
              reason: `weighted score ${result.score} → class ${scored.customerClass} (A ≥ ${policy.customer.thresholds.a}, B ≥ ${policy.customer.thresholds.b}, C ≥ ${policy.customer.thresholds.c})${heldAt ? `; held at ${heldAt} while a receivable is 15+ days overdue` : ''}${a.note ? `: ${a.note}` : ''}`,
              policyVersion: policy.version,
              actor: a.actor,
            },
            source: actorSource(a.actor),
            idempotencyKey: `customer-score:${id}`,
          });
        }
        if (episode.tell)
          await creditRecord.append(client, {
            subjectType: 'counterparty',
            subjectId: counterpartyId,
            eventType: 'score-early-warning',
            payload: {
              reasons,
              score: result.score,
              customerClass: result.customerClass,
              previousScore: last?.score ?? null,
              previousClass: before.customerClass,
              trigger: a.trigger,
              actor: a.actor,
            },
            source: actorSource(a.actor),
            idempotencyKey: `customer-score:${id}:early-warning`,
          });
        return id;
      });
      return {
        ...outcome,
        changed: true,
        warning: { reasons, open: episode.open, tell: episode.tell },
        scoreId,
      };
    },

    /** The customer's latest score and contributions; undefined before the first. */
    async latestCustomerScore(counterpartyId: string) {
      const [last] = (await q.recentScores(counterpartyId, 1)).slice(-1);
      return last;
    },

    customerIds: () => q.customerIds(),
    salespeopleOf: (counterpartyId: string) => q.salespeopleOf(counterpartyId),

    /**
     * The salesperson's score: the collection record from their latest assessment (collection ratio),
     * complaints from their credit record (90 days), sales achievement, feedback and contract
     * fulfilment from facts (older than the limit: missing, scored 50). Recorded once per distinct
     * inputs: a re-run with nothing changed records nothing.
     */
    async scoreSalesperson(
      salespersonId: string,
      a: { policy: Policy; actor: Actor | SystemActor; now?: number },
    ) {
      const sp = await store.salespeople.getSalesperson(salespersonId);
      if (!sp) throw OperationRefused.notFound(`salesperson ${salespersonId}`);
      const now = a.now ?? Date.now();
      const today = localDate(now, a.policy.timeZone);
      const [facts, assessment, counts] = await Promise.all([
        q.listFacts('salesperson', salespersonId),
        q.latestAssessment(salespersonId),
        store.salespeople.recordCounts(
          salespersonId,
          new Date(now - 90 * 86_400_000).toISOString(),
          new Date(now + 1).toISOString(),
        ),
      ]);
      const limit = a.policy.salesperson.score?.factLimitMonths ?? 12;
      const current = currentFacts(asFacts(facts), today, limit);
      const missing: { factor: string; why: string }[] = [];
      const factValue = (key: string, neutral: number) => {
        const f = current.get(key);
        if (!f || f.stale) {
          missing.push({ factor: key, why: f ? 'stale' : 'none' });
          return neutral;
        }
        return Number(f.fact.value);
      };
      const collection = assessment?.metrics.collectionRatioBp;
      if (collection === undefined || collection === null)
        missing.push({ factor: 'collectionRatioBp', why: 'no-history' });
      const inputs = {
        salesTargetAchievementBp: factValue('salesTargetAchievementBp', 5000),
        customerFeedbackScore: factValue('customerFeedbackScore', 50),
        complaintCount: counts.complaint ?? 0,
        collectionRatioBp: collection ?? 5000,
        contractFulfilmentBp: factValue('contractFulfilmentBp', 5000),
      };
      const result = salespersonCreditScore(inputs, a.policy.salesperson.creditWeights);
      const sources = {
        assessmentMonth: assessment?.month ?? null,
        facts: [...current.values()].map((f) => ({
          factor: f.fact.factor,
          asOf: f.fact.asOf,
          document: f.fact.document,
          stale: f.stale,
        })),
      };
      const digest = createHash('sha256')
        .update(canonicalJson({ inputs, sources, weights: a.policy.salesperson.creditWeights }))
        .digest('hex')
        .slice(0, 24);
      const recorded = await store.transaction((client) =>
        creditRecord.append(client, {
          subjectType: 'salesperson',
          subjectId: salespersonId,
          eventType: 'credit-scored',
          payload: {
            ...inputs,
            ...result,
            missing,
            sources,
            weights: a.policy.salesperson.creditWeights,
            actor: a.actor,
          },
          source: actorSource(a.actor),
          // Same inputs, same key: a re-run records nothing new.
          idempotencyKey: `salesperson:${salespersonId}:credit-scored:${digest}`,
        }),
      );
      return { ...result, complaintCount: inputs.complaintCount, inputs, missing, recorded };
    },

    /** The 13-week forecast as of today, and the backtest of the last `backtestMonths` months. */
    async collectionsForecast(a: {
      policy: Policy;
      now?: number;
      salespersonId?: string | undefined;
      backtestMonths: number;
    }): Promise<{ forecast: CollectionsForecast; backtest: ReturnType<typeof backtestForecast> }> {
      const today = localDate(a.now ?? Date.now(), a.policy.timeZone);
      const windowMonths = customerScorePolicy(a.policy.customer.score).windowMonths;
      const from = monthsBack(today, a.backtestMonths + windowMonths);
      const [open, history] = await Promise.all([
        q.openReceivables({ salespersonId: a.salespersonId }),
        q.history(from),
      ]);
      const settled = history.receivables
        .filter((r) => r.settledOn !== null && r.writtenOffMinor === 0)
        .map((r) => ({
          counterpartyId: r.counterpartyId,
          dueDate: r.dueDate,
          settledOn: r.settledOn as string,
        }));
      const openReceivables: OpenReceivable[] = open.map((r) => ({
        id: r.id,
        counterpartyId: r.counterpartyId,
        salespersonId: r.salespersonId,
        currency: r.currency,
        dueDate: r.dueDate,
        outstandingMinor: r.outstandingMinor,
        hold:
          r.validReason?.kind === 'dispute'
            ? { kind: 'dispute' }
            : r.validReason?.kind === 'promise' && r.validReason.promisedBy
              ? { kind: 'promise', promisedBy: r.validReason.promisedBy }
              : null,
      }));
      const forecast = collectionsForecast({
        asOf: today,
        open: openReceivables,
        settled,
        options: { windowMonths },
      });
      const scoped = a.salespersonId
        ? history.receivables.filter((r) => r.salespersonId === a.salespersonId)
        : history.receivables;
      const ids = new Set(scoped.map((r) => r.id));
      const backtest = backtestForecast({
        asOf: today,
        months: a.backtestMonths,
        receivables: scoped,
        payments: history.payments.filter((p) => ids.has(p.receivableId)),
        options: { windowMonths },
      });
      return { forecast, backtest };
    },
  };
}

/**
 * The class change takes effect: the new class; the limit scaled from the old class's multiplier
 * to the new one's (class D: 0; from D, nothing to scale: it stays 0 until a manager sets it);
 * the term the new class's longest (D: 0).
 */
export function classEffect(
  before: { customerClass: CustomerClass | null; creditLimitMinor: number; creditTermDays: number | null },
  after: CustomerClass,
  policy: Policy,
): { customerClass: CustomerClass; creditLimitMinor: number; creditTermDays: number } {
  const classes = policy.customer.classes;
  const old = before.customerClass ? classes[before.customerClass] : null;
  let limit = before.creditLimitMinor;
  if (!classes[after].creditAllowed) limit = 0;
  else if (old && old.limitMultiplierBp > 0)
    limit = Number(
      (BigInt(before.creditLimitMinor) * BigInt(classes[after].limitMultiplierBp)) /
        BigInt(old.limitMultiplierBp),
    );
  else if (!old) limit = classLimitMinor(before.creditLimitMinor, after, classes);
  return {
    customerClass: after,
    creditLimitMinor: limit,
    creditTermDays: classes[after].creditAllowed ? classes[after].maxTermDays : 0,
  };
}

export type ScoreOperations = ReturnType<typeof createScoreOperations>;
