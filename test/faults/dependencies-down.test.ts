/**
 * A server the worker and the API depend on goes away while the system works,
 * then comes back on the same port with the same data:
 *
 *  - PostgreSQL, for 30 s: activities fail and are retried, nothing is lost
 *    (every step's effects happen once it is back, a payment taken meanwhile is
 *    recorded once), and the API answers 503 in the one error shape throughout —
 *    never a 500 — then 200 again;
 *  - the SMTP server: a reminder due meanwhile is retried and delivered once
 *    when it is back; the mailbox keeps what it had.
 *
 * One set of servers for both; after each test every server runs again.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { addDays } from '../../domain/calendar.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { lowerOneStep } from '../../domain/rating.js';
import { createPool, type Pool } from '../../store/db.js';
import { correspondenceWorkflowId } from '../../workflows/correspondence/contract.js';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { type ApiBody, createTestAuth } from '../support/auth.js';
import { eventually } from '../support/eventually.js';
import { companyToday, dueDateFiring, type ReceivableKit, receivableKit } from './support/receivables.js';
import { explained, type FaultServers, startFaultServers } from './support/servers.js';

const OUTAGE_MS = 30_000;

let servers: FaultServers;
let kit: ReceivableKit;
let api: FastifyInstance;
let apiPool: Pool;
let base: string;

beforeAll(async () => {
  servers = await startFaultServers('dependencies-down');
  kit = receivableKit(servers.pool, servers.client);
  await servers.startWorker();
  apiPool = createPool(servers.postgres.url, 4);
  api = await buildApi({ client: servers.client, pool: apiPool, policy: () => DEFAULT_POLICY });
  base = await api.listen({ host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  // A failed test must not leave the next one without its servers.
  if (!servers.postgres.running) await servers.postgres.start();
  if (!servers.mail.running) await servers.mail.start();
});

afterAll(async () => {
  await api?.close();
  await apiPool?.end();
  await servers?.teardown();
});

const keysOf = (id: string) =>
  servers.mail
    .mailsFor(`${id}:`)
    .map((m) => m.effectKey?.slice(id.length + 1))
    .sort();

interface Answer {
  /** When the request was sent, and when its answer came. */
  sentAt: number;
  at: number;
  path: string;
  status: number;
  body: ApiBody;
}

describe('PostgreSQL is down for 30 s', () => {
  it(
    'activities retry, every effect happens once afterwards, and the API answers 503 meanwhile',
    explained(
      () => servers,
      async () => {
        // Everything that needs the database before it goes: parties, a credential, an issued receivable.
        const auth = createTestAuth(apiPool);
        const headers = await auth.headers('auditor');
        const financeHeaders = await auth.headers('finance');
        const reminderParties = await kit.seedParties();
        const warningParties = await kit.seedParties();
        const waiting = await kit.importInvoice({ dueDate: addDays(companyToday(), 20) });
        await eventually(
          () => kit.count('SELECT 1 FROM receivables WHERE id = $1 AND stage = $2', [waiting.id, 'issued']),
          (n) => n === 1,
          'the waiting receivable recorded as issued',
        );

        // The API, polled the whole time: before, during and after the outage.
        const answers: Answer[] = [];
        let polling = true;
        const get = async (path: string) => {
          const sentAt = Date.now();
          const res = await fetch(`${base}${path}`, { headers });
          answers.push({
            sentAt,
            at: Date.now(),
            path,
            status: res.status,
            body: (await res.json()) as ApiBody,
          });
        };
        const poller = (async () => {
          while (polling) {
            await Promise.all([get('/health'), get(`/v1/counterparties/${waiting.counterpartyId}`)]);
            await new Promise((r) => setTimeout(r, 200));
          }
        })();

        await servers.postgres.stop();
        const downAt = Date.now();

        // Work arriving while the database is down: two receivables whose steps fire at once,
        // and a payment on the issued one.
        const reminder = await kit.importInvoice({
          dueDate: dueDateFiring('reminder'),
          parties: reminderParties,
        });
        const warning = await kit.importInvoice({
          dueDate: dueDateFiring('warning'),
          parties: warningParties,
        });
        const paymentId = `P-${randomUUID().slice(0, 8)}`;
        const payment = kit.payInFull(waiting.id, paymentId);

        // The worker's activities fail on the database and are retried (attempt 3 and on).
        const retried = await eventually(
          async () =>
            (await servers.client.workflow.getHandle(receivableWorkflowId(reminder.id)).describe()).raw
              .pendingActivities ?? [],
          (pending) => pending.some((a) => (a.attempt ?? 0) >= 3),
          'a retried activity',
          OUTAGE_MS,
        );
        expect(retried[0]?.lastFailure?.message).toMatch(/ECONNREFUSED/);

        // A write is refused the same way as reads.
        const write = await fetch(`${base}/v1/salespeople`, {
          method: 'POST',
          headers: { ...financeHeaders, 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'S-X', name: 'X', email: 'x@company.test', region: 'Shanghai' }),
        });
        expect(write.status).toBe(503);
        expect(await write.json()).toEqual({
          error: { code: 'unavailable', message: 'the database is unavailable; try again shortly' },
        });

        await new Promise((r) => setTimeout(r, Math.max(0, downAt + OUTAGE_MS - Date.now())));
        await servers.postgres.start();
        const upAt = Date.now();

        // The API answers again.
        await eventually(
          async () => answers.filter((a) => a.at > upAt && a.status === 200).map((a) => a.path),
          (paths) => paths.includes('/health') && paths.some((p) => p.startsWith('/v1/counterparties/')),
          'the API answering 200 again',
        );
        polling = false;
        await poller;

        // Throughout: 200 or 503 in the one error shape, never anything else.
        const statuses = new Set(answers.map((a) => a.status));
        expect([...statuses].sort()).toEqual([200, 503]);
        for (const a of answers.filter((x) => x.status === 503))
          expect(a.body).toEqual({
            error: { code: 'unavailable', message: 'the database is unavailable; try again shortly' },
          });
        // Asked after the database went away (a request already under way may still finish with 200).
        const during = answers.filter((a) => a.sentAt > downAt + 1_000 && a.at < upAt);
        expect(during.length).toBeGreaterThan(20);
        expect(during.every((a) => a.status === 503)).toBe(true);

        // Nothing lost, nothing twice.
        await expect(payment).resolves.toMatchObject({ settled: true, duplicate: false });
        const finished = async (id: string, stage: string, mails: string[]) =>
          eventually(
            async () => ({ stage: (await kit.state(id)).stage, effects: await kit.effects(id) }),
            (s) => s.stage === stage && mails.every((m) => s.effects[m] === 'done'),
            `${id} to reach ${stage} with its e-mails sent`,
            120_000,
          );
        await finished(reminder.id, 'reminded', ['reminder', 'phone-task']);
        await finished(warning.id, 'credit-desk', [
          'credit-desk-handover',
          'supply-stopped',
          'warning-letter',
        ]);
        await finished(waiting.id, 'paid', [`receipt:${paymentId}`]);

        expect(keysOf(reminder.id)).toEqual(['phone-task', 'reminder']);
        expect(await kit.taskKeys(reminder.id)).toEqual(['phone-task']);
        expect(keysOf(warning.id)).toEqual(['credit-desk-handover', 'supply-stopped', 'warning-letter']);
        expect(keysOf(waiting.id)).toEqual([`receipt:${paymentId}`]);
        const { rows: blocks } = await servers.pool.query(
          'SELECT source FROM supply_blocks WHERE counterparty_id = $1',
          [warning.counterpartyId],
        );
        expect(blocks.map((r) => r.source)).toEqual([warning.id]);
        const { rows: grade } = await servers.pool.query(
          'SELECT credit_grade FROM counterparties WHERE id = $1',
          [warning.counterpartyId],
        );
        expect(grade[0]?.credit_grade).toBe(lowerOneStep('AB'));
        for (const [subject, event] of [
          [warning.counterpartyId, 'grade-lowered'],
          [warning.counterpartyId, 'supply-stopped'],
          [waiting.id, 'payment-received'],
          [reminder.id, 'receivable-imported'],
        ] as const)
          expect(
            await kit.count('SELECT 1 FROM credit_records WHERE subject_id = $1 AND event_type = $2', [
              subject,
              event,
            ]),
            `${event} of ${subject}`,
          ).toBe(1);
        expect(await kit.count('SELECT 1 FROM payments WHERE id = $1', [paymentId])).toBe(1);
      },
    ),
  );
});

describe('the SMTP server is down', () => {
  it(
    'a reminder due meanwhile is retried and delivered once when it is back',
    explained(
      () => servers,
      async () => {
        const before = await kit.importInvoice({ dueDate: dueDateFiring('reminder') });
        await eventually(
          async () => keysOf(before.id),
          (k) => k.length === 2,
          'the reminder sent before the outage',
        );

        await servers.mail.stop();
        const due = await kit.importInvoice({ dueDate: dueDateFiring('reminder') });
        // The reminder's e-mail (the dealer's message of the day, docs/correspondence.md) fails on
        // the closed port and is retried with backoff.
        const pending = await eventually(
          async () =>
            (
              await servers.client.workflow
                .getHandle(correspondenceWorkflowId(due.counterpartyId, companyToday()))
                .describe()
            ).raw.pendingActivities ?? [],
          (p) => p.some((a) => a.activityType?.name === 'sendCorrespondence' && (a.attempt ?? 0) >= 4),
          'the reminder e-mail retried while the server is down',
        );
        expect(pending[0]?.lastFailure?.message).toMatch(/ECONNREFUSED/);
        expect((await kit.effects(due.id)).reminder).toBe('claimed');
        expect(keysOf(due.id)).toEqual([]);

        await servers.mail.start();
        await eventually(
          async () => ({ stage: (await kit.state(due.id)).stage, effects: await kit.effects(due.id) }),
          (s) =>
            s.stage === 'reminded' && s.effects.reminder === 'done' && s.effects['phone-task'] === 'done',
          'the reminder step finished after the server is back',
          90_000,
        );
        expect(keysOf(due.id)).toEqual(['phone-task', 'reminder']);
        expect(await kit.taskKeys(due.id)).toEqual(['phone-task']);
        // What the mailbox had before the outage is still there, once.
        expect(keysOf(before.id)).toEqual(['phone-task', 'reminder']);
      },
    ),
  );
});
