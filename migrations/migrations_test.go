package migrations_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/migrations"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestDownAndUpAgain rolls every migration back and applies them again: each Down undoes its Up.
func TestDownAndUpAgain(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", testenv.FreshDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var st bytes.Buffer
	if err := migrations.Status(ctx, db, &st); err != nil {
		t.Fatal(err)
	}
	n := strings.Count(st.String(), "applied")
	if n < 8 || strings.Contains(st.String(), "pending") {
		t.Fatalf("fresh database not fully migrated:\n%s", st.String())
	}
	for i := 0; i < n; i++ {
		if err := migrations.Down(ctx, db); err != nil {
			t.Fatalf("down %d: %v", i, err)
		}
	}
	var tables int
	if err := db.QueryRow("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'").Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("%d tables left after rolling everything back (%v)", tables, err)
	}
	if err := migrations.Up(ctx, db, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("up again: %v", err)
	}
}

// TestUpRefusesMissingLog: applied migrations are logged to the process's logger, never the
// global one; Up without it fails before touching the database.
func TestUpRefusesMissingLog(t *testing.T) {
	if err := migrations.Up(context.Background(), nil, nil); err == nil || !strings.Contains(err.Error(), "log is required") {
		t.Errorf("Up without a logger: %v", err)
	}
}
