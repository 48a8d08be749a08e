-- +goose Up
-- Deactivation sticks: a deactivated user authenticates with no token and is issued none until
-- an admin reactivates them; the tokens revoked at deactivation stay revoked.
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;

-- A webhook may belong to a customer organisation (its org admins manage it): it receives only
-- customer-visible notifications of that organisation. NULL: a global, staff subscription.
ALTER TABLE webhooks ADD COLUMN organization_id uuid REFERENCES organizations (id);
CREATE INDEX webhooks_organization_idx ON webhooks (organization_id) WHERE active;

-- +goose Down
DROP INDEX webhooks_organization_idx;
ALTER TABLE webhooks DROP COLUMN organization_id;
ALTER TABLE users DROP COLUMN deactivated_at;
