-- Approvals a workflow waits on before granting an entitlement whose rule asks for one.
-- A row is written pending when the wait starts and decided once: approved or rejected by an
-- approver, or expired when the wait times out. Decisions only ever move a row out of pending.
CREATE TABLE IF NOT EXISTS approvals (
  approval_id  text        PRIMARY KEY,
  workflow_id  text        NOT NULL,
  employee_id  text        NOT NULL,
  hr_source    text        NOT NULL,
  system       text        NOT NULL,
  entitlement  text        NOT NULL,
  rules        jsonb       NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(rules) = 'array'),
  requested_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL CHECK (expires_at >= requested_at),
  status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
  decided_by   text,
  decided_at   timestamptz,
  reason       text,
  -- A pending row carries no decision; a decided one always says who decided and when.
  CHECK ((status = 'pending') = (decided_at IS NULL)),
  CHECK ((status = 'pending') = (decided_by IS NULL))
);

COMMENT ON COLUMN approvals.rules IS 'labels of the policy rules that asked for this approval (JSON array of strings)';
COMMENT ON COLUMN approvals.decided_by IS 'who decided: api:admin, a Slack user ID, or the engine for an expiry';

-- Pending approvals are listed oldest first.
CREATE INDEX IF NOT EXISTS approvals_status_idx ON approvals (status, requested_at);

CREATE INDEX IF NOT EXISTS approvals_workflow_idx ON approvals (workflow_id);
