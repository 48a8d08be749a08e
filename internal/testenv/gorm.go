package testenv

import (
	"fmt"
	"log"
	"os"
	"sync"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB returns a GORM handle on this package's database (see Postgres), opened once per process
// and closed by Main. It logs errors only and translates driver errors to GORM's (a unique
// violation is gorm.ErrDuplicatedKey), as the stores expect. Tests that need another clock use
// db.Session(&gorm.Session{NowFunc: ...}).
func DB(tb testing.TB) *gorm.DB {
	tb.Helper()
	dsn := Postgres(tb)
	db, err := packageGORM(dsn)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return db
}

// OpenDB opens a GORM handle configured like DB's on dsn (a FreshDatabase or a PrivatePostgres),
// closed when the test ends.
func OpenDB(tb testing.TB, dsn string) *gorm.DB {
	tb.Helper()
	db, err := openGORM(dsn)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	tb.Cleanup(func() { closeGORM(db) })
	return db
}

var (
	gormOnce sync.Once
	gormDB   *gorm.DB
	gormErr  error
)

func packageGORM(dsn string) (*gorm.DB, error) {
	gormOnce.Do(func() {
		gormDB, gormErr = openGORM(dsn)
		if gormErr == nil {
			// Registered after the database's drop, so it runs before it.
			onExit(func() error { closeGORM(gormDB); return nil })
		}
	})
	return gormDB, gormErr
}

func openGORM(dsn string) (*gorm.DB, error) {
	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{
		Logger: logger.New(log.New(os.Stderr, "gorm: ", log.LstdFlags), logger.Config{
			LogLevel: logger.Error,
			// Tests look things up that are not there on purpose; that is no error worth a line.
			IgnoreRecordNotFoundError: true,
		}),
		TranslateError: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open gorm: %w", err)
	}
	return db, nil
}

func closeGORM(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}
