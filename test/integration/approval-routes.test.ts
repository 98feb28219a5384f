import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approvalRouter, type ApprovalDecisionCommand } from '../../src/api/approval-routes';
import type { ApiToken } from '../../src/api/auth';
import { ApprovalStore } from '../../src/approvals/store';
import { ApprovalConflict, type ApprovalRecord, type ApprovalRequest } from '../../src/approvals/types';
import type { Database } from '../../src/db/database';
import { openTestDatabase } from '../harness/db';

const adminToken = 'admin-token-0123456789abcdef';
const auditorToken = 'auditor-token-0123456789abcdef';
const tokens = new Map<string, ApiToken>([
  [adminToken, { role: 'admin' }],
  [auditorToken, { role: 'auditor' }],
]);

/** What the recording decide function does next: record in the store, throw, or accept without recording. */
type Mode = 'record' | 'conflict' | 'conflict-by-name' | 'accept-only' | 'fail';

let db: Database;
let store: ApprovalStore;
let server: Server;
let base: string;
let mode: Mode;
let calls: { record: ApprovalRecord; decision: ApprovalDecisionCommand }[];
let counter = 0;

beforeAll(async () => {
  db = await openTestDatabase('approval_routes');
  store = new ApprovalStore(db);
  const app = express();
  app.use(
    approvalRouter({
      approvals: store,
      tokens,
      decide: async (record, decision) => {
        calls.push({ record, decision });
        if (mode === 'conflict') throw new ApprovalConflict(`approval ${record.approvalId} is no longer waiting in its workflow`);
        if (mode === 'conflict-by-name') throw Object.assign(new Error('rebuilt from a workflow update failure'), { name: 'ApprovalConflict' });
        if (mode === 'fail') throw new Error('temporal unavailable');
        if (mode === 'accept-only') return;
        await store.decide(record.approvalId, {
          status: decision.decision === 'approve' ? 'approved' : 'rejected',
          decidedBy: decision.decidedBy,
          ...(decision.reason ? { reason: decision.reason } : {}),
          decidedAt: new Date().toISOString(),
        });
      },
    }),
  );
  const onError: ErrorRequestHandler = (_err, _req, res, _next) => {
    res.status(500).json({ error: 'internal' });
  };
  app.use(onError);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await db?.close();
});

beforeEach(() => {
  mode = 'record';
  calls = [];
});

async function pendingApproval(extra: Partial<ApprovalRequest> = {}): Promise<ApprovalRecord> {
  counter += 1;
  return store.request({
    approvalId: `joiner-bamboohr-${counter}-ev1:aws:group:prod-admin`,
    workflowId: `joiner-bamboohr-${counter}-ev1`,
    employeeId: String(counter),
    hrSource: 'bamboohr',
    system: 'aws',
    entitlement: 'group:prod-admin',
    rules: ['rules[1]'],
    requestedAt: new Date(Date.UTC(2026, 0, 5, 9, 0, counter)).toISOString(),
    expiresAt: new Date(Date.UTC(2026, 0, 8, 9, 0, counter)).toISOString(),
    ...extra,
  });
}

function post(id: string, body: unknown, options: { token?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  const token = options.token === undefined ? adminToken : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}/api/approvals/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const list = (token?: string) => fetch(`${base}/api/approvals`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('approval routes', () => {
  it('need an admin token: 401 without or with an unknown one, 403 for an auditor', async () => {
    const { approvalId } = await pendingApproval();
    const none = await list();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await list('not-a-known-token-at-all')).status).toBe(401);
    expect((await list(auditorToken)).status).toBe(403);

    expect((await post(approvalId, { decision: 'approve' }, { token: '' })).status).toBe(401);
    const auditor = await post(approvalId, { decision: 'approve' }, { token: auditorToken });
    expect(auditor.status).toBe(403);
    expect(await auditor.json()).toMatchObject({ error: 'forbidden' });
    // Authentication comes before the body is looked at.
    expect((await post(approvalId, '{not json', { token: '' })).status).toBe(401);

    expect(calls).toEqual([]);
    expect((await store.get(approvalId))?.status).toBe('pending');
  });

  it('GET /api/approvals lists only pending approvals, oldest first', async () => {
    const a = await pendingApproval({ requestedAt: '2025-12-01T08:00:00.000Z' });
    const b = await pendingApproval({ requestedAt: '2025-11-01T08:00:00.000Z' });
    const decided = await pendingApproval({ requestedAt: '2025-10-01T08:00:00.000Z' });
    await store.decide(decided.approvalId, { status: 'rejected', decidedBy: 'U1', reason: 'no', decidedAt: '2026-01-01T00:00:00.000Z' });

    const res = await list(adminToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { count: number; approvals: ApprovalRecord[] };
    const ids = body.approvals.map((x) => x.approvalId);
    expect(body.count).toBe(body.approvals.length);
    expect(ids).not.toContain(decided.approvalId);
    expect(ids.indexOf(b.approvalId)).toBeLessThan(ids.indexOf(a.approvalId));
    expect(body.approvals.every((x) => x.status === 'pending')).toBe(true);
    expect(body.approvals.find((x) => x.approvalId === a.approvalId)).toEqual(a);
  });

  it('approve: 200 approved, decide called once with the decision and api:admin', async () => {
    const record = await pendingApproval();
    const res = await post(record.approvalId, { decision: 'approve' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ approvalId: record.approvalId, decision: 'approve', status: 'approved' });
    expect(calls).toEqual([{ record, decision: { decision: 'approve', decidedBy: 'api:admin', via: 'api' } }]);
    expect(await store.get(record.approvalId)).toMatchObject({ status: 'approved', decidedBy: 'api:admin' });
    expect((await (await list(adminToken)).json()) as { approvals: ApprovalRecord[] }).not.toContainEqual(
      expect.objectContaining({ approvalId: record.approvalId }),
    );
  });

  it.each([
    [{ decision: 'reject' }, 'reason'],
    [{ decision: 'reject', reason: '' }, 'reason'],
    [{ decision: 'reject', reason: '   ' }, 'reason'],
  ])('reject without a reason (%j): 400 saying so, nothing decided', async (body, field) => {
    const { approvalId } = await pendingApproval();
    const res = await post(approvalId, body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: string; field: string; message: string };
    expect(answer).toMatchObject({ error: 'invalid_payload', field });
    expect(answer.message).toMatch(/rejection needs a non-empty reason/);
    expect(calls).toEqual([]);
    expect((await store.get(approvalId))?.status).toBe('pending');
  });

  it('reject with a reason: 200 rejected, the reason (trimmed) passed on and recorded', async () => {
    const { approvalId } = await pendingApproval();
    const res = await post(approvalId, { decision: 'reject', reason: '  not needed for this role ' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ approvalId, decision: 'reject', status: 'rejected' });
    expect(calls.map((c) => c.decision)).toEqual([{ decision: 'reject', reason: 'not needed for this role', decidedBy: 'api:admin', via: 'api' }]);
    expect(await store.get(approvalId)).toMatchObject({ status: 'rejected', reason: 'not needed for this role', decidedBy: 'api:admin' });
  });

  it('a second decision: 409 already_decided with the status, decide not called again', async () => {
    const { approvalId } = await pendingApproval();
    expect((await post(approvalId, { decision: 'approve' })).status).toBe(200);
    const again = await post(approvalId, { decision: 'reject', reason: 'changed my mind' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'already_decided', status: 'approved' });
    expect(calls).toHaveLength(1);
    expect(await store.get(approvalId)).toMatchObject({ status: 'approved' });
  });

  it('an expired approval cannot be decided: 409 already_decided expired', async () => {
    const { approvalId } = await pendingApproval();
    await store.decide(approvalId, { status: 'expired', decidedBy: 'engine', decidedAt: '2026-01-08T09:00:00.000Z' });
    const res = await post(approvalId, { decision: 'approve' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'already_decided', status: 'expired' });
    expect(calls).toEqual([]);
  });

  it('unknown approval: 404 not_found', async () => {
    const res = await post('no-such-approval', { decision: 'approve' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
    expect(calls).toEqual([]);
  });

  it.each([
    ['{"decision": "approve"', 'invalid_json', undefined],
    ['', 'invalid_payload', 'decision'],
    ['[]', 'invalid_payload', '(root)'],
    ['{}', 'invalid_payload', 'decision'],
    ['{"decision": "maybe"}', 'invalid_payload', 'decision'],
    ['{"decision": "approve", "reason": 42}', 'invalid_payload', 'reason'],
    ['{"decision": "approve", "approver": "me"}', 'invalid_payload', 'approver'],
    [JSON.stringify({ decision: 'reject', reason: 'x'.repeat(2001) }), 'invalid_payload', 'reason'],
  ])('bad body %s: 400 %s naming the field, nothing decided', async (body, error, field) => {
    const { approvalId } = await pendingApproval();
    const res = await post(approvalId, body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: string; field?: string; message: string };
    expect(answer.error).toBe(error);
    if (field) {
      expect(answer.field).toBe(field);
      expect(answer.message.startsWith(`${field}: `)).toBe(true);
    }
    expect(calls).toEqual([]);
    expect((await store.get(approvalId))?.status).toBe('pending');
  });

  it('wrong content type: 415, nothing decided', async () => {
    const { approvalId } = await pendingApproval();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await post(approvalId, 'decision=approve', { contentType });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ error: 'unsupported_media_type' });
    }
    expect(calls).toEqual([]);
  });

  it('a body over 16 kB: 413', async () => {
    const { approvalId } = await pendingApproval();
    const res = await post(approvalId, { decision: 'reject', reason: 'x'.repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
    expect(calls).toEqual([]);
  });

  it.each(['conflict', 'conflict-by-name'] as const)('decide throwing ApprovalConflict (%s): 409 conflict with its message', async (which) => {
    mode = which;
    const { approvalId } = await pendingApproval();
    const res = await post(approvalId, { decision: 'approve' });
    expect(res.status).toBe(409);
    const answer = (await res.json()) as { error: string; message: string };
    expect(answer.error).toBe('conflict');
    expect(answer.message).toMatch(which === 'conflict' ? /no longer waiting/ : /rebuilt from a workflow update failure/);
    expect(calls).toHaveLength(1);
    expect((await store.get(approvalId))?.status).toBe('pending');
  });

  it('decide accepting without recording yet: 202 pending', async () => {
    mode = 'accept-only';
    const { approvalId } = await pendingApproval();
    const res = await post(approvalId, { decision: 'approve' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ approvalId, decision: 'approve', status: 'pending' });
    expect(calls).toHaveLength(1);
  });

  it('another error from decide is not a conflict: it reaches the app error handler', async () => {
    mode = 'fail';
    const { approvalId } = await pendingApproval();
    const res = await post(approvalId, { decision: 'approve' });
    expect(res.status).toBe(500);
    expect((await store.get(approvalId))?.status).toBe('pending');
  });

  it('other methods: 405 with Allow', async () => {
    const res = await fetch(`${base}/api/approvals`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
