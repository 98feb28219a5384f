/** The one normalised shape every HRIS intake produces; nothing downstream knows the source. */
export const hrSources = ['bamboohr', 'workday'] as const;
export type HrSource = (typeof hrSources)[number];

export const lifecycleKinds = ['hire', 'change', 'terminate', 'rehire', 'rescind'] as const;
export type LifecycleKind = (typeof lifecycleKinds)[number];

/** Worker attributes as the HRIS reports them. Absent means "not reported", never "empty". */
export interface WorkerAttributes {
  workEmail?: string;
  firstName?: string;
  lastName?: string;
  department?: string;
  division?: string;
  jobTitle?: string;
  location?: string;
  employmentType?: string;
  managerId?: string;
  /** IANA zone of the worker's HR location, e.g. Europe/London. */
  timeZone?: string;
  status?: string;
  /**
   * Extra HR fields declared in identity.hrFields (e.g. githubLogin), by their name there, for
   * systems that match accounts by something other than the work email. Only fields with a value.
   */
  hrFields?: Record<string, string>;
}

/** The worker's plain text attributes (everything but the extra HR fields). */
export type WorkerAttribute = Exclude<keyof WorkerAttributes, 'hrFields'>;

export interface HrEvent {
  /** Stable identity of this change at the source: the dedupe key of the inbox. */
  eventId: string;
  source: HrSource;
  employeeId: string;
  kind: LifecycleKind;
  /** The date the change takes effect (YYYY-MM-DD), as the HRIS states it. */
  effectiveDate?: string;
  /** Involuntary or otherwise "act now" terminations. */
  immediate: boolean;
  /** When the engine received the event (ISO-8601 UTC). */
  receivedAt: string;
  /** When the HRIS says the change happened, if it says. */
  occurredAt?: string;
  changedFields: string[];
  worker: WorkerAttributes;
  via: 'webhook' | 'poll';
  sourceIp?: string;
}

/** Readable Temporal workflow IDs; no names or emails ever appear in them. */
export function employeeWorkflowId(source: HrSource, employeeId: string): string {
  return `employee-${source}-${employeeId}`;
}

export function leaverWorkflowId(source: HrSource, employeeId: string, eventId: string): string {
  return `leaver-${source}-${employeeId}-${shortEventId(eventId)}`;
}

export function joinerWorkflowId(source: HrSource, employeeId: string, eventId: string): string {
  return `joiner-${source}-${employeeId}-${shortEventId(eventId)}`;
}

export function moverWorkflowId(source: HrSource, employeeId: string, eventId: string): string {
  return `mover-${source}-${employeeId}-${shortEventId(eventId)}`;
}

/**
 * The workflows an event is handed to: the worker's entity workflow, and for a termination or a
 * (re)hire the leaver or joiner it starts. A change may join a mover already running, so only
 * the worker's own ID is certain for it.
 */
export function workflowIdsFor(event: Pick<HrEvent, 'source' | 'employeeId' | 'eventId' | 'kind'>): string[] {
  const entity = employeeWorkflowId(event.source, event.employeeId);
  if (event.kind === 'terminate') return [entity, leaverWorkflowId(event.source, event.employeeId, event.eventId)];
  if (event.kind === 'hire' || event.kind === 'rehire') return [entity, joinerWorkflowId(event.source, event.employeeId, event.eventId)];
  return [entity];
}

/** The tail of an event ID that is safe and short enough for a workflow ID. */
export function shortEventId(eventId: string): string {
  const tail = eventId.split(':').pop() ?? eventId;
  return tail.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 16);
}
