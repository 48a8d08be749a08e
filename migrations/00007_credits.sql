-- +goose Up
-- The SLA-credit ledger (SPEC §2 "SLA credits"): exactly one entry per missed first-response
-- target of a premium or platinum incident whose contract has a credit rate for its severity.
CREATE TABLE sla_credits (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    incident_id      uuid NOT NULL REFERENCES incidents (id),
    entitlement_id   uuid NOT NULL REFERENCES entitlements (id),
    target           text NOT NULL,
    severity         smallint NOT NULL,
    due_at           timestamptz NOT NULL,
    met_at           timestamptz,
    lateness_seconds double precision,
    amount           numeric(12, 2) NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX sla_credits_once ON sla_credits (incident_id, target);
CREATE INDEX sla_credits_org_idx ON sla_credits (organization_id, due_at);

-- +goose Down
DROP TABLE sla_credits;
