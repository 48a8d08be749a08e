// Package scratch lets the benchmark commands (timerbench, claimbench, intake-bench.sh) fill a
// PostgreSQL database and a Redis database without ever touching data they did not write. Each
// claims its databases before using them: an empty database is marked as scratch, one already
// marked (by an earlier run) is reused, and one holding anything else is refused with an error
// that says what to point the command at instead. A benchmark that wipes (Redis FLUSHDB before a
// run) wipes only a marked database.
package scratch

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// RedisMark is the key that marks a Redis database as a benchmark's scratch; its value names the
// command that first claimed it.
const RedisMark = "supportd:scratch"

// Table is the PostgreSQL table whose presence marks a database as a benchmark's scratch.
const Table = "supportd_scratch"

// ForeignError is the refusal to use a database that holds data no benchmark wrote.
type ForeignError struct {
	What  string // "Redis database 3 at 127.0.0.1:6379", "PostgreSQL database app"
	Holds string // "12 keys", "31 tables"
	Hint  string
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("refusing %s: it holds %s, not a benchmark's scratch (it has no scratch mark), and a benchmark "+
		"never writes into or wipes other data; %s", e.What, e.Holds, e.Hint)
}

// claimRedis marks an empty database (SET), flushes and re-marks a marked one when wipe is set,
// and answers the number of keys of a foreign one (0 once claimed), in one step.
var claimRedis = redis.NewScript(`
local n = redis.call("DBSIZE")
local marked = redis.call("EXISTS", KEYS[1]) == 1
if n > 0 and not marked then return n end
if marked and ARGV[2] == "1" then redis.call("FLUSHDB") end
if not marked or ARGV[2] == "1" then redis.call("SET", KEYS[1], ARGV[1]) end
return 0`)

// ClaimRedis claims the database rdb is connected to for the command tool: it marks an empty
// database, accepts one already marked, and refuses with a *ForeignError one holding keys without
// the mark. wipe empties a marked database first (keeping the mark), for runs that must start
// from an empty queue.
func ClaimRedis(ctx context.Context, rdb *redis.Client, tool string, wipe bool) error {
	w := "0"
	if wipe {
		w = "1"
	}
	n, err := claimRedis.Run(ctx, rdb, []string{RedisMark}, tool, w).Int64()
	if err != nil {
		return fmt.Errorf("claim Redis database %d at %s: %w", rdb.Options().DB, rdb.Options().Addr, err)
	}
	if n > 0 {
		o := rdb.Options()
		return &ForeignError{What: fmt.Sprintf("Redis database %d at %s", o.DB, o.Addr), Holds: fmt.Sprintf("%d keys", n),
			Hint: "point REDIS_URL at an empty database (for example redis://" + o.Addr + "/14 if that one is empty)"}
	}
	return nil
}

// ClaimPostgres claims the database db is connected to for the command tool, before it is
// migrated: a database with no tables of its own gets the table Table, one that has it is
// accepted, and one holding other tables without it is refused with a *ForeignError, as is the
// server's maintenance database "postgres" even when empty.
func ClaimPostgres(ctx context.Context, db *sql.DB, tool string) error {
	var name string
	var tables int
	var marked bool
	err := db.QueryRowContext(ctx, `SELECT current_database(),
		(SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')),
		EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tablename = $1)`, Table).Scan(&name, &tables, &marked)
	if err != nil {
		return fmt.Errorf("claim PostgreSQL database: %w", err)
	}
	if marked {
		return nil
	}
	if name == "postgres" { // the server's maintenance database: empty, yet everyone's
		return &ForeignError{What: "PostgreSQL database postgres", Holds: "the server's maintenance database",
			Hint: "point DATABASE_URL at a new, empty database (createdb " + tool + "_scratch)"}
	}
	if tables > 0 {
		return &ForeignError{What: "PostgreSQL database " + name, Holds: fmt.Sprintf("%d tables", tables),
			Hint: "point DATABASE_URL at a new, empty database (createdb " + tool + "_scratch)"}
	}
	_, err = db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+Table+` (tool text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now())`)
	if err == nil {
		_, err = db.ExecContext(ctx, `INSERT INTO `+Table+` (tool) VALUES ($1)`, tool)
	}
	if err != nil {
		return fmt.Errorf("mark PostgreSQL database %s as scratch: %w", name, err)
	}
	return nil
}
