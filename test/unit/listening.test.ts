/**
 * A LISTEN connection kept open (infra/listening.ts): reopened after a drop or a failed
 * attempt with a doubling wait, told when it listens and when it is lost, and quiet once closed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepListening } from '../../infra/listening.js';

/** Connections the loop opens: each records its start, and fails while `refuse` is set. */
function line() {
  const opened: { lost: () => void; ended: boolean }[] = [];
  const events: string[] = [];
  let refuse = false;
  const kept = keepListening(
    (lost) => {
      const c = { lost, ended: false };
      opened.push(c);
      return {
        async start() {
          if (refuse) throw new Error('connection refused');
        },
        async end() {
          c.ended = true;
        },
      };
    },
    { listening: () => events.push('listening'), lost: () => events.push('lost') },
  );
  return {
    kept,
    opened,
    events,
    refuse: (v: boolean) => {
      refuse = v;
    },
  };
}

describe('a LISTEN connection kept open', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says when it listens, and reopens a dropped connection after half a second', async () => {
    const l = line();
    await l.kept.start();
    expect(l.events).toEqual(['listening']);
    l.opened[0]?.lost();
    expect(l.events).toEqual(['listening', 'lost']);
    expect(l.opened[0]?.ended).toBe(true);
    await vi.advanceTimersByTimeAsync(499);
    expect(l.opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(l.opened).toHaveLength(2);
    expect(l.events).toEqual(['listening', 'lost', 'listening']);
  });

  it('waits twice as long after each failed attempt, at most 30 s, and starts again from 0.5 s once it listens', async () => {
    const l = line();
    l.refuse(true);
    await l.kept.start();
    // Attempts at 0, then after 0.5, 1, 2, 4, 8, 16, 30, 30 s.
    const waits = [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
    for (const [i, wait] of waits.entries()) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(l.opened).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(l.opened).toHaveLength(i + 2);
    }
    l.refuse(false);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(l.events.at(-1)).toBe('listening');
    const listeningAt = l.opened.length;
    l.opened.at(-1)?.lost();
    await vi.advanceTimersByTimeAsync(500);
    expect(l.opened).toHaveLength(listeningAt + 1);
  });

  it('a lost call from a connection it already replaced changes nothing', async () => {
    const l = line();
    await l.kept.start();
    const first = l.opened[0];
    first?.lost();
    await vi.advanceTimersByTimeAsync(500);
    first?.lost();
    expect(l.events).toEqual(['listening', 'lost', 'listening']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(l.opened).toHaveLength(2);
  });

  it('once closed, it ends its connection and opens no other', async () => {
    const l = line();
    await l.kept.start();
    l.opened[0]?.lost();
    await l.kept.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(l.opened).toHaveLength(1);
    const m = line();
    await m.kept.start();
    await m.kept.close();
    expect(m.opened[0]?.ended).toBe(true);
    m.opened[0]?.lost();
    expect(m.events).toEqual(['listening']);
  });
});
