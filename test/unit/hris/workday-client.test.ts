import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WorkdayClient, WorkdayClientError, type WorkdayClientOptions } from '../../../src/hris/workday/client';
import type { WorkdayWorker } from '../../../src/hris/workday/worker';
import { start, type WorkdayPeer, type WorkdayPeerWorker } from '../../peers/workday-peer';

const username = 'ISU_JML@acme';
const password = `s3cret&<pass>"word'`;
const wid = (c: string) => c.repeat(32);

let peer: WorkdayPeer;
beforeAll(async () => {
  peer = await start({ username, password });
});
afterAll(async () => {
  await peer.close();
});
beforeEach(() => peer.failWith(undefined));

const client = (overrides: Partial<WorkdayClientOptions> = {}) => new WorkdayClient({ apiUrl: peer.url, username, password, timeoutMs: 5_000, ...overrides });

const ada: WorkdayPeerWorker = {
  workerId: '21001',
  wid: wid('a'),
  firstName: 'Ada',
  lastName: 'Lovelace',
  workEmail: 'ada@acme.test',
  homeEmail: 'ada@home.test',
  jobTitle: 'Site Reliability Engineer',
  jobProfileName: 'Engineer III',
  department: 'Engineering',
  division: 'Acme Ltd',
  costCenter: 'R&D',
  location: 'London Office',
  locationId: 'LON',
  timeZone: 'Europe/London',
  employmentType: 'Regular',
  managementChain: ['10000', '20000'],
  active: true,
  hireDate: '2026-03-16',
  rehire: false,
  terminationInvoluntary: false,
  transactions: [
    { wid: wid('1'), type: 'Hire Employee', effectiveMoment: '2026-03-16T00:00:00.000-08:00', enteredMoment: '2026-03-01T10:00:00.000-08:00' },
    { wid: wid('2'), type: 'Change Job', effectiveMoment: '2026-04-01T00:00:00.000-08:00', enteredMoment: '2026-03-20T09:30:00.000-08:00', corrected: true },
  ],
};

describe('getWorker', () => {
  it('reads every attribute the engine uses, over SOAP with WS-Security', async () => {
    peer.setWorker(ada);
    const before = peer.requests().length;
    const worker = await client().getWorker('21001');
    const expected: WorkdayWorker = {
      workerId: '21001',
      wid: wid('a'),
      workerType: 'employee',
      firstName: 'Ada',
      lastName: 'Lovelace',
      workEmail: 'ada@acme.test',
      customIds: {},
      jobTitle: 'Site Reliability Engineer',
      department: 'Engineering',
      division: 'Acme Ltd',
      location: 'London Office',
      locationRef: { type: 'Location_ID', id: 'LON' },
      timeZone: 'Europe/London',
      employmentType: 'Regular',
      managerId: '20000',
      active: true,
      hireDate: '2026-03-16',
      rehire: false,
      terminationInvoluntary: false,
      transactions: [
        { wid: wid('1'), type: 'Hire Employee', effectiveMoment: '2026-03-16T00:00:00.000-08:00', enteredMoment: '2026-03-01T10:00:00.000-08:00', rescinded: false, corrected: false },
        { wid: wid('2'), type: 'Change Job', effectiveMoment: '2026-04-01T00:00:00.000-08:00', enteredMoment: '2026-03-20T09:30:00.000-08:00', rescinded: false, corrected: true },
      ],
      transactionLogIncluded: true,
    };
    expect(worker).toEqual(expected);

    const [get, locations] = peer.requests().slice(before);
    expect(get).toMatchObject({ operation: 'Get_Workers', authorized: true, status: 200, contentType: 'text/xml; charset=utf-8' });
    expect(get!.body).toContain('<wd:ID wd:type="Employee_ID">21001</wd:ID>');
    expect(get!.body).toContain('wd:Skip_Non_Existing_Instances="false"');
    expect(get!.body).toContain('wd:version="v43.0"');
    for (const flag of ['Include_Personal_Information', 'Include_Employment_Information', 'Include_Organizations', 'Include_Management_Chain_Data', 'Include_Transaction_Log_Data']) {
      expect(get!.body).toContain(`<wd:${flag}>true</wd:${flag}>`);
    }
    expect(locations).toMatchObject({ operation: 'Get_Locations', status: 200 });
    expect(locations!.body).toContain('<wd:ID wd:type="Location_ID">LON</wd:ID>');

    await client().getWorker('21001');
    const again = client();
    await again.getWorker('21001');
    const count = peer.requests().length;
    await again.getWorker('21001');
    expect(peer.requests().slice(count).map((r) => r.operation)).toEqual(['Get_Workers']); // the zone is remembered
  });

  it("reads the worker's Custom IDs (Personal_Data/Identification_Data) by Custom_ID_Type_ID", async () => {
    peer.setWorker({ ...ada, workerId: '21009', customIds: { GitHub_Username: 'ada-gh', Badge_ID: 'B-7' } });
    const worker = await client().getWorker('21009');
    expect(worker!.customIds).toEqual({ GitHub_Username: 'ada-gh', Badge_ID: 'B-7' });
    expect(worker!.workEmail).toBe('ada@acme.test');
  });

  it('finds a contingent worker by Contingent_Worker_ID and skips the worker in their own chain', async () => {
    peer.setWorker({
      workerId: 'C-77',
      workerType: 'contingent',
      firstName: 'Grace',
      lastName: 'Hopper',
      employmentType: 'Contractor',
      department: 'Platform',
      managementChain: ['10000', '20000', 'C-77'],
    });
    const worker = await client({ resolveTimeZones: false }).getWorker('C-77');
    expect(worker).toMatchObject({ workerId: 'C-77', workerType: 'contingent', employmentType: 'Contractor', department: 'Platform', managerId: '20000' });
    expect(worker?.workEmail).toBeUndefined();
    expect(worker?.timeZone).toBeUndefined();
  });

  it('is undefined for a worker Workday does not know', async () => {
    const before = peer.requests().length;
    expect(await client().getWorker('99999')).toBeUndefined();
    const tried = peer.requests().slice(before);
    expect(tried.map((r) => r.status)).toEqual([500, 500]);
    expect(tried[0]!.body).toContain('wd:type="Employee_ID"');
    expect(tried[1]!.body).toContain('wd:type="Contingent_Worker_ID"');
  });

  it('serves the version effective on As_Of_Effective_Date', async () => {
    peer.setWorker({ ...ada, workerId: '21002', wid: wid('b'), jobTitle: 'Engineer' });
    peer.setWorker({ ...ada, workerId: '21002', wid: wid('b'), jobTitle: 'Staff Engineer', department: 'Infrastructure' }, { effectiveFrom: '2026-06-01' });
    const early = await client().getWorker('21002', { effective: '2026-05-31' });
    const late = await client().getWorker('21002', { effective: '2026-06-01', entryMoment: '2026-05-20T12:00:00Z' });
    expect(early).toMatchObject({ jobTitle: 'Engineer', department: 'Engineering' });
    expect(late).toMatchObject({ jobTitle: 'Staff Engineer', department: 'Infrastructure' });
    const body = peer.requests().findLast((r) => r.operation === 'Get_Workers')!.body;
    expect(body).toContain('<wd:As_Of_Effective_Date>2026-06-01</wd:As_Of_Effective_Date>');
    expect(body).toContain('<wd:As_Of_Entry_DateTime>2026-05-20T12:00:00Z</wd:As_Of_Entry_DateTime>');
  });

  it('escapes what it sends and reads back escaped text', async () => {
    peer.setWorker({ workerId: '21003', firstName: 'Seán', lastName: `O'Brien & <Sons>`, jobTitle: 'R&D "Lead"' });
    const worker = await client().getWorker('21003');
    expect(worker).toMatchObject({ firstName: 'Seán', lastName: `O'Brien & <Sons>`, jobTitle: 'R&D "Lead"' });

    const before = peer.requests().length;
    expect(await client().getWorker(`O'Brien&<x>`)).toBeUndefined();
    const sent = peer.requests()[before]!;
    expect(sent.authorized).toBe(true); // the password itself went escaped, and was understood
    expect(sent.body).toContain('<wd:ID wd:type="Employee_ID">O&apos;Brien&amp;&lt;x&gt;</wd:ID>');
    expect(sent.body).toContain('<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">s3cret&amp;&lt;pass&gt;&quot;word&apos;</wsse:Password>');
  });
});

describe('errors', () => {
  async function failure(promise: Promise<unknown>): Promise<WorkdayClientError> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkdayClientError);
    const error = err as WorkdayClientError;
    for (const text of [error.message, String(error.stack), JSON.stringify(error)]) expect(text).not.toContain(password);
    return error;
  }

  it('a wrong password is workday_unauthorized, not retryable', async () => {
    const error = await failure(client({ password: 'wrong-password' }).getWorker('21001'));
    expect(error).toMatchObject({ code: 'workday_unauthorized', status: 500, faultCode: 'SOAP-ENV:Client.authenticationError', retryable: false });
    expect(error.message).toContain('invalid username or password');
    expect(error.message).not.toContain('wrong-password');
  });

  it('503 is workday_unavailable and retryable', async () => {
    peer.failWith(503);
    const error = await failure(client().getWorker('21001'));
    expect(error).toMatchObject({ code: 'workday_unavailable', status: 503, retryable: true });
    await failure(client().changedWorkers({ from: '2026-03-01T00:00:00Z', through: '2026-03-02T00:00:00Z' }));
  });

  it('a connection failure or timeout is workday_unavailable', async () => {
    const refused = await failure(new WorkdayClient({ apiUrl: 'http://127.0.0.1:1/ccx/service/acme/Human_Resources/v43.0', username, password }).getWorker('1'));
    expect(refused).toMatchObject({ code: 'workday_unavailable', retryable: true });
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)));
    const timedOut = await failure(client({ fetch: hanging, timeoutMs: 50 }).getWorker('1'));
    expect(timedOut.message).toContain('no answer within 50 ms');
  });

  it('an answer that is not SOAP is workday_bad_response; a fault never echoes the password', async () => {
    const html: typeof fetch = async () => new Response('<html><body>Maintenance</body>', { status: 200 });
    expect(await failure(client({ fetch: html }).getWorker('1'))).toMatchObject({ code: 'workday_bad_response', retryable: false });
    const echo: typeof fetch = async () =>
      new Response(
        `<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault>` +
          `<faultcode>SOAP-ENV:Client.validationError</faultcode><faultstring>Validation error occurred. 's3cret&amp;&lt;pass&gt;&quot;word&apos;' is too long</faultstring>` +
          '</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>',
        { status: 500 },
      );
    const error = await failure(client({ fetch: echo }).getWorker('1'));
    expect(error).toMatchObject({ code: 'workday_bad_response', status: 500 });
    expect(error.message).toContain('[redacted]');
  });
});

describe('changedWorkers', () => {
  it('pages through workers with a transaction entered in the window', async () => {
    const inWindow = (n: number): WorkdayPeerWorker => ({
      workerId: `3000${n}`,
      firstName: `Worker${n}`,
      transactions: [{ wid: wid(String.fromCharCode(99 + n)), type: 'Change Job', effectiveMoment: '2026-05-01T00:00:00.000-07:00', enteredMoment: `2026-04-10T0${n}:00:00Z` }],
    });
    for (let n = 1; n <= 5; n++) peer.setWorker(inWindow(n));
    peer.setWorker({ ...inWindow(6), transactions: [{ wid: wid('z'), type: 'Change Job', enteredMoment: '2026-04-12T00:00:00Z' }] });

    const paged = client({ pageSize: 2 });
    const window = { from: '2026-04-10T00:00:00Z', through: '2026-04-11T00:00:00Z' };
    const first = await paged.changedWorkers(window);
    expect(first).toMatchObject({ page: 1, totalPages: 3, totalResults: 5 });
    const pages = [first, await paged.changedWorkers(window, 2), await paged.changedWorkers(window, 3)];
    expect(pages.map((p) => p.workers.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.workers.map((w) => w.workerId))).toEqual(['30001', '30002', '30003', '30004', '30005']);
    expect(pages[2]!.workers[0]!.transactions[0]).toMatchObject({ type: 'Change Job', enteredMoment: '2026-04-10T05:00:00Z' });

    const body = peer.requests().findLast((r) => r.operation === 'Get_Workers')!.body;
    expect(body).toContain(
      '<wd:Transaction_Log_Criteria_Data><wd:Transaction_Date_Range_Data><wd:Updated_From>2026-04-10T00:00:00Z</wd:Updated_From><wd:Updated_Through>2026-04-11T00:00:00Z</wd:Updated_Through>',
    );
    expect(body).toContain('<wd:Page>3</wd:Page><wd:Count>2</wd:Count>');
    expect(body).toContain('<wd:Include_Transaction_Log_Data>true</wd:Include_Transaction_Log_Data>');
  });

  it('refuses a malformed window before calling Workday', async () => {
    await expect(client().changedWorkers({ from: 'yesterday', through: '2026-04-11T00:00:00Z' })).rejects.toThrow(RangeError);
    await expect(client().changedWorkers({ from: '2026-04-11T00:00:00Z', through: '2026-04-10T00:00:00Z' })).rejects.toThrow(RangeError);
  });
});
