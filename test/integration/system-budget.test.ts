/**
 * systems[].requestsPerSecond holds across every worker process: each system's steps run on a
 * task queue of its own whose dispatch rate the Temporal server limits, whichever worker polls.
 * Two engines (two worker processes of one deployment: one task queue, one database) share a
 * burst of leavers; every Okta step lands on an Okta queue, both processes run some, and the
 * clean-up steps together never start faster than the budget allows. The session kills run on
 * Okta's sessions queue, which the server does not hold back: each process's pacer holds their
 * requests to its share of the budget, and serves them first.
 */
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemSessionsTaskQueue, systemTaskQueue } from '../../src/temporal/system-queues';
import { bambooSecret } from '../harness/bamboohr';
import { deliverAll, employeeIds, seedLeavers, waitAllCompleted } from '../harness/leaver-batch';
import { startTargets, type Targets } from '../harness/targets';
import { startTestEngine, type TestEngine } from '../harness/test-engine';
import { recordHistory } from '../harness/workflows';

// 15 requests/s at Okta's 3 requests per step: the server dispatches at most 5 Okta steps a second.
const requestsPerSecond = 15;
const stepsPerSecond = requestsPerSecond / 3;
const leavers = employeeIds(7100, 20);

let targets: Targets;
let first: TestEngine;
let second: TestEngine;

describe.runIf(process.env.DATABASE_URL)('per-system budget across worker processes', () => {
  beforeAll(async () => {
    targets = await startTargets();
    const yaml = `${targets.systemsYaml.replace('tokenEnv: OKTA_TOKEN }', `tokenEnv: OKTA_TOKEN, requestsPerSecond: ${requestsPerSecond} }`)}\n`;
    expect(yaml).toContain(`requestsPerSecond: ${requestsPerSecond}`);
    const env = { BAMBOOHR_WEBHOOK_SECRET: bambooSecret };
    first = await startTestEngine({ yaml, env, secrets: targets.secrets });
    second = await startTestEngine({ yaml, env, secrets: targets.secrets, joining: { taskQueue: first.taskQueue, db: first.db } });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await targets?.close();
  });

  it('runs every Okta step on an Okta queue, on both workers, the clean-up no faster than the budget and the session kills apart', async () => {
    seedLeavers(targets, leavers);
    await deliverAll(first.url, leavers, { concurrency: 12, deadline: Date.now() + 30_000 });
    await waitAllCompleted(first.db, leavers, 90_000);

    const oktaQueue = systemTaskQueue(first.taskQueue, 'okta');
    const oktaSessions = systemSessionsTaskQueue(first.taskQueue, 'okta');
    const starts: number[] = [];
    const kills: string[] = [];
    let recorded = false;
    const workers = new Set<string>();
    const otherQueues = new Set<string>();
    for await (const execution of first.client.workflow.list({ query: `TaskQueue = '${first.taskQueue}' AND WorkflowType = 'leaverWorkflow'` })) {
      const events = (await first.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()).events ?? [];
      if (!recorded) await recordHistory(first.client, 'leaver-sessions-queues', execution.workflowId, execution.runId);
      recorded = true;
      const scheduled = new Map<string, temporal.api.history.v1.IActivityTaskScheduledEventAttributes>();
      for (const event of events) {
        const attrs = event.activityTaskScheduledEventAttributes;
        if (attrs) scheduled.set(String(event.eventId), attrs);
        const started = event.activityTaskStartedEventAttributes;
        if (!started) continue;
        const of = scheduled.get(String(started.scheduledEventId));
        if (!of) continue;
        const queue = of.taskQueue?.name ?? '';
        const type = of.activityType?.name ?? '';
        if (!['killSessions', 'removeAccess', 'disableAccount'].includes(type)) continue;
        if (queue === oktaQueue && type !== 'killSessions') {
          starts.push(Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6));
          workers.add(started.identity ?? '');
        } else if (queue === oktaSessions && type === 'killSessions') kills.push(type);
        else if (queue.startsWith(`${oktaQueue}`) || !queue.startsWith(`${first.taskQueue}.system.`)) otherQueues.add(`${type}@${queue}`);
      }
    }
    expect([...otherQueues]).toEqual([]);
    // Each leaver's Okta steps: a session kill on the sessions queue, then disable and revoke on the Okta queue.
    expect(kills.length).toBe(leavers.length);
    expect(starts.length).toBe(leavers.length);
    starts.sort((a, b) => a - b);
    const spanSeconds = (starts.at(-1)! - starts[0]!) / 1000;
    // The server's limiter allows a burst of about a second's worth; beyond it, stepsPerSecond.
    expect(spanSeconds).toBeGreaterThanOrEqual((starts.length - 2 * stepsPerSecond) / stepsPerSecond);
    expect(workers.size).toBe(2);
  });
});
