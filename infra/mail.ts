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
  /** What e-mail it is (payment-reminder, rating-grade …), for the sent-mail metric. */
  kind?: string;
  /** The items a grouped message lists (their keys, header X-Creditflow-Items): docs/correspondence.md. */
  items?: string[];
  /** Files attached to the message (a letter's PDF, a statement's PDF and CSV). */
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/** Counts each e-mail the SMTP server accepted, by kind (infra/metrics.ts); optional. */
export interface MailMetrics {
  mailSent(kind: string): void;
}

/**
 * `maxConnections` > 0 keeps that many SMTP connections open and reuses them; 0 opens
 * a new connection (and SMTP handshake) for every message.
 */
export function createMailer(
  smtpUrl: string,
  from: string,
  opts: { maxConnections?: number; metrics?: MailMetrics } = {},
): Mailer {
  const { metrics } = opts;
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
        ...(mail.attachments?.length ? { attachments: mail.attachments } : {}),
        messageId: stableId,
        headers: {
          'X-Creditflow-Effect': mail.effectKey,
          ...(mail.items ? { 'X-Creditflow-Items': mail.items.join(' ') } : {}),
        },
      });
      metrics?.mailSent(mail.kind ?? 'other');
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}
