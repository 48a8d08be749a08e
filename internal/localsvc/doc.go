// Package localsvc starts private PostgreSQL and Redis servers (and, for the mail tests, Dovecot)
// from the binaries installed on the machine, so that `supportd dev` and the tests need nothing
// running beforehand.
//
// Each server listens on 127.0.0.1 only, on a port of its own, with its data in a directory the
// caller chooses: kept between runs for `supportd dev`, a temporary one for tests. Servers are
// children of the calling process and are told to stop if it dies (see Stop and the notes on
// parent death in process.go), so a crashed test binary does not leave servers behind.
//
// Servers run in a process group of their own, so a Ctrl-C in a terminal reaches the caller only;
// it stops them (signal.NotifyContext, then Stop) once whatever uses them has shut down.
//
// PostgreSQL refuses to run as root. When the caller is root, initdb and postgres run as the
// `postgres` OS user instead; that user must be able to reach the data directory, which rules out
// directories under /root (use /tmp or the project's work tree).
package localsvc
