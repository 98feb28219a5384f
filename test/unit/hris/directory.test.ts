import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BambooHrClient } from '../../../src/hris/bamboohr/client';
import { createHrDirectory } from '../../../src/hris/directory';
import { WorkdayClient } from '../../../src/hris/workday/client';
import { start as startBambooPeer, type BambooPeer } from '../../peers/bamboohr-peer';
import { start as startWorkdayPeer, type WorkdayPeer } from '../../peers/workday-peer';

/** A manager's work email, from the HRIS the worker came from (to find them in Slack). */
let bamboo: BambooPeer;
let workday: WorkdayPeer;
let directory: ReturnType<typeof createHrDirectory>;

beforeAll(async () => {
  bamboo = await startBambooPeer({ apiKey: 'directory-key' });
  workday = await startWorkdayPeer({ username: 'isu@acme', password: 'pw' });
  directory = createHrDirectory({
    bamboohr: new BambooHrClient({ apiUrl: bamboo.url, apiKey: 'directory-key' }),
    workday: new WorkdayClient({ apiUrl: workday.url, username: 'isu@acme', password: 'pw', resolveTimeZones: false }),
  });
});

afterAll(async () => {
  await bamboo?.close();
  await workday?.close();
});

describe('HR directory', () => {
  it('reads a BambooHR manager’s work email, lower-cased; unknown or without email: undefined', async () => {
    bamboo.setEmployee('77', { workEmail: 'Mia.Manager@Acme.test' });
    bamboo.setEmployee('78', { workEmail: null });
    expect(await directory.workEmailOf('bamboohr', '77')).toBe('mia.manager@acme.test');
    expect(await directory.workEmailOf('bamboohr', '78')).toBeUndefined();
    expect(await directory.workEmailOf('bamboohr', '404')).toBeUndefined();
  });

  it('reads a Workday manager’s work email over Get_Workers; unknown: undefined', async () => {
    workday.setWorker({ workerId: '21077', workEmail: 'Wade.Boss@Acme.test', active: true });
    expect(await directory.workEmailOf('workday', '21077')).toBe('wade.boss@acme.test');
    expect(await directory.workEmailOf('workday', '21404')).toBeUndefined();
  });

  it('throws when the HRIS is down, so the asking activity retries', async () => {
    bamboo.failWith(503);
    try {
      await expect(directory.workEmailOf('bamboohr', '77')).rejects.toMatchObject({ code: 'bamboohr_unavailable' });
    } finally {
      bamboo.failWith(undefined);
    }
  });
});
