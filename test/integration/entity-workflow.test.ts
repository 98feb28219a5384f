import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { moverWorkflowId } from '../../src/hris/hr-event';
import type { EvidenceRecord } from '../../src/evidence/types';
import { hrEventSignal, statusQuery } from '../../src/temporal/messages';
import { Inbox } from '../../src/intake/inbox';
import type { JoinerResult } from '../../workflows/joiner';
import type { LeaverResult } from '../../workflows/leaver';
import type { MoverResult } from '../../workflows/mover';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { adminToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { recordHistory, resultOf } from '../harness/workflows';
import type { ApprovalRecord } from '../../src/approvals/types';

let targets: Targets;
let engine: TestEngine;
const day = 86_400_000;
/** Workflows answer within a second here, but a loaded CI machine may take longer. */
const patience = { timeout: 15_000, interval: 100 };
const dateIn = (days: number) => new Date(Date.now() + days * day).toISOString().slice(0, 10);

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['staff', 'engineering', 'sales']);
  engine = await startTestEngine({
    yaml: `${targets.systemsYaml}
policy:
  birthright: [{ system: okta, entitlements: ["group:staff"] }]
  rules:
    - name: engineering
      when: { department: Engineering }
      grant: [{ system: aws, entitlements: ["group:engineering"] }]
    - name: sales
      when: { department: Sales }
      grant: [{ system: aws, entitlements: ["group:sales"] }]
`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, JML_ENTITY_EVENTS_PER_RUN: '2' },
    secrets: targets.secrets,
  });
});

afterAll(async () => {
  await engine?.close();
  await targets?.close();
});

const base = (login: string) => ({ workEmail: login, firstName: 'En', lastName: 'Tity', status: 'Active', hireDate: '2024-01-08', terminationDate: null });

async function deliver(id: string, action: 'Created' | 'Updated', changed: string[], fields: Record<string, string | null>, timestamp = new Date().toISOString()) {
  const res = await postBambooWebhook(engine.url, { employees: [{ id, action, timestamp, changedFields: changed, fields }] });
  expect(res.status).toBe(202);
  return (res.body.events as { eventId: string; kind: string; workflowIds: string[] }[])[0]!;
}

async function hired(id: string, login: string, department: string): Promise<void> {
  const event = await deliver(id, 'Created', [], { ...base(login), department });
  await resultOf<JoinerResult>(engine.client, event.workflowIds.find((w) => w.startsWith('joiner-'))!);
}

const status = (id: string) => engine.client.workflow.getHandle(`employee-bamboohr-${id}`).query(statusQuery);
const evidenceOf = (id: string): Promise<EvidenceRecord[]> => engine.services.evidence.forEmployee(id);
const awsGroups = (login: string) => [...(targets.scim.user(login)?.groups ?? [])].sort();

describe("a worker's own workflow", () => {
  it('skips a change that is older than one already applied (out-of-order delivery)', async () => {
    const login = 'olga.order@acme.test';
    await hired('921', login, 'Engineering');
    const newer = await deliver('921', 'Updated', ['Department'], { ...base(login), department: 'Sales' });
    await resultOf<MoverResult>(engine.client, moverWorkflowId('bamboohr', '921', newer.eventId));
    const older = await deliver('921', 'Updated', ['Department'], { ...base(login), department: 'Engineering' }, new Date(Date.now() - 3_600_000).toISOString());

    await vi.waitFor(async () => expect((await evidenceOf('921')).some((e) => e.action === 'hr_event.skipped')).toBe(true), { timeout: 10_000 });
    expect((await status('921')).worker.department).toBe('Sales');
    expect(awsGroups(login)).toEqual(['sales']);
    await expect(engine.client.workflow.getHandle(moverWorkflowId('bamboohr', '921', older.eventId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('holds a future-dated change until its date while an earlier-dated one goes first', async () => {
    const login = 'fay.future@acme.test';
    await hired('922', login, 'Engineering');
    const future = await deliver('922', 'Updated', ['Department'], { ...base(login), department: 'Sales', jobInformationDate: dateIn(3) });
    await vi.waitFor(async () => expect((await status('922')).current?.eventId).toBe(future.eventId), patience);
    const today = await deliver('922', 'Updated', ['Job Title'], { ...base(login), department: 'Engineering', jobTitle: 'Staff Engineer' });

    await resultOf<MoverResult>(engine.client, moverWorkflowId('bamboohr', '922', today.eventId));
    expect((await status('922')).worker.jobTitle).toBe('Staff Engineer');
    expect((await status('922')).worker.department).toBe('Engineering');
    await vi.waitFor(async () => expect((await status('922')).current?.eventId).toBe(future.eventId), patience);
    await expect(engine.client.workflow.getHandle(moverWorkflowId('bamboohr', '922', future.eventId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(awsGroups(login)).toEqual(['engineering']);
    // The first run holds the re-ordering (this engine continues as new after two events).
    const first = (await engine.client.workflow.getHandle('employee-bamboohr-922').describe()).raw.workflowExecutionInfo?.firstRunId ?? undefined;
    await recordHistory(engine.client, 'employee-ordering', 'employee-bamboohr-922', first);
    await engine.client.workflow.getHandle('employee-bamboohr-922').terminate('test cleanup');
  });

  it('runs a joiner for a rehire after a completed leaver, asking approval for all beyond birthright', async () => {
    const login = 'rex.rehire@acme.test';
    await hired('923', login, 'Engineering');
    const leaving = await postBambooWebhook(engine.url, terminationDelivery('923', login, dateIn(-1), { department: 'Engineering' }));
    const leaverId = (leaving.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('leaver-'))!;
    expect((await resultOf<LeaverResult>(engine.client, leaverId)).rescinded).toBe(false);

    const back = await deliver('923', 'Updated', ['Status', 'Hire Date'], { ...base(login), hireDate: dateIn(-1), terminationDate: dateIn(-2), department: 'Engineering' });
    expect(back.kind).toBe('rehire');
    let pending: ApprovalRecord | undefined;
    for (let i = 0; i < 150 && !pending; i++) {
      const res = await fetch(`${engine.url}/api/approvals`, { headers: { authorization: `Bearer ${adminToken}` } });
      pending = ((await res.json()) as { approvals: ApprovalRecord[] }).approvals.find((a) => a.employeeId === '923');
      if (!pending) await new Promise((r) => setTimeout(r, 100));
    }
    // Birthright comes back at once; the engineering group waits for an approver this time.
    expect(pending).toMatchObject({ system: 'aws', entitlement: 'group:engineering', rules: ['engineering'] });
    await vi.waitFor(() => expect(targets.okta.user(login)?.groups).toContain('staff'), patience);
    expect(awsGroups(login)).toEqual([]);
  });

  it('continues as new after its configured number of events, keeping state', async () => {
    const login = 'cara.continue@acme.test';
    await hired('924', login, 'Engineering');
    const change = await deliver('924', 'Updated', ['Department'], { ...base(login), department: 'Sales' });
    const moverId = moverWorkflowId('bamboohr', '924', change.eventId);
    await resultOf<MoverResult>(engine.client, moverId);
    const moverRun = (await engine.client.workflow.getHandle(moverId).describe()).runId;
    // Two applied events (JML_ENTITY_EVENTS_PER_RUN=2): the next run carries the attributes.
    await vi.waitFor(async () => {
      const description = await engine.client.workflow.getHandle('employee-bamboohr-924').describe();
      const firstRunId = description.raw.workflowExecutionInfo?.firstRunId;
      expect(firstRunId).toBeTruthy();
      expect(description.runId).not.toBe(firstRunId);
    }, patience);
    expect((await status('924')).worker.department).toBe('Sales');
    // The new run still knows the events it has seen: the same event signalled again changes nothing.
    const stored = await new Inbox(engine.db).get(change.eventId);
    await engine.client.workflow.getHandle('employee-bamboohr-924').signal(hrEventSignal, stored!.event);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await engine.client.workflow.getHandle(moverId).describe()).runId).toBe(moverRun);
    expect((await status('924')).pending).toEqual([]);
  });
});
