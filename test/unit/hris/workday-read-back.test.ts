import { describe, expect, it } from 'vitest';
import { defaultWorkdayProcesses } from '../../../src/hris/workday/normalize';
import { workdayReadBack, WorkdayUnconfirmed } from '../../../src/hris/workday/read-back';
import type { WorkdayWorker } from '../../../src/hris/workday/worker';

/** Which notifications Workday's record confirms; the worker is what Get_Workers returned. */
const wid = 'a'.repeat(32);
const context = { receivedAt: '2026-03-10T09:00:00.000Z' };
const base: WorkdayWorker = { workerId: '42', workerType: 'employee', active: true, hireDate: '2024-01-08', customIds: {}, transactions: [], transactionLogIncluded: true };
const readBack = (worker: WorkdayWorker) => workdayReadBack({ getWorker: async () => worker }, defaultWorkdayProcesses);
const notice = (businessProcessType: string) => ({ workerId: '42', businessProcessType, effectiveMoment: '2026-03-09', transactionLogWid: wid });
const why = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as WorkdayUnconfirmed).why;

describe('Workday read-back confirmation', () => {
  it('confirms the logged transaction and takes the process type Workday logged', async () => {
    const worker = { ...base, active: false, terminationDate: '2026-03-09', transactions: [{ wid, type: 'End Contingent Worker Contract', rescinded: false, corrected: false }] };
    await expect(readBack(worker)(notice('Terminate Employee'), context)).resolves.toMatchObject({ eventId: `workday:${wid}`, kind: 'terminate' });
  });

  it('refuses a WID the log does not hold, and one logged as a process of another kind', async () => {
    expect(await why(readBack(base)(notice('Terminate Employee'), context))).toBe('transaction_not_in_log');
    const hired = { ...base, transactions: [{ wid, type: 'Hire Employee', rescinded: false, corrected: false }] };
    expect(await why(readBack(hired)(notice('Terminate Employee'), context))).toBe('process_type_differs');
  });

  it('still confirms a rescinded transaction of the same kind, as a rescind', async () => {
    const rescinded = { ...base, transactions: [{ wid, type: 'Terminate Employee', rescinded: true, corrected: false }] };
    await expect(readBack(rescinded)(notice('Terminate Employee'), context)).resolves.toMatchObject({ eventId: `workday:rescinded-${wid}`, kind: 'rescind' });
  });

  it('without a transaction log, goes by the worker status', async () => {
    const noLog = { ...base, transactionLogIncluded: false };
    expect(await why(readBack(noLog)(notice('Terminate Employee'), context))).toBe('status_disagrees');
    await expect(readBack({ ...noLog, active: false, terminationDate: '2026-03-09' })(notice('Terminate Employee'), context)).resolves.toMatchObject({ kind: 'terminate' });
    await expect(readBack({ ...noLog, terminationDate: '2026-04-30' })(notice('Terminate Employee'), context)).resolves.toMatchObject({ kind: 'terminate' });
    await expect(readBack(noLog)(notice('Hire Employee'), context)).resolves.toMatchObject({ kind: 'hire' });
    expect(await why(readBack({ ...noLog, active: false })(notice('Hire Employee'), context))).toBe('status_disagrees');
  });

  it('reads nothing back for a process the engine does not act on', async () => {
    let calls = 0;
    const counting = workdayReadBack({ getWorker: async () => (calls++, base) }, defaultWorkdayProcesses);
    await expect(counting(notice('Request Compensation Change'), context)).resolves.toBeUndefined();
    expect(calls).toBe(0);
  });
});
