package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Tx is a transaction whose Query/Exec methods rebind placeholders like DB's.
type Tx struct {
	tx *sql.Tx
	db *DB
}

// InTx runs fn in a transaction on the writer: it commits when fn returns
// nil, and rolls back when fn returns an error (returned as is) or panics
// (re-panicked). On SQLite the transaction takes the write lock at BEGIN
// (BEGIN IMMEDIATE); see the package doc for what not to call inside fn.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) && err != nil {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
	}()
	if err := fn(&Tx{tx: sqlTx, db: db}); err != nil {
		return err
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// Driver is the database the transaction runs on.
func (tx *Tx) Driver() Driver { return tx.db.Driver() }

// SQL returns the underlying transaction.
func (tx *Tx) SQL() *sql.Tx { return tx.tx }

// QueryContext runs a query in the transaction after rebinding placeholders.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.db.queries.get(tx.db.driver, query).bound, args...)
}

// QueryRowContext runs a query expected to return at most one row in the
// transaction after rebinding placeholders.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.queries.get(tx.db.driver, query).bound, args...)
}

// ExecContext runs a statement in the transaction after rebinding
// placeholders.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.db.queries.get(tx.db.driver, query).bound, args...)
}
