#!/usr/bin/env bash
# Intake throughput: POST /v1/incidents through supportd, next to pgbench inserting one bare row
# per transaction into the same database in the same run. Loopback only; bounded by DURATION.
#
#   cmd/loadgen/intake-bench.sh            # uses PostgreSQL on 127.0.0.1:5432 and Redis on :6379 db 9
#
# It creates and drops its own PostgreSQL database, and refuses a Redis database that holds keys
# no supportd benchmark wrote (needs redis-cli, psql and pgbench).
#
# Then it replays intake's own SQL with pgbench: it sets log_statement = all on its own database
# only, restarts supportd, sends one intake between two marker queries, turns what PostgreSQL
# logged between them (PG_LOG, Debian's server log by default; it must be readable) into a pgbench
# script with fresh keys per transaction (loadgen -replay), and runs it with the same clients and
# duration. The ratio of the two throughputs says how close intake runs to its own SQL.
#   CLIENTS=16 DURATION=20s PG=postgres://postgres@127.0.0.1:5432 REDIS_URL=redis://127.0.0.1:6379/9 cmd/loadgen/intake-bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${CLIENTS:-16}
DURATION=${DURATION:-20s}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/9}
PG_LOG=${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
DB=supportd_bench_$$
ADMIN=bench-admin-token-$RANDOM$RANDOM
PORT=${PORT:-18080}
secs=${DURATION%s}

# Redis: a scratch database only (internal/scratch): empty, or marked by an earlier benchmark run.
keys=$(redis-cli -u "$REDIS_URL" DBSIZE)
if [ "$keys" != 0 ] && [ "$(redis-cli -u "$REDIS_URL" EXISTS supportd:scratch)" != 1 ]; then
	echo "intake-bench: refusing $REDIS_URL: it holds $keys keys that no supportd benchmark wrote; point REDIS_URL at an empty database" >&2
	exit 1
fi
# Empty it: an earlier run's queued deadline tasks (of incidents in a database since dropped)
# would otherwise be delivered to this run's workers and skew its figures, more with each run.
redis-cli -u "$REDIS_URL" FLUSHDB >/dev/null
redis-cli -u "$REDIS_URL" SET supportd:scratch intake-bench >/dev/null
# PostgreSQL: a database of its own, created here and dropped on exit.
psql -q "$PG/postgres" -c "CREATE DATABASE $DB"
trap 'kill $SRV 2>/dev/null || true; wait $SRV 2>/dev/null || true; psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
go build -o bin/supportd ./cmd/supportd
go build -o bin/loadgen ./cmd/loadgen
export DATABASE_URL="$PG/$DB?sslmode=disable" REDIS_URL SUPPORT_ADMIN_TOKEN=$ADMIN LISTEN_ADDR=127.0.0.1:$PORT LOG_LEVEL=warn DB_MAX_CONNS=${DB_MAX_CONNS:-20}
bin/supportd migrate up >/dev/null
bin/supportd serve & SRV=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

echo "== supportd: POST /v1/incidents, $CLIENTS clients, $DURATION"
TOKEN=$(bin/loadgen -url "http://127.0.0.1:$PORT" -admin "$ADMIN" -setup-only)
intake=$(bin/loadgen -url "http://127.0.0.1:$PORT" -token "$TOKEN" -c "$CLIENTS" -d "$DURATION")
echo "$intake"

echo "== pgbench: one bare single-row INSERT per transaction, same database, $CLIENTS clients, ${secs}s"
psql -q "$PG/$DB" -c "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, title text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
script=$(mktemp)
echo "INSERT INTO bench_insert (title) VALUES ('load');" > "$script"
pgbench -n -c "$CLIENTS" -j 2 -T "$secs" -f "$script" "$PG/$DB" 2>&1 | grep -E "^(tps|latency average|number of transactions actually)"
rm -f "$script"

echo "== pgbench: intake's own SQL, captured from one request, same database, $CLIENTS clients, ${secs}s"
psql -q "$PG/postgres" -c "ALTER DATABASE $DB SET log_statement = 'all'"
kill $SRV; wait $SRV 2>/dev/null || true
bin/supportd serve & SRV=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
bin/loadgen -url "http://127.0.0.1:$PORT" -token "$TOKEN" -c 1 -n 3 >/dev/null # a fresh process: caches warm first
mark="intake-bench-$DB-$RANDOM"
psql -qAt "$PG/$DB" -c "SELECT '$mark:begin'" >/dev/null
bin/loadgen -url "http://127.0.0.1:$PORT" -token "$TOKEN" -c 1 -n 1 >/dev/null
psql -qAt "$PG/$DB" -c "SELECT '$mark:end'" >/dev/null
psql -q "$PG/postgres" -c "ALTER DATABASE $DB RESET log_statement"
replay=$(mktemp)
sleep 1 # the server log is written asynchronously
bin/loadgen -replay "$PG_LOG" -db "$DB" -begin "$mark:begin" -end "$mark:end" > "$replay"
own=$(pgbench -n -c "$CLIENTS" -j 2 -T "$secs" -f "$replay" "$PG/$DB" 2>&1 | grep -E "^(tps|latency average|number of transactions actually|number of failed)")
echo "$own"
mv "$replay" bin/intake-replay.sql # kept for reading: the statements one intake sends
req=$(echo "$intake" | sed -E 's/.* ([0-9.]+) req\/s.*/\1/')
tps=$(echo "$own" | sed -nE 's/^tps = ([0-9.]+).*/\1/p')
echo "== ratio: intake $req req/s / its own SQL $tps tps = $(awk -v a="$req" -v b="$tps" 'BEGIN { printf "%.2f", a / b }')"
