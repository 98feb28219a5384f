import { patched, proxyLocalActivities } from '@temporalio/workflow';
import type { HrEventVerifyActivities, VerifyHrEventInput } from '../activities/hr-event-verify';
import type { HrEvent } from '../src/hris/hr-event';
import type { HrEventReference } from '../src/intake/verify';

/** Runs that began before HR events were checked against the inbox keep their recorded course. */
export const hrEventVerifiedPatch = 'hr-event-verified';

const inbox = proxyLocalActivities<HrEventVerifyActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  summary: 'verify HR event against the inbox',
});

/** Whether this run checks HR events against the inbox (every run that began since). */
export function verifying(): boolean {
  return patched(hrEventVerifiedPatch);
}

/**
 * true when the event this workflow was given is the one the intake stored; false when it was
 * refused (recorded as hr_event.unverified, the security channel alerted). Runs from before the
 * check take every event, as they did.
 */
export async function genuine(input: VerifyHrEventInput): Promise<boolean> {
  if (!verifying()) return true;
  return inbox.verifyHrEvent(input);
}

/** The same for an event a signal names by ID only (a rescind, a withdrawal for a termination). */
export async function genuineReference(ref: HrEventReference, path: VerifyHrEventInput['path']): Promise<boolean> {
  if (!verifying()) return true;
  return inbox.verifyHrEventReference({ ...ref, path });
}

/** A lifecycle workflow's own event, given it by its worker's workflow with merged attributes. */
export const lifecycleEvent = (event: HrEvent, path: VerifyHrEventInput['path'] = 'lifecycle_start'): VerifyHrEventInput => ({ event, merged: true, path });
