/**
 * A loopback SMTP server that keeps every message it accepts (as .eml files plus
 * an index) and serves them as a web inbox and a JSON API, so a person can read
 * what creditflow sent and tests can assert on it.
 *
 * Like a mailbox that suppresses duplicate deliveries, it keeps one message per
 * Message-ID: creditflow gives every e-mail a stable Message-ID from its effect
 * key, so a message resent after a crash between the server accepting it and
 * creditflow marking it done (the one gap PostgreSQL cannot close at the SMTP
 * boundary) is accepted and dropped here instead of reaching the reader twice.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { escapeHtml } from '../../domain/format.js';

export interface StoredMessage {
  id: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string | undefined;
  /** creditflow's idempotency key for the effect that sent it (X-Creditflow-Effect). */
  effectKey: string | undefined;
  /** The files attached (content base64). */
  attachments?: { filename: string; contentType: string; size: number; content: string }[];
  /** The item keys a grouped message lists (X-Creditflow-Items); absent for other mails. */
  items?: string[];
}

export interface LocalMailServer {
  smtpUrl: string;
  inboxUrl: string;
  messages(): StoredMessage[];
  /** Refuse connections for a while (used by fault tests: SMTP down). */
  setAccepting(accepting: boolean): void;
  stop(): Promise<void>;
}

function addresses(p: ParsedMail['to']): string[] {
  if (!p) return [];
  const list = Array.isArray(p) ? p : [p];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}

export async function startLocalMailServer(opts: {
  storeDir: string;
  smtpPort: number;
  inboxPort: number;
}): Promise<LocalMailServer> {
  await mkdir(opts.storeDir, { recursive: true });
  const indexFile = path.join(opts.storeDir, 'index.jsonl');
  const messages: StoredMessage[] = [];
  try {
    for (const line of (await readFile(indexFile, 'utf8')).split('\n'))
      if (line) messages.push(JSON.parse(line));
  } catch {
    // first run: no index yet
  }
  const messageIds = new Set(messages.map((m) => m.messageId).filter(Boolean));
  let accepting = true;

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onConnect(_session, cb) {
      cb(accepting ? undefined : Object.assign(new Error('mail server paused'), { responseCode: 421 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        try {
          const raw = Buffer.concat(chunks);
          const parsed = await simpleParser(raw);
          if (parsed.messageId && messageIds.has(parsed.messageId)) {
            cb(); // a redelivery of a message already kept: accepted, not kept twice
            return;
          }
          if (parsed.messageId) messageIds.add(parsed.messageId);
          const id = messages.length + 1;
          const key = parsed.headers.get('x-creditflow-effect');
          const msg: StoredMessage = {
            id,
            receivedAt: new Date().toISOString(),
            from: parsed.from?.text ?? (session.envelope.mailFrom ? session.envelope.mailFrom.address : ''),
            to: session.envelope.rcptTo
              .map((r) => r.address)
              .concat(addresses(parsed.cc))
              .filter((v, i, a) => a.indexOf(v) === i),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId,
            effectKey: typeof key === 'string' ? key : undefined,
            ...(parsed.attachments.length
              ? {
                  attachments: parsed.attachments.map((a) => ({
                    filename: a.filename ?? '',
                    contentType: a.contentType,
                    size: a.size,
                    content: a.content.toString('base64'),
                  })),
                }
              : {}),
          };
          const items = parsed.headers.get('x-creditflow-items');
          if (typeof items === 'string') msg.items = items.split(/\s+/).filter(Boolean);
          messages.push(msg);
          await writeFile(path.join(opts.storeDir, `${id}.eml`), raw);
          await appendFile(indexFile, `${JSON.stringify(msg)}\n`);
          cb();
        } catch (err) {
          cb(err as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.smtpPort, '127.0.0.1', () => resolve());
  });
  smtp.on('error', () => {});

  const web = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://inbox');
    if (url.pathname === '/api/messages') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(messages));
      return;
    }
    const m = /^\/messages\/(\d+)$/.exec(url.pathname);
    if (m) {
      const msg = messages[Number(m[1]) - 1];
      if (!msg) {
        res.writeHead(404).end('no such message');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><meta charset="utf-8"><title>${escapeHtml(msg.subject)}</title>
<p><a href="/">← inbox</a></p><p><b>From:</b> ${escapeHtml(msg.from)}<br><b>To:</b> ${escapeHtml(msg.to.join(', '))}<br>
<b>Subject:</b> ${escapeHtml(msg.subject)}<br><b>Received:</b> ${escapeHtml(msg.receivedAt)}</p><hr>
<iframe sandbox style="width:100%;height:70vh;border:1px solid #ccc" srcdoc="${escapeHtml(msg.html || `<pre>${escapeHtml(msg.text)}</pre>`)}"></iframe>`,
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    const rows = messages
      .slice()
      .reverse()
      .map(
        (x) =>
          `<tr><td>${x.id}</td><td>${escapeHtml(x.receivedAt)}</td><td>${escapeHtml(x.to.join(', '))}</td><td><a href="/messages/${x.id}">${escapeHtml(x.subject)}</a></td></tr>`,
      )
      .join('');
    res.end(
      `<!doctype html><meta charset="utf-8"><title>creditflow inbox</title><style>body{font-family:sans-serif}td{padding:4px 8px;border-bottom:1px solid #eee}</style>
<h1>creditflow inbox</h1><p>${messages.length} message(s). JSON: <a href="/api/messages">/api/messages</a></p>
<table><tr><th>#</th><th>received</th><th>to</th><th>subject</th></tr>${rows}</table>`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    web.once('error', reject);
    web.listen(opts.inboxPort, '127.0.0.1', () => resolve());
  });
  const smtpPort = (smtp.server.address() as { port: number }).port;
  const inboxPort = (web.address() as { port: number }).port;

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    inboxUrl: `http://127.0.0.1:${inboxPort}`,
    messages: () => messages.slice(),
    setAccepting: (a) => {
      accepting = a;
    },
    stop: async () => {
      await new Promise<void>((r) => smtp.close(() => r()));
      await new Promise<void>((r) => web.close(() => r()));
    },
  };
}
