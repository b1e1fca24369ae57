import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { ReceivableState } from '../../workflows/receivable/contract.js';
import { createRecordedState, laidOver } from '../../workflows/receivable/recorded-state.js';
import { initialState } from '../../workflows/receivable/rules.js';

function receivable(): ReceivableState {
  return initialState({
    application: {
      receivableId: 'R-1',
      counterpartyId: 'CP-1',
      salespersonId: 'SP-1',
      amountMinor: 1_000_000,
      currency: 'CNY',
      requestedTermDays: 30,
    },
    policy: DEFAULT_POLICY,
  });
}

describe('what an activity carries of the receivable (recorded-state)', () => {
  it('the first write carries every field; after it, only what changed', () => {
    const state = receivable();
    const recorded = createRecordedState(() => state);
    const first = recorded.write();
    // Every field but the version, which is the changes' own.
    expect(Object.keys(first.changes.changed).sort()).toEqual(
      Object.keys(state)
        .filter((f) => f !== 'stateVersion')
        .sort(),
    );
    expect(first.changes.stateVersion).toBe(state.stateVersion);
    first.written();
    state.stage = 'issued';
    state.stateVersion = 2;
    expect(recorded.changes()).toEqual({
      receivableId: 'R-1',
      stateVersion: 2,
      changed: { stage: 'issued' },
    });
  });

  it('a write still running has its fields sent again, until no write runs', () => {
    const state = receivable();
    const recorded = createRecordedState(() => state);
    recorded.write().written();
    state.paidMinor = 100;
    state.stateVersion = 1;
    const payment = recorded.write();
    // Another write while the payment's runs (it may land first): it carries the payment's fields too.
    state.lateReasons = [
      { reason: 'holiday', actor: { role: 'system', what: 'test' } as never, on: '2026-12-01' },
    ];
    state.stateVersion = 2;
    const late = recorded.write();
    expect(Object.keys(late.changes.changed).sort()).toEqual(['lateReasons', 'paidMinor']);
    late.written();
    expect(Object.keys(recorded.changes().changed)).toContain('paidMinor');
    payment.written();
    expect(recorded.changes().changed).toEqual({});
  });

  it('what counts as recorded is the newest version written, whatever order the writes complete in', () => {
    const state = receivable();
    const recorded = createRecordedState(() => state);
    recorded.write().written();
    state.stage = 'issued';
    state.stateVersion = 1;
    const older = recorded.write();
    state.stage = 'reminded';
    state.stateVersion = 2;
    const newer = recorded.write();
    newer.written();
    older.written(); // completes last, and is older: the snapshot holds the newer
    expect(recorded.changes().changed).toEqual({});
    state.outstandingMinor = 5;
    expect(recorded.changes().changed).toEqual({ outstandingMinor: 5 });
  });

  it('of the working days, only the days not yet recorded travel, and the reader lays them over the snapshot', () => {
    const state = receivable();
    state.workingDays = { '2027-04-08': { date: '2027-04-08' } };
    const recorded = createRecordedState(() => state);
    const first = recorded.write();
    const snapshot = laidOver(undefined, first.changes);
    first.written();
    state.workingDays = { ...state.workingDays, '2027-04-17': { date: '2027-04-19', why: 'weekend' } };
    state.stateVersion = 1;
    const second = recorded.write();
    expect(second.changes.changed).toEqual({
      workingDays: { '2027-04-17': { date: '2027-04-19', why: 'weekend' } },
    });
    expect(laidOver(snapshot, second.changes)).toEqual(state);
    // While that write runs, another carries its day again (the snapshot may not hold it yet).
    state.workingDays = { ...state.workingDays, '2027-04-23': { date: '2027-04-23' } };
    state.stateVersion = 2;
    expect(Object.keys(recorded.changes().changed.workingDays ?? {})).toEqual(['2027-04-17', '2027-04-23']);
    second.written();
    expect(recorded.changes().changed.workingDays).toEqual({ '2027-04-23': { date: '2027-04-23' } });
    // A whole map (an activity scheduled before entry-by-entry) lays over the same way.
    expect(
      laidOver(snapshot, { ...second.changes, changed: { workingDays: state.workingDays } }).workingDays,
    ).toEqual(state.workingDays);
  });

  it('what a write recorded besides its changes (the checks a filing lays over its snapshot) is not sent again', () => {
    const state = receivable();
    const recorded = createRecordedState(() => state);
    const filing = recorded.write();
    const checks = { recommendation: 'approve', findings: ['within the limit'] } as never;
    filing.written({ checks });
    state.checks = checks;
    state.stage = 'awaiting-approval';
    state.stateVersion = 2;
    expect(recorded.changes().changed).toEqual({ stage: 'awaiting-approval' });
    // Other checks than those recorded are sent.
    state.checks = { ...(checks as object), findings: [] } as never;
    expect(Object.keys(recorded.changes().changed).sort()).toEqual(['checks', 'stage']);
  });

  it('a filing that does not say it recorded the checks leaves them to the next write', () => {
    const state = receivable();
    const recorded = createRecordedState(() => state);
    recorded.write().written(undefined);
    state.checks = { recommendation: 'approve', findings: [] } as never;
    state.stateVersion = 2;
    expect(Object.keys(recorded.changes().changed)).toEqual(['checks']);
  });

  it('an abandoned write counts as not recorded', () => {
    const state = receivable();
    const recorded = createRecordedState(() => state);
    recorded.write().abandoned();
    expect(Object.keys(recorded.changes().changed).sort()).toEqual(
      Object.keys(state)
        .filter((f) => f !== 'stateVersion')
        .sort(),
    );
  });
});
