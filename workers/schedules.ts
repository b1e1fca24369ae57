/**
 * Every schedule creditflow keeps (rating, salesperson assessment, statements, customer scores)
 * is created once and brought up to date each time a worker process that runs the periodic
 * workers starts (WORKER_ROLE all or periodic): the same spec and action again change
 * nothing; a new time zone or day moves it.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

type ScheduleParts = Pick<Parameters<Client['schedule']['create']>[0], 'spec' | 'action'>;

/** A missed run (server down that day) is caught up within a week; never two at once. */
const POLICIES = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' as const };

/** Creates the schedule, or updates the one that exists to this spec and action. */
export async function upsertSchedule(
  client: Client,
  scheduleId: string,
  parts: ScheduleParts,
): Promise<void> {
  const schedule = { ...parts, policies: POLICIES };
  try {
    await client.schedule.create({ scheduleId, ...schedule });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, ...schedule }));
  }
}
