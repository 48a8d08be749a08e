-- +goose Up
-- What-if replays (issue 14): a draft policy planned again over past incidents. A replay only
-- reads incidents and their events; its request, progress and answer live here, so a large one
-- runs in the background and its caller polls GET /v1/sla/replays/{id}.
CREATE TABLE sla_replays (
    id           uuid PRIMARY KEY,
    requested_by uuid NOT NULL REFERENCES users (id),
    request      jsonb NOT NULL,
    state        text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    total        integer NOT NULL DEFAULT 0,
    done         integer NOT NULL DEFAULT 0,
    result       jsonb,
    error        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    finished_at  timestamptz
);
CREATE INDEX sla_replays_created_idx ON sla_replays (created_at DESC);

-- A replay selects incidents by the instant they were accepted.
CREATE INDEX incidents_accepted_idx ON incidents (accepted_at, id);

-- A replay streams each incident's planning entries in (incident, id) order, merged with the
-- incidents' primary key (tickets.Store.EachHistory), from two indexes read side by side: the
-- entries whose value is in data (the severity at acceptance and its changes, escalations, an
-- agreed time, a scope) from the first, and the far more numerous ones that matter by kind and
-- time alone from the second, without visiting the table (an index-only scan). Notes, replies,
-- assignments and sla_planned records, with their bodies and explanations, are in neither.
CREATE INDEX incident_events_valued_idx ON incident_events (incident_id, id)
    WHERE kind IN ('opened', 'severity_changed', 'escalated', 'remediation_agreed', 'scope_changed');
CREATE INDEX incident_events_timing_idx ON incident_events (incident_id, id) INCLUDE (kind, at)
    WHERE kind IN ('acknowledged', 'public_update', 'wait_started', 'wait_ended', 'resolved', 'reopened');

-- +goose Down
DROP INDEX incident_events_timing_idx;
DROP INDEX incident_events_valued_idx;
DROP INDEX incidents_accepted_idx;
DROP TABLE sla_replays;
