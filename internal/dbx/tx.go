package dbx

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Tx is one write transaction as it crosses a package seam, with the one instant the step
// happens at: every row the step writes, in whichever package, carries that same now. The GORM
// handle stays inside; only store code reaches it, through Gorm. Other code hands the Tx on.
type Tx struct {
	db  *gorm.DB
	now time.Time
}

// NewTx wraps tx, a transaction the caller's store opened, with the step's now.
func NewTx(tx *gorm.DB, now time.Time) Tx { return Tx{db: tx, now: now} }

// InTx runs fn in one transaction of db at now; fn's error rolls it back and is returned.
func InTx(ctx context.Context, db *gorm.DB, now time.Time, fn func(Tx) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return fn(NewTx(tx, now)) })
}

// Now is the step's instant.
func (t Tx) Now() time.Time { return t.now }

// Gorm is the transaction handle, for store code of the package that writes through it.
func (t Tx) Gorm() *gorm.DB { return t.db }
