-- +goose Up
-- Organisations are the customers. Until entitlements exist, tier stands in for the contract tier.
CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    office      text NOT NULL DEFAULT '',
    tier        text NOT NULL DEFAULT 'standard' CHECK (tier IN ('standard', 'premium', 'platinum')),
    tsam_id     uuid,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));

-- Users are customers (organization_id set) or staff (office set, organization_id null).
CREATE TABLE users (
    id              uuid PRIMARY KEY,
    email           text NOT NULL,
    name            text NOT NULL,
    role            text NOT NULL CHECK (role IN ('member', 'org_admin', 'engineer', 'support_manager', 'executive', 'admin')),
    senior          boolean NOT NULL DEFAULT false,
    organization_id uuid REFERENCES organizations (id),
    office          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT users_customer_has_org CHECK ((role IN ('member', 'org_admin')) = (organization_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_organization_idx ON users (organization_id);

ALTER TABLE organizations ADD CONSTRAINT organizations_tsam_fk FOREIGN KEY (tsam_id) REFERENCES users (id);

-- Bearer tokens are stored as SHA-256 digests: a database leak does not leak usable tokens.
CREATE TABLE tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id),
    digest       bytea NOT NULL,
    label        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX tokens_digest_key ON tokens (digest);

CREATE SEQUENCE incident_reference_seq;

CREATE TABLE incidents (
    id                             uuid PRIMARY KEY,
    reference                      text NOT NULL,
    organization_id                uuid NOT NULL REFERENCES organizations (id),
    product                        text NOT NULL,
    title                          text NOT NULL,
    description                    text NOT NULL DEFAULT '',
    tier                           text NOT NULL,
    severity                       smallint NOT NULL CHECK (severity BETWEEN 1 AND 4),
    requested_severity             smallint CHECK (requested_severity BETWEEN 1 AND 4),
    severity_confirmation_required boolean NOT NULL DEFAULT false,
    status                         text NOT NULL,
    channel                        text NOT NULL,
    scope                          text NOT NULL DEFAULT 'product',
    assignee_id                    uuid REFERENCES users (id),
    escalation_level               smallint NOT NULL DEFAULT 0,
    opened_by                      uuid NOT NULL REFERENCES users (id),
    accepted_at                    timestamptz NOT NULL,
    created_at                     timestamptz NOT NULL,
    updated_at                     timestamptz NOT NULL
);
CREATE UNIQUE INDEX incidents_reference_key ON incidents (reference);
-- Listing is newest first with a (created_at, id) cursor, per organisation for customers.
CREATE INDEX incidents_org_created_idx ON incidents (organization_id, created_at DESC, id DESC);
CREATE INDEX incidents_created_idx ON incidents (created_at DESC, id DESC);

-- The timeline: everything that happened to an incident, in order.
CREATE TABLE incident_events (
    id          bigserial PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id),
    kind        text NOT NULL,
    actor_id    uuid REFERENCES users (id),
    at          timestamptz NOT NULL,
    data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, id);

-- A repeated Idempotency-Key from the same caller returns the first result.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL REFERENCES users (id),
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    incident_id  uuid NOT NULL REFERENCES incidents (id),
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE incident_events;
DROP TABLE incidents;
DROP SEQUENCE incident_reference_seq;
DROP TABLE tokens;
ALTER TABLE organizations DROP CONSTRAINT organizations_tsam_fk;
DROP TABLE users;
DROP TABLE organizations;
