import type { HrEvent } from '../src/hris/hr-event';
import type { ActivityDeps } from './deps';
import { workerTimeZone, zonedTimeToUtc } from '../src/leaver/timing';
import { currentRun } from './step';

export function createHrEventActivities(deps: ActivityDeps) {
  return {
    /** Time until a dated change takes effect: midnight of its date in the worker's zone. */
    async millisUntilEffective(event: HrEvent): Promise<number> {
      if (!event.effectiveDate) return 0;
      const zone = workerTimeZone(event.worker.timeZone, deps.leaver.defaultTimeZone);
      return Math.max(0, zonedTimeToUtc(event.effectiveDate, 0, 0, zone).getTime() - (deps.now?.() ?? new Date()).getTime());
    },

    /** Evidence that an event was received but deliberately not applied, and why. */
    async recordHrEventSkipped(input: { event: HrEvent; reason: string }): Promise<void> {
      await recordSkipped(deps, input.event, input.reason);
    },

    /** Evidence that the engine took an HR event into the worker's workflow, once per event. */
    async recordHrEvent(event: HrEvent): Promise<void> {
      await recordReceived(deps, event);
    },
  };
}

export type HrEventActivities = ReturnType<typeof createHrEventActivities>;

/** hr_event.received, once per HR event: the worker's workflow took it in. */
export async function recordReceived(deps: ActivityDeps, event: HrEvent): Promise<void> {
  const run = currentRun();
  await deps.evidence.append({
    stepKey: `hr_event:${event.eventId}`,
    employeeId: event.employeeId,
    hrSource: event.source,
    actorType: 'hr',
    actorId: event.source,
    action: 'hr_event.received',
    occurredAt: event.receivedAt,
    where: event.sourceIp,
    outcome: 'success',
    context: {
      workflowId: run.workflowId,
      runId: run.runId,
      hrEventId: event.eventId,
      kind: event.kind,
      via: event.via,
      effectiveDate: event.effectiveDate,
      immediate: event.immediate,
      changedFields: event.changedFields,
    },
  });
}

/** hr_event.skipped, once per HR event: it was received but deliberately not applied, and why. */
export async function recordSkipped(deps: ActivityDeps, event: HrEvent, reason: string): Promise<void> {
  const run = currentRun();
  await deps.evidence.append({
    stepKey: `hr_event_skipped:${event.eventId}`,
    employeeId: event.employeeId,
    hrSource: event.source,
    actorType: 'engine',
    actorId: 'jml-engine',
    action: 'hr_event.skipped',
    occurredAt: (deps.now?.() ?? new Date()).toISOString(),
    outcome: 'skipped',
    context: { workflowId: run.workflowId, runId: run.runId, hrEventId: event.eventId, kind: event.kind, reason, occurredAtHr: event.occurredAt },
  });
}
