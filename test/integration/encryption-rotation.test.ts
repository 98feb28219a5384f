import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { payloadToJson, type PayloadJson } from '../../src/api/codec-routes';
import { parseEnv } from '../../src/config/load';
import type { Database } from '../../src/db/database';
import { codecFor, dataConverterFor, KEY_ID_METADATA, keyIdOf, PayloadDecryptionError } from '../../src/temporal/codec';
import type { LeaverResult } from '../../workflows/leaver';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { openTestDatabase } from '../harness/db';
import { holdsTraceContextOnly, isLocalActivityMarker, isPatchMarker, isTraceContextHeader, payloadsIn } from '../harness/history-payloads';
import { auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';

/**
 * Key rotation as an operator does it: a deployment on JML_ENCRYPTION_KEY=A is restarted with
 * JML_ENCRYPTION_KEYS=new:B,old:A while a leaver is in flight. The leaver goes on under the new
 * key, and what it wrote under the old one still decodes.
 */
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const b64 = (key: Buffer) => key.toString('base64');
const login = 'rhea.rotation@acme.test';
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const taskQueue = `jml-test-rotation-${randomBytes(4).toString('hex')}`;
let targets: Targets;
let db: Database;
let raw: Client;
let engine: TestEngine | undefined;

const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

/** One deployment (its database and task queue) started with the given keys. */
function startDeployment(env: Record<string, string>): Promise<TestEngine> {
  return startTestEngine({
    yaml: `${targets.systemsYaml}\nsla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }\n`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, ...env },
    secrets: targets.secrets,
    joining: { taskQueue, db },
  });
}

beforeAll(async () => {
  targets = await startTargets();
  db = await openTestDatabase('rotation');
  raw = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'default' });
});

afterAll(async () => {
  await engine?.close();
  await raw?.connection.close();
  await db?.close();
  await targets?.close();
});

async function codecDecode(on: TestEngine, payloads: PayloadJson[]) {
  const res = await fetch(`${on.url}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auditorToken}` },
    body: JSON.stringify({ payloads }),
  });
  return { status: res.status, body: (await res.json()) as { payloads: PayloadJson[] } };
}

describe('rotating the payload key', () => {
  it('a leaver started under key A finishes after a restart with JML_ENCRYPTION_KEYS=new:B,old:A', { timeout: 120_000 }, async () => {
    targets.seedWorker(login, ['engineering']);
    // The SCIM server is down: the leaver gets as far as Okta and keeps retrying the SCIM steps.
    targets.scim.failFor(600_000, 503);
    engine = await startDeployment({ JML_ENCRYPTION_KEY: b64(keyA) });
    const res = await postBambooWebhook(engine.url, terminationDelivery('903', login, yesterday));
    expect(res.status).toBe(202);
    const leaverId = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((id) => id.startsWith('leaver-bamboohr-903-'))!;
    const first = engine;
    await vi.waitFor(async () => {
      const evidence = await first.services.evidence.forEmployee('903');
      expect(evidence.some((e) => e.system === 'okta' && e.action === 'account.disable' && e.outcome === 'success')).toBe(true);
      expect(evidence.some((e) => e.system === 'aws' && e.outcome === 'failure')).toBe(true);
    }, { timeout: 30_000, interval: 200 });
    await engine.close();
    engine = undefined;

    engine = await startDeployment({ JML_ENCRYPTION_KEYS: `new:${b64(keyB)},old:${b64(keyA)}` });
    targets.scim.failFor(0, 503);
    const result = await resultOf<LeaverResult>(engine.client, leaverId, 5_000);
    expect(result.systems.map((s) => s.system).sort()).toEqual(['aws', 'okta']);
    expect(targets.scim.user(login)).toMatchObject({ active: false, groups: [] });

    const history = await raw.workflow.getHandle(leaverId).fetchHistory();
    const bytes = Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(Buffer.from('rhea.rotation')), 'the login in the stored history').toBe(false);
    // The SCIM step's failed attempt is in history, its text encrypted with the rest.
    const retried = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.lastFailure).filter((f) => f);
    expect(retried.length).toBeGreaterThan(0);
    for (const f of retried) expect(f).toMatchObject({ message: 'Encoded failure', stackTrace: '' });
    expect(bytes.includes(Buffer.from('Injected failure')), 'the SCIM answer in the stored history').toBe(false);
    for (const header of payloadsIn(history).filter(isTraceContextHeader)) expect(holdsTraceContextOnly(header.payload), header.path).toBe(true);
    const sealed = payloadsIn(history).filter((f) => !isPatchMarker(f) && !isLocalActivityMarker(f) && !isTraceContextHeader(f));
    expect(sealed.filter((f) => utf8(f.payload.metadata?.encoding) !== 'binary/encrypted').map((f) => f.path)).toEqual([]);
    const byKey = (id: string): Payload[] => sealed.filter((f) => utf8(f.payload.metadata?.[KEY_ID_METADATA]) === id).map((f) => f.payload);
    const old = byKey(keyIdOf(keyA));
    const fresh = byKey('new');
    expect(old.length, 'payloads written under key A').toBeGreaterThan(0);
    expect(fresh.length, 'payloads written after the restart').toBeGreaterThan(0);
    expect(old.length + fresh.length).toBe(sealed.length);
    // The first payload is the leaver's input, written under A when it started.
    expect(utf8(sealed[0]!.payload.metadata?.[KEY_ID_METADATA])).toBe(keyIdOf(keyA));

    // The restarted engine decodes its whole history, and so does its codec endpoint for the UI.
    const rotated = codecFor(engine.config.env)!;
    const decoded = await rotated.decode(sealed.map((f) => f.payload));
    expect(decoded.map((p) => utf8(p.metadata?.encoding))).not.toContain('binary/encrypted');
    expect(decoded.map((p) => utf8(p.data)).join('\n')).toContain(login);
    const viaUi = await codecDecode(engine, [...old, ...fresh].map(payloadToJson));
    expect(viaUi.status).toBe(200);
    expect(viaUi.body.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n')).toContain(login);

    // A client holding only B reads what was written after the rotation, and names the key it lacks for the rest.
    const onlyB = dataConverterFor(parseEnv({ JML_ENCRYPTION_KEYS: `new:${b64(keyB)}` }))!;
    const clientB = new Client({ connection: raw.connection, dataConverter: onlyB });
    expect((await clientB.workflow.getHandle(leaverId).result()) as LeaverResult).toEqual(result);
    const failure = await onlyB.payloadCodecs![0]!.decode(old).then(() => undefined, (err: unknown) => err as Error);
    expect(failure).toBeInstanceOf(PayloadDecryptionError);
    expect(failure!.message).toContain(`key ${keyIdOf(keyA)}`);
    expect(failure!.message).toContain('add that key to JML_ENCRYPTION_KEYS');
    expect(failure!.message).not.toContain(b64(keyA));
  });
});
