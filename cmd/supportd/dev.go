package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/supportd/supportd/internal/app"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/localsvc"
	"golang.org/x/sync/errgroup"
)

// dev runs the whole engine in one process for a laptop. Without DATABASE_URL / REDIS_URL it
// starts a private PostgreSQL and Redis under DATA_DIR (kept for next time) and stops them on
// Ctrl-C; it migrates, seeds what is missing of the demo, prints it with its tokens (the same
// every run) and the database URL, and serves the API with the workers.
func dev(ctx context.Context, cfg app.Config, getenv func(string) string, stdout, stderr io.Writer) error {
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The servers' own logs go to files beside their data, so the terminal shows the demo tokens.
	svcLog, err := os.OpenFile(filepath.Join(dir, "services.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer svcLog.Close()
	if getenv("DATABASE_URL") == "" {
		fmt.Fprintf(stdout, "starting private PostgreSQL in %s (log: %s)\n", filepath.Join(dir, "postgres"), svcLog.Name())
		pg, err := localsvc.StartPostgres(ctx, filepath.Join(dir, "postgres"), svcLog)
		if err != nil {
			return fmt.Errorf("start PostgreSQL: %w", err)
		}
		defer pg.Stop()
		cfg.DatabaseURL = pg.DSN
	}
	if getenv("REDIS_URL") == "" {
		fmt.Fprintf(stdout, "starting private Redis in %s\n", filepath.Join(dir, "redis"))
		rd, err := localsvc.StartRedisWith(ctx, filepath.Join(dir, "redis"), svcLog, localsvc.RedisOptions{Persist: true})
		if err != nil {
			return fmt.Errorf("start Redis: %w", err)
		}
		defer rd.Stop()
		cfg.RedisURL = "redis://" + rd.Addr + "/0"
	}
	if cfg.AdminToken == "" {
		if cfg.AdminToken, err = devAdminToken(dir); err != nil {
			return err
		}
	}
	e, err := app.Open(ctx, cfg, app.NewLogger(cfg, stderr), clock.Real{})
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nthe demo (seeded where missing):")
	if err := e.SeedDemo(ctx, stdout); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	// The mail channel gets its signer before the API and the workers share it.
	if err := e.PrepareMail(ctx); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return e.Serve(gctx, func(addr net.Addr) {
			fmt.Fprintf(stdout, "\nAPI on http://%s  (try: curl -H 'Authorization: Bearer %s' http://%s/v1/me)\nCtrl-C stops everything; data stays in %s\n",
				addr, cfg.AdminToken, addr, dir)
			fmt.Fprintf(stdout, "Web interface on http://%s/  (sign in with a demo e-mail and password above)\n", addr)
		})
	})
	g.Go(func() error { return e.Work(gctx) })
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// devAdminToken keeps the dev admin token stable across runs, in DATA_DIR/admin-token.
func devAdminToken(dir string) (string, error) {
	path := filepath.Join(dir, "admin-token")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := "dev_" + hex.EncodeToString(b[:])
	return tok, os.WriteFile(path, []byte(tok+"\n"), 0o600)
}
