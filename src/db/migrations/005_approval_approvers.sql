-- Who an approval was put to (Slack user IDs and, where known, emails), so the pending list
-- shows whom it waits on. Older rows, and approvals without Slack, have none.
ALTER TABLE approvals ADD COLUMN IF NOT EXISTS approvers jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(approvers) = 'array');

COMMENT ON COLUMN approvals.approvers IS 'who was asked first: [{slackId, email?, role: manager|fallback}]';
