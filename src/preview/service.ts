import type { Client } from '@temporalio/client';
import type { Connector } from '../connectors/types';
import type { WorkerAttributes } from '../hris/hr-event';
import type { Policy } from '../policy';
import type { MatchByFields } from '../identity/system-login';
import type { EmployeeStatus } from '../temporal/messages';
import type { EmployeeRef } from './employee-ref';
import { applyOverrides, overridableFields, type OverridableField, type Overrides } from './overrides';
import { planPreview, type PreviewEvent, type SystemPreview } from './plan';
import { loginOf, readEmployeeStatus, readSystems } from './reader';
import { accessView, type SystemAccessView } from './view';

export interface EmployeeReadDeps {
  client: Client;
  connectors: ReadonlyMap<string, Connector>;
  policy: Policy;
  /** Systems matched by an HR field rather than the work email. */
  matchBy?: MatchByFields;
  /** How long the workflow's status may take to answer (default 10 s). */
  queryTimeoutMs?: number;
}

/** The attributes shown and previewed: what policy matches on, the login, the time zone. No names. */
export type WorkerSummary = Partial<Record<OverridableField, string>>;

export interface PendingEvent {
  eventId: string;
  kind: string;
  effectiveDate?: string;
}

export interface EmployeeView {
  employeeId: string;
  source: string;
  workflowId: string;
  lifecycle: EmployeeStatus['lifecycle'];
  worker: WorkerSummary;
  /** The event being applied now, if any. */
  currentEvent: { eventId: string; kind: string } | null;
  /** Events received and not applied yet, oldest first. */
  pendingEvents: PendingEvent[];
  systems: SystemAccessView[];
}

export interface EmployeePreview {
  employeeId: string;
  source: string;
  workflowId: string;
  /** False when the worker has no workflow yet: the preview starts from empty attributes. */
  exists: boolean;
  lifecycle: EmployeeStatus['lifecycle'] | null;
  event: PreviewEvent;
  overrides: Overrides;
  /** The attributes the preview used (current ones with the overrides applied). */
  worker: WorkerSummary;
  login: string | null;
  systems: SystemPreview[];
  steps: number;
  complete: boolean;
  warnings: string[];
}

/** A worker's lifecycle and desired against provisioned access; null when they have no workflow. */
export async function employeeView(deps: EmployeeReadDeps, ref: EmployeeRef): Promise<EmployeeView | null> {
  const status = await readEmployeeStatus(deps.client, ref, deps.queryTimeoutMs);
  if (!status) return null;
  const readings = await readSystems(deps.connectors, status.worker, deps.matchBy);
  return {
    employeeId: ref.employeeId,
    source: ref.source,
    workflowId: ref.workflowId,
    lifecycle: status.lifecycle,
    worker: summarise(status.worker),
    currentEvent: status.current ? { eventId: status.current.eventId, kind: status.current.kind } : null,
    pendingEvents: status.pending.map((e) => ({ eventId: e.eventId, kind: e.kind, ...(e.effectiveDate ? { effectiveDate: e.effectiveDate } : {}) })),
    systems: accessView(deps.policy, status.worker, readings),
  };
}

/** What an HR event would change for the worker, from a fresh read of each system. Changes nothing. */
export async function employeePreview(deps: EmployeeReadDeps, request: { ref: EmployeeRef; event: PreviewEvent; overrides: Overrides }): Promise<EmployeePreview> {
  const { ref, event, overrides } = request;
  const status = await readEmployeeStatus(deps.client, ref, deps.queryTimeoutMs);
  const worker = applyOverrides(status?.worker ?? {}, overrides);
  const login = loginOf(worker);
  const rehire = event === 'hire' && status?.lifecycle === 'terminated';
  const plan = planPreview({ event, policy: deps.policy, worker, rehire, readings: await readSystems(deps.connectors, worker, deps.matchBy) });
  const warnings: string[] = [];
  if (rehire) warnings.push('the worker has left: a hire is a rehire, and access beyond birthright is asked for again');
  if (!status) warnings.push('no workflow for this worker yet: the preview starts from empty attributes and the overrides');
  if (status && status.pendingEvents > 0) warnings.push(`${status.pendingEvents} HR event(s) received but not applied yet: the preview uses the attributes applied so far`);
  if (!login) warnings.push('no work email: accounts cannot be matched or created (set workEmail to preview with one)');
  for (const s of plan.systems) if (s.error) warnings.push(`${s.system} could not be read (${s.error.code}): left out of the preview`);
  return {
    employeeId: ref.employeeId,
    source: ref.source,
    workflowId: ref.workflowId,
    exists: status !== null,
    lifecycle: status?.lifecycle ?? null,
    event,
    overrides,
    worker: summarise(worker),
    login: login ?? null,
    systems: plan.systems,
    steps: plan.steps,
    complete: plan.complete,
    warnings,
  };
}

function summarise(worker: WorkerAttributes): WorkerSummary {
  const out: WorkerSummary = {};
  for (const field of overridableFields) {
    const value = worker[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}
