-- +goose Up
-- An incident's nearest pending deadline (next_due_at, next_target) is decided in one place: the
-- Go code that writes its timers (tickets.nextDeadline), in the statement that writes them. The
-- SQL copy of that rule, kept since 00010 for fixtures and benchmarks that write timers in SQL,
-- goes; those now write the nearest deadline they know themselves.
DROP FUNCTION incidents_refresh_next_due(uuid);

-- +goose Down
-- The function as 00034 left it (warnings are no deadlines).
-- +goose StatementBegin
CREATE FUNCTION incidents_refresh_next_due(inc uuid) RETURNS void LANGUAGE plpgsql AS $$
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
