-- Reconciliation watermarks: per HRIS, the instant up to which changes have been polled and
-- handed to the intake path. A poll reads from just before it and moves it forward only once
-- everything it found is stored, so a failed poll is retried from the same point.
CREATE TABLE IF NOT EXISTS hris_watermarks (
  source      text        PRIMARY KEY,
  watermark   timestamptz NOT NULL,
  polls       bigint      NOT NULL DEFAULT 0,
  last_found  integer     NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
