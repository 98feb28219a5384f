import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HrEvent } from '../../src/hris/hr-event';
import { signWorkdayBody } from '../../src/hris/workday/signature';
import { Inbox } from '../../src/intake/inbox';
import { postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { hrisEnv } from '../harness/hris-env';
import { startTestEngine, type TestEngine } from '../harness/test-engine';
import { start as startBambooPeer, type BambooPeer } from '../peers/bamboohr-peer';
import { start as startWorkdayPeer, type WorkdayPeer } from '../peers/workday-peer';

/**
 * identity.hrFields through the real HTTP doors: a signed webhook (or the BambooHR poll) is
 * stored in the inbox, and the stored HrEvent carries the declared HR field in worker.hrFields,
 * from the payload or read back from the HRIS (the BambooHR API, Workday's Get_Workers).
 */
const bambooKey = 'bamboohr-api-key-for-hr-fields';
const workdaySecret = 'workday-webhook-secret-for-hr-fields';
const username = 'isu_jml@acme';
const password = 'workday-isu-password';
const github = { id: '4047', name: 'GitHub Username', alias: 'customGitHubUsername' };

let bamboo: BambooPeer;
let workday: WorkdayPeer;
let engine: TestEngine;
let inbox: Inbox;

beforeAll(async () => {
  bamboo = await startBambooPeer({ apiKey: bambooKey, customFields: [github] });
  workday = await startWorkdayPeer({ username, password });
  engine = await startTestEngine({
    yaml: `
identity:
  matchBy: workEmail
  hrFields:
    githubLogin: { bamboohr: customGitHubUsername, workday: GitHub_Username }
hris:
  bamboohr: { pollEvery: 2s, webhookGrace: 1s }
  workday: { pollEvery: 0s }
`,
    env: hrisEnv(bamboo, workday, { bambooKey, workdaySecret, workdayUser: username, workdayPassword: password }),
  });
  inbox = new Inbox(engine.db);
});

afterAll(async () => {
  await engine?.close();
  await bamboo?.close();
  await workday?.close();
});

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
/** A fresh employee ID per test: the peers and the inbox are shared by the file. */
let lastId = 7000 + Math.floor(Math.random() * 1000) * 10;
const newId = () => String((lastId += 1));

/** The stored events of a 202 answer. */
async function stored(body: Record<string, unknown>): Promise<HrEvent[]> {
  const events = body.events as { eventId: string }[];
  expect(events.length).toBeGreaterThan(0);
  return Promise.all(events.map(async (e) => (await inbox.get(e.eventId))!.event));
}

const employeeRequests = (employeeId: string) => bamboo.requests().filter((r) => r.employeeId === employeeId);

/** Terminated in BambooHR's own record, with the GitHub login in the custom field. */
function terminatedRecord(login: string, githubLogin: string | null) {
  return { workEmail: login, firstName: 'Gita', lastName: 'Hub', status: 'Inactive', hireDate: '2020-01-06', terminationDate: yesterday(), customGitHubUsername: githubLogin };
}

describe('BambooHR webhooks fill worker.hrFields', () => {
  it('from a field-based payload that carries the field, with no API call', async () => {
    const id = newId();
    const res = await postBambooWebhook(engine.url, terminationDelivery(id, `gh${id}@acme.test`, yesterday(), { 'GitHub Username': ' gita-gh ' }));
    expect(res.status).toBe(202);
    const [event] = await stored(res.body);
    expect(event).toMatchObject({ kind: 'terminate', worker: { workEmail: `gh${id}@acme.test`, hrFields: { githubLogin: 'gita-gh' } } });
    expect(employeeRequests(id)).toEqual([]);
  });

  it('from the API when a field-based termination lacks it: the record is asked for the field', async () => {
    const id = newId();
    bamboo.setEmployee(id, terminatedRecord(`gh${id}@acme.test`, 'gita-api'));
    const res = await postBambooWebhook(engine.url, terminationDelivery(id, `gh${id}@acme.test`, yesterday()));
    expect(res.status).toBe(202);
    const [event] = await stored(res.body);
    expect(event).toMatchObject({ kind: 'terminate', worker: { workEmail: `gh${id}@acme.test`, hrFields: { githubLogin: 'gita-api' } } });
    const [request] = employeeRequests(id);
    expect(request!.fields).toContain('customGitHubUsername');
  });

  it('from the API for a thin event-based payload; a blank field leaves hrFields out', async () => {
    const id = newId();
    bamboo.setEmployee(id, terminatedRecord(`gh${id}@acme.test`, 'gita-thin'));
    const thin = (employeeId: string) => ({ type: 'employee.updated', timestamp: new Date().toISOString(), data: { companyId: '1', employeeId, changedFields: ['status', 'terminationDate'] } });
    const res = await postBambooWebhook(engine.url, thin(id));
    expect(res.status).toBe(202);
    const [event] = await stored(res.body);
    expect(event).toMatchObject({ kind: 'terminate', worker: { hrFields: { githubLogin: 'gita-thin' } } });

    const blank = newId();
    bamboo.setEmployee(blank, terminatedRecord(`gh${blank}@acme.test`, '  '));
    const [without] = await stored((await postBambooWebhook(engine.url, thin(blank))).body);
    expect(without!.kind).toBe('terminate');
    expect(without!.worker).not.toHaveProperty('hrFields');
  });
});

describe('the BambooHR poll fills worker.hrFields', () => {
  it('a hire whose webhook never came carries the field from the record', async () => {
    const id = newId();
    bamboo.setEmployee(id, { workEmail: `gh${id}@acme.test`, firstName: 'Polly', lastName: 'Hub', status: 'Active', hireDate: '2026-01-05', terminationDate: null, customGitHubUsername: 'polly-gh' });
    const event = await vi.waitFor(
      async () => {
        const { rows } = await engine.db.query<{ payload: HrEvent }>(`SELECT payload FROM hr_inbox WHERE source = 'bamboohr' AND employee_id = $1 AND payload->>'via' = 'poll'`, [id]);
        if (rows.length === 0) throw new Error(`no polled event for ${id} yet`);
        return rows[0]!.payload;
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(event).toMatchObject({ kind: 'hire', via: 'poll', worker: { workEmail: `gh${id}@acme.test`, hrFields: { githubLogin: 'polly-gh' } } });
    expect(employeeRequests(id).every((r) => r.fields.includes('customGitHubUsername'))).toBe(true);
  });
});

describe('Workday notifications fill worker.hrFields', () => {
  it("from the worker's Custom IDs read back with Get_Workers, only the configured type", async () => {
    const id = newId();
    const transaction = randomBytes(16).toString('hex');
    const effective = `${yesterday()}T00:00:00.000-08:00`;
    workday.setWorker({
      workerId: id,
      firstName: 'Wanda',
      lastName: 'Hub',
      workEmail: `wd${id}@acme.test`,
      active: false,
      hireDate: '2023-05-01',
      terminationDate: yesterday(),
      customIds: { GitHub_Username: 'wanda-gh', Badge_ID: 'B-7' },
      transactions: [{ wid: transaction, type: 'Terminate Employee', effectiveMoment: effective, enteredMoment: new Date().toISOString() }],
    });
    const raw = JSON.stringify({ workerId: id, businessProcessType: 'Terminate Employee', effectiveMoment: effective, transactionLogWid: transaction });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${engine.url}/webhooks/workday`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-workday-timestamp': timestamp, 'x-workday-signature': signWorkdayBody(workdaySecret, raw, timestamp) },
      body: raw,
    });
    expect(res.status).toBe(202);
    const [event] = await stored((await res.json()) as Record<string, unknown>);
    expect(event).toMatchObject({ eventId: `workday:${transaction}`, kind: 'terminate', worker: { workEmail: `wd${id}@acme.test`, hrFields: { githubLogin: 'wanda-gh' } } });
    expect(event!.worker.hrFields).toEqual({ githubLogin: 'wanda-gh' });
    const readBack = workday.requests().find((r) => r.operation === 'Get_Workers' && r.body.includes(`>${id}<`));
    expect(readBack?.body).toContain('<wd:Include_Personal_Information>true</wd:Include_Personal_Information>');
  });
});
