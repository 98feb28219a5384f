import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EvidenceRecord } from '../../src/evidence/types';
import { employeeWorkflowId, joinerWorkflowId, moverWorkflowId } from '../../src/hris/hr-event';
import { signWorkdayBody } from '../../src/hris/workday/signature';
import { zonedTimeToUtc } from '../../src/leaver/timing';
import type { OffboardingReport } from '../../src/reports/offboarding';
import type { JoinerResult } from '../../workflows/joiner';
import type { MoverResult } from '../../workflows/mover';
import { start as startWorkdayPeer, type WorkdayPeer, type WorkdayPeerWorker } from '../peers/workday-peer';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { startTargets, type Targets } from '../harness/targets';
import { auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { resultOf } from '../harness/workflows';

/**
 * Workday as a new user would connect it: business-process notifications signed with
 * WORKDAY_WEBHOOK_SECRET, workers read back over Get_Workers from the Workday peer, and the
 * reconciliation schedule polling the transaction log every 2 s.
 */
const secret = 'workday-webhook-secret-for-tests';
const username = 'isu_jml@acme';
const password = 'workday-isu-password';
let workday: WorkdayPeer;
let targets: Targets;
let engine: TestEngine;

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['everyone', 'engineering']);
  workday = await startWorkdayPeer({ username, password });
  engine = await startTestEngine({
    yaml: `${targets.systemsYaml}
policy:
  birthright:
    - { system: okta, entitlements: ["group:everyone"] }
  rules:
    - when: { department: Engineering }
      grant: [{ system: okta, entitlements: ["group:engineering"] }]
joiner: { provisionLeadTime: 3d }
hris:
  workday: { pollEvery: 2s, webhookGrace: 1s }
`,
    env: { WORKDAY_WEBHOOK_SECRET: secret, WORKDAY_API_URL: workday.url, WORKDAY_USERNAME: username, WORKDAY_PASSWORD: password, BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
    secrets: targets.secrets,
  });
});

afterAll(async () => {
  await engine?.close();
  await workday?.close();
  await targets?.close();
});

const wid = () => randomBytes(16).toString('hex');
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function notify(body: { workerId: string; businessProcessType: string; effectiveMoment: string; transactionLogWid: string }) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await fetch(`${engine.url}/webhooks/workday`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-workday-timestamp': timestamp, 'x-workday-signature': signWorkdayBody(secret, raw, timestamp) },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as { events: { eventId: string; kind: string; workflowIds: string[] }[]; error?: string; why?: string } };
}

function terminated(workerId: string, login: string, transactionWid: string): WorkdayPeerWorker {
  return {
    workerId,
    firstName: 'Wanda',
    lastName: 'Day',
    workEmail: login,
    department: 'Finance',
    active: false,
    hireDate: '2023-05-01',
    terminationDate: day(-1),
    transactions: [{ wid: transactionWid, type: 'Terminate Employee', effectiveMoment: `${day(-1)}T00:00:00.000-08:00`, enteredMoment: new Date().toISOString() }],
  };
}

async function evidence(source: string, employeeId: string, action: string): Promise<EvidenceRecord[]> {
  return vi.waitFor(
    async () => {
      const found = (await engine.services.evidence.forEmployee(employeeId)).filter((e) => e.hrSource === source && e.action === action);
      if (found.length === 0) throw new Error(`no ${action} for ${source}/${employeeId}`);
      return found;
    },
    { timeout: 20_000, interval: 100 },
  );
}

/** The leaver's steps as evidence shows them, comparable across HR sources. */
async function leaverSteps(source: string, employeeId: string): Promise<string[]> {
  await evidence(source, employeeId, 'leaver.completed');
  const all = (await engine.services.evidence.forEmployee(employeeId)).filter((e) => e.hrSource === source);
  return all.map((e) => `${e.action}|${e.system ?? ''}|${e.outcome}`).sort();
}

describe('Workday intake', () => {
  it('a Workday termination takes the same leaver path, with the same evidence and report row, as a BambooHR one', async () => {
    targets.seedWorker('wanda.day@acme.test', ['everyone']);
    const transaction = wid();
    workday.setWorker(terminated('945', 'wanda.day@acme.test', transaction));
    const res = await notify({ workerId: '945', businessProcessType: 'Terminate Employee', effectiveMoment: `${day(-1)}T00:00:00.000-08:00`, transactionLogWid: transaction });
    expect(res.status).toBe(202);
    expect(res.body.events[0]).toMatchObject({ eventId: `workday:${transaction}`, kind: 'terminate' });
    expect(workday.requests().some((r) => r.operation === 'Get_Workers' && r.authorized)).toBe(true);

    targets.seedWorker('bo.hr@acme.test', ['everyone']);
    expect((await postBambooWebhook(engine.url, terminationDelivery('945', 'bo.hr@acme.test', day(-1)))).status).toBe(202);

    const viaWorkday = await leaverSteps('workday', '945');
    const viaBamboo = await leaverSteps('bamboohr', '945');
    expect(viaWorkday).toEqual(viaBamboo);
    expect(viaWorkday).toContain('leaver.sessions_killed||success');
    expect(targets.okta.sessionsOf('wanda.day@acme.test')).toBe(0);

    const report = (await (
      await fetch(`${engine.url}/api/reports/offboarding?from=2000-01-01&to=2100-01-01`, { headers: { authorization: `Bearer ${auditorToken}` } })
    ).json()) as OffboardingReport;
    const rows = report.leavers.filter((l) => l.employeeId === '945');
    expect(rows.map((r) => r.hrSource).sort()).toEqual(['bamboohr', 'workday']);
    expect(rows.every((r) => r.withinSla)).toBe(true);
    const [received] = await evidence('workday', '945', 'hr_event.received');
    expect(received!.context).toMatchObject({ via: 'webhook', kind: 'terminate' });
  });

  it('a rescinded Workday hire cancels the joiner before the start', async () => {
    const hire = wid();
    const worker: WorkdayPeerWorker = {
      workerId: '946',
      firstName: 'Rex',
      lastName: 'Scinded',
      workEmail: 'rex.scinded@acme.test',
      active: true,
      hireDate: day(10),
      transactions: [{ wid: hire, type: 'Hire Employee', effectiveMoment: `${day(10)}T00:00:00.000Z`, enteredMoment: new Date().toISOString() }],
    };
    workday.setWorker(worker);
    const hired = await notify({ workerId: '946', businessProcessType: 'Hire Employee', effectiveMoment: `${day(10)}T00:00:00.000Z`, transactionLogWid: hire });
    expect(hired.body.events[0]).toMatchObject({ kind: 'hire' });
    await evidence('workday', '946', 'joiner.started');

    workday.setWorker({ ...worker, active: false, transactions: [{ ...worker.transactions![0]!, rescinded: true }] });
    const rescinded = await notify({ workerId: '946', businessProcessType: 'Hire Employee', effectiveMoment: `${day(10)}T00:00:00.000Z`, transactionLogWid: hire });
    expect(rescinded.status).toBe(202);
    expect(rescinded.body.events[0]).toMatchObject({ kind: 'rescind' });
    const result = await resultOf<JoinerResult>(engine.client, joinerWorkflowId('workday', '946', `workday:${hire}`));
    expect(result.rescinded).toBe(true);
    expect(targets.okta.user('rex.scinded@acme.test')).toBeUndefined();
  });

  it('Hire Employee then Change Job: a joiner, then a mover, exactly as from BambooHR', async () => {
    const login = 'jo.job@acme.test';
    const hire = wid();
    const hired: WorkdayPeerWorker = {
      workerId: '948',
      firstName: 'Jo',
      lastName: 'Job',
      workEmail: login,
      department: 'Sales',
      jobTitle: 'Account Executive',
      active: true,
      hireDate: day(-1),
      transactions: [{ wid: hire, type: 'Hire Employee', effectiveMoment: `${day(-1)}T00:00:00.000Z`, enteredMoment: new Date().toISOString() }],
    };
    workday.setWorker(hired);
    const joined = await notify({ workerId: '948', businessProcessType: 'Hire Employee', effectiveMoment: `${day(-1)}T00:00:00.000Z`, transactionLogWid: hire });
    expect(joined.body.events[0]).toMatchObject({ kind: 'hire' });
    await resultOf<JoinerResult>(engine.client, joinerWorkflowId('workday', '948', `workday:${hire}`));
    expect(targets.okta.user(login)?.groups).toEqual(expect.arrayContaining(['everyone']));
    expect(targets.okta.user(login)?.groups).not.toContain('engineering');

    const change = wid();
    const moment = `${day(0)}T00:00:00.000Z`;
    workday.setWorker({
      ...hired,
      department: 'Engineering',
      jobTitle: 'Software Engineer',
      transactions: [...hired.transactions!, { wid: change, type: 'Change Job', effectiveMoment: moment, enteredMoment: new Date().toISOString() }],
    });
    const moved = await notify({ workerId: '948', businessProcessType: 'Change Job', effectiveMoment: moment, transactionLogWid: change });
    expect(moved.body.events[0]).toMatchObject({ kind: 'change' });
    await resultOf<MoverResult>(engine.client, moverWorkflowId('workday', '948', `workday:${change}`));
    expect(targets.okta.user(login)?.groups).toEqual(expect.arrayContaining(['everyone', 'engineering']));
  });

  it('a termination in a zone ahead of the tenant’s takes effect in the worker’s zone and is not counted late; the report is in UTC', async () => {
    // A zone ahead of the tenant's (UTC-8) where today's 18:00 cutoff has already passed (the list spans UTC-7 to UTC+14, so one always fits).
    const zones = ['Pacific/Kiritimati', 'Pacific/Tongatapu', 'Pacific/Fiji', 'Pacific/Noumea', 'Australia/Brisbane', 'Asia/Tokyo', 'Asia/Shanghai', 'Asia/Bangkok', 'Asia/Dhaka', 'Asia/Karachi', 'Asia/Dubai', 'Europe/Moscow', 'Africa/Cairo', 'Africa/Lagos', 'UTC', 'Atlantic/Cape_Verde', 'America/Noronha', 'America/Sao_Paulo', 'America/La_Paz', 'America/Bogota', 'America/Regina', 'America/Phoenix'];
    const local = (zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date());
    const part = (parts: Intl.DateTimeFormatPart[], type: string) => parts.find((p) => p.type === type)!.value;
    const zone = zones.find((z) => {
      const hour = Number(part(local(z), 'hour'));
      return hour >= 19 && hour <= 22;
    })!;
    const parts = local(zone);
    const localDate = `${part(parts, 'year')}-${part(parts, 'month')}-${part(parts, 'day')}`;
    const login = 'zed.zone@acme.test';
    targets.seedWorker(login, ['everyone']);
    const transaction = wid();
    // Workday writes the date with the tenant's offset; the worker sits in \`zone\`.
    const moment = `${localDate}T00:00:00.000-08:00`;
    workday.setWorker({
      ...terminated('949', login, transaction),
      terminationDate: localDate,
      location: 'Far East Office',
      locationId: 'LOC_949',
      timeZone: zone,
      transactions: [{ wid: transaction, type: 'Terminate Employee', effectiveMoment: moment, enteredMoment: new Date().toISOString() }],
    });
    expect((await notify({ workerId: '949', businessProcessType: 'Terminate Employee', effectiveMoment: moment, transactionLogWid: transaction })).status).toBe(202);
    await evidence('workday', '949', 'leaver.completed');
    const report = (await (
      await fetch(`${engine.url}/api/reports/offboarding?from=2000-01-01&to=2100-01-01`, { headers: { authorization: `Bearer ${auditorToken}` } })
    ).json()) as OffboardingReport;
    const row = report.leavers.find((l) => l.employeeId === '949' && l.hrSource === 'workday')!;
    expect(row.terminationEffectiveAt).toBe(zonedTimeToUtc(localDate, 18, 0, zone).toISOString());
    expect(Date.parse(row.terminationEffectiveAt!)).toBeLessThan(Date.parse(row.hrEventReceivedAt!));
    expect(row.withinSla).toBe(true);
    expect(row.secondsToSessionsKilled).toBeLessThan(60);
    for (const at of [row.terminationEffectiveAt, row.hrEventReceivedAt, row.sessionsKilledAt, row.accessRevokedAt]) expect(at).toMatch(/Z$/);
  });

  it('a notification that never arrived is caught by the next poll of the transaction log', async () => {
    targets.seedWorker('nora.notified@acme.test', ['everyone']);
    const transaction = wid();
    workday.setWorker(terminated('947', 'nora.notified@acme.test', transaction));
    const [completed] = await evidence('workday', '947', 'leaver.completed');
    expect(completed!.outcome).toBe('success');
    const [received] = await evidence('workday', '947', 'hr_event.received');
    expect(received!.context).toMatchObject({ via: 'poll', kind: 'terminate', hrEventId: `workday:${transaction}` });
    // The first test's transaction, delivered by webhook, is in every poll's window since: never applied twice.
    expect((await engine.services.evidence.forEmployee('945')).filter((e) => e.hrSource === 'workday' && e.action === 'leaver.started')).toHaveLength(1);
  });

  it('a termination Workday does not confirm is refused with 409 and evidence: made-up transaction, or one Workday logged as another process; nothing starts', async () => {
    const login = 'ann.active@acme.test';
    targets.seedWorker(login, ['everyone']);
    const hire = wid();
    workday.setWorker({
      workerId: '950',
      firstName: 'Ann',
      lastName: 'Active',
      workEmail: login,
      active: true,
      hireDate: '2022-02-01',
      transactions: [{ wid: hire, type: 'Hire Employee', effectiveMoment: '2022-02-01T00:00:00.000-08:00', enteredMoment: '2022-01-20T10:00:00.000-08:00' }],
    });
    const writes = targets.writeCount();
    const madeUp = wid();
    const forged = await notify({ workerId: '950', businessProcessType: 'Terminate Employee', effectiveMoment: `${day(-1)}T00:00:00.000-08:00`, transactionLogWid: madeUp });
    expect(forged.status).toBe(409);
    expect(forged.body).toMatchObject({ error: 'unconfirmed', why: 'transaction_not_in_log' });
    const relabelled = await notify({ workerId: '950', businessProcessType: 'Terminate Employee', effectiveMoment: `${day(-1)}T00:00:00.000-08:00`, transactionLogWid: hire });
    expect(relabelled.status).toBe(409);
    expect(relabelled.body).toMatchObject({ error: 'unconfirmed', why: 'process_type_differs' });

    const refused = (await engine.services.evidence.forEmployee('950')).filter((e) => e.hrSource === 'workday');
    expect(refused.map((e) => [e.action, e.outcome, e.context.transactionLogWid, e.context.businessProcessType, e.context.why])).toEqual([
      ['hr_event.unconfirmed', 'failure', madeUp, 'Terminate Employee', 'transaction_not_in_log'],
      ['hr_event.unconfirmed', 'failure', hire, 'Terminate Employee', 'process_type_differs'],
    ]);
    expect(JSON.stringify(refused)).not.toContain(login);
    expect((await engine.services.db.query(`SELECT 1 FROM hr_inbox WHERE employee_id = '950'`)).rows).toHaveLength(0);
    await expect(engine.client.workflow.getHandle(employeeWorkflowId('workday', '950')).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(targets.writeCount()).toBe(writes);
    expect(targets.okta.sessionsOf(login)).toBe(2);
  });
});
