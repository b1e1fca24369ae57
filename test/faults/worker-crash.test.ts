/**
 * SIGKILL the worker in the middle of every escalation step; after a restart,
 * every e-mail, task, letter, supply stop and grade change exists exactly once
 * and every receivable stands where its step leaves it.
 *
 * The real worker entry point runs as a child process. Imported invoices make
 * each step fire at once; an SMTP gate holds one e-mail of each step mid-delivery
 * so the kill lands at a known point, either before the mail server has the
 * message or after it kept it but before the worker heard so. The second is the
 * gap PostgreSQL cannot close: the worker resends, and the mailbox keeps one
 * message per Message-ID (stable, from the effect key), so the reader gets one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lowerOneStep } from '../../domain/rating.js';
import { loadConfig } from '../../infra/config.js';
import type { TimelineStep } from '../../workflows/receivable/contract.js';
import { eventually } from '../support/eventually.js';
import { dueDateFiring, type ReceivableKit, receivableKit, STAGE_AFTER } from './support/receivables.js';
import { explained, type FaultServers, startFaultServers } from './support/servers.js';
import { type HoldPoint, type SmtpGate, startSmtpGate } from './support/smtp-gate.js';

interface Case {
  step: TimelineStep;
  region?: string;
  /** The e-mail (effect key suffix) held when the worker is killed, and where. */
  killAt: string;
  where: HoldPoint;
  mails: string[];
  tasks: string[];
}

// Each step once with the kill after the server kept a message (the resend case),
// and the others with the kill before it had it; later e-mails of a step come
// after its database effects (tasks, supply stop, grade), so those are retried too.
const CASES: Case[] = [
  {
    step: 'reminder',
    killAt: 'phone-task',
    where: 'after-server',
    mails: ['phone-task', 'reminder'],
    tasks: ['phone-task'],
  },
  {
    step: 'reminder',
    killAt: 'reminder',
    where: 'before-server',
    mails: ['phone-task', 'reminder'],
    tasks: ['phone-task'],
  },
  {
    step: 'dueCheck',
    killAt: 'late-reason-request',
    where: 'after-server',
    mails: ['collection-notice', 'late-reason-request'],
    tasks: ['late-reason'],
  },
  {
    step: 'dueCheck',
    region: 'Shanghai', // home region: a visit task instead of a collection notice
    killAt: 'visit-task',
    where: 'before-server',
    mails: ['late-reason-request', 'visit-task'],
    tasks: ['late-reason', 'visit-task'],
  },
  {
    step: 'secondNotice',
    killAt: 'second-notice',
    where: 'after-server',
    mails: ['second-notice'],
    tasks: [],
  },
  {
    step: 'warning',
    killAt: 'supply-stopped',
    where: 'after-server',
    mails: ['credit-desk-handover', 'supply-stopped', 'warning-letter'],
    tasks: [],
  },
  {
    step: 'warning',
    killAt: 'warning-letter',
    where: 'before-server',
    mails: ['credit-desk-handover', 'supply-stopped', 'warning-letter'],
    tasks: [],
  },
  {
    step: 'legal',
    killAt: 'legal-escalation',
    where: 'after-server',
    mails: ['legal-escalation'],
    tasks: ['legal-confirmation'],
  },
];

/**
 * Grouped correspondence (docs/correspondence.md): several receivables of one dealer whose step
 * fires at once go in the dealer's message of the day; the worker is killed while that message is
 * held, before or after the server kept it.
 */
interface GroupCase {
  step: TimelineStep;
  where: HoldPoint;
  /** The item keys' step suffix for the debtor and (if any) the salesperson. */
  items: string[];
}
const GROUPS: GroupCase[] = [
  { step: 'secondNotice', where: 'after-server', items: ['second-notice'] },
  { step: 'reminder', where: 'before-server', items: ['reminder', 'phone-task'] },
];
const PER_GROUP = 3;
/**
 * How long a step may take to finish after the restart. A workflow task queued for the killed
 * worker in the seconds before the server sees it gone (a day's gathering timer firing then)
 * waits out the sticky queue timeout before the new worker may take it (docs/operations.md,
 * "Sticky cache"); the fault worker runs with the same setting, from the same environment.
 */
const AFTER_RESTART_MS = loadConfig(process.env).worker.stickyQueueTimeoutSeconds * 1000 + 150_000;
const groups: { g: GroupCase; ids: string[]; held: string }[] = [];

let servers: FaultServers;
let gate: SmtpGate;
let kit: ReceivableKit;
const started: { c: Case; id: string; counterpartyId: string }[] = [];
let killedPid = 0;

beforeAll(
  explained(
    () => servers,
    async () => {
      servers = await startFaultServers('worker-crash');
      const smtpPort = Number(new URL(servers.mail.smtpUrl).port);
      gate = await startSmtpGate({ host: '127.0.0.1', port: smtpPort });
      kit = receivableKit(servers.pool, servers.client);
      const worker = await servers.startWorker({ smtpUrl: gate.url });

      for (const c of CASES) {
        const r = await kit.importInvoice({
          dueDate: dueDateFiring(c.step),
          ...(c.region ? { region: c.region } : {}),
        });
        gate.hold(`${r.id}:${c.killAt}`, c.where);
        started.push({ c, ...r });
      }
      for (const g of GROUPS) {
        const parties = await kit.seedParties();
        const ids: string[] = [];
        for (let i = 0; i < PER_GROUP; i++)
          ids.push((await kit.importInvoice({ dueDate: dueDateFiring(g.step), parties })).id);
        const held = `${ids[0]}:${g.items[0]}`;
        gate.hold(held, g.where);
        groups.push({ g, ids, held });
      }
      // Every step is mid-way, at its held e-mail: kill the worker there.
      const keys = [...started.map((s) => `${s.id}:${s.c.killAt}`), ...groups.map((g) => g.held)];
      await eventually(
        async () => gate.held(),
        (held) => keys.every((k) => held.includes(k)),
        `every step held at its e-mail (${keys.join(', ')})`,
        90_000,
      );
      // At the kill: the after-server messages are in the mailbox, the before-server ones are not,
      // and every held e-mail's effect is claimed, not done.
      for (const s of started) {
        const inbox = servers.mail.mailsFor(`${s.id}:${s.c.killAt}`).length;
        expect(inbox, `${s.id}:${s.c.killAt} in the mailbox at the kill`).toBe(
          s.c.where === 'after-server' ? 1 : 0,
        );
        expect((await kit.effects(s.id))[s.c.killAt]).toBe('claimed');
      }
      killedPid = worker.pid;
      await worker.kill();

      // A new worker process; the abandoned activities are retried once their start-to-close
      // timeout (1 minute) passes.
      const restarted = await servers.startWorker({ smtpUrl: gate.url });
      expect(restarted.pid).not.toBe(killedPid);
      for (const { g, ids } of groups)
        for (const id of ids)
          await eventually(
            async () => kit.effects(id),
            (effects) => g.items.every((i) => effects[i] === 'done'),
            `${id} (${g.step}, grouped) to have its items sent after the restart`,
            AFTER_RESTART_MS,
          );
      for (const s of started) {
        await eventually(
          async () => ({ state: await kit.state(s.id), effects: await kit.effects(s.id) }),
          ({ state, effects }) =>
            state.stage === STAGE_AFTER[s.c.step] && s.c.mails.every((m) => effects[m] === 'done'),
          `${s.id} (${s.c.step}) to finish its step after the restart`,
          AFTER_RESTART_MS,
        );
      }
    },
  ),
  // Up to every step held at its e-mail, then the restart's wait.
  150_000 + AFTER_RESTART_MS,
);

afterAll(async () => {
  await gate?.close();
  await servers?.teardown();
});

describe('the worker is SIGKILLed mid-step and restarted', () => {
  it.each(CASES.map((c, i) => [i, c.step, c.killAt, c.where] as const))(
    'case %i: %s, killed at the %s e-mail (%s): every effect exactly once',
    async (i) => {
      const s = started[i];
      if (!s) throw new Error(`case ${i} did not start`);
      const { id, counterpartyId, c } = s;
      // The held message was sent twice by the worker (before and after the kill)…
      expect(gate.deliveries(`${id}:${c.killAt}`)).toBe(2);
      // …and every e-mail of the step is in the mailbox exactly once.
      const keys = servers.mail
        .mailsFor(`${id}:`)
        .map((m) => m.effectKey?.slice(id.length + 1))
        .sort();
      expect(keys).toEqual([...c.mails].sort());
      expect(await kit.taskKeys(id)).toEqual([...c.tasks].sort());
      expect(Object.values(await kit.effects(id)).every((status) => status === 'done')).toBe(true);

      const state = await kit.state(id);
      expect(state.stage).toBe(STAGE_AFTER[c.step]);
      expect(state.stepsTaken.at(-1)).toBe(c.step);
      if (c.step !== 'legal') {
        // The step's closing record (the legal step's waits for the manager's confirmation).
        expect(
          await kit.count('SELECT 1 FROM credit_records WHERE subject_id = $1 AND event_type = $2', [
            id,
            `step-${c.step}`,
          ]),
        ).toBe(1);
      }
      if (c.step === 'warning') {
        expect(state.supplyStopped).toBe(true);
        expect(state.gradeAfterDowngrade).toBe(lowerOneStep('AB'));
        const blocks = await servers.pool.query(
          'SELECT source FROM supply_blocks WHERE counterparty_id = $1',
          [counterpartyId],
        );
        expect(blocks.rows.map((r) => r.source)).toEqual([id]);
        const grade = await servers.pool.query('SELECT credit_grade FROM counterparties WHERE id = $1', [
          counterpartyId,
        ]);
        expect(grade.rows[0]?.credit_grade).toBe(lowerOneStep('AB'));
        for (const event of ['supply-stopped', 'grade-lowered'])
          expect(
            await kit.count('SELECT 1 FROM credit_records WHERE subject_id = $1 AND event_type = $2', [
              counterpartyId,
              event,
            ]),
            event,
          ).toBe(1);
      }
    },
  );
});

describe("grouped messages: the worker is SIGKILLed while a dealer's message of the day is held", () => {
  it.each(GROUPS.map((g, i) => [i, g.step, g.where] as const))(
    'group %i: %s, killed %s: every item in exactly one message, none missing',
    async (i) => {
      const group = groups[i];
      if (!group) throw new Error(`group ${i} did not start`);
      const { g, ids, held } = group;
      const wanted = ids.flatMap((id) => g.items.map((suffix) => `${id}:${suffix}`)).sort();
      // The held message was sent twice (before and after the kill), with the same items…
      expect(gate.deliveries(held)).toBe(2);
      // …and in the mailbox every item is in exactly one message: none twice, none missing.
      const listed = servers.mail
        .messages()
        .flatMap((m) => m.items ?? [])
        .filter((k) => ids.some((id) => k.startsWith(`${id}:`)))
        .sort();
      expect(listed).toEqual(wanted);
      // PostgreSQL's claims agree: each item claimed once, by a message the mailbox holds, and sent.
      const claims = await kit.claims(ids);
      expect(claims.map((c) => c.itemKey)).toEqual(wanted);
      expect(claims.every((c) => c.included)).toBe(true);
      const kept = new Set(servers.mail.messages().map((m) => m.effectKey));
      for (const c of claims) expect(kept.has(c.messageKey), c.messageKey).toBe(true);
      // The dealer's message lists the items together (they fired in the same seconds).
      const dealerMessages = new Set(
        claims.filter((c) => c.messageKey.startsWith('correspondence:')).map((c) => c.messageKey),
      );
      expect(dealerMessages.size).toBeGreaterThanOrEqual(1);
      for (const id of ids) {
        const state = await kit.state(id);
        expect(state.stage).toBe(STAGE_AFTER[g.step]);
        for (const suffix of g.items) expect((await kit.effects(id))[suffix]).toBe('done');
      }
    },
  );
});
