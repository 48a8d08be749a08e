-- +goose Up
-- Deactivation sticks: a deactivated user authenticates with no token and is issued none until
-- an admin reactivates them; the tokens revoked at deactivation stay revoked.
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN deactivated_at;
