-- +goose Up
-- The engineer queue orders open incidents by tier class, severity, nearest open deadline and age.
-- The nearest open deadline (the pending SLA timer due first) is kept on the incident by a
-- trigger on sla_timers, so that the order is an index order: a claim reads one index entry
-- instead of sorting every unassigned incident with a per-incident timer lookup (60 ms at 5,000
-- unassigned). Timers are written only under the incident's lock (lock order incident → timer,
-- as every lifecycle step and FireTimer take it), so the trigger's update of the incident adds no
-- new lock order.
ALTER TABLE incidents ADD COLUMN next_due_at timestamptz, ADD COLUMN next_target text;

-- +goose StatementBegin
CREATE FUNCTION incidents_refresh_next_due(inc uuid) RETURNS void LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE FUNCTION sla_timers_next_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM incidents_refresh_next_due(OLD.incident_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.incident_id <> OLD.incident_id) THEN
        PERFORM incidents_refresh_next_due(NEW.incident_id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A duration in Go's time.Duration.String format ("1h2m3.5s", "1.5ms"), for timeline data written
-- in SQL that Go code also writes (a claim's since_accepted, like an assignment's).
-- +goose StatementBegin
CREATE FUNCTION go_duration(us bigint) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN us < 0 THEN '-' ELSE '' END || CASE
        WHEN a = 0 THEN '0s'
        WHEN a < 1000 THEN a || chr(181) || 's'
        WHEN a < 1000000 THEN (a / 1000) || rtrim('.' || lpad((a % 1000)::text, 3, '0'), '.0') || 'ms'
        ELSE CASE WHEN a >= 3600000000 THEN (a / 3600000000) || 'h' ELSE '' END
            || CASE WHEN a >= 60000000 THEN (a / 60000000 % 60) || 'm' ELSE '' END
            || (a / 1000000 % 60) || rtrim('.' || lpad((a % 1000000)::text, 6, '0'), '.0') || 's'
    END
    FROM (SELECT abs(us) AS a) AS x
$$;
-- +goose StatementEnd

CREATE TRIGGER sla_timers_next_due AFTER INSERT OR DELETE OR UPDATE OF state, due_at, target, incident_id ON sla_timers
    FOR EACH ROW EXECUTE FUNCTION sla_timers_next_due();

UPDATE incidents i SET (next_due_at, next_target) = (SELECT t.due_at, t.target FROM sla_timers t
    WHERE t.incident_id = i.id AND t.state = 'pending' ORDER BY t.due_at, t.target LIMIT 1)
WHERE EXISTS (SELECT 1 FROM sla_timers t WHERE t.incident_id = i.id AND t.state = 'pending');

-- Queue order over open incidents, and over the unassigned ones a claim takes from (the
-- expressions are those of tickets.queueOrder, or the planner cannot use them). Resolved
-- incidents, most of the table in time, are in neither.
CREATE INDEX incidents_queue_idx ON incidents ((CASE WHEN tier IN ('premium', 'platinum') THEN 0 ELSE 1 END), severity, next_due_at, accepted_at, id)
    WHERE status <> 'resolved';
CREATE INDEX incidents_claim_idx ON incidents ((CASE WHEN tier IN ('premium', 'platinum') THEN 0 ELSE 1 END), severity, next_due_at, accepted_at, id)
    WHERE status <> 'resolved' AND assignee_id IS NULL;
CREATE INDEX incidents_assignee_open_idx ON incidents (assignee_id) WHERE status <> 'resolved';

-- +goose Down
DROP INDEX incidents_assignee_open_idx;
DROP INDEX incidents_claim_idx;
DROP INDEX incidents_queue_idx;
DROP TRIGGER sla_timers_next_due ON sla_timers;
DROP FUNCTION sla_timers_next_due();
DROP FUNCTION incidents_refresh_next_due(uuid);
DROP FUNCTION go_duration(bigint);
ALTER TABLE incidents DROP COLUMN next_target, DROP COLUMN next_due_at;
