-- +goose Up
-- Warnings before a breach (SPEC §3b) are durable timers of the same machinery as deadlines: a
-- row in sla_timers whose "warning" is the point in thousandths of the target (750 for 75 %); 0
-- is the deadline itself. An incident has at most one pending timer per target and point.
ALTER TABLE sla_timers ADD COLUMN warning smallint NOT NULL DEFAULT 0 CHECK (warning >= 0 AND warning < 1000);
DROP INDEX sla_timers_one_pending;
CREATE UNIQUE INDEX sla_timers_one_pending ON sla_timers (incident_id, target, warning) WHERE state = 'pending';

-- The queue orders by the nearest deadline; a warning is no deadline.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION incidents_refresh_next_due(inc uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    due timestamptz;
    tgt text;
BEGIN
    SELECT t.due_at, t.target INTO due, tgt FROM sla_timers t
    WHERE t.incident_id = inc AND t.state = 'pending' AND t.warning = 0 ORDER BY t.due_at, t.target LIMIT 1;
    UPDATE incidents SET next_due_at = due, next_target = tgt
    WHERE id = inc AND (next_due_at IS DISTINCT FROM due OR next_target IS DISTINCT FROM tgt);
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION incidents_refresh_next_due(inc uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    due timestamptz;
    tgt text;
BEGIN
    SELECT t.due_at, t.target INTO due, tgt FROM sla_timers t
    WHERE t.incident_id = inc AND t.state = 'pending' ORDER BY t.due_at, t.target LIMIT 1;
    UPDATE incidents SET next_due_at = due, next_target = tgt
    WHERE id = inc AND (next_due_at IS DISTINCT FROM due OR next_target IS DISTINCT FROM tgt);
END $$;
-- +goose StatementEnd
DELETE FROM sla_timers WHERE warning > 0;
DROP INDEX sla_timers_one_pending;
CREATE UNIQUE INDEX sla_timers_one_pending ON sla_timers (incident_id, target) WHERE state = 'pending';
ALTER TABLE sla_timers DROP COLUMN warning;
