import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { webhookRouter } from '../../src/api/webhook-router';
import type { Database } from '../../src/db/database';
import { BambooHrClient } from '../../src/hris/bamboohr/client';
import { bambooReceiver, type BambooReceiverOptions } from '../../src/hris/bamboohr/receiver';
import { signBambooBody } from '../../src/hris/bamboohr/signature';
import type { HrEvent } from '../../src/hris/hr-event';
import type { IntakeLogger } from '../../src/intake/accept';
import { InboxDispatcher } from '../../src/intake/dispatcher';
import { Inbox } from '../../src/intake/inbox';
import { openTestDatabase } from '../harness/db';
import { start as startBambooPeer, type BambooPeer } from '../peers/bamboohr-peer';

const secret = 'bamboo-webhook-secret-for-tests';
const apiKey = 'bamboo-api-key-for-tests';
const clock = new Date('2026-03-10T09:00:00Z');
const timestamp = String(clock.getTime() / 1000);

let db: Database;
let inbox: Inbox;
let peer: BambooPeer;
let client: BambooHrClient;
const servers: Server[] = [];
let dispatched: HrEvent[] = [];
let temporalDown = false;
let dispatcher: InboxDispatcher;

async function dispatch(event: HrEvent): Promise<string[]> {
  if (temporalDown) throw new Error('connect ECONNREFUSED 127.0.0.1:7233');
  dispatched.push(event);
  return [`employee-bamboohr-${event.employeeId}`];
}

/** A real express app on an ephemeral port with the real router; returns its webhook URL. */
async function serve(overrides: Partial<BambooReceiverOptions> & { inbox?: Inbox; logger?: IntakeLogger } = {}, mountAt?: string): Promise<string> {
  const app = express();
  const { inbox: useInbox = inbox, logger, ...receiver } = overrides;
  const router = webhookRouter({
    receivers: [bambooReceiver({ secret, windowMs: 300_000, client, ...receiver })],
    inbox: useInbox,
    handOver: (waiting) => dispatcher.wake(waiting),
    now: () => clock,
    ...(logger ? { logger } : {}),
  });
  if (mountAt) app.use(mountAt, router);
  else app.use(router);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/bamboohr`;
}

interface PostOptions {
  contentType?: string;
  signature?: string;
  timestamp?: string;
  unsigned?: boolean;
}

async function post(url: string, body: unknown, options: PostOptions = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const ts = options.timestamp ?? timestamp;
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (!options.unsigned) {
    headers['x-bamboohr-timestamp'] = ts;
    headers['x-bamboohr-signature'] = options.signature ?? signBambooBody(secret, raw, ts);
  }
  const response = await fetch(url, { method: 'POST', headers, body: raw });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Waits until the dispatcher has handed the worker's events over. */
async function handedOver(employeeId: string, count = 1) {
  return vi.waitFor(
    async () => {
      const rows = await rowsFor(employeeId);
      if (rows.filter((r) => r.status === 'dispatched').length < count) throw new Error(`${employeeId} not handed over yet`);
      return rows;
    },
    { timeout: 5000, interval: 20 },
  );
}

async function rowsFor(employeeId: string) {
  const { rows } = await db.query<{ status: string; attempts: number; last_error: string | null; workflow_ids: string[] }>(
    'SELECT status, attempts, last_error, workflow_ids FROM hr_inbox WHERE employee_id = $1',
    [employeeId],
  );
  return rows;
}

/** A complete field-based delivery: nothing needs fetching. */
function departmentChange(employeeId: string, department = 'Engineering') {
  return {
    employees: [
      {
        action: 'Updated',
        changedFields: ['Department'],
        fields: { 'Work Email': `e${employeeId}@acme.test`, Status: 'Active', 'Hire Date': '2020-01-06', Department: department },
        id: employeeId,
        timestamp: '2026-03-10T08:59:00+0000',
      },
    ],
  };
}

let url: string;

beforeAll(async () => {
  db = await openTestDatabase('bamboo_webhook');
  inbox = new Inbox(db);
  peer = await startBambooPeer({ apiKey });
  client = new BambooHrClient({ apiUrl: peer.url, apiKey, timeoutMs: 2000 });
  // Failed hand-overs wait a minute unless something makes them due, so each test sees what it caused.
  dispatcher = new InboxDispatcher({ inbox, dispatch, log: { info: () => undefined, warn: () => undefined, error: () => undefined }, idleMs: 50, initialBackoffMs: 60_000 }).start();
  url = await serve();
});

afterAll(async () => {
  await dispatcher.stop();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await peer.close();
  await db.close();
});

beforeEach(() => {
  dispatched = [];
  temporalDown = false;
  peer.failWith(undefined);
});

describe('POST /webhooks/bamboohr', () => {
  it('stores a signed delivery, answers 202 with the workflow IDs, and hands it over once', async () => {
    const res = await post(url, departmentChange('101'));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      accepted: 1,
      duplicates: 0,
      events: [{ employeeId: '101', kind: 'change', duplicate: false, status: 'received', workflowIds: ['employee-bamboohr-101'] }],
    });
    await handedOver('101');
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]).toMatchObject({ employeeId: '101', kind: 'change', via: 'webhook', worker: { department: 'Engineering' } });
    expect(dispatched[0]!.sourceIp).toMatch(/127\.0\.0\.1$/);
    expect(await rowsFor('101')).toEqual([{ status: 'dispatched', attempts: 1, last_error: null, workflow_ids: ['employee-bamboohr-101'] }]);
    expect(peer.requests()).toHaveLength(0);
  });

  it('answers a redelivery 202 as a duplicate, dispatching nothing and storing one row', async () => {
    const body = departmentChange('102');
    expect((await post(url, body)).status).toBe(202);
    await handedOver('102');
    const again = await post(url, body);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1, events: [{ duplicate: true, status: 'dispatched', workflowIds: ['employee-bamboohr-102'] }] });
    expect(dispatched).toHaveLength(1);
    expect(await rowsFor('102')).toHaveLength(1);
  });

  it('completes a thin event-based payload from the BambooHR API', async () => {
    peer.setEmployee('103', { workEmail: 'grace@acme.test', firstName: 'Grace', status: 'Active', hireDate: '2020-01-06', terminationDate: '2026-03-31' });
    const res = await post(url, { type: 'employee.updated', timestamp: '2026-03-10T08:59:00+0000', data: { companyId: '1', employeeId: '103', changedFields: ['terminationDate'] } });
    expect(res.status).toBe(202);
    await handedOver('103');
    expect(dispatched).toEqual([expect.objectContaining({ employeeId: '103', kind: 'terminate', effectiveDate: '2026-03-31', worker: expect.objectContaining({ workEmail: 'grace@acme.test' }) })]);
    const [request] = peer.requests().filter((r) => r.employeeId === '103');
    expect(request).toMatchObject({ method: 'GET', authorized: true, accept: 'application/json' });
    expect(request!.fields).toEqual(expect.arrayContaining(['workEmail', 'status', 'hireDate', 'terminationDate']));
  });

  it('answers 503 when the BambooHR API is down, storing and starting nothing', async () => {
    peer.setEmployee('104', { workEmail: 'x@acme.test', status: 'Active', hireDate: '2026-03-16' });
    peer.failWith(503);
    const res = await post(url, { type: 'employee.created', timestamp: '2026-03-10T08:59:00+0000', data: { employeeId: '104' } });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'hris_unavailable' });
    expect(JSON.stringify(res.body)).not.toContain(apiKey);
    expect(dispatched).toHaveLength(0);
    expect(await rowsFor('104')).toHaveLength(0);
  });

  it('skips an employee the API no longer knows', async () => {
    const res = await post(url, { type: 'employee.updated', timestamp: '2026-03-10T08:59:00+0000', data: { employeeId: '105', changedFields: ['jobTitle'] } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 0, ignored: 1 });
    expect(await rowsFor('105')).toHaveLength(0);
  });

  it('refuses a thin payload with 400 when no API client is configured', async () => {
    const noClient = await serve({ client: undefined });
    const res = await post(noClient, { type: 'employee.created', timestamp: '2026-03-10T08:59:00+0000', data: { employeeId: '106' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'thin_payload', employeeId: '106' });
    expect(String(res.body.message)).toMatch(/BAMBOOHR_API_KEY/);
    expect(await rowsFor('106')).toHaveLength(0);
  });

  it('rejects a forged signature with 401: nothing stored, nothing dispatched', async () => {
    const res = await post(url, departmentChange('107'), { signature: signBambooBody('not-the-secret', JSON.stringify(departmentChange('107')), timestamp) });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'bad_signature', message: 'request signature rejected' });
    expect(dispatched).toHaveLength(0);
    expect(await rowsFor('107')).toHaveLength(0);
  });

  it('rejects an unsigned request with 401', async () => {
    const res = await post(url, departmentChange('108'), { unsigned: true });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'missing_signature' });
  });

  it('rejects a stale delivery with 401', async () => {
    const old = String(clock.getTime() / 1000 - 3600);
    const res = await post(url, departmentChange('109'), { timestamp: old });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'stale_timestamp' });
    expect(await rowsFor('109')).toHaveLength(0);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await post(url, '{"employees": [');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_json' });
  });

  it('answers 400 naming a missing field', async () => {
    const body = departmentChange('110');
    delete (body.employees[0] as Partial<(typeof body.employees)[0]>).action;
    const res = await post(url, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_payload', message: 'employees[0].action: is required', field: 'employees[0].action' });
    expect(await rowsFor('110')).toHaveLength(0);
  });

  it('answers 415 for other content types, form posts included', async () => {
    const text = await post(url, departmentChange('111'), { contentType: 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({ error: 'unsupported_media_type' });
    const form = await post(url, 'employees[111][changedFields][0]=Department', { contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(String(form.body.message)).toMatch(/JSON format/);
  });

  it('answers 413 for a body over the limit', async () => {
    const body = { ...departmentChange('112'), padding: 'x'.repeat(8 * 1024 * 1024 + 1) };
    const res = await post(url, body);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'payload_too_large' });
    expect(await rowsFor('112')).toHaveLength(0);
  });

  it('answers 400, not 500, for a body that does not inflate as its Content-Encoding says', async () => {
    const raw = JSON.stringify(departmentChange('113'));
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signBambooBody(secret, raw, timestamp) },
      body: raw,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('Content-Encoding') });
    expect(await rowsFor('113')).toHaveLength(0);
  });

  it('refuses with 503 when no secret is configured', async () => {
    const unconfigured = await serve({ secret: undefined });
    const res = await post(unconfigured, departmentChange('113'));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'not_configured' });
    expect(await rowsFor('113')).toHaveLength(0);
  });

  it('answers 503 when the inbox database is unavailable, dispatching nothing', async () => {
    const lost = await openTestDatabase('bamboo_lost');
    await lost.close();
    const broken = await serve({ inbox: new Inbox(lost) });
    const res = await post(broken, departmentChange('114'));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'inbox_unavailable' });
    expect(dispatched).toHaveLength(0);
  });

  it('answers 202 once stored whether or not Temporal takes it; a failed hand-over waits in the inbox and a redelivery makes it due', async () => {
    temporalDown = true;
    const body = departmentChange('115');
    const res = await post(url, body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 1, events: [{ status: 'received', workflowIds: ['employee-bamboohr-115'] }] });
    const [row] = await vi.waitFor(async () => {
      const rows = await rowsFor('115');
      if (rows[0]?.status !== 'failed') throw new Error('not failed yet');
      return rows;
    });
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.last_error).toMatch(/ECONNREFUSED/);
    expect((await inbox.pending(100)).map((r) => r.employeeId)).toContain('115');

    temporalDown = false;
    const again = await post(url, body);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1, events: [{ duplicate: true, status: 'failed' }] });
    await handedOver('115');
    expect(dispatched).toHaveLength(1);
    expect(await rowsFor('115')).toEqual([expect.objectContaining({ status: 'dispatched', attempts: 2, last_error: null })]);
  });

  it('refuses the one employee of three whose field holds a NUL: the other two are stored, the answer names the field, the log names no one', async () => {
    const lines: string[] = [];
    const record = (level: string) => (obj: object, msg?: string) => void lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
    const logged = await serve({ logger: { info: record('info'), warn: record('warn'), error: record('error') } });
    const entry = (id: string, lastName: string) => ({
      action: 'Updated',
      changedFields: ['Department', 'Last Name'],
      fields: { 'Work Email': `ivy.${id}@acme.test`, 'First Name': 'Ivy', 'Last Name': lastName, Status: 'Active', 'Hire Date': '2020-01-06', Department: 'Sales' },
      id,
      timestamp: '2026-03-10T08:59:00+0000',
    });
    const res = await post(logged, { employees: [entry('121', 'Nulled'), entry('122', 'Poi\u0000son'), entry('123', 'Clean')] });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 0, ignored: 0, refused: [{ employeeId: '122', field: 'employees[1].fields.Last Name', reason: 'contains a NUL character' }] });
    expect((res.body.events as { employeeId: string }[]).map((e) => e.employeeId)).toEqual(['121', '123']);
    await handedOver('121');
    await handedOver('123');
    expect(await rowsFor('122')).toHaveLength(0);
    expect(dispatched.map((e) => e.employeeId).sort()).toEqual(['121', '123']);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toMatch(/acme\.test|Ivy|Poi|Nulled|Clean/);
    }
  });

  it('answers 400 naming the field when the only employee of a delivery cannot be stored (a lone surrogate)', async () => {
    const raw = JSON.stringify(departmentChange('124')).replace('"Engineering"', '"Engin\\ud800eering"');
    const res = await post(url, raw);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: 'invalid_payload',
      field: 'employees[0].fields.Department',
      employeeId: '124',
      refused: [{ employeeId: '124', field: 'employees[0].fields.Department' }],
    });
    expect(String(res.body.message)).toMatch(/unpaired UTF-16 surrogate/);
    expect(await rowsFor('124')).toHaveLength(0);
    expect(dispatched).toHaveLength(0);
  });

  it('refuses a thin payload whose record from the BambooHR API holds a control character, naming the worker field', async () => {
    peer.setEmployee('125', { workEmail: 'bel@acme.test', firstName: 'Be\u0007l', status: 'Active', hireDate: '2020-01-06', terminationDate: '2026-03-31' });
    const res = await post(url, { type: 'employee.updated', timestamp: '2026-03-10T08:59:00+0000', data: { employeeId: '125', changedFields: ['terminationDate', 'firstName'] } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_payload', field: 'worker.firstName', employeeId: '125' });
    expect(JSON.stringify(res.body)).not.toContain('bel@acme.test');
    expect(await rowsFor('125')).toHaveLength(0);
  });

  it('serves the same route when mounted under /webhooks/bamboohr', async () => {
    const mounted = await serve({}, '/webhooks/bamboohr');
    const res = await post(mounted, departmentChange('116'));
    expect(res.status).toBe(202);
    const root = await fetch(mounted.replace('/webhooks/bamboohr', '/'), { method: 'POST' });
    expect(root.status).toBe(404);
  });
});

describe('POST /webhooks/bamboohr with identity.hrFields', () => {
  const hrFields = { githubLogin: { bamboohr: 'customGitHubUsername' } };
  /** A complete field-based termination: nothing but the declared HR field is missing. */
  const termination = (employeeId: string, extra: Record<string, string> = {}) => ({
    employees: [
      {
        action: 'Updated',
        changedFields: ['Status', 'Termination Date'],
        fields: { 'Work Email': `t${employeeId}@acme.test`, Status: 'Inactive', 'Hire Date': '2020-01-06', 'Termination Date': '2026-03-09', ...extra },
        id: employeeId,
        timestamp: '2026-03-10T08:59:00+0000',
      },
    ],
  });
  const storedEvent = async (employeeId: string) => {
    const { rows } = await db.query<{ payload: HrEvent }>('SELECT payload FROM hr_inbox WHERE employee_id = $1', [employeeId]);
    return rows.map((r) => r.payload);
  };

  it('without declared fields a complete payload costs no API call, as before', async () => {
    const res = await post(url, termination('131', { 'GitHub Username': 'ada-gh' }));
    expect(res.status).toBe(202);
    expect(peer.requests().filter((r) => r.employeeId === '131')).toEqual([]);
    expect((await storedEvent('131'))[0]!.worker).not.toHaveProperty('hrFields');
  });

  it('answers 503 when the API is down and a termination lacks the field: BambooHR retries, nothing is stored', async () => {
    const withFields = await serve({ hrFields });
    peer.setEmployee('132', { workEmail: 't132@acme.test', status: 'Inactive', customGitHubUsername: 'gh-132' });
    peer.failWith(503);
    const res = await post(withFields, termination('132'));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'hris_unavailable' });
    expect(await rowsFor('132')).toHaveLength(0);
  });

  it('takes a termination lacking only the field when the API no longer knows the employee', async () => {
    const withFields = await serve({ hrFields });
    const res = await post(withFields, termination('133'));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 1 });
    const [event] = await storedEvent('133');
    expect(event).toMatchObject({ kind: 'terminate', worker: { workEmail: 't133@acme.test' } });
    expect(event!.worker).not.toHaveProperty('hrFields');
  });

  it('takes a termination lacking only the field when no API client is configured, leaving the field out; a thin one is still refused', async () => {
    const noClient = await serve({ client: undefined, hrFields });
    const res = await post(noClient, termination('134'));
    expect(res.status).toBe(202);
    const [event] = await storedEvent('134');
    expect(event).toMatchObject({ kind: 'terminate' });
    expect(event!.worker).not.toHaveProperty('hrFields');
    const thin = await post(noClient, { type: 'employee.created', timestamp: '2026-03-10T08:59:00+0000', data: { employeeId: '135' } });
    expect(thin.status).toBe(400);
    expect(thin.body).toMatchObject({ error: 'thin_payload', missing: ['workEmail', 'status', 'hireDate', 'terminationDate', 'customGitHubUsername'] });
  });
});

describe('BambooHrClient against the peer', () => {
  it('reads the requested fields as strings with Basic auth and Accept: application/json', async () => {
    peer.setEmployee('201', { workEmail: 'ada@acme.test', supervisorEId: '7', hireDate: '2020-01-06' });
    const record = await client.getEmployee('201', ['workEmail', 'supervisorEId', 'department']);
    expect(record).toEqual({ id: '201', workEmail: 'ada@acme.test', supervisorEId: '7', department: null });
  });

  it('reports a refused key as bamboohr_unauthorized without echoing it', async () => {
    const wrong = new BambooHrClient({ apiUrl: peer.url, apiKey: 'a-wrong-key-1234567890' });
    const error = await wrong.getEmployee('201').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bamboohr_unauthorized', status: 401 });
    expect(String((error as Error).message)).not.toContain('a-wrong-key');
  });

  it('reports an unknown employee as bamboohr_not_found', async () => {
    await expect(client.getEmployee('999')).rejects.toMatchObject({ code: 'bamboohr_not_found' });
  });

  it('reports a slow API as bamboohr_unavailable', async () => {
    peer.setLatency(300);
    try {
      const impatient = new BambooHrClient({ apiUrl: peer.url, apiKey, timeoutMs: 50 });
      await expect(impatient.getEmployee('201')).rejects.toMatchObject({ code: 'bamboohr_unavailable', retryable: true });
    } finally {
      peer.setLatency(0);
    }
  });

  it('reports a server error as bamboohr_unavailable', async () => {
    peer.failWith(502);
    await expect(client.getEmployee('201')).rejects.toMatchObject({ code: 'bamboohr_unavailable', status: 502 });
  });
});
