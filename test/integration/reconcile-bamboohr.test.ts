import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EvidenceRecord } from '../../src/evidence/types';
import type { OffboardingReport } from '../../src/reports/offboarding';
import { reconcileScheduleId } from '../../src/temporal/schedules';
import { start as startBambooPeer, type BambooPeer } from '../peers/bamboohr-peer';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { startTargets, type Targets } from '../harness/targets';
import { auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { recordHistory } from '../harness/workflows';

/**
 * Missed-event reconciliation for BambooHR: the engine's Temporal Schedule polls
 * `/v1/employees/changed` every 2 s (configured short), compares each changed employee with
 * what the engine knows, and feeds the difference into the same intake as webhooks.
 */
const apiKey = 'bamboohr-api-key-for-reconcile';
let bamboo: BambooPeer;
let targets: Targets;
let engine: TestEngine;

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['everyone']);
  bamboo = await startBambooPeer({ apiKey });
  engine = await startTestEngine({
    yaml: `${targets.systemsYaml}
policy:
  birthright:
    - { system: okta, entitlements: ["group:everyone"] }
hris:
  bamboohr: { pollEvery: 2s, webhookGrace: 1s }
`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, BAMBOOHR_API_URL: bamboo.url, BAMBOOHR_API_KEY: apiKey },
    secrets: targets.secrets,
  });
});

afterAll(async () => {
  await engine?.close();
  await bamboo?.close();
  await targets?.close();
});

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const record = (login: string, extra: Record<string, string | null>) => ({
  workEmail: login,
  firstName: 'Rae',
  lastName: 'Conciled',
  status: 'Active',
  hireDate: '2024-03-04',
  terminationDate: null,
  department: 'Sales',
  jobTitle: 'Account Executive',
  ...extra,
});

async function evidence(employeeId: string, action: string, atLeast = 1): Promise<EvidenceRecord[]> {
  return vi.waitFor(
    async () => {
      const found = (await engine.services.evidence.forEmployee(employeeId)).filter((e) => e.action === action);
      if (found.length < atLeast) throw new Error(`${found.length} ${action} for ${employeeId}`);
      return found;
    },
    { timeout: 45_000, interval: 100 },
  );
}

/** Waits until the schedule has finished `more` further polls. */
async function polls(more: number): Promise<void> {
  const start = (await engine.services.watermarks.get('bamboohr'))?.polls ?? 0;
  await vi.waitFor(
    async () => {
      const now = (await engine.services.watermarks.get('bamboohr'))?.polls ?? 0;
      if (now < start + more) throw new Error(`${now - start} of ${more} polls`);
    },
    { timeout: 45_000, interval: 100 },
  );
}

describe('BambooHR reconciliation', () => {
  it('runs as a Temporal Schedule for this deployment', async () => {
    const described = await engine.client.schedule.getHandle(reconcileScheduleId('bamboohr', engine.taskQueue)).describe();
    expect(described.spec.intervals?.[0]?.every).toBe(2_000);
    await polls(1);
    const mark = await engine.services.watermarks.get('bamboohr');
    expect(Date.now() - Date.parse(mark!.watermark)).toBeLessThan(30_000);
    const runs = engine.client.workflow.list({ query: `WorkflowType = 'reconcileWorkflow' AND TaskQueue = '${engine.taskQueue}' AND ExecutionStatus = 'Completed'` });
    for await (const run of runs) {
      await recordHistory(engine.client, 'reconcile-bamboohr', run.workflowId, run.runId);
      break;
    }
  });

  it('a termination whose webhook never arrived is caught by the next poll: same leaver, evidence and report row', async () => {
    const login = 'rae.missed@acme.test';
    targets.seedWorker(login, ['everyone']);
    bamboo.setEmployee('941', record(login, { status: 'Inactive', terminationDate: yesterday() }));
    const [completed] = await evidence('941', 'leaver.completed');
    expect(completed!.outcome).toBe('success');
    const [received] = await evidence('941', 'hr_event.received');
    expect(received!.context).toMatchObject({ via: 'poll', kind: 'terminate' });
    expect(targets.okta.sessionsOf(login)).toBe(0);
    expect(targets.scim.user(login)?.active).toBe(false);

    const res = await fetch(`${engine.url}/api/reports/offboarding?from=2000-01-01&to=2100-01-01`, { headers: { authorization: `Bearer ${auditorToken}` } });
    const report = (await res.json()) as OffboardingReport;
    expect(report.leavers.find((l) => l.employeeId === '941')).toMatchObject({ hrSource: 'bamboohr', withinSla: true });

    // Later polls see the same state and start nothing new.
    await polls(2);
    expect((await engine.services.evidence.forEmployee('941')).filter((e) => e.action === 'leaver.started')).toHaveLength(1);
  });

  it('a change that did arrive by webhook is not applied again by the poll', async () => {
    const login = 'wes.webhook@acme.test';
    const fields = record(login, { hireDate: yesterday() });
    bamboo.setEmployee('942', fields);
    const posted = await postBambooWebhook(engine.url, { employees: [{ id: '942', action: 'Created', timestamp: new Date().toISOString(), changedFields: [], fields }] });
    expect(posted.status).toBe(202);
    await evidence('942', 'joiner.completed');
    await polls(2);
    const received = (await engine.services.evidence.forEmployee('942')).filter((e) => e.action === 'hr_event.received');
    expect(received.map((e) => e.context.via)).toEqual(['webhook']);
  });

  it('a poll that fails is retried from the same watermark; the change made meanwhile is recovered', async () => {
    const login = 'otto.outage@acme.test';
    bamboo.setEmployee('943', record(login, { hireDate: yesterday() }));
    await evidence('943', 'joiner.completed');
    const before = await engine.services.watermarks.get('bamboohr');
    bamboo.failWith(503);
    try {
      bamboo.setEmployee('943', record(login, { hireDate: yesterday(), jobTitle: 'Sales Director' }));
      await new Promise((r) => setTimeout(r, 5_000));
      const during = await engine.services.watermarks.get('bamboohr');
      expect(during?.watermark).toBe(before?.watermark);
    } finally {
      bamboo.failWith(undefined);
    }
    const changes = await evidence('943', 'hr_event.received', 2);
    expect(changes.map((e) => [e.context.kind, e.context.via])).toEqual([
      ['hire', 'poll'],
      ['change', 'poll'],
    ]);
    expect(changes[1]!.context.changedFields).toEqual(['jobTitle']);
  });

  it('a record with a NUL in a field is recorded once as hr_event.refused, naming the field, and the poll and its watermark move on', async () => {
    const login = 'pia.poison@acme.test';
    targets.seedWorker(login, ['everyone']);
    bamboo.setEmployee('944', record(login, { lastName: 'Poi\u0000son', status: 'Inactive', terminationDate: yesterday() }));
    const [refused] = await evidence('944', 'hr_event.refused');
    expect(refused).toMatchObject({ hrSource: 'bamboohr', outcome: 'failure', context: { field: 'worker.lastName', reason: 'contains a NUL character', via: 'poll' } });
    expect(JSON.stringify(refused)).not.toContain(login);
    const mark = await engine.services.watermarks.get('bamboohr');
    await polls(2);
    expect(Date.parse((await engine.services.watermarks.get('bamboohr'))!.watermark)).toBeGreaterThan(Date.parse(mark!.watermark));
    const all = await engine.services.evidence.forEmployee('944');
    expect(all.filter((e) => e.action === 'hr_event.refused')).toHaveLength(1);
    expect(all.filter((e) => e.action === 'leaver.started')).toHaveLength(0);
    expect(targets.okta.sessionsOf(login)).toBeGreaterThan(0);
  });
});
