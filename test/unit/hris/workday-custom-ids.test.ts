import { describe, expect, it } from 'vitest';
import {
  changedWorkerEvents,
  defaultWorkdayProcesses,
  normalizeWorkdayChange,
  workdayHrFields,
  workdayWorkerHrFields,
  workerAttributes,
} from '../../../src/hris/workday/normalize';
import { child, parseXml } from '../../../src/hris/workday/soap';
import { parseWorkers, type WorkdayWorker } from '../../../src/hris/workday/worker';

/** A Custom_ID as Get_Workers writes it (Custom_IDType: reference, data, shared reference). */
const customId = (type: string, value: string, descriptor = type.replace(/_/g, ' ')) =>
  '<wd:Custom_ID>' +
  `<wd:Custom_ID_Reference wd:Descriptor="${descriptor}"><wd:ID wd:type="WID">${'c'.repeat(32)}</wd:ID></wd:Custom_ID_Reference>` +
  `<wd:Custom_ID_Data><wd:ID>${value}</wd:ID>` +
  `<wd:ID_Type_Reference wd:Descriptor="${descriptor}"><wd:ID wd:type="WID">${'d'.repeat(32)}</wd:ID><wd:ID wd:type="Custom_ID_Type_ID">${type}</wd:ID></wd:ID_Type_Reference>` +
  '<wd:Issued_Date>2024-01-08-08:00</wd:Issued_Date></wd:Custom_ID_Data>' +
  `<wd:Custom_ID_Shared_Reference wd:Descriptor="${descriptor}"><wd:ID wd:type="WID">${'e'.repeat(32)}</wd:ID></wd:Custom_ID_Shared_Reference>` +
  '</wd:Custom_ID>';

function workerXml(identification: string): WorkdayWorker {
  const xml =
    '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>' +
    '<wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc"><wd:Response_Data><wd:Worker>' +
    '<wd:Worker_Reference><wd:ID wd:type="WID">' + 'a'.repeat(32) + '</wd:ID><wd:ID wd:type="Employee_ID">21001</wd:ID></wd:Worker_Reference>' +
    '<wd:Worker_Data><wd:Worker_ID>21001</wd:Worker_ID><wd:Personal_Data>' +
    '<wd:Name_Data><wd:Legal_Name_Data><wd:Name_Detail_Data><wd:First_Name>Ada</wd:First_Name></wd:Name_Detail_Data></wd:Legal_Name_Data></wd:Name_Data>' +
    identification +
    '<wd:Contact_Data/></wd:Personal_Data>' +
    '<wd:Employment_Data><wd:Worker_Status_Data><wd:Active>1</wd:Active></wd:Worker_Status_Data></wd:Employment_Data>' +
    '</wd:Worker_Data></wd:Worker></wd:Response_Data></wd:Get_Workers_Response></env:Body></env:Envelope>';
  return parseWorkers(child(parseXml(xml), 'Envelope', 'Body', 'Get_Workers_Response')!)[0]!;
}

describe('Workday Custom IDs', () => {
  it('reads every Identification_Data/Custom_ID by its Custom_ID_Type_ID', () => {
    const national = '<wd:National_ID><wd:National_ID_Data><wd:ID>QQ123456C</wd:ID></wd:National_ID_Data></wd:National_ID>';
    const worker = workerXml(`<wd:Identification_Data>${national}${customId('GitHub_Username', ' ada-gh ')}${customId('Badge_ID', 'B-7')}</wd:Identification_Data>`);
    expect(worker.customIds).toEqual({ GitHub_Username: 'ada-gh', Badge_ID: 'B-7' });
  });

  it('keeps the first of a type and leaves blank or untyped ones out', () => {
    const untyped = '<wd:Custom_ID><wd:Custom_ID_Data><wd:ID>x</wd:ID></wd:Custom_ID_Data></wd:Custom_ID>';
    const worker = workerXml(`<wd:Identification_Data>${customId('GitHub_Username', 'first')}${customId('GitHub_Username', 'second')}${customId('Badge_ID', '  ')}${untyped}</wd:Identification_Data>`);
    expect(worker.customIds).toEqual({ GitHub_Username: 'first' });
  });

  it('is empty when Workday sends no Identification_Data', () => {
    expect(workerXml('').customIds).toEqual({});
  });
});

describe('identity.hrFields from Workday', () => {
  const declared = workdayHrFields({ githubLogin: { bamboohr: 'customGitHubUsername', workday: 'GitHub_Username' }, desk: { bamboohr: 'Desk' } });
  const worker: WorkdayWorker = {
    workerId: '21001',
    workerType: 'employee',
    workEmail: 'ada@acme.test',
    active: true,
    customIds: { GitHub_Username: 'ada-gh', Badge_ID: 'B-7' },
    transactions: [{ wid: 'f'.repeat(32), type: 'Terminate Employee', enteredMoment: '2026-03-10T08:00:00Z', rescinded: false, corrected: true }],
  };

  it('maps the configured Custom ID types to their names, and only those', () => {
    expect(declared).toEqual([{ name: 'githubLogin', customIdType: 'GitHub_Username' }]);
    expect(workerAttributes(worker, declared)).toMatchObject({ workEmail: 'ada@acme.test', hrFields: { githubLogin: 'ada-gh' } });
    expect(workerAttributes(worker)).not.toHaveProperty('hrFields');
    expect(workerAttributes({ ...worker, customIds: {} }, declared)).not.toHaveProperty('hrFields');
  });

  it('matches a type written in another case, the exact one first', () => {
    expect(workdayWorkerHrFields({ github_username: 'lower' }, declared)).toEqual({ githubLogin: 'lower' });
    expect(workdayWorkerHrFields({ github_username: 'lower', GitHub_Username: 'exact' }, declared)).toEqual({ githubLogin: 'exact' });
  });

  it('carries them on webhook and poll events without changing any event ID', () => {
    const input = { worker, businessProcessType: 'Terminate Employee', transactionLogWid: 'f'.repeat(32), receivedAt: '2026-03-10T09:00:00.000Z', via: 'webhook' as const, kinds: defaultWorkdayProcesses };
    const withFields = normalizeWorkdayChange({ ...input, hrFields: declared })!;
    const without = normalizeWorkdayChange(input)!;
    expect(withFields.worker.hrFields).toEqual({ githubLogin: 'ada-gh' });
    // A correction's ID digests the attributes: the HR fields are not part of it.
    expect(withFields.eventId).toMatch(/^workday:corrected-/);
    expect(withFields.eventId).toBe(without.eventId);
    const polled = changedWorkerEvents(worker, { receivedAt: input.receivedAt, kinds: defaultWorkdayProcesses, hrFields: declared });
    expect(polled.map((e) => [e.eventId, e.worker.hrFields])).toEqual([[without.eventId, { githubLogin: 'ada-gh' }]]);
  });
});
