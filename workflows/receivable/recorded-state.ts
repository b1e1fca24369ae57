/**
 * What the receivable's snapshot in PostgreSQL already holds, as far as the workflow knows,
 * so that an activity carries only the fields that changed since, not the whole state: the
 * activity reads the rest from that snapshot (activities/receivable/activities.ts `stateOf`).
 * Plain, deterministic code; no Temporal import.
 *
 * A write that is still running may land after a later one (an Update's record beside a
 * step's), and the snapshot keeps only the newest version: so every field sent in a write
 * still running is sent again until none runs, and what is "recorded" advances only to the
 * newest version whose write completed.
 */
import type { ReceivableState } from './contract.js';

export interface ReceivableChanges {
  receivableId: string;
  stateVersion: number;
  /** The state's fields that differ from the recorded snapshot (every field before the first write). */
  changed: Partial<ReceivableState>;
}

export interface RecordedState {
  /** The changes an activity that reads needs (e-mails, tasks, the legal proposal). */
  changes(): ReceivableChanges;
  /**
   * The changes for an activity that writes the snapshot; `written()` once it completed.
   */
  write(): { changes: ReceivableChanges; written(): void; abandoned(): void };
}

export function createRecordedState(current: () => ReceivableState): RecordedState {
  /** Field → its JSON in the newest snapshot known written. */
  let recorded = new Map<string, string>();
  let recordedVersion = -1;
  /** Fields sent in writes still running. */
  const unsettled = new Set<string>();
  let running = 0;

  function diff() {
    const state = current();
    const now = new Map<string, string>();
    const changed: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(state)) {
      const json = JSON.stringify(value);
      now.set(field, json);
      if (recorded.get(field) !== json || unsettled.has(field)) changed[field] = value;
    }
    const changes: ReceivableChanges = {
      receivableId: state.receivableId,
      stateVersion: state.stateVersion,
      changed: changed as Partial<ReceivableState>,
    };
    return { changes, now };
  }

  const settle = () => {
    running -= 1;
    if (running === 0) unsettled.clear();
  };

  return {
    changes: () => diff().changes,
    write() {
      const { changes, now } = diff();
      running += 1;
      for (const field of Object.keys(changes.changed)) unsettled.add(field);
      return {
        changes,
        written() {
          if (changes.stateVersion >= recordedVersion) {
            recorded = now;
            recordedVersion = changes.stateVersion;
          }
          settle();
        },
        abandoned: settle,
      };
    },
  };
}
