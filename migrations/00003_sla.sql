-- +goose Up
-- Policies and calendars are versioned and never updated in place: an incident keeps the policy
-- version it was planned with, so editing a policy never rewrites the past.
CREATE TABLE sla_policies (
    tier       text NOT NULL CHECK (tier IN ('standard', 'premium', 'platinum')),
    version    integer NOT NULL CHECK (version > 0),
    cells      jsonb NOT NULL,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tier, version)
);

CREATE TABLE sla_calendars (
    name       text NOT NULL,
    version    integer NOT NULL CHECK (version > 0),
    spec       jsonb NOT NULL,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (name, version)
);

ALTER TABLE incidents ADD COLUMN policy_version integer NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE incidents DROP COLUMN policy_version;
DROP TABLE sla_calendars;
DROP TABLE sla_policies;
