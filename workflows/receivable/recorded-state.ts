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
 *
 * A map that only gains entries (the working days a run asked) is compared entry by entry:
 * only its new or changed entries travel, and the activity lays them over the snapshot's map.
 */
import type { ReceivableState } from './contract.js';

export interface ReceivableChanges {
  receivableId: string;
  stateVersion: number;
  /**
   * The state's fields that differ from the recorded snapshot (every field before the first
   * write); of a map in MERGED_MAPS, only its entries that differ. Not the version: it is
   * `stateVersion` above (writes before sent it here too).
   */
  changed: Partial<ReceivableState>;
}

/** The state's maps whose entries are never removed: sent entry by entry, merged by the reader. */
export const MERGED_MAPS = ['workingDays'] as const satisfies readonly (keyof ReceivableState)[];
const merged: ReadonlySet<string> = new Set<string>(MERGED_MAPS);

/** The receivable from its recorded snapshot and the changes laid over it (the activity's side). */
export function laidOver(recorded: ReceivableState | undefined, changes: ReceivableChanges): ReceivableState {
  const state = { ...recorded, ...changes.changed, stateVersion: changes.stateVersion } as ReceivableState;
  for (const field of MERGED_MAPS)
    if (changes.changed[field]) state[field] = { ...recorded?.[field], ...changes.changed[field] };
  return state;
}

export interface RecordedState {
  /** The changes an activity that reads needs (e-mails, tasks, the legal proposal). */
  changes(): ReceivableChanges;
  /**
   * The changes for an activity that writes the snapshot; `written()` once it completed, with
   * the fields it wrote beyond them (`besides`: the checks a filing lays over its snapshot).
   */
  write(): {
    changes: ReceivableChanges;
    written(besides?: Partial<ReceivableState>): void;
    abandoned(): void;
  };
}

export function createRecordedState(current: () => ReceivableState): RecordedState {
  /** Field (or a merged map's field and entry) → its JSON in the newest snapshot known written. */
  let recorded = new Map<string, string>();
  let recordedVersion = -1;
  /** Fields (and merged maps' entries) sent in writes still running. */
  const unsettled = new Set<string>();
  let running = 0;

  function diff() {
    const state = current();
    const now = new Map<string, string>();
    const changed: Record<string, unknown> = {};
    /** The keys (fields, merged maps' entries) this diff sends. */
    const sent: string[] = [];
    const differs = (key: string, value: unknown) => {
      const json = JSON.stringify(value);
      now.set(key, json);
      const differing = recorded.get(key) !== json || unsettled.has(key);
      if (differing) sent.push(key);
      return differing;
    };
    for (const [field, value] of Object.entries(state)) {
      // The version travels once, as the changes' own (`laidOver` sets it).
      if (field === 'stateVersion') continue;
      if (merged.has(field) && value) {
        const entries = Object.entries(value as Record<string, unknown>).filter(([key, entry]) =>
          differs(`${field}.${key}`, entry),
        );
        if (entries.length) changed[field] = Object.fromEntries(entries);
      } else if (differs(field, value)) changed[field] = value;
    }
    const changes: ReceivableChanges = {
      receivableId: state.receivableId,
      stateVersion: state.stateVersion,
      changed: changed as Partial<ReceivableState>,
    };
    return { changes, now, sent };
  }

  const settle = () => {
    running -= 1;
    if (running === 0) unsettled.clear();
  };

  return {
    changes: () => diff().changes,
    write() {
      const { changes, now, sent } = diff();
      running += 1;
      for (const key of sent) unsettled.add(key);
      return {
        changes,
        written(besides) {
          if (changes.stateVersion >= recordedVersion) {
            for (const [field, value] of Object.entries(besides ?? {})) now.set(field, JSON.stringify(value));
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
