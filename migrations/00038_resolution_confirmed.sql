-- +goose Up
-- A customer confirms a resolution (SPEC §1): the incident stays resolved and records when, so
-- that the customer's reopen and a mail reply no longer bring it back (staff still may).
ALTER TABLE incidents ADD COLUMN resolution_confirmed_at timestamptz;

-- +goose Down
ALTER TABLE incidents DROP COLUMN resolution_confirmed_at;
