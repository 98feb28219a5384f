-- Evidence is partitioned by the month it was recorded in (UTC), so that a month past
-- evidence.retention can leave as a whole (`jml evidence prune`, as the owner) instead of row by
-- row, and a year's report reads the months it needs. recorded_at never decreases along the
-- chain (it is read under the chain lock), so each month holds one run of seqs and removing the
-- oldest months removes a prefix of the chain, which `evidence_pruned` then anchors.
--
-- A unique constraint on a partitioned table must hold the partition column, so seq is unique
-- with recorded_at, and step_key and hash are indexed, not unique: the store's chain lock (one
-- writer at a time, reading the step keys already written) is what keeps a step to one row.
ALTER TABLE evidence_events RENAME TO evidence_events_unpartitioned;
ALTER TABLE evidence_events_unpartitioned RENAME CONSTRAINT evidence_events_pkey TO evidence_events_unpartitioned_pkey;
ALTER TABLE evidence_events_unpartitioned RENAME CONSTRAINT evidence_events_step_key_key TO evidence_events_unpartitioned_step_key_key;
ALTER TABLE evidence_events_unpartitioned RENAME CONSTRAINT evidence_events_hash_key TO evidence_events_unpartitioned_hash_key;
ALTER INDEX evidence_events_employee_idx RENAME TO evidence_events_unpartitioned_employee_idx;
ALTER INDEX evidence_events_action_time_idx RENAME TO evidence_events_unpartitioned_action_time_idx;
ALTER INDEX evidence_events_workflow_idx RENAME TO evidence_events_unpartitioned_workflow_idx;

CREATE TABLE evidence_events (
  seq          bigint      NOT NULL CHECK (seq > 0),
  step_key     text        NOT NULL,
  employee_id  text        NOT NULL,
  hr_source    text        NOT NULL,
  actor_type   text        NOT NULL CHECK (actor_type IN ('hr', 'system', 'approver', 'engine')),
  actor_id     text        NOT NULL,
  action       text        NOT NULL,
  system       text,
  entitlement  text,
  occurred_at  timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  origin       text,
  outcome      text        NOT NULL CHECK (outcome IN ('success', 'failure', 'skipped', 'not_found', 'sla_breach')),
  context      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  prev_hash    text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash         text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (seq, recorded_at)
) PARTITION BY RANGE (recorded_at);

COMMENT ON COLUMN evidence_events.origin IS 'where: source IP or the system''s location';

CREATE INDEX evidence_events_step_key_idx ON evidence_events (step_key);
CREATE INDEX evidence_events_hash_idx ON evidence_events (hash);
CREATE INDEX evidence_events_employee_idx ON evidence_events (employee_id, seq);
CREATE INDEX evidence_events_action_time_idx ON evidence_events (action, occurred_at);
CREATE INDEX evidence_events_workflow_idx ON evidence_events ((context->>'workflowId'));

-- Row triggers are cloned onto every partition; a statement trigger is not, so each partition
-- gets its own TRUNCATE trigger where it is made (below).
CREATE TRIGGER evidence_events_no_update
  BEFORE UPDATE ON evidence_events
  FOR EACH ROW EXECUTE FUNCTION evidence_events_refuse_change();

CREATE TRIGGER evidence_events_no_delete
  BEFORE DELETE ON evidence_events
  FOR EACH ROW EXECUTE FUNCTION evidence_events_refuse_change();

CREATE TRIGGER evidence_events_no_truncate
  BEFORE TRUNCATE ON evidence_events
  FOR EACH STATEMENT EXECUTE FUNCTION evidence_events_refuse_change();

-- Makes the monthly partitions for `months` months from the one `first_month` falls in (UTC)
-- that do not exist yet, each refusing TRUNCATE; returns how many it made. Run by the owner.
CREATE FUNCTION evidence_events_add_partitions(first_month timestamptz, months integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamp;
  part text;
  made integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('jml.evidence_partitions.' || current_schema()));
  FOR i IN 0 .. months - 1 LOOP
    month_start := date_trunc('month', first_month AT TIME ZONE 'UTC') + make_interval(months => i);
    part := 'evidence_events_' || to_char(month_start, 'YYYY_MM');
    CONTINUE WHEN to_regclass(quote_ident(current_schema()) || '.' || quote_ident(part)) IS NOT NULL;
    EXECUTE format('CREATE TABLE %I.%I PARTITION OF evidence_events FOR VALUES FROM (%L) TO (%L)',
      current_schema(), part, (month_start AT TIME ZONE 'UTC')::text, ((month_start + interval '1 month') AT TIME ZONE 'UTC')::text);
    EXECUTE format('CREATE TRIGGER evidence_events_no_truncate BEFORE TRUNCATE ON %I.%I FOR EACH STATEMENT EXECUTE FUNCTION evidence_events_refuse_change()',
      current_schema(), part);
    made := made + 1;
  END LOOP;
  RETURN made;
END;
$$;

-- What the app role may do about partitions: make this month's and the next two when they are
-- missing (an append that finds no partition for now calls it and tries again). It runs as the
-- owner but can only add empty partitions for the coming months: nothing it does changes evidence.
CREATE FUNCTION evidence_events_add_upcoming_partitions() RETURNS integer
LANGUAGE sql SECURITY DEFINER AS $$
  SELECT evidence_events_add_partitions(now(), 3);
$$;

REVOKE ALL ON FUNCTION evidence_events_add_partitions(timestamptz, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION evidence_events_add_upcoming_partitions() FROM PUBLIC;

-- A SECURITY DEFINER function resolves names on a search path of its own, fixed to this schema.
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION evidence_events_add_upcoming_partitions() SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION evidence_events_add_partitions(timestamptz, integer) SET search_path = %I, pg_temp', current_schema());
END;
$$;

-- The months the evidence already spans, and the next two; then the rows, in chain order.
SELECT evidence_events_add_partitions(
  coalesce((SELECT min(recorded_at) FROM evidence_events_unpartitioned), now()),
  (SELECT (extract(year FROM age(date_trunc('month', now() AT TIME ZONE 'UTC'),
                                 date_trunc('month', coalesce(min(recorded_at), now()) AT TIME ZONE 'UTC'))) * 12
         + extract(month FROM age(date_trunc('month', now() AT TIME ZONE 'UTC'),
                                  date_trunc('month', coalesce(min(recorded_at), now()) AT TIME ZONE 'UTC'))))::integer + 3
     FROM evidence_events_unpartitioned));

INSERT INTO evidence_events (seq, step_key, employee_id, hr_source, actor_type, actor_id, action, system, entitlement,
                             occurred_at, recorded_at, origin, outcome, context, prev_hash, hash)
SELECT seq, step_key, employee_id, hr_source, actor_type, actor_id, action, system, entitlement,
       occurred_at, recorded_at, origin, outcome, context, prev_hash, hash
  FROM evidence_events_unpartitioned ORDER BY seq;

DROP TABLE evidence_events_unpartitioned;

-- Each removal of whole months past retention, written by `jml evidence prune` in the transaction
-- that drops them: the chain's verification starts after the last row removed, from its hash.
CREATE TABLE evidence_pruned (
  partition    text        PRIMARY KEY,
  -- Rows recorded before this moment (the partition's upper bound) were removed.
  kept_from    timestamptz NOT NULL,
  first_seq    bigint,
  last_seq     bigint,
  last_hash    text        CHECK (last_hash ~ '^[0-9a-f]{64}$'),
  rows         bigint      NOT NULL,
  retention    interval    NOT NULL,
  pruned_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((rows = 0) = (last_seq IS NULL) AND (last_seq IS NULL) = (last_hash IS NULL) AND (last_seq IS NULL) = (first_seq IS NULL))
);

CREATE FUNCTION evidence_pruned_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evidence_pruned is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER evidence_pruned_no_update
  BEFORE UPDATE ON evidence_pruned
  FOR EACH ROW EXECUTE FUNCTION evidence_pruned_refuse_change();

CREATE TRIGGER evidence_pruned_no_delete
  BEFORE DELETE ON evidence_pruned
  FOR EACH ROW EXECUTE FUNCTION evidence_pruned_refuse_change();

CREATE TRIGGER evidence_pruned_no_truncate
  BEFORE TRUNCATE ON evidence_pruned
  FOR EACH STATEMENT EXECUTE FUNCTION evidence_pruned_refuse_change();
