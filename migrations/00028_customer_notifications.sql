-- +goose Up
-- Customers are told (SPEC §3a). The escalation package owns these tables: who follows an
-- incident, how each user and organisation wants to be told, and the key that signs the tokens
-- in our Message-IDs and reply addresses.

-- Followers (CC): customer users of the incident's organisation the customer adds, who hear of
-- every customer-visible change as the opener does.
CREATE TABLE incident_followers (
    incident_id uuid NOT NULL REFERENCES incidents (id),
    user_id     uuid NOT NULL REFERENCES users (id),
    added_by    uuid NOT NULL REFERENCES users (id),
    added_at    timestamptz NOT NULL,
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_followers_user_idx ON incident_followers (user_id);

-- A user's choices: e-mail on or off (the in-app inbox always stays), and the language of what
-- they receive (NULL: the organisation's, then English).
CREATE TABLE notification_preferences (
    user_id    uuid PRIMARY KEY REFERENCES users (id),
    email      boolean NOT NULL DEFAULT true,
    language   text CHECK (language IN ('ja', 'en')),
    updated_at timestamptz NOT NULL
);

-- An organisation's choices: whether members of the opener's groups hear of the opener's
-- incidents, and its default language (NULL: its office's).
CREATE TABLE organization_notification_settings (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id),
    notify_groups   boolean NOT NULL DEFAULT false,
    language        text CHECK (language IN ('ja', 'en')),
    updated_at      timestamptz NOT NULL
);

-- One signing key for mail tokens, generated once when no MAIL_TOKEN_KEY is configured, so every
-- process signs alike and a reply to a mail sent before a restart still finds its incident.
CREATE TABLE mail_token_keys (
    id         smallint PRIMARY KEY CHECK (id = 1),
    key        bytea NOT NULL,
    created_at timestamptz NOT NULL
);

-- Threading finds the previous mail to a recipient about an incident.
CREATE INDEX notifications_thread_idx ON notifications (incident_id, recipient_id, created_at, id)
    WHERE channel = 'email' AND incident_id IS NOT NULL;

-- +goose Down
DROP INDEX notifications_thread_idx;
DROP TABLE mail_token_keys;
DROP TABLE organization_notification_settings;
DROP TABLE notification_preferences;
DROP TABLE incident_followers;
