-- +goose Up
-- Staff may sign in through an OpenID Connect provider (issue 13): such sessions say so.
ALTER TABLE sessions DROP CONSTRAINT sessions_method_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_method_check CHECK (method IN ('password', 'link', 'oidc'));

-- +goose Down
-- An OIDC session cannot be described by the old rule: it ends.
DELETE FROM sessions WHERE method = 'oidc';
ALTER TABLE sessions DROP CONSTRAINT sessions_method_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_method_check CHECK (method IN ('password', 'link'));
