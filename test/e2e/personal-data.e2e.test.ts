/**
 * A worker with a name and address found nowhere else, hired, moved and terminated through the
 * BambooHR webhook, with payload encryption on, against every kind of system the engine speaks:
 * one Google look-up by address fails once (its error text quoting the path), and one delivery
 * hits a unique index that quotes the address. Then every line the engine logged, every entry
 * the Temporal SDK logged, every event of every workflow history as the server stores it (no
 * codec) and every evidence row are searched for the name, the address, the login and their
 * encoded forms: none holds one.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { LogEntry } from '@temporalio/worker';
import type { DestinationStream } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moverWorkflowId } from '../../src/hris/hr-event';
import type { JoinerResult } from '../../workflows/joiner';
import type { LeaverResult } from '../../workflows/leaver';
import type { MoverResult } from '../../workflows/mover';
import { startAllSystems, type AllSystems } from '../harness/all-systems';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { sdkLogListeners } from '../harness/engine';
import { startTestEngine, type TestEngine } from '../harness/test-engine';
import { resultOf } from '../harness/workflows';

const firstName = 'Zebulonica';
const lastName = 'Quuxworth-Pfiffel';
const email = 'zq.unique7781@acme.test';
const login = 'zq.unique7781';
const employeeId = '7781';
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

let world: AllSystems;
let engine: TestEngine;
const logLines: string[] = [];
const sdkEntries: string[] = [];
const onSdkLog = (entry: LogEntry) => sdkEntries.push(JSON.stringify({ level: entry.level, message: entry.message, meta: entry.meta }, jsonReplacer));

beforeAll(async () => {
  world = await startAllSystems();
  for (const s of world.systems) {
    for (const g of ['everyone', 'engineering']) {
      s.pair.seedGroup(g);
      // A colleague stays in every group (Slack cannot empty a user group).
      s.pair.seedAccount(`keeper.${g}@acme.test`, { groups: [g] });
    }
  }
  // GitHub accounts are never created by the engine: the worker is already a member (by SAML identity).
  world.systems.find((s) => s.id === 'github')!.pair.seedAccount(email, { groups: [] });
  const birthright = world.systems.map((s) => `    - { system: ${s.id}, entitlements: ["${s.pair.kind}:everyone"] }`);
  const engineering = world.systems.map((s) => `{ system: ${s.id}, entitlements: ["${s.pair.kind}:engineering"] }`).join(', ');
  const yaml = [
    world.systemsYaml,
    'sla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }',
    'policy:',
    '  birthright:',
    ...birthright,
    '  rules:',
    '    - when: { department: Engineering }',
    `      grant: [${engineering}]`,
  ].join('\n');
  sdkLogListeners.add(onSdkLog);
  engine = await startTestEngine({
    yaml,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, JML_ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'debug' },
    secrets: world.secrets,
    logDestination: capture(logLines),
  });
}, 120_000);

afterAll(async () => {
  sdkLogListeners.delete(onSdkLog);
  await engine?.close();
  await world?.close();
});

const fields = (extra: Record<string, string | null>) => ({
  workEmail: email,
  firstName,
  lastName,
  status: 'Active',
  hireDate: '2024-01-08',
  terminationDate: null,
  ...extra,
});

function delivery(action: 'Created' | 'Updated', changedFields: string[], extra: Record<string, string | null>) {
  return { employees: [{ id: employeeId, action, timestamp: new Date().toISOString(), changedFields, fields: fields(extra) }] };
}

type Accepted = { eventId: string; kind: string; workflowIds: string[] }[];

describe('personal data in logs, histories and evidence', () => {
  it('a whole joiner, mover and leaver run leaves no name, address or login behind', async () => {
    const google = world.systems.find((s) => s.id === 'google-workspace')!.pair;
    // The joiner's look-up of the address answers 503 once, the error quoting the address.
    google.failNextMatching!('GET', /\/users\/[^/]*(@|%40)/i, 503);

    const hire = await postBambooWebhook(engine.url, delivery('Created', [], { department: 'Engineering', jobTitle: 'Engineer' }));
    expect(hire.status).toBe(202);
    const joinerId = (hire.body.events as Accepted)[0]!.workflowIds.find((id) => id.startsWith('joiner-'))!;
    await resultOf<JoinerResult>(engine.client, joinerId, 60_000);
    for (const s of world.systems) expect(s.pair.groupsAt(email).sort(), s.id).toEqual(['engineering', 'everyone']);
    const failed = google.requests().filter((r) => r.method === 'GET' && /\/users\//.test(r.path) && r.status === 503);
    expect(failed.length, 'the injected Google failure was served').toBe(1);

    // A unique index that quotes the address: the change is refused (503, the HRIS retries) until it goes.
    await engine.db.query(`CREATE UNIQUE INDEX pii_one_row_per_address ON hr_inbox ((payload->'worker'->>'workEmail'))`);
    const change = delivery('Updated', ['department'], { department: 'Sales', jobTitle: 'Engineer' });
    const refused = await postBambooWebhook(engine.url, change);
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.body)).not.toContain(login);
    await engine.db.query('DROP INDEX pii_one_row_per_address');
    const moved = await postBambooWebhook(engine.url, change);
    expect(moved.status).toBe(202);
    const moveEvent = (moved.body.events as Accepted)[0]!;
    await resultOf<MoverResult>(engine.client, moverWorkflowId('bamboohr', employeeId, moveEvent.eventId), 60_000);
    for (const s of world.systems) expect(s.pair.groupsAt(email), s.id).toEqual(['everyone']);

    const left = await postBambooWebhook(engine.url, delivery('Updated', ['status', 'terminationDate'], { status: 'Inactive', terminationDate: yesterday, department: 'Sales' }));
    expect(left.status).toBe(202);
    const leaverId = (left.body.events as Accepted)[0]!.workflowIds.find((id) => id.startsWith('leaver-'))!;
    expect((await resultOf<LeaverResult>(engine.client, leaverId, 60_000)).rescinded).toBe(false);
    for (const s of world.systems) {
      expect(s.pair.disabledAt(email), `${s.id}: disabled`).toBe(true);
      expect(s.pair.groupsAt(email), `${s.id}: groups`).toEqual([]);
    }

    const evidence = await engine.services.evidence.forEmployee(employeeId);
    const actions = evidence.map((e) => e.action);
    for (const action of ['joiner.completed', 'mover.completed', 'leaver.completed', 'account.disable']) expect(actions, action).toContain(action);
    expect(evidence.some((e) => e.system === 'google-workspace' && e.outcome === 'failure'), 'the Google failure is in the evidence').toBe(true);

    // Everything the run left, as stored.
    const histories = await allHistories();
    expect(histories.length).toBeGreaterThanOrEqual(4);
    const { rows } = await engine.db.query('SELECT * FROM evidence_events ORDER BY seq');
    expect(rows.length).toBe(evidence.length);
    expect(logLines.length).toBeGreaterThan(5);
    if (process.env.PII_DUMP) await writeFile(process.env.PII_DUMP, [...logLines, ...sdkEntries].join("\n"));
    expect(logLines.some((l) => l.includes('inbox unavailable'))).toBe(true);
    expect(logLines.some((l) => l.includes('google-workspace') && l.includes('answered 503'))).toBe(true);

    const sources: Record<string, string[]> = {
      'engine log': logLines,
      'Temporal SDK log': sdkEntries,
      'workflow history': histories.map((h) => h.json),
      evidence: rows.map((r) => JSON.stringify(r, jsonReplacer)),
    };
    const needles = needlesFor([firstName, lastName, email, login, `${firstName} ${lastName}`]);
    const hits: string[] = [];
    for (const [where, texts] of Object.entries(sources)) {
      for (const text of texts) {
        const lower = text.toLowerCase();
        for (const needle of needles) if (lower.includes(needle.toLowerCase())) hits.push(`${where}: "${needle}" in ${excerpt(text, lower.indexOf(needle.toLowerCase()))}`);
      }
    }
    expect(hits).toEqual([]);
  }, 240_000);
});

/** Every event of every workflow the engine ran, from the server as stored (no codec): JSON, bytes as base64 and as text. */
async function allHistories(): Promise<{ workflowId: string; json: string }[]> {
  const out: { workflowId: string; json: string }[] = [];
  for await (const w of engine.client.workflow.list({ query: `TaskQueue = '${engine.taskQueue}'` })) {
    const events: unknown[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await engine.client.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId: w.workflowId, runId: w.runId },
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (nextPageToken);
    expect(events.length, w.workflowId).toBeGreaterThan(0);
    out.push({ workflowId: w.workflowId, json: JSON.stringify(events, jsonReplacer) });
  }
  return out;
}

/** Bytes both as base64 and as text, so a payload in clear is found by its words and an encoded one by its base64. */
function jsonReplacer(_key: string, value: unknown): unknown {
  // An error's message and stack are not enumerable: named here so they are searched too.
  if (value instanceof Error) return { ...value, name: value.name, message: value.message, stack: value.stack, cause: (value as { cause?: unknown }).cause };
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString('base64'), text: Buffer.from(value).toString('latin1') };
  if (typeof value === 'bigint') return String(value);
  if (value !== null && typeof value === 'object' && 'low' in value && 'high' in value && 'unsigned' in value) return String(value);
  return value;
}

/** Each value plain, URL-encoded, JSON-escaped, and as base64 at each of the three byte offsets it may start at. */
function needlesFor(values: string[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    out.add(v);
    out.add(encodeURIComponent(v));
    for (let k = 0; k < 3; k++) {
      const b64 = Buffer.from(`${'x'.repeat(k)}${v}`).toString('base64');
      const start = k === 0 ? 0 : 4;
      const end = Math.floor((k + Buffer.byteLength(v)) / 3) * 4;
      if (end - start >= 8) out.add(b64.slice(start, end));
    }
  }
  return [...out];
}

function excerpt(text: string, at: number): string {
  return text.slice(Math.max(0, at - 120), at + 120);
}

function capture(lines: string[]): DestinationStream {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      done();
    },
  }) as unknown as DestinationStream;
}
