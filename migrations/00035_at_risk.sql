-- +goose Up
-- The "at risk" lists (GET /v1/incidents?due_within=2h, GET /v1/queue?due_within=…) read the
-- open incidents whose nearest pending deadline falls within a window: a range on next_due_at,
-- which the queue's index holds only behind tier and severity.
CREATE INDEX incidents_next_due_idx ON incidents (next_due_at) WHERE next_due_at IS NOT NULL AND status <> 'resolved';

-- +goose Down
DROP INDEX incidents_next_due_idx;
