// Command supportd is the support ticketing and SLA engine.
//
//	supportd serve             the HTTP API
//	supportd work              the asynq workers and periodic scheduler
//	supportd migrate up|down|status
//	supportd dev               everything in one process, with private PostgreSQL and Redis
//
// Configuration comes from environment variables; `supportd help` lists them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/supportd/supportd/internal/app"
	"github.com/supportd/supportd/internal/clock"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "supportd:", err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: supportd serve | work | migrate up|down|status | dev")
	fmt.Fprintln(w, "\nenvironment:")
	for _, v := range app.Vars {
		fmt.Fprintf(w, "  %-20s default %q\n      %s\n", v.Name, v.Default, v.Help)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return errors.New("no command")
	}
	cfg, err := app.FromEnv(getenv)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, stderr)
	switch args[0] {
	case "serve", "work", "migrate":
		e, err := app.Open(ctx, cfg, log, clock.Real{})
		if err != nil {
			return err
		}
		defer e.Close()
		switch args[0] {
		case "serve":
			return e.Serve(ctx, nil)
		case "work":
			return e.Work(ctx)
		default:
			return migrate(ctx, e, args[1:], stdout)
		}
	case "dev":
		return dev(ctx, cfg, getenv, stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return nil
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func migrate(ctx context.Context, e *app.Engine, args []string, stdout io.Writer) error {
	sub := "up"
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "up":
		if err := e.Migrate(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrations applied")
		return nil
	case "down":
		return e.MigrateDown(ctx)
	case "status":
		return e.MigrationStatus(ctx, stdout)
	}
	return fmt.Errorf("migrate: unknown subcommand %q (up, down, status)", sub)
}
