-- Durable intake: every normalised HR event is stored here before the webhook is acknowledged,
-- once per source event identity; a drainer retries the ones not yet handed to Temporal.
CREATE TABLE IF NOT EXISTS hr_inbox (
  id bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE,
  source text NOT NULL,
  employee_id text NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  delivery_id text,
  received_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'dispatched', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  workflow_ids text[] NOT NULL DEFAULT '{}',
  dispatched_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON COLUMN hr_inbox.delivery_id IS 'sha256 (hex) of the raw request body that carried the event';

CREATE INDEX IF NOT EXISTS hr_inbox_pending ON hr_inbox (received_at, id) WHERE status <> 'dispatched';

CREATE INDEX IF NOT EXISTS hr_inbox_employee ON hr_inbox (source, employee_id, received_at);
