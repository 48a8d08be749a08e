-- +goose Up
-- office_organizations is internal/accounts' answer, inside a statement of another package, to
-- "which organisations does this office serve" (organizations.office). The queue and the claim
-- filter incidents by office in their one statement through it: asking accounts first cost
-- every claim a second round trip (a fifth of the claim rate, README "Claims"). Only
-- internal/accounts reads the organizations table; other packages call this function.
CREATE FUNCTION office_organizations(office text) RETURNS SETOF uuid
	LANGUAGE sql STABLE STRICT
	AS $$ SELECT o.id FROM organizations o WHERE o.office = office_organizations.office $$;

-- +goose Down
DROP FUNCTION office_organizations(text);
