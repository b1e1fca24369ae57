/**
 * A TCP gate between the worker and the SMTP server that can hold one chosen
 * message mid-delivery, so a test kills the worker at an exact point of an
 * e-mail effect instead of racing it:
 *
 *  - 'before-server': the message's final "." is withheld; the server never has
 *    the whole message (the worker dies with the effect claimed, nothing sent);
 *  - 'after-server':  the message reaches the server, which keeps it and answers
 *    250; the answer is withheld (the worker dies not knowing it was accepted:
 *    the one gap at the SMTP boundary, where a resend is unavoidable).
 *
 * A hold applies to the first delivery of the key only; later ones pass. The
 * gate also counts how many times each message was sent in full through it.
 */
import net from 'node:net';

export type HoldPoint = 'before-server' | 'after-server';

export interface SmtpGate {
  url: string;
  hold(effectKey: string, where: HoldPoint): void;
  /** Keys whose hold is in place now (for 'after-server': the server has kept the message). */
  held(): string[];
  /** How many times a message with this effect key (or listing this item) was sent in full by a client. */
  deliveries(effectKey: string): number;
  close(): Promise<void>;
}

const END_OF_DATA = '\r\n.\r\n';

export async function startSmtpGate(upstream: { host: string; port: number }): Promise<SmtpGate> {
  const holds = new Map<string, HoldPoint>();
  const heldNow = new Set<string>();
  const sent = new Map<string, number>();
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const up = net.connect(upstream.port, upstream.host);
    sockets.add(client).add(up);
    let mode: 'command' | 'data' | 'held' = 'command';
    let line = '';
    let data = '';
    let heldKey: string | undefined;
    let holdReplies = false;

    const close = () => {
      if (heldKey) heldNow.delete(heldKey);
      client.destroy();
      up.destroy();
      sockets.delete(client);
      sockets.delete(up);
    };
    client.on('close', close).on('error', close);
    up.on('close', close).on('error', close);

    up.on('data', (chunk: Buffer) => {
      if (holdReplies) {
        // The server answered the held message: it has kept it; the worker will not hear so.
        if (heldKey) heldNow.add(heldKey);
        return;
      }
      client.write(chunk);
    });

    client.on('data', (chunk: Buffer) => {
      let text = chunk.toString('latin1');
      while (text.length > 0) {
        if (mode === 'held') return; // everything after a withheld end of data stays here
        if (mode === 'command') {
          const nl = text.indexOf('\n');
          const part = nl < 0 ? text : text.slice(0, nl + 1);
          text = nl < 0 ? '' : text.slice(nl + 1);
          up.write(Buffer.from(part, 'latin1'));
          line += part;
          if (line.endsWith('\n')) {
            if (/^DATA\r?\n$/i.test(line)) mode = 'data';
            line = '';
          }
          continue;
        }
        // Data: collect the message until its end, then decide whether it passes.
        data += text;
        text = '';
        const end = data.indexOf(END_OF_DATA);
        if (end < 0) continue;
        const message = data.slice(0, end + END_OF_DATA.length);
        text = data.slice(end + END_OF_DATA.length);
        data = '';
        const headers = message.slice(0, message.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
        const effect = /^X-Creditflow-Effect:[ \t]*(.+?)\r?$/im.exec(headers)?.[1];
        // A grouped message (docs/correspondence.md) counts and holds under each of its items too.
        const items = /^X-Creditflow-Items:[ \t]*(.+?)\r?$/im.exec(headers)?.[1]?.split(/\s+/) ?? [];
        for (const k of [...(effect ? [effect] : []), ...items]) sent.set(k, (sent.get(k) ?? 0) + 1);
        const key = [...(effect ? [effect] : []), ...items].find((k) => holds.has(k)) ?? effect;
        const hold = key ? holds.get(key) : undefined;
        if (key && hold) holds.delete(key);
        if (key && hold === 'before-server') {
          heldKey = key;
          heldNow.add(key);
          up.write(Buffer.from(message.slice(0, end), 'latin1')); // all but the final "."
          mode = 'held';
          return;
        }
        up.write(Buffer.from(message, 'latin1'));
        mode = 'command';
        if (key && hold === 'after-server') {
          heldKey = key;
          holdReplies = true;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    hold: (key, where) => {
      holds.set(key, where);
    },
    held: () => [...heldNow],
    deliveries: (key) => sent.get(key) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
