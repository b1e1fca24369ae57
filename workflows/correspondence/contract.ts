/**
 * The correspondence workflow's contract (docs/correspondence.md): one workflow per reader and
 * working day — a debtor's notices (`correspondence:<counterpartyId>:<day>`) or a salesperson's
 * tasks (`salesperson-tasks:<salespersonId>:<day>`). Receivable workflows' activities queue items
 * for it in PostgreSQL and wake it by signal-with-start when it sleeps; it gathers for the
 * policy's window from its first item, then sends one message listing every item still open.
 * Nothing here does I/O.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CalendarDate } from '../../domain/calendar.js';
import { RECEIVABLE_TASK_QUEUE } from '../receivable/contract.js';

/**
 * It runs beside the receivable workflows that feed it, on their task queue: their worker has
 * its activities (the store, the mailer). A queue of its own was measured (docs/performance.md):
 * in a storm its days then sent what they had gathered while items still came, eight messages
 * to a debtor instead of one, and each reminder cost twice the CPU.
 */
export const CORRESPONDENCE_TASK_QUEUE = RECEIVABLE_TASK_QUEUE;
/**
 * A day's tasks go before the receivables' on their shared queue (Temporal's task queue priority;
 * 1 is first, 3 the default): a day's work is one message, and in a storm of steps its planned
 * message would otherwise wait behind every step's tasks (docs/performance.md).
 */
export const CORRESPONDENCE_PRIORITY = { priorityKey: 1 } as const;
export const CORRESPONDENCE_WORKFLOW_TYPE = 'correspondenceWorkflow';

/**
 * At most this many items in one message: a storm's day for one reader (a salesperson with
 * thousands of phone tasks) goes out in several messages, each activity's input and result well
 * under Temporal's payload limit (runs since `message-size-cap`; the send caps runs from before
 * the same way when it adds queued items).
 */
export const MAX_ITEMS_PER_MESSAGE = 500;

/** Who reads the message: the debtor (notices) or the salesperson (internal tasks). */
export type CorrespondenceAudience = 'debtor' | 'salesperson';

/** A notice to the debtor, by the timeline step that sends it. */
export type DebtorNoticeStep =
  | 'reminder'
  | 'collection-notice'
  | 'second-notice'
  | 'warning-letter'
  | 'legal-notice';
/** A task for the salesperson, by the timeline step that gives it. */
export type SalespersonTaskStep = 'phone-task' | 'visit-task' | 'late-reason-request';
export type CorrespondenceStep = DebtorNoticeStep | SalespersonTaskStep;

export const DEBTOR_NOTICE_STEPS: readonly DebtorNoticeStep[] = [
  'reminder',
  'collection-notice',
  'second-notice',
  'warning-letter',
  'legal-notice',
];

export const correspondenceWorkflowId = (counterpartyId: string, day: CalendarDate) =>
  `correspondence:${counterpartyId}:${day}`;
export const salespersonTasksWorkflowId = (salespersonId: string, day: CalendarDate) =>
  `salesperson-tasks:${salespersonId}:${day}`;
/** The workflow id of a reader's day. */
export const correspondenceIdFor = (audience: CorrespondenceAudience, partyId: string, day: CalendarDate) =>
  audience === 'debtor' ? correspondenceWorkflowId(partyId, day) : salespersonTasksWorkflowId(partyId, day);

/**
 * One receivable's step for one reader. The key is the step's effect key of old,
 * `<receivableId>:<step><round>`: the unit of exactly once (migration 022).
 */
export interface CorrespondenceItem {
  itemKey: string;
  receivableId: string;
  step: CorrespondenceStep;
  /** The timeline round (0 until an agreed extension re-plans steps already taken). */
  round: number;
  /** The local date on which the step fired. */
  day: CalendarDate;
  /** When the step fired (ISO instant). */
  firedAt: string;
}

export interface CorrespondenceInput {
  audience: CorrespondenceAudience;
  /** The counterparty (debtor) or the salesperson. */
  partyId: string;
  /** Their name, for the Web UI's summaries. */
  partyName: string;
  day: CalendarDate;
  /** From the first item, minutes to wait for more before sending (policy.correspondence). */
  gatherMinutes: number;
  /** The company's time zone (days overdue are counted in it). */
  timeZone: string;
}

export interface SentItem {
  itemKey: string;
  receivableId: string;
  step: CorrespondenceStep;
}

/** One message of the day: to whom, when, which items it listed, which it left out and why. */
export interface SentMessage {
  messageKey: string;
  /** When the SMTP server accepted it (ISO); null when nothing was left to send. */
  sentAt: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  items: SentItem[];
  /** Items whose receivable was paid or closed before the send: recorded, not sent. */
  leftOut: (SentItem & { reason: string })[];
  /** Items another message of the day already carried (a repeated signal): not sent again. */
  alreadySent: (SentItem & { messageKey: string })[];
  /**
   * Items still queued for the day after this message took its share (runs since items are
   * queued in PostgreSQL, `day-items-queued`): the day goes on to another message.
   */
  morePending?: boolean;
}

/**
 * Wakes the day with an item: the first item queued while the day was asleep (runs since
 * `day-items-queued`; the others wait in PostgreSQL for the send to claim them), or every item
 * (runs from before). A repeated item key is ignored.
 */
export const addCorrespondenceItem = defineSignal<[CorrespondenceItem]>('addCorrespondenceItem');
/**
 * Tells the day that items are planned for it, due at `at` (ISO instant; migration 030): it
 * sends them then, with whatever else is due. Told once per day and instant (a retried plan
 * may tell it again; an instant it knows is ignored).
 */
export const correspondencePlanned = defineSignal<[{ at: string }]>('correspondencePlanned');
/** The messages this run has sent so far. */
export const getSentMessages = defineQuery<SentMessage[]>('getSentMessages');
