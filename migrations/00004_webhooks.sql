-- +goose Up
-- Webhook subscriptions. The secret is kept as given (HMAC needs it in the clear, unlike a
-- bearer token); events is a JSON array of notification kinds, empty meaning every kind.
CREATE TABLE webhooks (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    url        text NOT NULL,
    secret     bytea NOT NULL,
    events     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(events) = 'array'),
    active     boolean NOT NULL DEFAULT true,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL
);
CREATE INDEX webhooks_active_idx ON webhooks (created_at) WHERE active;

-- A webhook notification names the subscription it goes to; the URL and secret are read at
-- delivery time, so a deactivated subscription stops receiving at once.
ALTER TABLE notifications ADD COLUMN webhook_id uuid REFERENCES webhooks (id);
ALTER TABLE notifications ADD CONSTRAINT notifications_webhook_target
    CHECK ((channel = 'webhook') = (webhook_id IS NOT NULL)) NOT VALID; -- older rows predate the column

-- +goose Down
ALTER TABLE notifications DROP CONSTRAINT notifications_webhook_target;
ALTER TABLE notifications DROP COLUMN webhook_id;
DROP TABLE webhooks;
