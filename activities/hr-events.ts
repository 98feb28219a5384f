import type { HrEvent } from '../src/hris/hr-event';
import type { ActivityDeps } from './deps';
import { currentRun } from './step';

export function createHrEventActivities(deps: ActivityDeps) {
  return {
    /** Evidence that the engine took an HR event into the worker's workflow, once per event. */
    async recordHrEvent(event: HrEvent): Promise<void> {
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
    },
  };
}

export type HrEventActivities = ReturnType<typeof createHrEventActivities>;
