-- The worker processes running now, so that each system's configured concurrency and request
-- budget (systems[].maxConcurrency, requestsPerSecond) are held across all of them: each process
-- keeps its share. A process refreshes its row every few seconds and removes it when it stops.
CREATE TABLE IF NOT EXISTS worker_census (
  process_id  text        PRIMARY KEY,
  started_at  timestamptz NOT NULL DEFAULT now(),
  seen_at     timestamptz NOT NULL DEFAULT now()
);
