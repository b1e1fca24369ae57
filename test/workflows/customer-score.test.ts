/**
 * Scores that keep themselves (docs/scores.md §2) on the time-skipping test server: the hook the
 * receivable's activities call signals-with-start the customer's debounced score workflow, a burst
 * of events refreshes once (as `system:<triggers>`), a re-run with nothing changed stores nothing,
 * a class drop tells the credit desk and the salesperson once; the scheduled refresh sees time pass
 * (an overdue receivable's days late grow: the score decays).
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { refreshScoreOnBehaviour } from '../../activities/scores/signal.js';
import { addDays, localDate } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { createDataLayer } from '../../operations/index.js';
import type { Pool } from '../../store/db.js';
import { initialState } from '../../workflows/receivable/rules.js';
import {
  CUSTOMER_SCORES_REFRESH_WORKFLOW_TYPE,
  type CustomerScoreResult,
  customerScoreWorkflowId,
  SCORES_TASK_QUEUE,
} from '../../workflows/scores/contract.js';
import { directReceivableActivities } from '../support/acme.js';
import { testActor } from '../support/actors.js';
import { goodCustomerFacts } from '../support/credit-examples.js';
import { mailsWithKey } from '../support/inbox.js';
import { seedCounterparty, seedPayments, seedReceivables, seedSalesperson } from '../support/seed.js';
import { cycleSystemPerFile } from '../support/workflow-env.js';

let env: TestWorkflowEnvironment;
let pool: Pool;
cycleSystemPerFile(['scores'], (s) => {
  ({ env, pool } = s);
});
const tag = () => randomUUID().slice(0, 8);
const TZ = DEFAULT_POLICY.timeZone;
/**
 * The day the refreshes compute as of. The time-skipping server moves its own clock far ahead once a
 * workflow it waited on completes, while the workflows' clock stays with the activations: the record is
 * seeded relative to the day those see.
 */
const refreshToday = async () => localDate(Date.now(), TZ);

/** A customer (class A, ¥10,000.00 at 60 days) with sound facts, its salesperson, and receivables paid `late` days late. */
async function customerWithHistory(late: number, open?: { dueInDays: number }) {
  const t = tag();
  const id = `SC-${t}`;
  const seller = `SS-${t}`;
  await seedCounterparty(pool, {
    id,
    name: `Customer ${t}`,
    kind: 'customer',
    email: `${t}@customer.test`,
    customerClass: 'A',
    creditLimitMinor: 1_000_000,
    creditTermDays: 60,
    joinedOn: '2015-01-01',
  });
  await seedSalesperson(pool, { id: seller, email: `${seller.toLowerCase()}@acme.test` });
  const today = await refreshToday();
  const { operations } = createDataLayer(pool);
  for (const f of goodCustomerFacts(addDays(today, -10)))
    await operations.scores.enterFact('counterparty', id, f, testActor('finance'));
  const base = {
    counterpartyId: id,
    salespersonId: seller,
    currency: 'CNY',
    requestedTermDays: 30,
    approvedTermDays: 30,
    discountMinor: 0,
    writtenOffMinor: 0,
    policyVersion: DEFAULT_POLICY.version,
  };
  const paid = [100, 80, 60].map((ago, i) => {
    const dueDate = addDays(today, -ago);
    return {
      ...base,
      id: `SR${i}-${t}`,
      requestedMinor: 100_000,
      approvedMinor: 100_000,
      issueDate: addDays(dueDate, -30),
      dueDate,
      stage: 'paid',
      outstandingMinor: 0,
      paidMinor: 100_000,
      settledOn: addDays(dueDate, late),
    };
  });
  const rows = [...paid];
  if (open)
    rows.push({
      ...base,
      id: `SRO-${t}`,
      requestedMinor: 100_000,
      approvedMinor: 100_000,
      issueDate: addDays(today, open.dueInDays - 30),
      dueDate: addDays(today, open.dueInDays),
      stage: 'issued',
      outstandingMinor: 100_000,
      paidMinor: 0,
      settledOn: null as unknown as string,
    });
  await seedReceivables(pool, rows);
  await seedPayments(
    pool,
    paid.map((r) => ({
      id: `P-${r.id}`,
      receivableId: r.id,
      amountMinor: 100_000,
      discountMinor: 0,
      paidOn: r.settledOn,
    })),
  );
  return { id, seller, receivable: paid[0]?.id as string };
}

const scores = async (id: string) =>
  (
    await pool.query<{ id: string; score: number; class: string; trigger: string }>(
      'SELECT id::text, score, class, trigger FROM customer_scores WHERE counterparty_id = $1 ORDER BY id',
      [id],
    )
  ).rows;

describe("a customer's score refreshes itself on behaviour changes", () => {
  it('a burst of events refreshes once, as the system and its triggers; nothing changed stores nothing; a class drop tells once', async () => {
    const { id, seller, receivable } = await customerWithHistory(40);
    const { store } = createDataLayer(pool);
    const activity = new MockActivityEnvironment({}, { client: env.client });
    const hook = (event: string) =>
      activity.run(refreshScoreOnBehaviour, store, {
        counterpartyId: id,
        receivableId: receivable,
        event,
        policy: async () => DEFAULT_POLICY,
      });
    // What recordPaymentReceived and recordReceivableEvent call after recording.
    await hook('payment-received');
    await hook('step-warning');
    await hook('late-reason-recorded'); // not a behaviour change: no signal
    await hook('dispute-recorded');

    const handle = env.client.workflow.getHandle(customerScoreWorkflowId(id));
    const result = (await handle.result()) as CustomerScoreResult;
    expect(result).toEqual({ refreshes: 1, triggers: ['payment', 'step-warning', 'dispute'] });

    // Sound facts, but every receivable paid 40 days late: class A falls to B (docs/scores.md has the sum).
    const after = await scores(id);
    expect(after).toEqual([
      { id: expect.any(String), score: 69, class: 'B', trigger: 'dispute+payment+step-warning' },
    ]);
    const record = await pool.query(
      `SELECT event_type, source, payload FROM credit_records WHERE subject_type = 'counterparty' AND subject_id = $1 ORDER BY seq`,
      [id],
    );
    const changed = record.rows.find((r) => r.event_type === 'class-set-by-score');
    expect(changed).toMatchObject({
      source: 'system:dispute+payment+step-warning',
      payload: {
        before: { customerClass: 'A', creditLimitMinor: 1_000_000, creditTermDays: 60 },
        after: { customerClass: 'B', creditLimitMinor: 833_333, creditTermDays: 45 },
        actor: { role: 'system', credentialId: null },
      },
    });
    expect(record.rows.filter((r) => r.event_type === 'score-early-warning')).toHaveLength(1);
    const key = `score-early-warning:${id}:${after[0]?.id}`;
    const sent = await mailsWithKey(key);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toEqual(
      expect.arrayContaining(['desk@acme.test', `${seller.toLowerCase()}@acme.test`]),
    );
    expect(sent[0]?.subject).toContain('信用预警');
    // And one item of the episode in the staff workspace's My work: an open task for the credit desk.
    const task = await pool.query('SELECT kind, status, detail FROM tasks WHERE key = $1', [key]);
    expect(task.rows).toEqual([
      expect.objectContaining({
        kind: 'review-score-warning',
        status: 'open',
        detail: expect.objectContaining({ counterpartyId: id, after: { score: 69, customerClass: 'B' } }),
      }),
    ]);

    // Another event with nothing changed: a new run refreshes, stores nothing, tells no one again.
    await hook('payment-received');
    expect(await env.client.workflow.getHandle(customerScoreWorkflowId(id)).result()).toEqual({
      refreshes: 1,
      triggers: ['payment'],
    });
    expect(await scores(id)).toHaveLength(1);
    expect(await mailsWithKey(key)).toHaveLength(1);
  });

  it("the receivable's own activity is the hook: recording the +15 step refreshes the customer's score", async () => {
    const { id, seller } = await customerWithHistory(40);
    const { activities, mailer } = directReceivableActivities(pool, new Date());
    const base = initialState({
      application: {
        receivableId: `SRW-${tag()}`,
        counterpartyId: id,
        salespersonId: seller,
        amountMinor: 100_000,
        currency: 'CNY',
        requestedTermDays: 30,
      },
      policy: DEFAULT_POLICY,
    });
    const state = {
      ...base,
      stage: 'credit-desk' as const,
      stateVersion: 7,
      approvedMinor: 100_000,
      approvedTermDays: 30,
      issueDate: addDays(await refreshToday(), -45),
      dueDate: addDays(await refreshToday(), -15),
      outstandingMinor: 100_000,
    };
    try {
      await new MockActivityEnvironment({}, { client: env.client }).run(activities.recordReceivableEvent, {
        state,
        event: 'step-warning',
        detail: { daysOverdue: 15 },
        key: `${state.receivableId}:step-warning:${state.stateVersion}`,
      });
    } finally {
      mailer.close();
    }
    const result = await env.client.workflow.getHandle(customerScoreWorkflowId(id)).result();
    expect(result).toEqual({ refreshes: 1, triggers: ['step-warning'] });
    expect((await scores(id)).map((r) => r.trigger)).toEqual(['step-warning']);
  });

  it('a dealer has no customer score: its events start nothing', async () => {
    const dealer = `SD-${tag()}`;
    await seedCounterparty(pool, { id: dealer, creditGrade: 'AA' });
    const activity = new MockActivityEnvironment({}, { client: env.client });
    await activity.run(refreshScoreOnBehaviour, createDataLayer(pool).store, {
      counterpartyId: dealer,
      receivableId: 'R-x',
      event: 'payment-received',
      policy: async () => DEFAULT_POLICY,
    });
    await expect(env.client.workflow.getHandle(customerScoreWorkflowId(dealer)).describe()).rejects.toThrow();
  });
});

describe('the scheduled refresh', () => {
  it('refreshes the customers as the schedule; time passing lowers the score of an overdue customer; a re-run changes nothing', async () => {
    const { id } = await customerWithHistory(0, { dueInDays: -1 });
    const run = async (n: number) =>
      env.client.workflow.execute(CUSTOMER_SCORES_REFRESH_WORKFLOW_TYPE, {
        workflowId: `customer-scores:scheduled-${id}-${n}`,
        taskQueue: SCORES_TASK_QUEUE,
        args: [{ counterpartyIds: [id] }],
      });
    expect(await run(1)).toMatchObject({ customers: 1, changed: 1 });
    expect(await run(2)).toMatchObject({ customers: 1, changed: 0 });
    const first = await scores(id);
    expect(first).toHaveLength(1);
    expect(first[0]?.trigger).toBe('schedule');

    // Forty days pass (the record's dates move 40 days back: the same as the clock moving on, which the
    // refresh reads from its workflow): the open receivable is 41 days overdue now.
    await pool.query(
      `UPDATE receivables SET issue_date = issue_date - 40, due_date = due_date - 40, settled_on = settled_on - 40
       WHERE counterparty_id = $1`,
      [id],
    );
    await pool.query(
      'UPDATE payments SET paid_on = paid_on - 40 WHERE receivable_id IN (SELECT id FROM receivables WHERE counterparty_id = $1)',
      [id],
    );
    expect(await run(3)).toMatchObject({ customers: 1, changed: 1 });
    const later = await scores(id);
    expect(later).toHaveLength(2);
    expect(later[1]?.score).toBeLessThan(later[0]?.score as number);
  });
});
