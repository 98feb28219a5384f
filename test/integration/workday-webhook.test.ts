import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { webhookRouter } from '../../src/api/webhook-router';
import type { Database } from '../../src/db/database';
import { workflowIdsFor, type HrEvent } from '../../src/hris/hr-event';
import { effectiveDateOf, type WorkdayNotification } from '../../src/hris/workday/notification';
import { basicAuthorization, signWorkdayBody } from '../../src/hris/workday/signature';
import { workdayReceiver, type WorkdayReceiverOptions } from '../../src/hris/workday/receiver';
import { InboxDispatcher } from '../../src/intake/dispatcher';
import { Inbox } from '../../src/intake/inbox';
import { openTestDatabase } from '../harness/db';

const secret = 'workday-webhook-secret-for-tests';
const clock = new Date('2026-03-10T09:00:00Z');
const timestamp = String(clock.getTime() / 1000);

let db: Database;
let inbox: Inbox;
const servers: Server[] = [];
let dispatched: HrEvent[] = [];
let readBacks: WorkdayNotification[] = [];
let workday: 'up' | 'down' | 'refusing' = 'up';
let dispatcher: InboxDispatcher;

class FakeWorkdayError extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(`${code} (test)`);
  }
}

async function dispatch(event: HrEvent): Promise<string[]> {
  dispatched.push(event);
  return workflowIdsFor(event);
}

const kinds: Record<string, HrEvent['kind']> = { 'Hire Employee': 'hire', 'Change Job': 'change', 'Terminate Employee': 'terminate' };

/** Stands in for the Workday read-back: the HTTP contract is what this file tests. */
const toEvent: WorkdayReceiverOptions['toEvent'] = async (n, context) => {
  readBacks.push(n);
  if (workday === 'down') throw new FakeWorkdayError('workday_unavailable', true);
  if (workday === 'refusing') throw new FakeWorkdayError('workday_unauthorized', false);
  const kind = kinds[n.businessProcessType];
  if (!kind) return undefined;
  return {
    eventId: `workday:${n.transactionLogWid}`,
    source: 'workday',
    employeeId: n.workerId,
    kind,
    effectiveDate: effectiveDateOf(n.effectiveMoment),
    immediate: false,
    receivedAt: context.receivedAt,
    changedFields: [],
    worker: { workEmail: `w${n.workerId}@acme.test`, ...(n.workerId === '21016' ? { lastName: 'Con\u0001trol' } : {}) },
    via: 'webhook',
    ...(context.sourceIp ? { sourceIp: context.sourceIp } : {}),
  };
};

async function serve(overrides: Partial<WorkdayReceiverOptions> & { inbox?: Inbox } = {}): Promise<string> {
  const app = express();
  const { inbox: useInbox = inbox, ...receiver } = overrides;
  app.use(
    webhookRouter({
      receivers: [workdayReceiver({ secret, auth: 'signature', basicUsername: 'workday', windowMs: 300_000, toEvent, ...receiver })],
      inbox: useInbox,
      handOver: (waiting) => dispatcher.wake(waiting),
      now: () => clock,
    }),
  );
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/workday`;
}

interface PostOptions {
  contentType?: string;
  signature?: string;
  timestamp?: string;
  unsigned?: boolean;
  authorization?: string;
}

async function post(target: string, body: unknown, options: PostOptions = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const ts = options.timestamp ?? timestamp;
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (options.authorization) headers.authorization = options.authorization;
  else if (!options.unsigned) {
    headers['x-workday-timestamp'] = ts;
    headers['x-workday-signature'] = options.signature ?? signWorkdayBody(secret, raw, ts);
  }
  const response = await fetch(target, { method: 'POST', headers, body: raw });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

let widCounter = 0;
function notification(workerId: string, businessProcessType = 'Hire Employee') {
  widCounter += 1;
  const transactionLogWid = `${'0'.repeat(24)}${widCounter.toString(16).padStart(8, '0')}`;
  return { workerId, businessProcessType, effectiveMoment: '2026-03-16T09:00:00-08:00', transactionLogWid };
}

/** Waits until the dispatcher has handed the worker's events over. */
async function handedOver(employeeId: string) {
  return vi.waitFor(
    async () => {
      const rows = await rowsFor(employeeId);
      if (!rows.some((r) => r.status === 'dispatched')) throw new Error(`${employeeId} not handed over yet`);
      return rows;
    },
    { timeout: 5000, interval: 20 },
  );
}

async function rowsFor(employeeId: string) {
  const { rows } = await db.query<{ event_id: string; status: string; workflow_ids: string[] }>(
    'SELECT event_id, status, workflow_ids FROM hr_inbox WHERE employee_id = $1',
    [employeeId],
  );
  return rows;
}

/** Nothing stored, dispatched or read back from Workday. */
async function expectUntouched(employeeId: string) {
  expect(await rowsFor(employeeId)).toHaveLength(0);
  expect(dispatched).toHaveLength(0);
  expect(readBacks).toHaveLength(0);
}

let url: string;

beforeAll(async () => {
  db = await openTestDatabase('workday_webhook');
  inbox = new Inbox(db);
  dispatcher = new InboxDispatcher({ inbox, dispatch, log: { info: () => undefined, warn: () => undefined, error: () => undefined }, idleMs: 50 }).start();
  url = await serve();
});

afterAll(async () => {
  await dispatcher.stop();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await db.close();
});

beforeEach(() => {
  dispatched = [];
  readBacks = [];
  workday = 'up';
});

describe('POST /webhooks/workday', () => {
  it('reads the worker back, stores the event, answers 202 with the workflow IDs and hands it over once', async () => {
    const body = notification('21001');
    const res = await post(url, body);
    expect(res.status).toBe(202);
    const joiner = `joiner-workday-21001-${body.transactionLogWid.slice(0, 16)}`;
    expect(res.body).toEqual({
      accepted: 1,
      duplicates: 0,
      ignored: 0,
      events: [
        { eventId: `workday:${body.transactionLogWid}`, employeeId: '21001', kind: 'hire', duplicate: false, status: 'received', workflowIds: ['employee-workday-21001', joiner] },
      ],
    });
    expect(readBacks).toEqual([body]);
    await handedOver('21001');
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]).toMatchObject({ eventId: `workday:${body.transactionLogWid}`, source: 'workday', effectiveDate: '2026-03-16', receivedAt: clock.toISOString() });
    expect(dispatched[0]!.sourceIp).toMatch(/127\.0\.0\.1$/);
    expect(await rowsFor('21001')).toEqual([{ event_id: `workday:${body.transactionLogWid}`, status: 'dispatched', workflow_ids: ['employee-workday-21001', joiner] }]);
  });

  it('a redelivery reads the worker back again (it may be a rescind) and, unchanged, is a 202 duplicate that starts nothing', async () => {
    const body = notification('21002');
    expect((await post(url, body)).status).toBe(202);
    await handedOver('21002');
    readBacks = [];
    dispatched = [];
    const again = await post(url, { ...body, transactionLogWid: body.transactionLogWid.toUpperCase() });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1, ignored: 0, events: [{ duplicate: true, status: 'dispatched', workflowIds: ['employee-workday-21002', expect.stringMatching(/^joiner-workday-21002-/)] }] });
    expect(readBacks).toHaveLength(1);
    expect(dispatched).toHaveLength(0);
    expect(await rowsFor('21002')).toHaveLength(1);
  });

  it.each<[string, PostOptions, string]>([
    ['a signature made with another secret', { signature: 'use-wrong-secret' }, 'bad_signature'],
    ['a stale timestamp', { timestamp: String(Number(timestamp) - 3600) }, 'stale_timestamp'],
    ['a timestamp that is not unix seconds', { timestamp: '2026-03-10T09:00:00Z' }, 'bad_timestamp'],
    ['no signature headers', { unsigned: true }, 'missing_signature'],
  ])('refuses %s with 401: nothing stored, dispatched or read back', async (_name, options, code) => {
    const body = notification('21003');
    const signature = options.signature === 'use-wrong-secret' ? signWorkdayBody('not-the-secret', JSON.stringify(body), timestamp) : options.signature;
    const res = await post(url, body, { ...options, ...(signature ? { signature } : {}) });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: code, message: 'request signature rejected' });
    await expectUntouched('21003');
  });

  it('accepts good Basic credentials in basic mode and refuses bad or missing ones with a challenge', async () => {
    const basic = await serve({ auth: 'basic', basicUsername: 'isu_jml' });
    const good = await post(basic, notification('21004'), { authorization: basicAuthorization('isu_jml', secret) });
    expect(good.status).toBe(202);
    expect(good.body).toMatchObject({ accepted: 1 });
    expect(await rowsFor('21004')).toHaveLength(1);
    await handedOver('21004');

    dispatched = [];
    readBacks = [];
    const wrong = await post(basic, notification('21005'), { authorization: basicAuthorization('isu_jml', 'guess') });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'bad_credentials', message: 'request credentials rejected' });
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const signedOnly = await post(basic, notification('21005'));
    expect(signedOnly.status).toBe(401);
    expect(signedOnly.body).toMatchObject({ error: 'missing_credentials' });
    await expectUntouched('21005');
  });

  it('refuses with 503 not_configured when no secret is set, in either mode', async () => {
    for (const auth of ['signature', 'basic'] as const) {
      const unconfigured = await serve({ secret: undefined, auth });
      const res = await post(unconfigured, notification('21006'), auth === 'basic' ? { authorization: basicAuthorization('workday', '') } : {});
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'not_configured' });
    }
    await expectUntouched('21006');
  });

  it('answers 415 for other content types', async () => {
    const res = await post(url, notification('21007'), { contentType: 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: 'unsupported_media_type' });
    await expectUntouched('21007');
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await post(url, { ...notification('21008'), padding: 'x'.repeat(128 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'payload_too_large' });
    await expectUntouched('21008');
  });

  it('answers 400 invalid_json for a signed body that is not JSON', async () => {
    const res = await post(url, '{"workerId": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_json' });
    expect(readBacks).toHaveLength(0);
  });

  it('answers 400 naming a missing field', async () => {
    const { transactionLogWid: _omitted, ...body } = notification('21009');
    const res = await post(url, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_payload', message: 'transactionLogWid: is required', field: 'transactionLogWid' });
    await expectUntouched('21009');
  });

  it('answers 503 hris_unavailable with Retry-After when Workday is down, storing nothing', async () => {
    workday = 'down';
    const res = await post(url, notification('21010'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.body).toMatchObject({ error: 'hris_unavailable' });
    expect(String(res.body.message)).toContain('workday_unavailable');
    expect(readBacks).toHaveLength(1);
    expect(dispatched).toHaveLength(0);
    expect(await rowsFor('21010')).toHaveLength(0);
  });

  it('answers 502 hris_error without Retry-After when Workday refuses the read-back, storing nothing', async () => {
    workday = 'refusing';
    const res = await post(url, notification('21011'));
    expect(res.status).toBe(502);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.body).toMatchObject({ error: 'hris_error' });
    expect(String(res.body.message)).toContain('workday_unauthorized');
    expect(dispatched).toHaveLength(0);
    expect(await rowsFor('21011')).toHaveLength(0);
  });

  it('answers 202 ignored:1 for a process with nothing to act on, storing nothing', async () => {
    const res = await post(url, notification('21012', 'Request Compensation Change'));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 0, duplicates: 0, ignored: 1, events: [] });
    expect(readBacks).toHaveLength(1);
    expect(dispatched).toHaveLength(0);
    expect(await rowsFor('21012')).toHaveLength(0);
  });

  it('answers 503 inbox_unavailable when the inbox database is down, starting nothing in Temporal', async () => {
    const lost = await openTestDatabase('workday_lost');
    await lost.close();
    const broken = await serve({ inbox: new Inbox(lost) });
    const res = await post(broken, notification('21014'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.body).toMatchObject({ error: 'inbox_unavailable' });
    expect(dispatched).toHaveLength(0);
  });

  it('answers 400 naming the field when the notification holds a NUL, reading nothing back', async () => {
    const res = await post(url, notification('21015', 'Hire\u0000Employee'));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_payload', field: 'businessProcessType', employeeId: '21015' });
    await expectUntouched('21015');
  });

  it('answers 400 naming the worker field when the worker read back from Workday holds a control character, storing nothing', async () => {
    const res = await post(url, notification('21016'));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_payload', field: 'worker.lastName', employeeId: '21016', refused: [{ employeeId: '21016', field: 'worker.lastName' }] });
    expect(String(res.body.message)).toContain('U+0001');
    expect(await rowsFor('21016')).toHaveLength(0);
    expect(dispatched).toHaveLength(0);
  });

  it('leaves other paths alone', async () => {
    const res = await fetch(url.replace('/webhooks/workday', '/webhooks/other'), { method: 'POST' });
    expect(res.status).toBe(404);
  });
});
