import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';

/**
 * Makes one schedule match the configuration: created, or updated in place when it exists, or
 * deleted when there is nothing to schedule (`options` undefined). Safe at every start-up, from
 * any number of processes. Answers the schedule's ID when it is kept.
 */
export async function ensureSchedule(client: Client, scheduleId: string, options: Omit<ScheduleOptions, 'scheduleId'> | undefined): Promise<string | undefined> {
  if (!options) {
    await client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    return undefined;
  }
  const { state, ...kept } = options;
  try {
    await client.schedule.create({ scheduleId, ...options });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...kept, ...(state ? { state: { ...previous.state, ...state } } : {}) }));
  }
  return scheduleId;
}
