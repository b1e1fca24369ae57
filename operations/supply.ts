/**
 * Stopping and resuming supply to a counterparty, each recorded as a credit fact. A block
 * has a source (a receivable 15+ days overdue, a manager's credential, a terminated
 * cooperation); supply runs while no block is left. The receivable's +15 step, its end, and
 * a manager's override all go through `stop` and `lift` here.
 */
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { type Actor, actorSource } from '../domain/actor.js';
import type { CreditRecordInput } from '../store/credit-record.js';
import type { Store } from '../store/index.js';
import type { ReceivableState } from '../workflows/receivable/contract.js';

/** The credit record of a supply act, about the counterparty. */
type SupplyRecord = Omit<CreditRecordInput, 'subjectType' | 'subjectId'>;

/** What a receivable's supply act needs of it, and the keys it is done once under. */
export interface ReceivableSupplyAct {
  receivableId: string;
  counterpartyId: string;
  /** Claimed once in the effects ledger: a retry answers what the first run did. */
  effectKey: string;
  /** The credit record's idempotency key. */
  recordKey: string;
}

export function createSupplyOperations(store: Store) {
  const { counterparties, creditRecord, effects } = store;

  /** Adds `block` and records it; whether supply was running until now (undefined: no such counterparty). */
  async function stop(
    client: PoolClient,
    counterpartyId: string,
    block: { source: string; reason: string },
    record: SupplyRecord,
  ): Promise<boolean | undefined> {
    const wasRunning = await counterparties.addSupplyBlock(
      client,
      counterpartyId,
      block.source,
      block.reason,
    );
    if (wasRunning === undefined) return undefined;
    await creditRecord.append(client, { subjectType: 'counterparty', subjectId: counterpartyId, ...record });
    return wasRunning;
  }

  /**
   * Lifts one source's block (or every block: `source` null) and records it; the sources lifted
   * and whether supply runs now (undefined: no such counterparty).
   */
  async function lift(
    client: PoolClient,
    counterpartyId: string,
    source: string | null,
    record: (lifted: { sources: string[]; resumed: boolean }) => SupplyRecord,
  ): Promise<{ sources: string[]; resumed: boolean } | undefined> {
    const removed = await counterparties.removeSupplyBlocks(client, counterpartyId, source);
    if (!removed) return undefined;
    const lifted = { sources: removed.lifted, resumed: removed.lifted.length > 0 && removed.running };
    await creditRecord.append(client, {
      subjectType: 'counterparty',
      subjectId: counterpartyId,
      ...record(lifted),
    });
    return lifted;
  }

  return {
    /**
     * The +15 step: the receivable's own block, once. Whether supply was running until now
     * (the first block: sales, finance and the desk hear of it).
     */
    async stopForOverdueReceivable(
      act: ReceivableSupplyAct & { dueDate: string | null; outstandingMinor: number },
    ): Promise<{ supplyWasRunning: boolean }> {
      return effects.onceInTransaction(act.effectKey, 'supply-stop', act.receivableId, async (client) => {
        const wasRunning = await stop(
          client,
          act.counterpartyId,
          { source: act.receivableId, reason: `receivable ${act.receivableId} 15+ days overdue` },
          {
            eventType: 'supply-stopped',
            payload: {
              receivableId: act.receivableId,
              dueDate: act.dueDate,
              outstandingMinor: act.outstandingMinor,
            },
            source: `receivable:${act.receivableId}`,
            idempotencyKey: act.recordKey,
          },
        );
        return { supplyWasRunning: wasRunning === true };
      });
    },

    /**
     * The receivable no longer stops supply (paid, extended, written off): lifts its block, once,
     * together with the workflow's snapshot as it stands now. Whether supply resumed.
     */
    async liftReceivableBlock(
      act: ReceivableSupplyAct,
      snapshot: ReceivableState,
    ): Promise<{ supplyResumed: boolean }> {
      return effects.onceInTransaction(act.effectKey, 'supply-resume', act.receivableId, async (client) => {
        const lifted = await lift(client, act.counterpartyId, act.receivableId, ({ resumed }) => ({
          eventType: resumed ? 'supply-resumed' : 'supply-block-lifted',
          payload: { receivableId: act.receivableId },
          source: `receivable:${act.receivableId}`,
          idempotencyKey: act.recordKey,
        }));
        await store.receivables.saveSnapshot(client, snapshot);
        return { supplyResumed: lifted?.resumed === true };
      });
    },

    /** The manager confirmed ending the cooperation: a block of its own, once. */
    async terminateCooperation(act: ReceivableSupplyAct & { litigation: boolean }): Promise<void> {
      await effects.onceInTransaction(
        act.effectKey,
        'cooperation-terminated',
        act.receivableId,
        async (client) => {
          await stop(
            client,
            act.counterpartyId,
            { source: `terminated:${act.receivableId}`, reason: 'cooperation terminated' },
            {
              eventType: 'cooperation-terminated',
              payload: { receivableId: act.receivableId, litigation: act.litigation },
              source: `receivable:${act.receivableId}`,
              idempotencyKey: act.recordKey,
            },
          );
          return true;
        },
      );
    },

    /**
     * A manager's override: stops supply (one manual block per manager's credential), or resumes
     * it lifting every block. Undefined when there is no such counterparty.
     */
    async override(
      counterpartyId: string,
      action: 'stop' | 'resume',
      reason: string,
      actor: Actor,
    ): Promise<{ supplyStopped: boolean; liftedBlocks: string[] } | undefined> {
      const record = (liftedBlocks: string[]): SupplyRecord => ({
        eventType: action === 'resume' ? 'supply-resumed-by-manager' : 'supply-stopped-by-manager',
        payload: { reason, liftedBlocks, actor },
        source: actorSource(actor),
        idempotencyKey: `${counterpartyId}:supply-override:${randomUUID()}`,
      });
      return store.transaction(async (client) => {
        if (action === 'resume') {
          const lifted = await lift(client, counterpartyId, null, ({ sources }) => record(sources));
          return lifted && { supplyStopped: false, liftedBlocks: lifted.sources };
        }
        const stopped = await stop(
          client,
          counterpartyId,
          { source: `manual:${actorSource(actor)}`, reason },
          record([]),
        );
        return stopped === undefined ? undefined : { supplyStopped: true, liftedBlocks: [] };
      });
    },
  };
}

export type SupplyOperations = ReturnType<typeof createSupplyOperations>;
