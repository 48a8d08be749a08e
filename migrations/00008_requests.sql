-- +goose Up
-- Customer requests to reclassify severity 3 to 2 (seed 003 §6): granted automatically after 30
-- days unresolved, otherwise approved or rejected by a support manager with a reason.
CREATE TABLE reclassification_requests (
    id              uuid PRIMARY KEY,
    incident_id     uuid NOT NULL REFERENCES incidents (id),
    requested_by    uuid NOT NULL REFERENCES users (id),
    reason          text NOT NULL,
    state           text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by      uuid REFERENCES users (id),
    decision_reason text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    decided_at      timestamptz
);
CREATE UNIQUE INDEX reclassification_one_pending ON reclassification_requests (incident_id) WHERE state = 'pending';

-- +goose Down
DROP TABLE reclassification_requests;
