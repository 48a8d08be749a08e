-- +goose Up
-- The trigger that kept each incident's nearest open deadline (00006) ran once per changed timer
-- row: a plpgsql call, a lookup and an update of the incident for each. Deadlines are now decided
-- in batches (100,000 may fall due in the same second), and that per-row work was the largest
-- part of a batch. Worse, its lookup (the incident's first pending timer by due time) is planned
-- against statistics that lag behind a burst: the planner then walks sla_timers_due_idx, every
-- pending timer, once per incident (20 s for a batch of 20,000 new timers, with a statement-level
-- rewrite too). The engine now writes next_due_at itself in the statement that changes the
-- incident's timers (tickets.writeTimers and the firing batch know the incident's pending timers,
-- locked). incidents_refresh_next_due stays, for SQL that writes timers directly (fixtures,
-- benchmarks): it must call it for each incident it touched.
DROP TRIGGER sla_timers_next_due ON sla_timers;
DROP FUNCTION sla_timers_next_due();

-- +goose Down
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

CREATE TRIGGER sla_timers_next_due AFTER INSERT OR DELETE OR UPDATE OF state, due_at, target, incident_id ON sla_timers
    FOR EACH ROW EXECUTE FUNCTION sla_timers_next_due();
