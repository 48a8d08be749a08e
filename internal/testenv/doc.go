// Package testenv gives tests real PostgreSQL and Redis servers, never mocks, and keeps test
// packages that run at the same time (go test ./... runs packages in parallel) out of each
// other's way: each package process gets its own freshly migrated database and its own Redis
// database or server. It never drops or flushes data it did not write.
//
// Every package that uses it calls Main from TestMain, which removes what the package created
// once its tests have run:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
//	func TestCreateIncident(t *testing.T) {
//		db := testenv.DB(t)         // *gorm.DB on this package's database
//		rc := testenv.Redis(t)      // this package's Redis: rc.Addr, rc.DB, rc.URL
//		...
//	}
//
// # Which servers
//
// PostgreSQL, in order of preference:
//
//   - TEST_DATABASE_URL, a postgres:// URL whose user may create databases; its database is used
//     only to create and drop the test databases, which live beside it on the same server.
//   - a server on 127.0.0.1:5432 that lets user postgres in without a password.
//   - a private server (package localsvc) started in a temporary directory, once per test process.
//
// Every database this package creates is named t_… and carries a comment naming its host,
// process and creation time; it drops only databases carrying that comment, never one it did not
// create.
//
// Redis: a private server (package localsvc, a few milliseconds to start) unless TEST_REDIS_URL
// names a server explicitly. A server that merely answers on 127.0.0.1:6379 is never used: it may
// be a developer's own. On the server TEST_REDIS_URL names (its database number is ignored) each
// process leases one of the databases 1 to 15 (keys testenv:lease:N in database 0; nothing else is
// written there) and claims it only if it is empty, when it writes the mark testenv:owner into it,
// or already carries that mark (a crashed run's leftovers, which it flushes). A database holding
// keys without the mark is somebody else's: it is skipped, never flushed, and when every database
// is somebody else's the tests fail with a *ForeignDataError naming them. On exit the process
// empties the database it claimed and releases the lease. On a private server it is database 0.
//
// TESTENV_PRIVATE=1 ignores all shared servers, TEST_*_URL included, and starts private ones: it
// shows that the tests pass on a machine, such as a bare CI runner, where nothing is running.
// A private PostgreSQL takes about two seconds to initialise and start, Redis a few milliseconds.
//
// # Leftovers
//
// A test process that crashes cannot drop its database. Databases carry a comment naming their
// host, process and creation time; when a process first uses a shared server it drops those whose
// process is gone from this host, and any older than a day.
package testenv
