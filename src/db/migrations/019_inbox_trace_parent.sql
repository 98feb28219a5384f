-- The W3C trace context of the webhook delivery that stored an HR event (with tracing on), so its
-- hand-over to Temporal, however much later, continues the same trace. Trace and span IDs only.
ALTER TABLE hr_inbox ADD COLUMN trace_parent text CHECK (trace_parent ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');
