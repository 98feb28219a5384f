-- Orphan accounts: active in a connected system while HR says the owner has left (or never knew
-- them). One row per account and episode of being orphaned: first_seen_at stays across runs, so
-- "how long" is known; resolved_at is set once the account is no longer active, no longer orphaned
-- or gone, and a later relapse opens the row again as a new episode.
CREATE TABLE IF NOT EXISTS orphan_accounts (
  system          text        NOT NULL,
  account_id      text        NOT NULL,
  -- The account's login as the system reports it; shown to auditors, never logged.
  login           text        NOT NULL,
  hr_status       text        NOT NULL CHECK (hr_status IN ('terminated', 'rescinded', 'unknown')),
  reason          text        NOT NULL CHECK (reason IN ('left', 'hire_rescinded', 'unknown_to_hr')),
  hr_source       text,
  employee_id     text,
  -- Since when HR's view makes it an orphan: the termination's effect, the rescind, or (unknown to HR) first sight.
  orphaned_since  timestamptz NOT NULL,
  first_seen_at   timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL,
  -- The reconciliation run that opened this episode ("new" orphans of a run) and the last one that saw it.
  opened_by_run   text        NOT NULL,
  last_run        text        NOT NULL,
  resolved_at     timestamptz,
  resolved_by_run text,
  resolution      text        CHECK (resolution IN ('inactive', 'owner_active', 'gone')),
  PRIMARY KEY (system, account_id),
  CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);

CREATE INDEX IF NOT EXISTS orphan_accounts_open_idx ON orphan_accounts (system, last_run) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS orphan_accounts_opened_idx ON orphan_accounts (opened_by_run);
CREATE INDEX IF NOT EXISTS orphan_accounts_resolved_idx ON orphan_accounts (resolved_by_run) WHERE resolved_by_run IS NOT NULL;

-- Each system's listing in each run: a failed listing is a failure, never "no orphans".
CREATE TABLE IF NOT EXISTS orphan_runs (
  run_id       text        NOT NULL,
  system       text        NOT NULL,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  status       text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  accounts     integer     NOT NULL DEFAULT 0,
  orphans      integer     NOT NULL DEFAULT 0,
  new_orphans  integer     NOT NULL DEFAULT 0,
  resolved     integer     NOT NULL DEFAULT 0,
  error        text,
  PRIMARY KEY (run_id, system)
);

CREATE INDEX IF NOT EXISTS orphan_runs_system_idx ON orphan_runs (system, started_at);
