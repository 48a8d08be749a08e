package testenv

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/supportd/supportd/internal/localsvc"
)

// leftoverAge is how old a test database must be to be dropped whoever made it: no test process
// runs for a day, so one that old is garbage even if its pid came back to life as something else
// or it was made on another host.
const leftoverAge = 24 * time.Hour

// dropLeftovers drops the test databases that crashed runs left on srv: those made on this host by
// a process that is gone, and those older than leftoverAge. Databases without a marker are not
// ours and stay.
func dropLeftovers(ctx context.Context, srv *pgServer, now time.Time) error {
	conn, err := pgx.Connect(ctx, srv.admin.String())
	if err != nil {
		return err
	}
	rows, err := conn.Query(ctx, `SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '')
		FROM pg_database WHERE starts_with(datname, $1)`, prefix)
	if err != nil {
		conn.Close(ctx)
		return err
	}
	var stale []string
	host := hostname()
	for rows.Next() {
		var name, comment string
		if err := rows.Scan(&name, &comment); err != nil {
			rows.Close()
			conn.Close(ctx)
			return err
		}
		m, ok := parseMarker(comment)
		if !ok {
			continue
		}
		if now.Sub(m.Created) > leftoverAge || (m.Host == host && !localsvc.ProcessAlive(m.PID)) {
			stale = append(stale, name)
		}
	}
	rows.Close()
	conn.Close(ctx)
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range stale {
		// Another process may be dropping the same one; IF EXISTS makes that harmless.
		if err := dropDatabase(ctx, srv, name); err != nil {
			return fmt.Errorf("leftover: %w", err)
		}
	}
	return nil
}
