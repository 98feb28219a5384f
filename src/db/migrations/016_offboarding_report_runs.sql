-- The offboarding report's rows for leaver runs, derived from evidence (src/reports/report-runs.ts).
-- Evidence is append-only, so a run whose row no longer depends on the moment it is read
-- (settled: completed, aborted or withdrawn) keeps that row until the run writes again; the
-- report reads such rows from here and works out only the runs written to since it last looked
-- (evidence seq after the watermark) and those still open. Nothing here is evidence: it can be
-- dropped and rebuilt from evidence_events at any time, and `jml evidence verify` checks it.
CREATE TABLE offboarding_report_runs (
  workflow_id  text        PRIMARY KEY,
  effective_at timestamptz NOT NULL,
  covered_seq  bigint      NOT NULL,
  settled      boolean     NOT NULL,
  rescinded    boolean     NOT NULL,
  row          json        NOT NULL
);

CREATE INDEX offboarding_report_runs_effective_idx ON offboarding_report_runs (effective_at);
CREATE INDEX offboarding_report_runs_open_idx ON offboarding_report_runs (workflow_id) WHERE NOT settled;

-- Every run with evidence at or below seq is in offboarding_report_runs as of that evidence;
-- as_of is the latest moment a row was judged settled at (an earlier report reads evidence alone).
CREATE TABLE offboarding_report_watermark (
  id    smallint    PRIMARY KEY CHECK (id = 1),
  seq   bigint      NOT NULL,
  as_of timestamptz NOT NULL
);
