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

-- +goose Down
DROP INDEX incidents_accepted_idx;
DROP TABLE sla_replays;
