/**
 * Grouped correspondence's activities (docs/correspondence.md): adding an item to a reader's day
 * (signal-with-start of its correspondence workflow) and sending the day's message once.
 *
 * Exactly once per item: the send claims each item key for the message key in one transaction
 * (store/correspondence.ts), so an item is in one message only; the message is sent once by its
 * key (store/effects.ts), and a retried send finds the same claimed items and sends the same
 * message again under the same Message-ID.
 */

import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { addDays, daysBetween } from '../../domain/calendar.js';
import type { Config } from '../../infra/config.js';
import type { Mailer, OutgoingMail } from '../../infra/mail.js';
import { composeLetter, type LetterKind } from '../../operations/correspondence/letters.js';
import { createMessageRenderer, type MessageRenderer } from '../../operations/correspondence/render.js';
import type { ClaimedItem, PlanBasis, QueuedItem, ReaderDay } from '../../store/correspondence.js';
import type { Store } from '../../store/index.js';
import {
  addCorrespondenceItem,
  CORRESPONDENCE_PRIORITY,
  CORRESPONDENCE_TASK_QUEUE,
  type CorrespondenceInput,
  type CorrespondenceItem,
  type CorrespondenceStep,
  correspondenceIdFor,
  correspondencePlanned,
  MAX_ITEMS_PER_MESSAGE,
  type SentMessage,
} from '../../workflows/correspondence/contract.js';

/** One line of a message as the templates see it. */
export interface MessageItem {
  receivableId: string;
  step: CorrespondenceStep;
  counterpartyName: string;
  issueDate: string | null;
  dueDate: string | null;
  amountMinor: number;
  outstandingMinor: number;
  currency: string;
  daysOverdue: number;
  /** Salesperson tasks: the day the task is due. */
  taskDueOn?: string | null;
}

/** A message about to be sent: what a PDF letter (seam 3) is made from. */
export interface OutgoingCorrespondence {
  messageKey: string;
  audience: CorrespondenceInput['audience'];
  language: string;
  day: string;
  recipient: { id: string; name: string; email: string };
  items: MessageItem[];
  data: Record<string, unknown>;
}

export type MailAttachment = NonNullable<OutgoingMail['attachments']>[number];

export interface CorrespondenceActivityDeps {
  store: Store;
  mailer: Mailer;
  company: Config['company'];
  /** Writes the messages: the company's templates in force when sent (default: stored, else shipped). */
  renderer?: MessageRenderer;
  /** The PDF letters a message carries; default: a formal letter per escalation step it lists (docs/letters.md). */
  letters?: (message: OutgoingCorrespondence) => Promise<MailAttachment[]>;
  /** Temporal client for signal-with-start; default: the worker's client in the activity context. */
  client?: Client;
  clock?: () => Date;
  /** The debtor's own page a debtor's message links to (operations/portal.ts); none when unset. */
  portalLinkFor?: (counterpartyId: string) => Promise<string>;
}

export interface SendCorrespondenceInput extends CorrespondenceInput {
  workflowId: string;
  messageKey: string;
  /** The items the day was signalled; the send adds the day's queued ones. */
  items: CorrespondenceItem[];
  /** At most this many items in the message, signalled and queued together (default: the cap). */
  maxItems?: number;
}

/**
 * Adds `item` to the day of `input.audience` `input.partyId`: queues it in PostgreSQL and wakes
 * the day's workflow (signal-with-start, starting it if needed) only when the day was asleep.
 * A storm's items thus cost the day one signal per message, not one each.
 */
export async function addToReaderDay(
  client: Client,
  store: Pick<Store, 'correspondence'>,
  input: CorrespondenceInput,
  item: CorrespondenceItem,
): Promise<void> {
  const { wake } = await store.correspondence.queue(readerDayOf(input), item);
  if (wake) await signalCorrespondence(client, input, item);
}

/** Signals `item` to the day of `input.audience` `input.partyId`, starting its workflow if needed. */
export async function signalCorrespondence(
  client: Client,
  input: CorrespondenceInput,
  item: CorrespondenceItem,
): Promise<void> {
  await client.workflow.signalWithStart('correspondenceWorkflow', {
    ...dayStart(input),
    signal: addCorrespondenceItem,
    signalArgs: [item],
  });
}

/**
 * Plans `item` for the day of `input.audience` `input.partyId`, due at `at` (migration 030):
 * queues it in PostgreSQL with the receivable's due date and paused days it was planned on, and
 * tells the day's workflow of the instant (signal-with-start) unless it already knows it. A
 * storm's thousand planned reminders for one debtor's day thus cost that day one signal.
 */
export async function planForReaderDay(
  client: Client,
  store: Pick<Store, 'correspondence'>,
  input: CorrespondenceInput,
  item: QueuedItem,
  at: Date,
  basis: PlanBasis,
): Promise<void> {
  const { tell } = await store.correspondence.plan(readerDayOf(input), item, at, basis);
  if (tell)
    await client.workflow.signalWithStart('correspondenceWorkflow', {
      ...dayStart(input),
      signal: correspondencePlanned,
      signalArgs: [{ at: at.toISOString() }],
    });
}

/** The reader's day `input` is for, as the queue keys it. */
const readerDayOf = (input: CorrespondenceInput): ReaderDay => ({
  audience: input.audience,
  partyId: input.partyId,
  day: input.day,
});

/** How a reader's day is started: its id, queue, priority and the Web UI's line for it. */
function dayStart(input: CorrespondenceInput) {
  const reader = input.audience === 'debtor' ? 'Notices to' : 'Tasks for';
  return {
    workflowId: correspondenceIdFor(input.audience, input.partyId, input.day),
    taskQueue: CORRESPONDENCE_TASK_QUEUE,
    args: [input] as [CorrespondenceInput],
    priority: CORRESPONDENCE_PRIORITY,
    staticSummary: `${reader} ${input.partyName} (${input.partyId}) on ${input.day}`,
  };
}

/** The formal letter each escalation step of a debtor's message carries (the reminder carries none). */
const LETTER_OF_STEP: [CorrespondenceStep, LetterKind][] = [
  ['collection-notice', 'letter-collection-notice'],
  ['second-notice', 'letter-second-notice'],
  ['warning-letter', 'letter-warning'],
  ['legal-notice', 'letter-legal-notice'],
];

/**
 * The days a letter gives the debtor to pay, from its date: until the day before the next step
 * under the default timeline (+1 → +7, +7 → +15, +15 → +30), and a week after a legal notice.
 */
export const LETTER_DEADLINE_DAYS: Partial<Record<CorrespondenceStep, number>> = {
  'collection-notice': 5,
  'second-notice': 7,
  'warning-letter': 14,
  'legal-notice': 7,
};

const STEP_ORDER: Record<CorrespondenceStep, number> = {
  'legal-notice': 0,
  'warning-letter': 1,
  'second-notice': 2,
  'collection-notice': 3,
  reminder: 4,
  'visit-task': 5,
  'late-reason-request': 6,
  'phone-task': 7,
};

/** "Now" is when the workflow scheduled the activity: the workflow's clock (time-skipping tests agree). */
function activityClock(): Date {
  try {
    return new Date(Context.current().info.currentAttemptScheduledTimestampMs);
  } catch {
    return new Date();
  }
}

export function createCorrespondenceActivities(deps: CorrespondenceActivityDeps) {
  const { store, mailer, company } = deps;
  const renderer = deps.renderer ?? createMessageRenderer({ stored: store.templates });
  const letters = deps.letters ?? formalLetters;

  /**
   * A debtor's formal letters as PDF (docs/letters.md): one per escalation step the message lists,
   * naming that step's receivables, numbered once per message and kind (a retried send reuses it).
   */
  async function formalLetters(message: OutgoingCorrespondence): Promise<MailAttachment[]> {
    if (message.audience !== 'debtor') return [];
    const attachments: MailAttachment[] = [];
    for (const [step, kind] of LETTER_OF_STEP) {
      const items = message.items.filter((i) => i.step === step);
      if (items.length === 0) continue;
      const cp = await store.counterparties.get(message.recipient.id);
      const letterNumber = await store.letters.assign(`${message.messageKey}:${kind}`, {
        year: Number(message.day.slice(0, 4)),
        kind,
        counterpartyId: message.recipient.id,
      });
      const currencies = [...new Set(items.map((i) => i.currency))];
      const { pdf } = await composeLetter(
        renderer,
        kind,
        {
          language: message.language,
          company,
          counterparty: {
            id: message.recipient.id,
            name: message.recipient.name,
            address: cp?.address ?? null,
            contactName: cp?.contactName ?? null,
          },
          letterNumber,
          date: message.day,
        },
        {
          deadline: addDays(message.day, LETTER_DEADLINE_DAYS[step] ?? 7),
          items: items.map((i) => ({
            receivableId: i.receivableId,
            issueDate: i.issueDate,
            dueDate: i.dueDate,
            amountMinor: i.amountMinor,
            outstandingMinor: i.outstandingMinor,
            currency: i.currency,
            daysOverdue: i.daysOverdue,
          })),
          totals: currencies.map((currency) => ({
            currency,
            outstandingMinor: items
              .filter((i) => i.currency === currency)
              .reduce((a, i) => a + i.outstandingMinor, 0),
          })),
        },
      );
      attachments.push({ filename: `${letterNumber}.pdf`, content: pdf, contentType: 'application/pdf' });
    }
    return attachments;
  }
  const clock = deps.clock ?? activityClock;
  const clientOf = () => deps.client ?? Context.current().client;

  return {
    /** Adds items to their readers' days (queued; a day asleep is woken by signal-with-start). */
    async queueCorrespondence(q: { entries: { input: CorrespondenceInput; item: CorrespondenceItem }[] }) {
      const client = clientOf();
      for (const e of q.entries) await addToReaderDay(client, store, e.input, e.item);
    },

    /**
     * Sends the day's next message: claims its items, the ones signalled and the day's queued
     * ones up to `maxItems` (those of receivables paid or closed since their step are claimed as
     * left out), renders one message listing the rest, and sends it once by its key.
     */
    async sendCorrespondence(m: SendCorrespondenceInput): Promise<SentMessage> {
      const claim = await store.correspondence.claim(
        {
          messageKey: m.messageKey,
          audience: m.audience,
          partyId: m.partyId,
          day: m.day,
          workflowId: m.workflowId,
        },
        m.items.map((i) => ({ itemKey: i.itemKey, receivableId: i.receivableId, step: i.step })),
        m.maxItems ?? MAX_ITEMS_PER_MESSAGE,
        clock(),
      );
      const asSent = (c: ClaimedItem) => ({
        itemKey: c.itemKey,
        receivableId: c.receivableId,
        step: c.step as CorrespondenceStep,
      });
      const included = claim.mine
        .filter((c) => c.included)
        .sort((a, b) => STEP_ORDER[a.step as CorrespondenceStep] - STEP_ORDER[b.step as CorrespondenceStep]);
      const result: SentMessage = {
        messageKey: m.messageKey,
        sentAt: null,
        to: [],
        cc: [],
        subject: null,
        items: included.map(asSent),
        leftOut: claim.mine
          .filter((c) => !c.included)
          .map((c) => ({ ...asSent(c), reason: c.leftOutReason ?? '' })),
        alreadySent: claim.elsewhere.flatMap((e) => {
          const item = m.items.find((i) => i.itemKey === e.itemKey);
          return item
            ? [
                {
                  itemKey: e.itemKey,
                  receivableId: item.receivableId,
                  step: item.step,
                  messageKey: e.messageKey,
                },
              ]
            : [];
        }),
        morePending: claim.morePending,
      };
      if (included.length === 0) return result; // nothing open is left to tell: recorded, not sent

      // The rows the message is written from, read once its items are claimed.
      const rows = await store.receivables.getReceivables(included.map((c) => c.receivableId));
      const counterparties = new Map<string, { name: string; email: string; language: string } | undefined>();
      const counterparty = async (id: string) => {
        if (!counterparties.has(id)) counterparties.set(id, await store.counterparties.get(id));
        return counterparties.get(id);
      };
      const salespeople = new Map<string, Awaited<ReturnType<Store['salespeople']['getSalesperson']>>>();
      const salesperson = async (id: string) => {
        if (!salespeople.has(id)) salespeople.set(id, await store.salespeople.getSalesperson(id));
        return salespeople.get(id);
      };

      const items: MessageItem[] = [];
      const sellerIds = new Set<string>();
      for (const c of included) {
        const r = rows.get(c.receivableId);
        if (!r) continue;
        sellerIds.add(r.salespersonId);
        const dueDate = r.dueDate;
        const step = c.step as CorrespondenceStep;
        items.push({
          receivableId: r.id,
          step,
          counterpartyName: (await counterparty(r.counterpartyId))?.name ?? r.counterpartyId,
          issueDate: r.issueDate,
          dueDate,
          amountMinor: r.approvedMinor ?? r.requestedMinor,
          outstandingMinor: r.outstandingMinor,
          currency: r.currency,
          daysOverdue: dueDate ? Math.max(0, daysBetween(dueDate, m.day)) : 0,
          ...(m.audience === 'salesperson'
            ? {
                taskDueOn:
                  step === 'phone-task'
                    ? dueDate
                    : step === 'late-reason-request'
                      ? addDays(m.day, 3)
                      : m.day,
              }
            : {}),
        });
      }
      const totals = [...new Set(items.map((i) => i.currency))].map((currency) => ({
        currency,
        outstandingMinor: items
          .filter((i) => i.currency === currency)
          .reduce((a, i) => a + i.outstandingMinor, 0),
      }));

      let recipient: OutgoingCorrespondence['recipient'];
      let language: string;
      let cc: string[] = [];
      let data: Record<string, unknown>;
      const sellers = (await Promise.all([...sellerIds].map(salesperson))).filter((s) => s !== undefined);
      if (m.audience === 'debtor') {
        const cp = await counterparty(m.partyId);
        recipient = { id: m.partyId, name: cp?.name ?? m.partyName, email: cp?.email ?? '' };
        language = cp?.language ?? 'zh-CN';
        const escalated = items.some((i) => i.step === 'warning-letter' || i.step === 'legal-notice');
        // The salespeople hear of every notice past the reminder; the desk of the warning and legal ones.
        cc = [
          ...(items.some((i) => i.step !== 'reminder') ? sellers.map((s) => s.email) : []),
          ...(escalated ? company.creditDesk : []),
        ];
        const seller = sellers[0];
        data = {
          company: { name: company.name },
          counterparty: { id: m.partyId, name: recipient.name },
          day: m.day,
          items,
          totals,
          ...(deps.portalLinkFor ? { portalLink: await deps.portalLinkFor(m.partyId) } : {}),
          contact: escalated
            ? { name: `${company.name} credit desk`, email: company.creditDesk[0] ?? '', phone: null }
            : { name: seller?.name ?? '', email: seller?.email ?? '', phone: seller?.phone ?? null },
        };
      } else {
        const sp = await salesperson(m.partyId);
        recipient = { id: m.partyId, name: sp?.name ?? m.partyName, email: sp?.email ?? '' };
        language = 'zh-CN';
        data = {
          company: { name: company.name },
          salesperson: { id: m.partyId, name: recipient.name },
          day: m.day,
          items,
          totals,
        };
      }
      const kind = m.audience === 'debtor' ? 'debtor-notices' : 'salesperson-tasks';
      const to = [recipient.email].filter(Boolean);
      cc = [...new Set(cc.filter((a) => a && !to.includes(a)))];
      const sent = await store.effects.once(m.messageKey, kind, null, async () => {
        const rendered = await renderer.render(kind, language, { ...data, language });
        const attachments = await letters({
          messageKey: m.messageKey,
          audience: m.audience,
          language,
          day: m.day,
          recipient,
          items,
          data,
        });
        await mailer.send({
          to,
          ...(cc.length ? { cc } : {}),
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
          effectKey: m.messageKey,
          kind,
          items: included.map((c) => c.itemKey),
          ...(attachments.length ? { attachments } : {}),
        });
        return { subject: rendered.subject, sentAt: clock().toISOString() };
      });
      return { ...result, to, cc, subject: sent.subject, sentAt: sent.sentAt };
    },
  };
}

export type CorrespondenceActivities = ReturnType<typeof createCorrespondenceActivities>;
