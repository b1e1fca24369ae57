/** P2F's one activity: one e-mail through the worker's mailer (infra/mail.ts), its effect key in the header. */
import type { Mailer } from '../infra/mail.js';

export const FLOOR_TASK_QUEUE = 'bench-floor';
export const FLOOR_WORKFLOW = 'benchFloor';

export function createFloorActivities(mailer: Mailer) {
  return {
    async sendFloorMail(effectKey: string): Promise<void> {
      await mailer.send({
        to: ['floor@bench.creditflow.local'],
        subject: `Payment reminder ${effectKey}`,
        text: `A payment falls due in seven days (${effectKey}).`,
        html: `<p>A payment falls due in seven days (${effectKey}).</p>`,
        effectKey,
        kind: 'bench-floor',
      });
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
