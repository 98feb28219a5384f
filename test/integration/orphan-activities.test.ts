import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps';
import { createOrphanActivities, LISTING_ATTEMPTS, type OrphanRunOutcome } from '../../activities/orphans';
import { ScimConnector } from '../../src/connectors/scim/connector';
import type { Database } from '../../src/db/database';
import { EvidenceStore } from '../../src/evidence/store';
import { createLogger } from '../../src/log';
import { OrphanStore } from '../../src/orphans/store';
import { openTestDatabase } from '../harness/db';
import { hrEvent, storeHrHistory } from '../harness/orphans';
import { startScimPeer, type ScimPeer } from '../peers/scim-peer';

/**
 * The orphan activities on their own: a listing that fails with something another attempt may
 * cure is retried by Temporal (the activity throws) until its last attempt, which records the
 * system as failed for the run; evidence of a run is written once however often it is retried.
 */
let db: Database;
let scim: ScimPeer;
let evidence: EvidenceStore;
let activities: ReturnType<typeof createOrphanActivities>;

beforeAll(async () => {
  db = await openTestDatabase('orphan_activities');
  evidence = new EvidenceStore(db);
  scim = await startScimPeer({ token: 'scim-act' });
  scim.seedUser({ userName: 'lee.left@acme.test' });
  await storeHrHistory(db, [hrEvent('3001', 'hire', 'lee.left@acme.test'), hrEvent('3001', 'terminate', 'lee.left@acme.test', { immediate: true })]);
  const connector = new ScimConnector({ id: 'aws', baseUrl: scim.url, token: 'scim-act' });
  const deps = {
    connectors: new Map([['aws', connector]]),
    evidence,
    leaver: { sessionKillSlaMs: 60_000, fullRevokeSlaMs: 900_000, cutoffLocalTime: '18:00', defaultTimeZone: 'UTC' },
    orphans: { store: new OrphanStore(db), db, graceMs: 900_000 },
    log: createLogger('silent'),
  } as Partial<ActivityDeps> as ActivityDeps;
  activities = createOrphanActivities(deps);
});
afterAll(async () => {
  await scim?.close();
  await db?.close();
});

const env = (attempt: number, runId: string) => new MockActivityEnvironment({ attempt, workflowExecution: { workflowId: runId, runId: 'r1' } });

describe('orphan activities', () => {
  it('a listing that answers 503 is retried by Temporal, then recorded as failed on its last attempt', async () => {
    scim.failFor(60_000, 503);
    try {
      for (let attempt = 1; attempt < LISTING_ATTEMPTS; attempt++) {
        await expect(env(attempt, 'run-a').run(activities.reconcileOrphans, { runId: 'run-a', system: 'aws' })).rejects.toMatchObject({ type: 'listing_failed', nonRetryable: false });
      }
      const last = await env(LISTING_ATTEMPTS, 'run-a').run(activities.reconcileOrphans, { runId: 'run-a', system: 'aws' });
      expect(last).toMatchObject({ system: 'aws', status: 'failed', accounts: 0, error: expect.stringContaining('answered 503') });
    } finally {
      scim.failFor(0, 503);
    }
    expect(await new OrphanStore(db).runs('run-a')).toMatchObject([{ system: 'aws', status: 'failed' }]);
  });

  it('records a run’s evidence once, however often the step is retried', async () => {
    const outcome: OrphanRunOutcome = await env(1, 'run-b').run(activities.reconcileOrphans, { runId: 'run-b', system: 'aws' });
    expect(outcome).toMatchObject({ status: 'succeeded', newOrphans: 1 });
    const first = await env(1, 'run-b').run(activities.recordOrphanEvidence, { runId: 'run-b', outcomes: [outcome] });
    const again = await env(2, 'run-b').run(activities.recordOrphanEvidence, { runId: 'run-b', outcomes: [outcome] });
    expect(first).toMatchObject({ detected: 1, notice: { newCount: 1 } });
    expect(again).toEqual(first);
    const detected = await evidence.range({ actions: ['orphan.detected'] });
    expect(detected).toHaveLength(1);
    expect(detected[0]).toMatchObject({ employeeId: '3001', hrSource: 'bamboohr', system: 'aws', context: { hrStatus: 'terminated', reason: 'left', orphanRun: 'run-b' } });
    expect(await evidence.range({ actions: ['orphans.reconciled'] })).toHaveLength(1);
  });
});
