/**
 * Reading step times from Temporal workflow histories. A regular activity leaves
 * ActivityTaskScheduled/Started/Completed events; a local activity runs inside the workflow task
 * and leaves one MarkerRecorded event (`core_local_activity`) whose `data` detail holds its type,
 * when it was first scheduled and when it completed.
 */
import type { WorkflowHandle } from '@temporalio/client';

export type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

const timestampMs = (ts: Timestamp): number | undefined =>
  ts ? Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6) : undefined;

export function eventMs(e: HistoryEvent | undefined): number | undefined {
  return timestampMs(e?.eventTime);
}

export interface StepTimes {
  /** Regular activity: scheduled event. Local activity: the marker's original schedule time. */
  scheduled: number;
  /** Regular: started event. Local: the same as scheduled (it runs in the worker at once; no event records its start). */
  started?: number;
  /** Regular: completed event. Local: the marker's complete time, or the marker event's time when that is missing or earlier than the schedule. */
  completed?: number;
  local: boolean;
}

const localActivityMarker = 'core_local_activity';

interface LocalActivityData {
  activity_type?: string;
  original_schedule_time?: Timestamp;
  complete_time?: Timestamp;
}

/** The bookkeeping Temporal keeps for a local activity (its result stays in another detail, encrypted when a codec is set). */
function localActivityData(e: HistoryEvent): LocalActivityData | undefined {
  const marker = e.markerRecordedEventAttributes;
  if (marker?.markerName !== localActivityMarker) return undefined;
  const payload = marker.details?.data?.payloads?.[0];
  if (!payload?.data) return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data).toString('utf8')) as LocalActivityData;
  } catch {
    return undefined;
  }
}

/** Times of every activity of a type in a history, regular or local, in history order. */
export function activityTimes(events: HistoryEvent[], type: string): StepTimes[] {
  const out: (StepTimes & { id: string })[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === type) out.push({ id: String(e.eventId), scheduled: eventMs(e)!, local: false });
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const a = out.find((x) => !x.local && x.id === String(started.scheduledEventId));
      if (a) a.started = eventMs(e);
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const a = out.find((x) => !x.local && x.id === String(completed.scheduledEventId));
      if (a) a.completed = eventMs(e);
    }
    const local = localActivityData(e);
    if (local?.activity_type === type) {
      const recorded = eventMs(e)!;
      const scheduled = timestampMs(local.original_schedule_time) ?? recorded;
      const done = timestampMs(local.complete_time);
      out.push({ id: `marker-${String(e.eventId)}`, scheduled, started: scheduled, completed: done !== undefined && done >= scheduled ? done : recorded, local: true });
    }
  }
  return out.map(({ id: _id, ...times }) => times);
}

/** Time of the first history event `pick` accepts. */
export const first = (events: HistoryEvent[], pick: (e: HistoryEvent) => unknown) => eventMs(events.find((e) => pick(e)));

/**
 * The first milestones of every lifecycle sample, up to the HR event recorded in the worker's
 * workflow: the POST, the evidence of receipt, the 202, the workflow's start and the record step.
 */
export function intakeMilestones(
  sample: { startAt: number; returnedAt: number },
  evidence: readonly { action: string; occurredAt: string }[],
  employee: HistoryEvent[],
) {
  const record = activityTimes(employee, 'recordHrEvent')[0];
  const received = evidence.find((e) => e.action === 'hr_event.received');
  return {
    postStarted: sample.startAt,
    webhookReceived: received ? Date.parse(received.occurredAt) : undefined,
    webhookAnswered202: sample.returnedAt,
    employeeWorkflowStarted: first(employee, (e) => e.workflowExecutionStartedEventAttributes),
    recordHrEventStarted: record?.started,
    recordHrEventCompleted: record?.completed,
  };
}
