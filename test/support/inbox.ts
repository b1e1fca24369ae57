/** What the loopback SMTP server (started by global-setup) holds: every test reads mails through here. */
import { inject } from 'vitest';
import type { StoredMessage } from '../../infra/local/mail-server.js';

/** Every message the test SMTP server holds. */
export async function inbox(): Promise<StoredMessage[]> {
  return (await (await fetch(`${inject('inboxUrl')}/api/messages`)).json()) as StoredMessage[];
}

/** The messages whose effect key starts with `prefix`. */
export async function mails(prefix: string): Promise<StoredMessage[]> {
  return (await inbox()).filter((m) => m.effectKey?.startsWith(prefix));
}

/** The messages whose effect key is exactly `key`. */
export async function mailsWithKey(key: string): Promise<StoredMessage[]> {
  return (await inbox()).filter((m) => m.effectKey === key);
}

/**
 * A grouped message (docs/correspondence.md) read item by item: one entry per item key starting
 * with `prefix`, carrying the message (its key as `messageKey`) under the item's key.
 */
export function itemsOf(
  messages: StoredMessage[],
  prefix: string,
): (StoredMessage & { messageKey: string })[] {
  return messages.flatMap((m) =>
    (m.items ?? [])
      .filter((k) => k.startsWith(prefix))
      .map((k) => ({ ...m, effectKey: k, messageKey: m.effectKey ?? '' })),
  );
}

/** The mails whose key starts with `prefix`, and the items of grouped messages whose key does. */
export async function mailsAndItems(prefix: string): Promise<StoredMessage[]> {
  const all = await inbox();
  return [...all.filter((m) => m.effectKey?.startsWith(prefix)), ...itemsOf(all, prefix)];
}
