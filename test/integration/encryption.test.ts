import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { payloadToJson, type PayloadJson } from '../../src/api/codec-routes';
import type { LeaverResult } from '../../workflows/leaver';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { holdsTraceContextOnly, isLocalActivityMarker, isPatchMarker, isTraceContextHeader, payloadsIn } from '../harness/history-payloads';
import { adminToken, auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';

let targets: Targets;
let engine: TestEngine;
/** A client without the codec: sees history as the Temporal server stores it. */
let raw: Client;
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const login = 'quinn.encrypted@acme.test';

beforeAll(async () => {
  targets = await startTargets();
  engine = await startTestEngine({
    yaml: `${targets.systemsYaml}\nsla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }\n`,
    env: { JML_ENCRYPTION_KEY: randomBytes(32).toString('base64'), BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
    secrets: targets.secrets,
  });
  raw = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'default' });
});

afterAll(async () => {
  await raw?.connection.close();
  await engine?.close();
  await targets?.close();
});

const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

async function rawHistory(workflowId: string) {
  const history = await raw.workflow.getHandle(workflowId).fetchHistory();
  return { history, bytes: Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish()) };
}

async function codec(op: 'encode' | 'decode', payloads: PayloadJson[], token?: string) {
  const res = await fetch(`${engine.url}/codec/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ payloads }),
  });
  return { status: res.status, body: (await res.json()) as { payloads: PayloadJson[]; error?: string } };
}

describe('payload encryption with JML_ENCRYPTION_KEY', () => {
  let workflowIds: string[] = [];

  it('runs a leaver while Temporal holds only ciphertext', async () => {
    targets.seedWorker(login, ['engineering']);
    const res = await postBambooWebhook(engine.url, terminationDelivery('901', login, yesterday));
    expect(res.status).toBe(202);
    workflowIds = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds;
    const leaverId = workflowIds.find((id) => id.startsWith('leaver-bamboohr-901-'));
    expect(leaverId).toBeDefined();
    expect(workflowIds).toContain('employee-bamboohr-901');

    const result = await resultOf<LeaverResult>(engine.client, leaverId!);
    expect(result.slaBreached).toBe(false);
    expect(targets.okta.sessionsOf(login)).toBe(0);
    expect(targets.scim.user(login)?.active).toBe(false);

    for (const id of workflowIds) {
      const { history, bytes } = await rawHistory(id);
      expect(bytes.includes(Buffer.from(login)), `${id}: work email in the stored history`).toBe(false);
      expect(bytes.includes(Buffer.from('quinn.encrypted')), `${id}: local part in the stored history`).toBe(false);
      const found = payloadsIn(history);
      expect(found.length, `${id}: payloads in history`).toBeGreaterThan(0);
      for (const marker of found.filter(isPatchMarker)) expect(utf8(marker.payload.data)).toMatch(/^\{"id":"[a-z0-9-]+","deprecated":(true|false)\}$/);
      for (const marker of found.filter(isLocalActivityMarker)) {
        const data = JSON.parse(utf8(marker.payload.data)) as Record<string, unknown>;
        expect(Object.keys(data).sort()).toEqual(['activity_id', 'activity_type', 'attempt', 'backoff', 'complete_time', 'original_schedule_time', 'seq']);
        expect(data.activity_type).toMatch(/^[a-zA-Z]+$/);
      }
      for (const header of found.filter(isTraceContextHeader)) expect(holdsTraceContextOnly(header.payload), `${id}: ${header.path}: ${Buffer.from(header.payload.data ?? []).toString()}`).toBe(true);
      const plain = found.filter((f) => !isPatchMarker(f) && !isLocalActivityMarker(f) && !isTraceContextHeader(f) && utf8(f.payload.metadata?.encoding) !== 'binary/encrypted').map((f) => f.path);
      expect(plain, `${id}: payloads stored unencrypted`).toEqual([]);
    }
  });

  it('decodes the stored payloads over /codec/decode for an auditor, and for nobody without a token', async () => {
    const leaverId = workflowIds.find((id) => id.startsWith('leaver-bamboohr-901-'))!;
    const { history } = await rawHistory(leaverId);
    const sealed = payloadsIn(history).map((f) => payloadToJson(f.payload));
    expect(sealed.length).toBeGreaterThan(0);

    expect((await codec('decode', sealed)).status).toBe(401);

    const res = await codec('decode', sealed, auditorToken);
    expect(res.status).toBe(200);
    expect(res.body.payloads).toHaveLength(sealed.length);
    const text = res.body.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
    expect(text).toContain(login);
    expect(res.body.payloads.map((p) => Buffer.from(p.metadata.encoding ?? '', 'base64').toString())).not.toContain('binary/encrypted');
  });

  it('encodes and decodes over HTTP: what the UI does when it starts or signals a workflow', async () => {
    const input = payloadToJson(defaultPayloadConverter.toPayload({ employeeId: '901', workEmail: login }));
    const enc = await codec('encode', [input], adminToken);
    expect(enc.status).toBe(200);
    expect(Buffer.from(enc.body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(enc.body.payloads[0]!.data, 'base64').includes(Buffer.from(login))).toBe(false);
    const dec = await codec('decode', enc.body.payloads, auditorToken);
    expect(dec.status).toBe(200);
    expect(dec.body.payloads).toEqual([input]);
  });

  it('answers the Temporal UI preflight', async () => {
    const res = await fetch(`${engine.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toContain('Content-Type, X-Namespace, Authorization');
  });
});
