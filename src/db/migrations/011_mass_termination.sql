-- Mass-termination guard (leaver.massTermination): every leaver is counted when it is planned,
-- per HRIS, so that a burst of terminations past the threshold within the window is held for one
-- decision in the security channel. Counting and joining a hold happen under a per-HRIS row lock,
-- so concurrent leavers never both slip under the threshold.
CREATE TABLE IF NOT EXISTS leaver_guard_sources (
  hr_source        text        PRIMARY KEY,
  -- The number of the last hold opened for this HRIS (hold-<source>-<n>).
  holds_opened     integer     NOT NULL DEFAULT 0,
  -- The last decision on a hold: arrivals before it no longer count towards the next one.
  last_decided_at  timestamptz
);

CREATE TABLE IF NOT EXISTS leaver_holds (
  hold_id      text        PRIMARY KEY,
  hr_source    text        NOT NULL,
  opened_at    timestamptz NOT NULL,
  -- The leaver workflow whose arrival opened it (it starts the hold's workflow).
  opened_by    text        NOT NULL,
  -- The limit in force when it opened (a count, or a share of active workers turned into one).
  threshold    integer     NOT NULL CHECK (threshold >= 0),
  window_ms    bigint      NOT NULL CHECK (window_ms > 0),
  hold_session_kills boolean NOT NULL DEFAULT false,
  status       text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'released', 'aborted')),
  decided_by   text,
  decided_at   timestamptz,
  reason       text,
  -- The security-channel message that asks for the decision ({channel, ts}), once posted.
  message      jsonb,
  CHECK ((status = 'open') = (decided_at IS NULL)),
  CHECK ((status = 'open') = (decided_by IS NULL))
);

CREATE INDEX IF NOT EXISTS leaver_holds_open_idx ON leaver_holds (hr_source) WHERE status = 'open';

CREATE TABLE IF NOT EXISTS leaver_arrivals (
  workflow_id  text        PRIMARY KEY,
  hr_source    text        NOT NULL,
  employee_id  text        NOT NULL,
  hr_event_id  text        NOT NULL,
  arrived_at   timestamptz NOT NULL,
  hold_id      text        REFERENCES leaver_holds (hold_id)
);

CREATE INDEX IF NOT EXISTS leaver_arrivals_source_time_idx ON leaver_arrivals (hr_source, arrived_at);
CREATE INDEX IF NOT EXISTS leaver_arrivals_hold_idx ON leaver_arrivals (hold_id) WHERE hold_id IS NOT NULL;
