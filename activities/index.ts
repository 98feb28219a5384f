import { createApprovalActivities } from './approvals';
import type { ActivityDeps } from './deps';
import { createHrEventActivities } from './hr-events';
import { createHrEventVerifyActivities } from './hr-event-verify';
import { createJoinerActivities } from './joiner';
import { createLeaverActivities } from './leaver';
import { createLeaverSlaActivities } from './leaver-sla';
import { createMassHoldActivities } from './mass-hold';
import { createMoverActivities } from './mover';
import { createNotificationActivities } from './notifications';
import { createOrphanActivities } from './orphans';
import { createReconcileActivities } from './reconcile';
import { createReviewActivities } from './reviews';
import { createReviewSlackActivities } from './review-slack';

export type { ActivityDeps } from './deps';

/** All activities the worker registers, built from injected clients. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHrEventActivities(deps),
    ...createHrEventVerifyActivities(deps),
    ...createLeaverActivities(deps),
    ...createLeaverSlaActivities(deps),
    ...createMassHoldActivities(deps),
    ...createJoinerActivities(deps),
    ...createMoverActivities(deps),
    ...createApprovalActivities(deps),
    ...createNotificationActivities(deps),
    ...createReconcileActivities(deps),
    ...createOrphanActivities(deps),
    ...createReviewActivities(deps),
    ...createReviewSlackActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
