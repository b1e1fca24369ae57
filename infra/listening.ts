/**
 * A LISTEN connection kept open: reopened when it drops or cannot open, after 0.5 s, doubling
 * to at most 30 s between attempts, and at once back to 0.5 s once it listens again. The
 * credential cache (api/credential-cache.ts) and the policy store (infra/policy.ts) each keep
 * one; what they do on hearing or losing the announcements is theirs.
 */
import type { ListenConnection } from '../store/db.js';

export interface KeptListening {
  /** Opens the connection; resolves once it listens or its first attempt failed (it then retries in the background). */
  start(): Promise<void>;
  /** Stops retrying and closes the connection. */
  close(): Promise<void>;
}

export function keepListening(
  /** Opens a new connection; it calls `lost` when it fails or ends. */
  open: (lost: () => void) => ListenConnection,
  on: { listening?: () => void; lost?: () => void } = {},
): KeptListening {
  let closed = false;
  let connection: ListenConnection | undefined;
  let retry: NodeJS.Timeout | undefined;

  const listen = async (attempt: number): Promise<void> => {
    if (closed) return;
    const again = () => {
      if (closed || connection !== opened) return;
      connection = undefined;
      on.lost?.();
      opened.end().catch(() => {});
      retry = setTimeout(() => void listen(attempt + 1), Math.min(30_000, 500 * 2 ** attempt));
      retry.unref();
    };
    const opened = open(again);
    connection = opened;
    try {
      await opened.start();
      if (closed || connection !== opened) return;
      attempt = 0;
      on.listening?.();
    } catch {
      again();
    }
  };

  return {
    start: () => listen(0),
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = connection;
      connection = undefined;
      await c?.end().catch(() => {});
    },
  };
}
