-- +goose Up
-- Every pending deadline lives here; Redis only carries its delivery. A timer is pending until it
-- fires (the deadline passed and its outcome was recorded) or is cancelled (met, re-planned,
-- paused, out of scope). At most one pending timer per incident and target.
CREATE TABLE sla_timers (
    id          uuid PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id),
    target      text NOT NULL,
    level       smallint NOT NULL DEFAULT 0,
    due_at      timestamptz NOT NULL,
    state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fired', 'cancelled')),
    outcome     text NOT NULL DEFAULT '',
    enqueued_at timestamptz,
    claimed_at  timestamptz,
    claims      integer NOT NULL DEFAULT 0,
    fired_at    timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX sla_timers_one_pending ON sla_timers (incident_id, target) WHERE state = 'pending';
CREATE INDEX sla_timers_due_idx ON sla_timers (due_at) WHERE state = 'pending';
CREATE INDEX sla_timers_unenqueued_idx ON sla_timers (due_at) WHERE state = 'pending' AND enqueued_at IS NULL;

-- One row per escalation level reached and recipient told; managers acknowledge theirs.
CREATE TABLE escalations (
    id              uuid PRIMARY KEY,
    incident_id     uuid NOT NULL REFERENCES incidents (id),
    level           smallint NOT NULL CHECK (level IN (1, 2)),
    recipient_id    uuid NOT NULL REFERENCES users (id),
    reason          text NOT NULL,
    created_at      timestamptz NOT NULL,
    acknowledged_at timestamptz
);
CREATE UNIQUE INDEX escalations_once ON escalations (incident_id, level, recipient_id);
CREATE INDEX escalations_recipient_idx ON escalations (recipient_id, created_at DESC);

-- +goose Down
DROP TABLE escalations;
DROP TABLE sla_timers;
