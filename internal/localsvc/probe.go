package localsvc

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// probeTimeout bounds a probe: a server on this machine answers in milliseconds, and a missing
// one is refused at once; only an unreachable remote host takes the whole time.
const probeTimeout = 2 * time.Second

// PostgresAvailable reports whether a PostgreSQL server accepts a connection with dsn.
func PostgresAvailable(dsn string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	return pingPostgres(ctx, dsn) == nil
}

// RedisAvailable reports whether a Redis server at addr (host:port) answers PING without a
// password.
func RedisAvailable(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	return pingRedis(ctx, addr) == nil
}

func pingPostgres(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}

// pingRedis speaks the protocol directly: a client library would add connection pools and
// handshakes to what is one line each way.
func pingRedis(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	// A server still loading its data answers -LOADING; one with a password, -NOAUTH.
	if reply = strings.TrimSpace(reply); reply != "+PONG" {
		return fmt.Errorf("redis %s: PING answered %q", addr, reply)
	}
	return nil
}
