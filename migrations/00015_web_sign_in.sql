-- +goose Up
-- Web sign-in (issue 13). Passwords are argon2id hashes in the standard encoded form; a user
-- without one signs in only by e-mailed link (customers) or not at all. A deactivated user
-- cannot sign in (users.deactivated_at, migration 00011); deactivation also revokes their tokens and sessions. locale and time_zone are
-- the user's display settings ('' = from the browser's Accept-Language / the default zone).
ALTER TABLE users
    ADD COLUMN password_hash  text,
    ADD COLUMN locale         text NOT NULL DEFAULT '' CHECK (locale IN ('', 'ja', 'en')),
    ADD COLUMN time_zone      text NOT NULL DEFAULT '';

-- Browser sessions, kept server-side. Only the SHA-256 digest of the session secret is stored:
-- the cookie alone opens a session. Idle expiry is last_seen_at + the configured idle time;
-- expires_at is the absolute end.
CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id),
    digest       bytea NOT NULL,
    user_agent   text NOT NULL DEFAULT '',
    client_ip    text NOT NULL DEFAULT '',
    method       text NOT NULL CHECK (method IN ('password', 'link')),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX sessions_digest_key ON sessions (digest);
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at DESC);

-- Sign-in links e-mailed to customers: single use, short-lived, bound to the address they were
-- sent to (a user whose address changed cannot use an old link).
CREATE TABLE sign_in_links (
    digest     bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    email      text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX sign_in_links_user_idx ON sign_in_links (user_id);

-- Failed sign-ins, per address and per client IP, so throttling holds across API processes.
CREATE TABLE sign_in_failures (
    id    bigserial PRIMARY KEY,
    kind  text NOT NULL CHECK (kind IN ('email', 'ip')),
    key   text NOT NULL,
    at    timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key_idx ON sign_in_failures (kind, key, at);

-- +goose Down
DROP TABLE sign_in_failures;
DROP TABLE sign_in_links;
DROP TABLE sessions;
ALTER TABLE users
    DROP COLUMN time_zone,
    DROP COLUMN locale,
    DROP COLUMN password_hash;
