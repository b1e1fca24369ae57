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
