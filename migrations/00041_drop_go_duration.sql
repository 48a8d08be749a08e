-- +goose Up
-- A claim's since_accepted is stored as microseconds (since_accepted_us) and rendered by Go's
-- time.Duration.String when the event is read, so SQL no longer keeps a second copy of that
-- format. Claim events written before keep their text and read the same.
DROP FUNCTION go_duration(bigint);

-- +goose Down
-- +goose StatementBegin
CREATE FUNCTION go_duration(us bigint) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN us < 0 THEN '-' ELSE '' END || CASE
        WHEN a = 0 THEN '0s'
        WHEN a < 1000 THEN a || chr(181) || 's'
        WHEN a < 1000000 THEN (a / 1000) || rtrim('.' || lpad((a % 1000)::text, 3, '0'), '.0') || 'ms'
        ELSE CASE WHEN a >= 3600000000 THEN (a / 3600000000) || 'h' ELSE '' END
            || CASE WHEN a >= 60000000 THEN (a / 60000000 % 60) || 'm' ELSE '' END
            || (a / 1000000 % 60) || rtrim('.' || lpad((a % 1000000)::text, 6, '0'), '.0') || 's'
    END
    FROM (SELECT abs(us) AS a) AS x
$$;
-- +goose StatementEnd
