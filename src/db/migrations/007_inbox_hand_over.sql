-- Hand-over of stored HR events to Temporal, apart from the webhook's answer: a dispatcher in
-- every API process claims due events (one worker's oldest first; a claim is a lease, so a
-- process that dies mid-hand-over leaves the event to another), and a failed hand-over is
-- retried after an exponential backoff.
ALTER TABLE hr_inbox ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE hr_inbox ADD COLUMN IF NOT EXISTS claimed_until timestamptz;
ALTER TABLE hr_inbox ADD COLUMN IF NOT EXISTS claimed_by text;

COMMENT ON COLUMN hr_inbox.next_attempt_at IS 'not handed over before this instant (backoff after a failed hand-over)';
COMMENT ON COLUMN hr_inbox.claimed_until IS 'a dispatcher is handing the event over until then; past it, another may';

-- Due events, oldest first.
CREATE INDEX IF NOT EXISTS hr_inbox_due ON hr_inbox (next_attempt_at, id) WHERE status <> 'dispatched';
-- "Is an older event of this worker still waiting?"
CREATE INDEX IF NOT EXISTS hr_inbox_worker_waiting ON hr_inbox (source, employee_id, id) WHERE status <> 'dispatched';
