-- +goose Up
-- Maintenance contracts and subscriptions (SPEC §3). State is never stored: it is computed from
-- the clock, so it cannot go stale.
CREATE TABLE entitlements (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    product             text NOT NULL,
    tier                text NOT NULL CHECK (tier IN ('standard', 'premium', 'platinum')),
    license_type        text NOT NULL CHECK (license_type IN ('subscription', 'perpetual')),
    maintenance         boolean NOT NULL DEFAULT true,
    starts_at           timestamptz NOT NULL,
    ends_at             timestamptz NOT NULL,
    seats               integer NOT NULL DEFAULT 0,
    serial_number       text NOT NULL DEFAULT '',
    serial_aliases      jsonb NOT NULL DEFAULT '[]',
    activation_code     text NOT NULL DEFAULT '',
    registration_key    text NOT NULL DEFAULT '',
    renewal_id          text NOT NULL DEFAULT '',
    grace_days          integer NOT NULL DEFAULT 0,
    grace_intake        text NOT NULL DEFAULT 'reject',
    renewal_window_days integer NOT NULL DEFAULT 0,
    reinstatement_fee   boolean NOT NULL DEFAULT false,
    credit_rates        jsonb NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX entitlements_org_idx ON entitlements (organization_id);
CREATE INDEX entitlements_ends_idx ON entitlements (ends_at);

CREATE TABLE entitlement_extensions (
    id             uuid PRIMARY KEY,
    entitlement_id uuid NOT NULL REFERENCES entitlements (id),
    until          timestamptz NOT NULL,
    reason         text NOT NULL,
    granted_by     uuid NOT NULL REFERENCES users (id),
    granted_at     timestamptz NOT NULL
);
CREATE INDEX entitlement_extensions_ent_idx ON entitlement_extensions (entitlement_id);

-- Each renewal is kept: the periods an entitlement covered, and the serials it had.
CREATE TABLE entitlement_renewals (
    id              uuid PRIMARY KEY,
    entitlement_id  uuid NOT NULL REFERENCES entitlements (id),
    previous_starts timestamptz NOT NULL,
    previous_ends   timestamptz NOT NULL,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    previous_serial text NOT NULL,
    serial_number   text NOT NULL,
    renewed_by      uuid NOT NULL REFERENCES users (id),
    renewed_at      timestamptz NOT NULL
);

-- Every refused intake is a renewal lead, with everything the customer typed.
CREATE TABLE intake_rejections (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    user_id         uuid NOT NULL REFERENCES users (id),
    entitlement_id  uuid REFERENCES entitlements (id),
    product         text NOT NULL,
    code            text NOT NULL,
    message         text NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}',
    request_body    bytea NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX intake_rejections_created_idx ON intake_rejections (created_at DESC, id DESC);

-- One row per entitlement, milestone and contract period: the unique key is what makes each
-- renewal reminder go out once, however many workers run the job.
CREATE TABLE renewal_reminders (
    entitlement_id uuid NOT NULL REFERENCES entitlements (id),
    milestone      text NOT NULL,
    period_ends    timestamptz NOT NULL,
    due_at         timestamptz NOT NULL,
    sent_at        timestamptz NOT NULL,
    recipients     integer NOT NULL,
    PRIMARY KEY (entitlement_id, milestone, period_ends)
);

-- The in-app inbox and the outbox of every other channel (e-mail, webhook). dedup_key makes the
-- producer idempotent: the same fact recorded twice is one notification.
CREATE TABLE notifications (
    id              uuid PRIMARY KEY,
    recipient_id    uuid REFERENCES users (id),
    channel         text NOT NULL CHECK (channel IN ('inbox', 'email', 'webhook')),
    kind            text NOT NULL,
    incident_id     uuid REFERENCES incidents (id),
    subject         text NOT NULL,
    body            text NOT NULL DEFAULT '',
    data            jsonb NOT NULL DEFAULT '{}',
    dedup_key       text NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    delivered_at    timestamptz,
    read_at         timestamptz,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX notifications_dedup_key ON notifications (dedup_key);
CREATE INDEX notifications_inbox_idx ON notifications (recipient_id, created_at DESC) WHERE channel = 'inbox';
CREATE INDEX notifications_pending_idx ON notifications (next_attempt_at) WHERE state = 'pending';

ALTER TABLE incidents
    ADD COLUMN entitlement_id uuid REFERENCES entitlements (id),
    ADD COLUMN in_grace boolean NOT NULL DEFAULT false,
    ADD COLUMN grace_ends_at timestamptz;

-- +goose Down
ALTER TABLE incidents DROP COLUMN grace_ends_at, DROP COLUMN in_grace, DROP COLUMN entitlement_id;
DROP TABLE notifications;
DROP TABLE renewal_reminders;
DROP TABLE intake_rejections;
DROP TABLE entitlement_renewals;
DROP TABLE entitlement_extensions;
DROP TABLE entitlements;
