-- Access reviews (SOC 2 CC6.3): a campaign reads every active worker's access from every system
-- in scope, one item per worker, system and entitlement, each decided (kept or revoked) by the
-- worker's manager or a fallback reviewer; what nobody decided by the due date is closed as
-- unreviewed. Evidence holds every step; these tables are what the reports and the decisions read.
CREATE TABLE IF NOT EXISTS review_campaigns (
  campaign_id  text        PRIMARY KEY,
  status       text        NOT NULL CHECK (status IN ('snapshotting', 'open', 'closed')),
  scope        jsonb       NOT NULL,
  opened_at    timestamptz NOT NULL,
  due_at       timestamptz NOT NULL,
  closed_at    timestamptz,
  -- Per system: {system, status: succeeded|failed, accounts, items, orphans, error?}; workers read.
  snapshot     jsonb,
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

CREATE TABLE IF NOT EXISTS review_items (
  campaign_id     text        NOT NULL REFERENCES review_campaigns (campaign_id),
  item_id         text        NOT NULL,
  hr_source       text        NOT NULL,
  employee_id     text        NOT NULL,
  department      text,
  system          text        NOT NULL,
  account_id      text        NOT NULL,
  entitlement     text        NOT NULL,
  -- policy: birthright or a rule gives it (rules names which); hand: nothing in the policy does.
  basis           text        NOT NULL CHECK (basis IN ('policy', 'hand')),
  rules           text[]      NOT NULL DEFAULT '{}',
  -- Who reviews it: manager:<source>:<managerId>, or fallback when HR names no manager.
  reviewer        text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('pending', 'kept', 'revoked', 'unreviewed')),
  decided_by      text,
  decided_via     text        CHECK (decided_via IN ('slack', 'api', 'console')),
  reason          text,
  decided_at      timestamptz,
  -- A revoke's step: success (gone on a fresh read), not_found (account gone), failure.
  revoke_outcome  text,
  revoked_at      timestamptz,
  PRIMARY KEY (campaign_id, item_id),
  CHECK ((status IN ('kept', 'revoked')) = (decided_at IS NOT NULL))
);

CREATE INDEX IF NOT EXISTS review_items_reviewer_idx ON review_items (campaign_id, reviewer, status);
CREATE INDEX IF NOT EXISTS review_items_employee_idx ON review_items (hr_source, employee_id);

-- A policy grant a reviewer revoked: a later joiner or mover run that grants it again says so
-- in its evidence (naming the campaign and the reason), and the exception is then settled.
CREATE TABLE IF NOT EXISTS review_exceptions (
  hr_source    text        NOT NULL,
  employee_id  text        NOT NULL,
  system       text        NOT NULL,
  entitlement  text        NOT NULL,
  campaign_id  text        NOT NULL,
  item_id      text        NOT NULL,
  revoked_by   text        NOT NULL,
  reason       text        NOT NULL,
  created_at   timestamptz NOT NULL,
  cleared_at   timestamptz,
  cleared_by   text,
  PRIMARY KEY (hr_source, employee_id, system, entitlement)
);

-- The Slack messages of a campaign: one per reviewer asked, worker and page of that worker's
-- items, so a decision updates every copy (the manager's, and a fallback reviewer's after escalation).
CREATE TABLE IF NOT EXISTS review_messages (
  campaign_id  text        NOT NULL REFERENCES review_campaigns (campaign_id),
  reviewer     text        NOT NULL,
  recipient    text        NOT NULL,
  hr_source    text        NOT NULL,
  employee_id  text        NOT NULL,
  page         integer     NOT NULL,
  pages        integer     NOT NULL,
  item_ids     text[]      NOT NULL,
  -- What the message shows of the worker (name, job title, department), as HR sent it.
  worker       jsonb       NOT NULL,
  channel      text        NOT NULL,
  ts           text        NOT NULL,
  posted_at    timestamptz NOT NULL,
  PRIMARY KEY (campaign_id, recipient, hr_source, employee_id, page)
);
CREATE INDEX IF NOT EXISTS review_messages_worker_idx ON review_messages (campaign_id, hr_source, employee_id);

-- The workers a campaign reviews, as HR described them when it opened: what the reviewer's
-- messages show, and a digest of the work email so nobody is asked to review their own access.
CREATE TABLE IF NOT EXISTS review_workers (
  campaign_id   text NOT NULL REFERENCES review_campaigns (campaign_id),
  hr_source     text NOT NULL,
  employee_id   text NOT NULL,
  name          text,
  job_title     text,
  department    text,
  manager_id    text,
  email_digest  text,
  PRIMARY KEY (campaign_id, hr_source, employee_id)
);
