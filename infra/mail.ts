/** The outgoing mail transport: every message creditflow sends goes through nodemailer. */
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  /** The idempotency key of the effect that sends it; also makes the Message-ID stable. */
  effectKey: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/**
 * `maxConnections` > 0 keeps that many SMTP connections open and reuses them; 0 opens
 * a new connection (and SMTP handshake) for every message.
 */
export function createMailer(smtpUrl: string, from: string, opts: { maxConnections?: number } = {}): Mailer {
  const max = opts.maxConnections ?? 0;
  const transport =
    max > 0
      ? nodemailer.createTransport(
          { url: smtpUrl, pool: true, maxConnections: max, maxMessages: Infinity },
          { from },
        )
      : nodemailer.createTransport(smtpUrl, { from });
  return {
    async send(mail) {
      const stableId = `<${Buffer.from(mail.effectKey).toString('base64url')}@creditflow>`;
      const info = await transport.sendMail({
        to: mail.to,
        cc: mail.cc,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: stableId,
        headers: { 'X-Creditflow-Effect': mail.effectKey },
      });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}
