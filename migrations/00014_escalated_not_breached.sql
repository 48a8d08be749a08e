-- +goose Up
-- An escalation target that is reached is "escalated" with its cause (deadline, request, or
-- higher_level when a higher level was reached first); it is never "breached", which is an
-- accusation kept for response, update and remediation targets whose deadline passed (SPEC §2).
-- Rows written before said "breached" for escalation targets; they now say what happened.

-- A pending escalation timer that a re-plan stopped because its level was reached.
UPDATE sla_timers SET outcome = 'escalated'
WHERE target IN ('support_manager', 'executive') AND outcome = 'breached';

-- Every "escalated" timeline entry names its cause; "reason" stays as it was written.
UPDATE incident_events
SET data = data || jsonb_build_object('cause', CASE data->>'reason' WHEN 'customer_request' THEN 'request' ELSE 'deadline' END)
WHERE kind = 'escalated' AND NOT data ? 'cause';

-- The explanation stored with an escalation by deadline ended in a breach line.
UPDATE incident_events
SET data = jsonb_set(data, '{explanation}', (
    SELECT coalesce(jsonb_agg(to_jsonb(regexp_replace(l, ': breached \(not met in time\)$', ': escalated (deadline reached)')) ORDER BY n), '[]')
    FROM jsonb_array_elements_text(data->'explanation') WITH ORDINALITY AS x (l, n)))
WHERE kind = 'escalated' AND jsonb_typeof(data->'explanation') = 'array';

-- A re-plan's list of stopped targets.
UPDATE incident_events
SET data = jsonb_set(data, '{stopped}', (
    SELECT jsonb_agg(CASE WHEN s->>'target' IN ('support_manager', 'executive') AND s->>'state' = 'breached'
                          THEN s || '{"state": "escalated"}' ELSE s END ORDER BY n)
    FROM jsonb_array_elements(data->'stopped') WITH ORDINALITY AS x (s, n)))
WHERE kind = 'sla_planned' AND jsonb_typeof(data->'stopped') = 'array' AND EXISTS (
    SELECT 1 FROM jsonb_array_elements(data->'stopped') s
    WHERE s->>'target' IN ('support_manager', 'executive') AND s->>'state' = 'breached');

-- +goose Down
UPDATE incident_events
SET data = jsonb_set(data, '{stopped}', (
    SELECT jsonb_agg(CASE WHEN s->>'target' IN ('support_manager', 'executive') AND s->>'state' = 'escalated'
                          THEN s || '{"state": "breached"}' ELSE s END ORDER BY n)
    FROM jsonb_array_elements(data->'stopped') WITH ORDINALITY AS x (s, n)))
WHERE kind = 'sla_planned' AND jsonb_typeof(data->'stopped') = 'array' AND EXISTS (
    SELECT 1 FROM jsonb_array_elements(data->'stopped') s
    WHERE s->>'target' IN ('support_manager', 'executive') AND s->>'state' = 'escalated');

UPDATE incident_events
SET data = jsonb_set(data, '{explanation}', (
    SELECT coalesce(jsonb_agg(to_jsonb(regexp_replace(l, ': escalated \(deadline reached\)$', ': breached (not met in time)')) ORDER BY n), '[]')
    FROM jsonb_array_elements_text(data->'explanation') WITH ORDINALITY AS x (l, n)))
WHERE kind = 'escalated' AND jsonb_typeof(data->'explanation') = 'array';

UPDATE incident_events SET data = data - 'cause' WHERE kind = 'escalated';

UPDATE sla_timers SET outcome = 'breached'
WHERE target IN ('support_manager', 'executive') AND outcome = 'escalated' AND state = 'cancelled';
