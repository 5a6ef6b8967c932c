package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// File states.
const (
	statePending = "pending"
	stateStored  = "stored"
)

// File is a stored file's row.
type File struct {
	Key              string
	DatasetID        string
	OrganizationID   string
	ResourceID       string
	Filename         string
	OriginalFilename string
	Size             int64
	SHA1             string
	SHA256           string
	MIME             string
	Format           string
	CreatedAt        time.Time
}

const fileColumns = `object_key, dataset_id, organization_id, resource_id, filename, original_filename, size, sha1, sha256, mime, format, created_at`

func scanFile(row interface{ Scan(...any) error }) (File, error) {
	var f File
	var created int64
	err := row.Scan(&f.Key, &f.DatasetID, &f.OrganizationID, &f.ResourceID, &f.Filename, &f.OriginalFilename,
		&f.Size, &f.SHA1, &f.SHA256, &f.MIME, &f.Format, &created)
	f.CreatedAt = time.UnixMicro(created).UTC()
	return f, err
}

// Reserve claims key for a file being uploaded: a pending row, invisible to
// Get, that makes a second Reserve of the same key fail with ErrKeyTaken.
func (s *Store) Reserve(ctx context.Context, key, datasetID, organizationID string, at time.Time) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO storage_files (object_key, state, dataset_id, organization_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		key, statePending, datasetID, organizationID, at.UnixMicro())
	if sqldb.IsUniqueViolation(err) {
		return fmt.Errorf("reserve %s: %w", key, ErrKeyTaken)
	}
	if err != nil {
		return fmt.Errorf("reserve %s: %w", key, err)
	}
	return nil
}

// Release drops the reservation of key (a failed upload).
func (s *Store) Release(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM storage_files WHERE object_key = ? AND state = ?`, key, statePending)
	if err != nil {
		return fmt.Errorf("release %s: %w", key, err)
	}
	return nil
}

// ReleaseReservation drops the pending row of key only if it was reserved
// at exactly at: the reservation of an upload whose Reserve call was
// cancelled in flight, and nobody else's.
func (s *Store) ReleaseReservation(ctx context.Context, key string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM storage_files WHERE object_key = ? AND state = ? AND created_at = ?`, key, statePending, at.UnixMicro())
	if err != nil {
		return fmt.Errorf("release reservation %s: %w", key, err)
	}
	return nil
}

// Commit turns the reservation of f.Key into a stored file, and runs also
// in the same transaction (to enqueue the event, to drop the chunked
// upload's rows). It fails with ErrReservationLost when the pending row is
// gone.
func (s *Store) Commit(ctx context.Context, f File, also func(tx *sqldb.Tx) error) error {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE storage_files SET state = ?, resource_id = ?, filename = ?,
			original_filename = ?, size = ?, sha1 = ?, sha256 = ?, mime = ?, format = ?
			WHERE object_key = ? AND state = ?`,
			stateStored, f.ResourceID, f.Filename, f.OriginalFilename, f.Size, f.SHA1, f.SHA256, f.MIME, f.Format,
			f.Key, statePending)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrReservationLost
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("commit file %s: %w", f.Key, err)
	}
	return nil
}

// Get returns the stored file at key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (File, error) {
	f, err := scanFile(s.db.QueryRowContext(ctx,
		`SELECT `+fileColumns+` FROM storage_files WHERE object_key = ? AND state = ?`, key, stateStored))
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, fmt.Errorf("get file %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return File{}, fmt.Errorf("get file %s: %w", key, err)
	}
	return f, nil
}

// Delete removes the stored file at key and runs also with it in the same
// transaction. It returns ErrNotFound when there is none.
func (s *Store) Delete(ctx context.Context, key string, also func(tx *sqldb.Tx, f File) error) (File, error) {
	var f File
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		f, err = scanFile(tx.QueryRowContext(ctx,
			`SELECT `+fileColumns+` FROM storage_files WHERE object_key = ? AND state = ?`, key, stateStored))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM storage_files WHERE object_key = ?`, key); err != nil {
			return err
		}
		if also != nil {
			return also(tx, f)
		}
		return nil
	})
	if err != nil {
		return File{}, fmt.Errorf("delete file %s: %w", key, err)
	}
	return f, nil
}

// StalePending returns up to limit keys reserved before cutoff and never
// committed (a crash or a collected upload).
func (s *Store) StalePending(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT object_key FROM storage_files WHERE state = ? AND created_at < ? ORDER BY created_at LIMIT ?`,
		statePending, cutoff.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("list stale reservations: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("list stale reservations: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list stale reservations: %w", err)
	}
	return keys, nil
}

// Usage is what an organization's stored files take.
type Usage struct {
	Bytes int64
	Files int64
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func usage(ctx context.Context, q querier, organizationID string) (Usage, error) {
	var u Usage
	err := q.QueryRowContext(ctx,
		`SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT), COUNT(*) FROM storage_files WHERE organization_id = ? AND state = ?`,
		organizationID, stateStored).Scan(&u.Bytes, &u.Files)
	if err != nil {
		return Usage{}, fmt.Errorf("usage of organization %s: %w", organizationID, err)
	}
	return u, nil
}

// Usage sums the stored files of an organization.
func (s *Store) Usage(ctx context.Context, organizationID string) (Usage, error) {
	return usage(ctx, s.db, organizationID)
}

// UsageTx is Usage inside tx (it counts the files tx committed).
//
// On PostgreSQL it first takes a transaction-scoped advisory lock on the
// organization, so that two uploads committing at once are counted one
// after the other (each sees the other's bytes) instead of both passing
// the quota. SQLite transactions are serialized already (BEGIN IMMEDIATE).
func UsageTx(ctx context.Context, tx *sqldb.Tx, organizationID string) (Usage, error) {
	if tx.Driver() == sqldb.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 42))`, "storage-quota:"+organizationID); err != nil {
			return Usage{}, fmt.Errorf("lock usage of organization %s: %w", organizationID, err)
		}
	}
	return usage(ctx, tx, organizationID)
}
