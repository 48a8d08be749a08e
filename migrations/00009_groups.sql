-- +goose Up
-- Customer groups (seed 003 §3.2): an incident-response team of an organisation whose members
-- act on each other's incidents. Members are customer users of the group's organisation (the
-- service checks the role and organisation; a user never changes organisation).
CREATE TABLE groups (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX groups_org_name_key ON groups (organization_id, lower(name));

CREATE TABLE group_members (
    group_id   uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id),
    added_at   timestamptz NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
-- A member's circle (everyone sharing a group with them) is read on every authenticated request.
CREATE INDEX group_members_user_idx ON group_members (user_id);

-- Who of an organisation's members sees which incidents: 'organization' (SPEC §1: every incident
-- of the organisation) or 'own' (their own and their group co-members'). Org admins see all.
ALTER TABLE organizations ADD COLUMN incident_visibility text NOT NULL DEFAULT 'organization'
    CHECK (incident_visibility IN ('organization', 'own'));

-- Listings under 'own' select by opener.
CREATE INDEX incidents_opened_by_idx ON incidents (opened_by, created_at DESC, id DESC);

-- +goose Down
DROP INDEX incidents_opened_by_idx;
ALTER TABLE organizations DROP COLUMN incident_visibility;
DROP TABLE group_members;
DROP TABLE groups;
