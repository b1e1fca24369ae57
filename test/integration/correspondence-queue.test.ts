/**
 * A reader's day learns of its items from PostgreSQL (migration 029, store/correspondence.ts):
 * only an item that finds the day asleep wakes its workflow; a send claims the items it was
 * signalled with the day's queued ones, up to its cap, and the day sleeps again when nothing is
 * left. Against the real PostgreSQL: items queued while sends claim are never left queued on a
 * day that sleeps.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCorrespondenceQueries, type ReaderDay } from '../../store/correspondence.js';
import { createPool, type Pool } from '../../store/db.js';
import { seedCounterparty, seedReceivables, seedSalesperson } from '../support/seed.js';

let pool: Pool;
let queries: ReturnType<typeof createCorrespondenceQueries>;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 8);
  queries = createCorrespondenceQueries(pool);
});
afterAll(async () => {
  await pool?.end();
});

const DAY = '2026-03-02';

/** A debtor with `open` receivables outstanding and `paid` ones settled; their ids. */
async function debtorWith(open: number, paid = 0) {
  const tag = randomUUID().slice(0, 8);
  const counterpartyId = await seedCounterparty(pool, { id: `CQ-${tag}` });
  const salespersonId = await seedSalesperson(pool, { id: `SQ-${tag}` });
  const row = (n: number, settled: boolean) => ({
    id: `RQ-${tag}-${n}`,
    counterpartyId,
    salespersonId,
    currency: 'CNY',
    requestedMinor: 100_000,
    requestedTermDays: 30,
    approvedMinor: 100_000,
    approvedTermDays: 30,
    issueDate: '2026-02-07',
    dueDate: '2026-03-09',
    stage: settled ? 'paid' : 'issued',
    outstandingMinor: settled ? 0 : 100_000,
    paidMinor: settled ? 100_000 : 0,
    discountMinor: 0,
    writtenOffMinor: 0,
    settledOn: settled ? '2026-03-01' : null,
    policyVersion: 'default',
  });
  const rows = [
    ...Array.from({ length: open }, (_, i) => row(i + 1, false)),
    ...Array.from({ length: paid }, (_, i) => row(open + i + 1, true)),
  ];
  await seedReceivables(pool, rows);
  const day: ReaderDay = { audience: 'debtor', partyId: counterpartyId, day: DAY };
  return { day, ids: rows.map((r) => r.id) };
}

const itemOf = (receivableId: string) => ({
  itemKey: `${receivableId}:reminder`,
  receivableId,
  step: 'reminder',
});

/** A message of `day` claiming the day's queue (and `signalled`), at most `max` items, at `now`. */
function send(day: ReaderDay, n: number, signalled: string[] = [], max = 500, now = new Date()) {
  return queries.claim(
    { messageKey: `test:${day.partyId}:${n}`, ...day, workflowId: `correspondence:${day.partyId}:${DAY}` },
    signalled.map(itemOf),
    max,
    now,
  );
}

const awake = async (day: ReaderDay) =>
  (
    await pool.query<{ awake: boolean }>(
      'SELECT awake FROM correspondence_days WHERE audience = $1 AND party_id = $2 AND day = $3',
      [day.audience, day.partyId, day.day],
    )
  ).rows[0]?.awake;

const queuedKeys = async (day: ReaderDay) =>
  (
    await pool.query<{ item_key: string }>(
      'SELECT item_key FROM correspondence_queue WHERE audience = $1 AND party_id = $2 AND day = $3',
      [day.audience, day.partyId, day.day],
    )
  ).rows.map((r) => r.item_key);

describe("a reader's day queued in PostgreSQL", () => {
  it('wakes the day with its first item only; the send takes the queued ones too and the day sleeps again', async () => {
    const { day, ids: all } = await debtorWith(5);
    const later = all.pop() as string;
    const ids = all;
    const [first, ...rest] = ids as [string, ...string[]];
    expect(await queries.queue(day, itemOf(first))).toEqual({ wake: true });
    for (const id of rest) expect(await queries.queue(day, itemOf(id))).toEqual({ wake: false });

    const message = await send(day, 1, [first]);
    expect(message.mine.map((c) => c.itemKey).sort()).toEqual(ids.map((id) => `${id}:reminder`).sort());
    expect(message.mine.every((c) => c.included)).toBe(true);
    expect(message.morePending).toBe(false);
    expect(await queuedKeys(day)).toEqual([]);
    expect(await awake(day)).toBe(false);
    // The next item of the day finds it asleep and wakes it again.
    expect(await queries.queue(day, itemOf(later))).toEqual({ wake: true });
  });

  it('judges queued items by their receivable: one paid since its step is claimed as left out, with the reason', async () => {
    const { day, ids } = await debtorWith(1, 1);
    const [open, paid] = ids as [string, string];
    await queries.queue(day, itemOf(open));
    await queries.queue(day, itemOf(paid));
    const message = await send(day, 1, [open]);
    expect(message.mine.find((c) => c.receivableId === paid)).toMatchObject({
      included: false,
      leftOutReason: 'receivable paid',
    });
    expect(message.mine.find((c) => c.receivableId === open)?.included).toBe(true);
  });

  it('a retried step wakes the day again while its item waits, and neither queues nor wakes once a message holds it', async () => {
    const { day, ids } = await debtorWith(1);
    const id = ids[0] as string;
    expect(await queries.queue(day, itemOf(id))).toEqual({ wake: true });
    // The first attempt may have failed between the queue and the signal.
    expect(await queries.queue(day, itemOf(id))).toEqual({ wake: true });
    await send(day, 1, [id]);
    expect(await queries.queue(day, itemOf(id))).toEqual({ wake: false });
    expect(await queuedKeys(day)).toEqual([]);
  });

  it('a message takes at most its cap, says more are queued, and the day stays awake until the next takes them', async () => {
    const { day, ids } = await debtorWith(7);
    for (const id of ids) await queries.queue(day, itemOf(id));
    const first = await send(day, 1, [], 5);
    expect(first.mine).toHaveLength(5);
    expect(first.morePending).toBe(true);
    expect(await awake(day)).toBe(true);
    // A retried first send keeps what it claimed: no item from the queue joins it.
    const retried = await send(day, 1, [], 5);
    expect(retried.mine.map((c) => c.itemKey).sort()).toEqual(first.mine.map((c) => c.itemKey).sort());
    const second = await send(day, 2, [], 5);
    expect(second.mine).toHaveLength(2);
    expect(second.morePending).toBe(false);
    expect(await awake(day)).toBe(false);
    const all = [...first.mine, ...second.mine].map((c) => c.itemKey).sort();
    expect(all).toEqual(ids.map((id) => `${id}:reminder`).sort());
  });

  it('items queued while sends claim are each in one message, or left queued on a day that is awake', async () => {
    const { day, ids } = await debtorWith(60);
    const woke: string[] = [];
    let n = 0;
    // Items arrive one by one while sends claim side by side, as a storm's steps and a day's sends do.
    await Promise.all([
      (async () => {
        for (const id of ids) if ((await queries.queue(day, itemOf(id))).wake) woke.push(id);
      })(),
      (async () => {
        for (let i = 0; i < 12; i++) await send(day, ++n, [], 7);
      })(),
      (async () => {
        for (let i = 0; i < 12; i++) await send(day, ++n, [], 7);
      })(),
    ]);
    const claimed = await pool.query<{ item_key: string; message_key: string }>(
      'SELECT item_key, message_key FROM correspondence_items WHERE receivable_id = ANY($1)',
      [ids],
    );
    const left = await queuedKeys(day);
    // No item in two messages, none lost: claimed or still queued.
    expect(new Set(claimed.rows.map((r) => r.item_key)).size).toBe(claimed.rows.length);
    expect([...claimed.rows.map((r) => r.item_key), ...left].sort()).toEqual(
      ids.map((id) => `${id}:reminder`).sort(),
    );
    // What is left waits on a day that is awake: a send is on its way for it.
    if (left.length > 0) expect(await awake(day)).toBe(true);
    // Each time the day fell asleep, the next item woke it.
    expect(woke.length).toBeGreaterThanOrEqual(1);
  });
});

describe('items planned ahead (migration 030)', () => {
  /** 09:00 on the day in the company's zone, as the receivable plans its step. */
  const AT = new Date('2026-03-02T01:00:00Z');
  const AS_SEEDED = { dueDate: '2026-03-09', pausedDays: 0 };
  const plannedFor = async (itemKey: string) =>
    (
      await pool.query<{ planned_for: Date | null }>(
        'SELECT planned_for FROM correspondence_queue WHERE item_key = $1',
        [itemKey],
      )
    ).rows[0]?.planned_for;

  it('wait for their instant; the day is told once per instant, and again when a plan is retried', async () => {
    const { day, ids } = await debtorWith(4);
    const [a, b, c, d] = ids as [string, string, string, string];
    expect(await queries.plan(day, itemOf(a), AT, AS_SEEDED)).toEqual({ tell: true });
    expect(await queries.plan(day, itemOf(b), AT, AS_SEEDED)).toEqual({ tell: false });
    // The first attempt may have failed between the plan and telling the day.
    expect(await queries.plan(day, itemOf(a), AT, AS_SEEDED)).toEqual({ tell: true });
    const later = new Date(AT.getTime() + 3_600_000);
    expect(await queries.plan(day, itemOf(c), later, AS_SEEDED)).toEqual({ tell: true });

    // Before the instant a message takes none of them, and the day stays awake for them.
    const early = await send(day, 1, [], 500, new Date(AT.getTime() - 1_000));
    expect(early.mine).toEqual([]);
    expect(early.morePending).toBe(false);
    expect(await awake(day)).toBe(true);
    // At the first instant it takes the two due then; the third waits for its own.
    const first = await send(day, 2, [], 500, AT);
    expect(first.mine.map((i) => i.itemKey).sort()).toEqual([`${a}:reminder`, `${b}:reminder`].sort());
    expect(first.morePending).toBe(false);
    expect(await awake(day)).toBe(true);
    const second = await send(day, 3, [], 500, later);
    expect(second.mine.map((i) => i.itemKey)).toEqual([`${c}:reminder`]);
    expect(await awake(day)).toBe(false);
    // A plan for a day asleep tells it again.
    expect(await queries.plan(day, itemOf(d), later, AS_SEEDED)).toEqual({ tell: true });
  });

  it('leave the queue unsent when the receivable no longer stands as planned; a paid one is left out as before', async () => {
    const { day, ids } = await debtorWith(3, 1);
    const [kept, moved, disputed, paid] = ids as [string, string, string, string];
    for (const id of ids) await queries.plan(day, itemOf(id), AT, AS_SEEDED);
    await pool.query(`UPDATE receivables SET due_date = '2026-03-23' WHERE id = $1`, [moved]);
    await pool.query(`UPDATE receivables SET paused_by = 'dispute' WHERE id = $1`, [disputed]);

    const message = await send(day, 1, [], 500, AT);
    expect(message.mine.map((i) => [i.receivableId, i.included, i.leftOutReason])).toEqual(
      expect.arrayContaining([
        [kept, true, null],
        [paid, false, 'receivable paid'],
      ]),
    );
    expect(message.mine).toHaveLength(2);
    // Withdrawn: in no message and no longer queued, so their steps can queue them afresh.
    expect(await queuedKeys(day)).toEqual([]);
    expect(await awake(day)).toBe(false);
    expect(await queries.queue(day, itemOf(moved))).toEqual({ wake: true });
  });

  it('a step firing on its planned item makes it an ordinary one: no wake, and sent whatever changes after', async () => {
    const { day, ids } = await debtorWith(1);
    const id = ids[0] as string;
    await queries.plan(day, itemOf(id), AT, AS_SEEDED);
    expect(await queries.queue(day, itemOf(id))).toEqual({ wake: false });
    expect(await plannedFor(`${id}:reminder`)).toBeNull();
    // A dispute recorded after the step fired does not take back a notice the step gave.
    await pool.query(`UPDATE receivables SET paused_by = 'dispute' WHERE id = $1`, [id]);
    const message = await send(day, 1, [], 500, AT);
    expect(message.mine.map((i) => [i.itemKey, i.included])).toEqual([[`${id}:reminder`, true]]);
  });

  it('a plan leaves an item its step already queued, or a message already holds, as it is', async () => {
    const { day, ids } = await debtorWith(2);
    const [queued, held] = ids as [string, string];
    await queries.queue(day, itemOf(held));
    await send(day, 1, [held]);
    await queries.queue(day, itemOf(queued));
    expect(await queries.plan(day, itemOf(queued), AT, AS_SEEDED)).toEqual({ tell: false });
    expect(await queries.plan(day, itemOf(held), AT, AS_SEEDED)).toEqual({ tell: false });
    expect(await plannedFor(`${queued}:reminder`)).toBeNull();
    expect(await queuedKeys(day)).toEqual([`${queued}:reminder`]);
  });
});
