package dbx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/supportd/supportd/internal/apperr"
)

// TestUnavailable: what a database going away or out of reach looks like to the driver is a 503
// database_unavailable; what a wrong request or a bug looks like is not.
func TestUnavailable(t *testing.T) {
	// A real refused connect: a port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, refused := pgconn.Connect(ctx, fmt.Sprintf("postgres://x@127.0.0.1:%d/x?connect_timeout=2", addr.Port))
	if refused == nil {
		t.Fatal("connected to a closed port")
	}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refused, true},
		{"wrapped connect error", fmt.Errorf("storing: %w", refused), true},
		{"57P01 admin shutdown", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{"57P03 starting up", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}, true},
		{"08006 connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"deadline", context.DeadlineExceeded, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, false},
		{"cancelled by the caller", context.Canceled, false},
		{"a bug", errors.New("nil map"), false},
	} {
		if got := Unavailable(c.err); got != c.want {
			t.Errorf("%s: Unavailable = %v, want %v", c.name, got, c.want)
		}
		tr := Translate(c.err, "thing")
		if got := apperr.Is(tr, "database_unavailable") && apperr.KindOf(tr) == apperr.Unavailable; got != c.want {
			t.Errorf("%s: Translate = %v", c.name, tr)
		}
	}
}
