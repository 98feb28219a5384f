-- A leaver step that finds no account records `not_found` (only once the system proved
-- reachable and authorised in the same step), apart from `skipped`, so an auditor can tell
-- "nothing there" from "nothing done".
ALTER TABLE evidence_events DROP CONSTRAINT IF EXISTS evidence_events_outcome_check;
ALTER TABLE evidence_events ADD CONSTRAINT evidence_events_outcome_check
  CHECK (outcome IN ('success', 'failure', 'skipped', 'not_found', 'sla_breach'));

-- An approval the engine withdrew (the worker left, the hire was rescinded, the role changed)
-- ends as `cancelled`: nobody decided it and it did not time out.
ALTER TABLE approvals DROP CONSTRAINT IF EXISTS approvals_status_check;
ALTER TABLE approvals ADD CONSTRAINT approvals_status_check
  CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'cancelled'));
