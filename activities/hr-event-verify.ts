import { digestOf } from '../src/hris/digest';
import { hrSources, lifecycleKinds } from '../src/hris/hr-event';
import { checkGivenEvent, checkReference, type GivenHrEvent, type HrEventReference, type UnverifiedReason } from '../src/intake/verify';
import { hrEventUnverifiedAlert } from '../src/slack/messages';
import type { ActivityDeps } from './deps';
import { recordReceived } from './hr-events';
import { slackStep } from './slack-step';
import { currentRun } from './step';

/** Where a workflow was given the event: evidence and the alert say which door it tried. */
export type HrEventPath = 'entity_signal' | 'lifecycle_start' | 'lifecycle_signal';

export interface VerifyHrEventInput extends GivenHrEvent {
  path: HrEventPath;
  /** Record hr_event.received when it checks out (the worker's workflow taking it in). */
  recordReceived?: boolean;
}

/**
 * A workflow acts only on HR events that came through the intake: the first thing it does with
 * one is this check against the inbox row of its ID (worker, kind, content digest). Anything
 * else is refused: evidence `hr_event.unverified` (IDs and the reason, no HR data) and an alert
 * to `sla.securityChannel`, and the workflow does nothing to any system.
 */
export function createHrEventVerifyActivities(deps: ActivityDeps) {
  return {
    /** true when the event checks out against the inbox; false when it was refused. */
    async verifyHrEvent(input: VerifyHrEventInput): Promise<boolean> {
      const { event } = input;
      const stored = deps.inbox ? await deps.inbox.get(event.eventId) : undefined;
      const needsHistory = stored !== undefined && (input.merged === true || input.previous !== undefined);
      const earlier = needsHistory && deps.inbox ? await deps.inbox.historyOf(stored.source, stored.employeeId, stored.id) : [];
      const reason = checkGivenEvent(input, stored, earlier);
      if (reason === undefined) {
        if (input.recordReceived) await recordReceived(deps, event);
        return true;
      }
      await refuse(deps, { eventId: event.eventId, source: event.source, employeeId: event.employeeId, kind: event.kind }, reason, input.path);
      return false;
    },

    /** The same for an event named only by ID (a rescind, a withdrawal for a termination). */
    async verifyHrEventReference(input: HrEventReference & { path: HrEventPath }): Promise<boolean> {
      const stored = deps.inbox ? await deps.inbox.get(input.eventId) : undefined;
      const reason = checkReference(input, stored);
      if (reason === undefined) return true;
      await refuse(deps, input, reason, input.path);
      return false;
    },
  };
}

export type HrEventVerifyActivities = ReturnType<typeof createHrEventVerifyActivities>;

/** What a forged event claims is its own: cut, and kept only where it is a known value. */
const claimed = (value: unknown, max: number) => (typeof value === 'string' ? value.slice(0, max) : 'unknown');

async function refuse(deps: ActivityDeps, event: { eventId: string; source: string; employeeId: string; kind?: string }, reason: UnverifiedReason, path: HrEventPath): Promise<void> {
  const run = currentRun();
  const hrEventId = claimed(event.eventId, 200);
  const hrSource = (hrSources as readonly string[]).includes(event.source) ? event.source : 'unknown';
  const employeeId = claimed(event.employeeId, 64);
  const kind = event.kind && (lifecycleKinds as readonly string[]).includes(event.kind) ? event.kind : undefined;
  await deps.evidence.append({
    stepKey: `hr_event_unverified:${run.workflowId}:${run.runId}:${path}:${digestOf(hrEventId, 24)}`,
    employeeId,
    hrSource,
    actorType: 'engine',
    actorId: 'jml-engine',
    action: 'hr_event.unverified',
    occurredAt: (deps.now?.() ?? new Date()).toISOString(),
    outcome: 'failure',
    context: { workflowId: run.workflowId, runId: run.runId, hrEventId, reason, path, ...(kind ? { kind } : {}) },
  });
  deps.log.warn({ action: 'hr_event.unverified', hrEventId, workflowId: run.workflowId, reason, path }, 'HR event refused: not verified against the inbox');
  const alert = hrEventUnverifiedAlert({ hrEventId, hrSource, employeeId, workflowId: run.workflowId, reason });
  const channel = deps.notifications?.securityChannel;
  if (!deps.slack || !channel) {
    deps.log.info({ notification: 'hr_event.unverified', ...(channel ? { channel } : {}) }, alert.text);
    return;
  }
  const slack = deps.slack;
  // The refusal stands whether or not Slack answers: the alert is told once, best effort.
  await slackStep(() => slack.post(channel, alert)).catch((err: unknown) => deps.log.error({ err, notification: 'hr_event.unverified' }, 'could not alert the security channel'));
}
