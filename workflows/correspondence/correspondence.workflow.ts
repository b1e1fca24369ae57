/**
 * One reader's correspondence of one working day (docs/correspondence.md): a debtor's notices
 * or a salesperson's tasks. Receivable workflows' activities queue items for it in PostgreSQL
 * and wake it (signal-with-start) with the first while it sleeps; from the first item it gathers
 * for the policy's window, then one activity sends ONE message listing every item still open
 * (the ones signalled and the ones queued). Items that arrive while or after a message goes out
 * go in the next message; when nothing is pending after a send, the run completes, and a later
 * item starts a new run (its message keys carry the run, so they never collide with an earlier
 * run's). Items planned ahead (a receivable's next step, migration 030) are told to the day as
 * the instant they fall due: the run waits for it, then gathers and sends them the same way.
 */
import {
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { CorrespondenceActivities } from '../../activities/correspondence/activities.js';
import { localDateTime } from '../../domain/calendar.js';
import {
  addCorrespondenceItem,
  type CorrespondenceInput,
  type CorrespondenceItem,
  correspondencePlanned,
  getSentMessages,
  MAX_ITEMS_PER_MESSAGE,
  type SentMessage,
} from './contract.js';

const ACTIVITY_OPTIONS = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

const acts = proxyActivities<CorrespondenceActivities>(ACTIVITY_OPTIONS);

/** At most this many items named in the memo and the Web UI's summaries; the rest are counted. */
const NAMED_IN_UI = 10;

/** The first few of `list`, and how many more there are. */
const firstFew = (list: string[]) =>
  list.length > NAMED_IN_UI
    ? `${list.slice(0, NAMED_IN_UI).join(', ')} and ${list.length - NAMED_IN_UI} more`
    : list.join(', ');

/** How a message reads in one line of the Web UI. */
const describeMessage = (input: CorrespondenceInput, m: SentMessage) =>
  `${m.sentAt ? m.sentAt.slice(11, 19) : 'not sent'} → ${m.to.join(', ') || input.partyName}: ` +
  `${firstFew(m.items.map((i) => `${i.receivableId} ${i.step}`)) || 'nothing open'}` +
  (m.leftOut.length ? ` (left out: ${firstFew(m.leftOut.map((i) => `${i.receivableId} ${i.reason}`))})` : '');

export async function correspondenceWorkflow(input: CorrespondenceInput): Promise<SentMessage[]> {
  const info = workflowInfo();
  const pending: CorrespondenceItem[] = [];
  const seen = new Set<string>();
  const sent: SentMessage[] = [];
  setHandler(addCorrespondenceItem, (item) => {
    if (seen.has(item.itemKey)) return; // an activity's retried signal
    seen.add(item.itemKey);
    pending.push(item);
  });
  setHandler(getSentMessages, () => sent);
  /** Instants items are planned for (ms), earliest first, not yet reached by a message. */
  const planned: number[] = [];
  setHandler(correspondencePlanned, ({ at }) => {
    const instant = Date.parse(at);
    if (!Number.isFinite(instant) || planned.includes(instant)) return;
    planned.push(instant);
    planned.sort((a, b) => a - b);
  });

  const reader = input.audience === 'debtor' ? 'notices to' : 'tasks for';
  const publish = () =>
    upsertMemo({
      summary: `${reader} ${input.partyName} (${input.partyId}) on ${input.day}: ${sent.length} message(s)`,
      counterpartyId: input.audience === 'debtor' ? input.partyId : null,
      salespersonId: input.audience === 'salesperson' ? input.partyId : null,
      sent: sent.map((m) => describeMessage(input, m)),
      messages: sent.map((m) => ({
        key: m.messageKey,
        sentAt: m.sentAt,
        to: m.to,
        cc: m.cc,
        items: m.items.length,
        firstItems: m.items.slice(0, NAMED_IN_UI).map((i) => i.itemKey),
        leftOut: m.leftOut.slice(0, NAMED_IN_UI).map((i) => `${i.itemKey}: ${i.reason}`),
      })),
    });

  const windowMs = Math.max(0, input.gatherMinutes) * 60_000;
  const perMessage = patched('message-size-cap') ? MAX_ITEMS_PER_MESSAGE : Number.POSITIVE_INFINITY;
  // A run starts with its first item or plan (signal-with-start); one started bare waits for one.
  await condition(() => pending.length > 0 || planned.length > 0);
  let full = false;
  // Items still queued in PostgreSQL for the day after the last message (see below).
  let queuedLeft = false;
  // The day's messages so far: the next one's number in its key.
  let n = 0;
  for (;;) {
    if (pending.length === 0 && !queuedLeft) {
      // Nothing due now: wait for the next planned instant, unless an item or an earlier plan
      // comes first. Runs without plans (all runs from before them) end here, as they did.
      const next = planned[0];
      if (next === undefined) break;
      if (next > Date.now()) {
        await condition(() => pending.length > 0 || planned[0] !== next, next - Date.now(), {
          summary: `${reader} ${input.partyName} planned for ${localDateTime(next, input.timeZone)}`,
        });
        continue; // look again: an item, an earlier plan, or the instant
      }
    }
    // This message takes every item planned for an instant now reached.
    while (planned.length > 0 && (planned[0] as number) <= Date.now()) planned.shift();
    n++;
    // A large day's next full message follows at once; otherwise the window gathers first.
    if (windowMs > 0 && !full) await sleep(windowMs, { summary: `gathering ${reader} ${input.partyName}` });
    const items = pending.splice(0, perMessage);
    full = items.length === perMessage && pending.length > 0;
    const messageKey = `${info.workflowId}:${info.runId.slice(0, 8)}:${n}`;
    const message = await acts.sendCorrespondence.executeWithOptions(
      {
        ...ACTIVITY_OPTIONS,
        // The items signalled; the day's queued ones join them in the send (the memo counts all).
        summary: `${reader} ${input.partyName}: ${items.length ? `${firstFew(items.map((i) => `${i.receivableId} ${i.step}`))} and ` : ''}the day's queued items`,
      },
      [
        {
          ...input,
          workflowId: info.workflowId,
          messageKey,
          items,
          ...(Number.isFinite(perMessage) ? { maxItems: perMessage } : {}),
        },
      ],
    );
    // Since items wait in PostgreSQL and only the first wakes the day, the send takes them from
    // there and says when some are left (a full message): the day goes on without a signal.
    // Asked only then, so histories from before replay as they ran.
    if (message.morePending && patched('day-items-queued')) {
      queuedLeft = true;
      full ||= message.items.length + message.leftOut.length >= perMessage;
    } else queuedLeft = false;
    sent.push(message);
    publish();
    // Signals that came in during the send are handled before the loop looks again.
    await condition(allHandlersFinished);
  }
  return sent;
}
