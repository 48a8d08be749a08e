-- +goose Up
-- Each incident keeps the calendar versions it was planned with, as it keeps its policy version,
-- so editing a calendar never re-plans a past incident on the new hours (its sla block and the
-- breaches its timeline recorded keep agreeing). A name missing from the map is planned on that
-- calendar's current version (a calendar created after the incident was accepted).
ALTER TABLE incidents ADD COLUMN calendar_versions jsonb NOT NULL DEFAULT '{}';

-- Incidents accepted before pins existed get the versions in force when they were accepted (the
-- first version of a calendar created later).
UPDATE incidents i SET calendar_versions = coalesce((
    SELECT jsonb_object_agg(c.name, c.version) FROM (
        SELECT name, coalesce(max(version) FILTER (WHERE created_at <= i.accepted_at), min(version)) AS version
        FROM sla_calendars GROUP BY name) c), '{}');

-- +goose Down
ALTER TABLE incidents DROP COLUMN calendar_versions;
