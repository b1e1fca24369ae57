/**
 * The credit record's hashed content, split where PostgreSQL fills in the two values the chain
 * assigns under its lock (migrations/031_credit_record_append.sql): joined again, the parts are
 * exactly the canonical JSON that `recordHash` hashes and verification recomputes.
 */
import { describe, expect, it } from 'vitest';
import { type CreditRecordInput, canonicalJson, contentAround } from '../../store/credit-record.js';

const records: CreditRecordInput[] = [
  {
    subjectType: 'receivable',
    subjectId: 'R-2026-0001',
    eventType: 'application-filed',
    payload: { amountMinor: 1_000_000, counterpartyId: 'D-001', actor: { name: '王芳', role: 'finance' } },
    source: 'credential:cred-1',
    idempotencyKey: 'R-2026-0001:application-filed',
  },
  {
    subjectType: 'counterparty',
    subjectId: '华东经销商 "总店"',
    eventType: 'grade-lowered',
    // Keys out of order at every level, escapes, a line separator, an emoji, an undefined field.
    payload: { z: [3, { b: 'x\\y', a: '\n\u2028' }], a: null, m: '🙂', skipped: undefined },
    source: 'system:overdue-downgrade',
    idempotencyKey: 'cp:华东:grade-lowered:1',
  },
];

describe('credit record content around recordedAt and seq', () => {
  it.each(records)('joins back into the canonical JSON of $eventType', (r) => {
    const recordedAt = '2026-12-07T08:09:10.120Z';
    const seq = 9_007_199_254;
    const payload = canonicalJson(r.payload);
    const { head, tail } = contentAround(r, payload);
    expect(`${head}${JSON.stringify(recordedAt)},"seq":${seq}${tail}`).toBe(
      canonicalJson({ seq, recordedAt, ...r, payload: JSON.parse(payload) }),
    );
  });
});
