-- Signed evidence checkpoints as published to the sinks outside the database. This copy lets the
-- worker processes agree on what was already signed (one checkpoint per new chain head, whichever
-- worker signs it) and lets `jml evidence export` package them; the sinks' copies are the ones
-- that prove anything, since whoever owns this table can delete from it.
CREATE TABLE evidence_checkpoints (
  seq         bigint      PRIMARY KEY CHECK (seq > 0),
  hash        text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  signed_at   timestamptz NOT NULL,
  key_id      text        NOT NULL,
  -- The signer's public key (SPKI PEM), so an export can hand the auditor every key it needs.
  public_key  text        NOT NULL,
  -- The checkpoint exactly as published (one JSON line, signature included).
  line        text        NOT NULL
);

CREATE FUNCTION evidence_checkpoints_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evidence_checkpoints is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER evidence_checkpoints_no_update
  BEFORE UPDATE ON evidence_checkpoints
  FOR EACH ROW EXECUTE FUNCTION evidence_checkpoints_refuse_change();

CREATE TRIGGER evidence_checkpoints_no_delete
  BEFORE DELETE ON evidence_checkpoints
  FOR EACH ROW EXECUTE FUNCTION evidence_checkpoints_refuse_change();

CREATE TRIGGER evidence_checkpoints_no_truncate
  BEFORE TRUNCATE ON evidence_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION evidence_checkpoints_refuse_change();
