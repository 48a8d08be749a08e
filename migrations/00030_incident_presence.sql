-- +goose Up
-- Who of the staff has an incident's page open (issue 13: warn when someone else works on the
-- same incident). One row per incident and user, refreshed while the page is open; a row older
-- than the presence window (minutes) means nobody; there is at most one row per incident and user.
CREATE TABLE incident_presence (
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seen_at     timestamptz NOT NULL,
    typing      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_presence_seen_idx ON incident_presence (seen_at);

-- +goose Down
DROP TABLE incident_presence;
