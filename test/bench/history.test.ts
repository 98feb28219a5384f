import { readFile } from 'node:fs/promises';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { activityTimes, type HistoryEvent } from '../../bench/history';

/** Step times read from recorded histories: regular activities from their task events, local ones from their markers. */
async function events(file: string): Promise<HistoryEvent[]> {
  const json: unknown = JSON.parse(await readFile(new URL(`../replay/histories/${file}`, import.meta.url), 'utf8'));
  return temporal.api.history.v1.History.fromObject(json as Record<string, unknown>).events;
}

const ms = (seconds: number, nanos: number) => seconds * 1000 + Math.floor(nanos / 1e6);

describe('activityTimes', () => {
  it('reads a local activity from its marker: scheduled and completed as the marker records them', async () => {
    const plan = activityTimes(await events('leaver-immediate.json'), 'planLeaver');
    expect(plan).toEqual([{ scheduled: ms(1796169363, 691849418), started: ms(1796169363, 691849418), completed: ms(1796169363, 727377454), local: true }]);
  });

  it('takes the marker event time as completion when the recorded completion is earlier than the schedule', async () => {
    const [record] = activityTimes(await events('employee-immediate-leaver.json'), 'recordHrEvent');
    expect(record).toMatchObject({ local: true, scheduled: ms(1796169363, 603613315) });
    expect(record!.completed).toBe(ms(1796169363, 650687646));
  });

  it('reads a regular activity from its scheduled, started and completed events', async () => {
    const kills = activityTimes(await events('leaver-immediate.json'), 'killSessions');
    expect(kills).toHaveLength(1);
    expect(kills[0]).toMatchObject({ local: false, scheduled: ms(1796169363, 791191622) });
    expect(kills[0]!.started).toBeGreaterThanOrEqual(kills[0]!.scheduled);
    expect(kills[0]!.completed).toBeGreaterThan(kills[0]!.started!);
  });

  it('finds nothing for a type the history does not hold', async () => {
    expect(activityTimes(await events('leaver-immediate.json'), 'recordHrEvent')).toEqual([]);
  });
});
