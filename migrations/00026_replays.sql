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
-- incidents' primary key. This index holds those entries only (the list is tickets.planningKinds):
-- notes, replies, assignments and sla_planned records, which carry long bodies and explanations,
-- are never visited.
CREATE INDEX incident_events_planning_idx ON incident_events (incident_id, id)
    WHERE kind IN ('opened', 'acknowledged', 'public_update', 'wait_started', 'wait_ended', 'severity_changed',
                   'escalated', 'remediation_agreed', 'scope_changed', 'resolved', 'reopened');

-- +goose Down
DROP INDEX incident_events_planning_idx;
DROP INDEX incidents_accepted_idx;
DROP TABLE sla_replays;
