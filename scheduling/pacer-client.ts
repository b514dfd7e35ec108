/**
 * Asking an account's pacer for posting times from outside a workflow: an Update sent with
 * update-with-start, so the first request for an account starts its pacer and every later
 * one (from any bulk, any worker) reaches the same running pacer.
 */
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { accountPacerWorkflowId } from '../contracts/names';
import type { Reservation } from './plan';
import { AccountPacer, reserveSlotsUpdate, type ReserveSlotsRequest, type ReservedSlot } from '../workflows/account-pacer';

export interface PacerClient {
  /**
   * Reserves times for posts of one account. `recent` seeds a pacer that is not running
   * (the account's recent posts, from the database).
   */
  reserve(account: { platform: string; accountId: string }, request: ReserveSlotsRequest, recent: () => Promise<Reservation[]>): Promise<ReservedSlot[]>;
  close(): Promise<void>;
}

/** A pacer client over a Temporal client opened on first use. */
export function createPacerClient(connect: () => Promise<{ client: Client; close(): Promise<void> }>, taskQueue: string): PacerClient {
  let connection: Promise<{ client: Client; close(): Promise<void> }> | undefined;
  return {
    async reserve({ platform, accountId }, request, recent) {
      // A failed connect is not kept: the next request (the activity's retry) connects again.
      connection ??= connect().catch((err: unknown) => {
        connection = undefined;
        throw err;
      });
      const { client } = await connection;
      const workflowId = accountPacerWorkflowId(platform, accountId);
      // Read every time, used only when this request starts the pacer (a running one knows better).
      const reservations = await recent();
      return client.workflow.executeUpdateWithStart(reserveSlotsUpdate, {
        args: [request],
        startWorkflowOperation: new WithStartWorkflowOperation(AccountPacer, {
          workflowId,
          taskQueue,
          args: [{ platform, accountId, reservations }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          staticSummary: `Posting times of ${platform} account ${accountId}`,
        }),
      });
    },
    async close() {
      if (connection) await (await connection).close();
    },
  };
}
