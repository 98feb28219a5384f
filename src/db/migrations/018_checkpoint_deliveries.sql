-- How far each checkpoint sink has been given the signed checkpoints (evidence_checkpoints), so
-- that what a sink missed while it was down is delivered later by whichever worker is running,
-- even after the worker that signed them stopped. A worker delivering to a sink holds its lease
-- (leased_by, until leased_until) so two workers never send one sink the same checkpoints at once;
-- a lease left by a worker that died runs out on its own.
CREATE TABLE evidence_checkpoint_deliveries (
  -- The sink's name: its type and where (a directory, a URL's origin, a channel), never a secret.
  sink          text        PRIMARY KEY,
  -- The last checkpoint the sink took.
  seq           bigint      NOT NULL,
  delivered_at  timestamptz,
  leased_by     text,
  leased_until  timestamptz
);
