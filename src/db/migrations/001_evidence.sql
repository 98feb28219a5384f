-- Evidence events: append-only, hash-chained (see src/evidence/hash.ts for what is hashed).
-- seq is assigned by the store under a lock, gapless from 1, so a gap means a deleted row.
CREATE TABLE evidence_events (
  seq          bigint      PRIMARY KEY CHECK (seq > 0),
  step_key     text        NOT NULL UNIQUE,
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
  outcome      text        NOT NULL CHECK (outcome IN ('success', 'failure', 'skipped', 'sla_breach')),
  context      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  prev_hash    text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash         text        NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);

COMMENT ON COLUMN evidence_events.origin IS 'where: source IP or the system''s location';

CREATE INDEX evidence_events_employee_idx ON evidence_events (employee_id, seq);
CREATE INDEX evidence_events_action_time_idx ON evidence_events (action, occurred_at);
-- Reports gather a leaver run's events by its workflow ID.
CREATE INDEX evidence_events_workflow_idx ON evidence_events ((context->>'workflowId'));

-- The database itself refuses changes, whatever the client: evidence is only ever appended.
CREATE FUNCTION evidence_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evidence_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER evidence_events_no_update
  BEFORE UPDATE ON evidence_events
  FOR EACH ROW EXECUTE FUNCTION evidence_events_refuse_change();

CREATE TRIGGER evidence_events_no_delete
  BEFORE DELETE ON evidence_events
  FOR EACH ROW EXECUTE FUNCTION evidence_events_refuse_change();

CREATE TRIGGER evidence_events_no_truncate
  BEFORE TRUNCATE ON evidence_events
  FOR EACH STATEMENT EXECUTE FUNCTION evidence_events_refuse_change();
