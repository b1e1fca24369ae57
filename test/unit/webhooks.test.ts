import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_SCHEDULE,
  isDelivered,
  nextRetry,
  retryDelayMs,
  signatureHeader,
  verifySignature,
  WEBHOOK_EVENT_TYPES,
  webhookEventForRecord,
} from '../../domain/webhooks.js';

const SECRET = 'whsec_test';
const BODY = '{"id":"evt_1","type":"receivable.warning"}';
const T = 1_700_000_000;

describe('webhook signature', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    // Computed independently: printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac whsec_test
    expect(signatureHeader(SECRET, BODY, T)).toBe(
      't=1700000000,v1=21ac822745767008888a3e165280d69bd772f92245b99189230c133281a6aead',
    );
  });

  it('verifies with the secret, within the tolerance', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifySignature(SECRET, BODY, header, T)).toEqual({ ok: true, timestamp: T });
    expect(verifySignature(SECRET, BODY, header, T + 300)).toEqual({ ok: true, timestamp: T });
    expect(verifySignature(SECRET, BODY, header, T - 300)).toEqual({ ok: true, timestamp: T });
  });

  it('refuses another body, another secret, a changed timestamp, an old signature', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifySignature(SECRET, `${BODY} `, header, T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature('whsec_other', BODY, header, T)).toEqual({ ok: false, reason: 'mismatch' });
    const moved = header.replace(`t=${T}`, `t=${T + 1}`);
    expect(verifySignature(SECRET, BODY, moved, T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, BODY, header, T + 301)).toEqual({ ok: false, reason: 'expired' });
    expect(verifySignature(SECRET, BODY, header, T + 3600, 7200)).toEqual({ ok: true, timestamp: T });
  });

  it('refuses malformed headers', () => {
    for (const h of [
      undefined,
      '',
      'v1=abc',
      `t=${T}`,
      `t=x,v1=${'0'.repeat(64)}`,
      'garbage',
      `t=${T},v1=zz`,
    ])
      expect(verifySignature(SECRET, BODY, h, T)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts a header carrying several v1 signatures when one matches (secret rotation)', () => {
    const good = signatureHeader(SECRET, BODY, T).split(',')[1];
    const other = signatureHeader('whsec_old', BODY, T).split(',')[1];
    expect(verifySignature(SECRET, BODY, `t=${T},${other},${good}`, T).ok).toBe(true);
  });

  it('any body and secret round-trip; any other secret fails', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (body, a, b) => {
        const header = signatureHeader(a, body, T);
        expect(verifySignature(a, body, header, T).ok).toBe(true);
        if (a !== b) expect(verifySignature(b, body, header, T).ok).toBe(false);
      }),
    );
  });
});

describe('webhook retry schedule', () => {
  const S = DEFAULT_RETRY_SCHEDULE;

  it('defaults: 30 s doubling, capped at 1 h, 12 attempts', () => {
    expect(S).toEqual({ baseMs: 30_000, factor: 2, capMs: 3_600_000, maxAttempts: 12 });
  });

  it('waits between half and all of base × 2^(attempt−1), capped', () => {
    // random 0 → the lower half-point; random → 1 → the full exponential value.
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, S, 0))).toEqual([15_000, 30_000, 60_000, 120_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, S, 0.999_999_9))).toEqual([
      29_999, 59_999, 119_999, 239_999,
    ]);
    expect(retryDelayMs(8, S, 0)).toBe(1_800_000); // 30 s × 128 = 64 min, over the cap
    expect(retryDelayMs(8, S, 0.999_999_9)).toBe(3_599_999);
    expect(retryDelayMs(11, S, 0.5)).toBe(2_700_000);
  });

  it('gives up after the last attempt', () => {
    expect(nextRetry(11, S, 0)).toBe(retryDelayMs(11, S, 0));
    expect(nextRetry(12, S, 0)).toBeNull();
    expect(nextRetry(1, { ...S, maxAttempts: 1 }, 0)).toBeNull();
  });

  it('for any jitter, waits grow attempt by attempt until the cap and never pass it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600_000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 11,
          maxLength: 11,
        }),
        (baseMs, randoms) => {
          const schedule = { ...S, baseMs };
          const waits = randoms.map((r, i) => nextRetry(i + 1, schedule, r) as number);
          for (const [i, w] of waits.entries()) {
            expect(w).toBeGreaterThanOrEqual(0);
            expect(w).toBeLessThanOrEqual(schedule.capMs);
            const prev = waits[i - 1];
            const uncapped = baseMs * 2 ** i;
            if (prev !== undefined && uncapped <= schedule.capMs) expect(w).toBeGreaterThan(prev);
          }
          expect(nextRetry(12, schedule, randoms[0] ?? 0)).toBeNull();
        },
      ),
    );
  });

  it('only a 2xx answer is delivered', () => {
    expect([200, 201, 204, 299].every(isDelivered)).toBe(true);
    expect([199, 301, 302, 400, 410, 429, 500, 503].some(isDelivered)).toBe(false);
  });
});

describe('published receivable events', () => {
  it('the escalation steps and the legal answer are published; other records are not', () => {
    expect(webhookEventForRecord('step-reminder')).toBe('receivable.reminder');
    expect(webhookEventForRecord('step-dueCheck')).toBe('receivable.due-check');
    expect(webhookEventForRecord('step-secondNotice')).toBe('receivable.second-notice');
    expect(webhookEventForRecord('step-warning')).toBe('receivable.warning');
    expect(webhookEventForRecord('legal-escalation-confirmed')).toBe('receivable.legal-escalation-confirmed');
    expect(webhookEventForRecord('legal-escalation-held')).toBe('receivable.legal-escalation-held');
    // step-legal is recorded after the manager's answer, which is published on its own;
    // receivable.legal is published when the +30 escalation is proposed.
    expect(webhookEventForRecord('step-legal')).toBeUndefined();
    expect(webhookEventForRecord('payment-received')).toBeUndefined();
    expect(webhookEventForRecord('late-reason-recorded')).toBeUndefined();
    expect(WEBHOOK_EVENT_TYPES).toContain('receivable.legal');
  });
});
