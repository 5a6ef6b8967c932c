package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/storage/internal/domain"
)

// Chunked upload states.
const (
	uploadReceiving  = "receiving"
	uploadCompleting = "completing"
)

// UploadRef names a chunked upload: uploads are scoped by dataset.
type UploadRef struct {
	DatasetID string
	UUID      string
}

// Upload is a chunked upload in progress.
type Upload struct {
	UploadRef
	Filename   string
	TotalParts int
	UpdatedAt  time.Time
}

// Part is one received part.
type Part struct {
	Index  int
	Size   int64
	Offset int64
}

// BeginPart checks that a part of u may be received: the upload is new
// (it is then created) or receiving, with the same filename and total. It
// refreshes the upload's last-activity time.
func (s *Store) BeginPart(ctx context.Context, u Upload, now time.Time) error {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// Two first parts at once: one inserts, the other waits for it
		// (PostgreSQL) or for the write lock (SQLite), then checks.
		if _, err := tx.ExecContext(ctx, `INSERT INTO storage_chunked_uploads
			(dataset_id, upload_id, filename, total_parts, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (dataset_id, upload_id) DO NOTHING`,
			u.DatasetID, u.UUID, u.Filename, u.TotalParts, uploadReceiving, now.UnixMicro(), now.UnixMicro()); err != nil {
			return err
		}
		if err := touchReceiving(ctx, tx, u.UploadRef, now); err != nil {
			return err
		}
		var filename string
		var total int
		if err := tx.QueryRowContext(ctx, `SELECT filename, total_parts FROM storage_chunked_uploads
			WHERE dataset_id = ? AND upload_id = ?`, u.DatasetID, u.UUID).Scan(&filename, &total); err != nil {
			return err
		}
		switch {
		case total != u.TotalParts:
			return domain.UploadMismatch("totalparts changed from %d to %d for upload %s", total, u.TotalParts, u.UUID)
		case filename != u.Filename:
			return domain.UploadMismatch("filename changed for upload %s", u.UUID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("begin part of upload %s: %w", u.UUID, err)
	}
	return nil
}

// touchReceiving refreshes a receiving upload's last activity, which also
// locks its row until the transaction ends (PostgreSQL), so that a
// concurrent Claim waits. It fails with UploadNotFound or UploadBusy when
// the upload is gone or being completed.
func touchReceiving(ctx context.Context, tx *sqldb.Tx, ref UploadRef, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE storage_chunked_uploads SET updated_at = ?
		WHERE dataset_id = ? AND upload_id = ? AND state = ?`, now.UnixMicro(), ref.DatasetID, ref.UUID, uploadReceiving)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		return nil
	}
	return whyNotReceiving(ctx, tx, ref)
}

// whyNotReceiving tells why an upload is not receiving: it is gone
// (UploadNotFound) or being completed (UploadBusy).
func whyNotReceiving(ctx context.Context, tx *sqldb.Tx, ref UploadRef) error {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM storage_chunked_uploads WHERE dataset_id = ? AND upload_id = ?`,
		ref.DatasetID, ref.UUID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.UploadNotFound(ref.UUID)
	}
	if err != nil {
		return err
	}
	return domain.UploadBusy(ref.UUID)
}

// RecordPart records a stored part (replacing a previous copy) and returns
// how many distinct parts the upload has. It fails with UploadBusy or
// UploadNotFound when the upload was completed, is being completed or was
// collected while the part streamed; the part's blob is then left for the
// collector.
func (s *Store) RecordPart(ctx context.Context, ref UploadRef, p Part, now time.Time) (int, error) {
	var count int
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := touchReceiving(ctx, tx, ref, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO storage_chunk_parts
			(dataset_id, upload_id, part_index, size, byte_offset, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (dataset_id, upload_id, part_index)
			DO UPDATE SET size = excluded.size, byte_offset = excluded.byte_offset, updated_at = excluded.updated_at`,
			ref.DatasetID, ref.UUID, p.Index, p.Size, p.Offset, now.UnixMicro()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM storage_chunk_parts WHERE dataset_id = ? AND upload_id = ?`,
			ref.DatasetID, ref.UUID).Scan(&count)
	})
	if err != nil {
		return 0, fmt.Errorf("record part %d of upload %s: %w", p.Index, ref.UUID, err)
	}
	return count, nil
}

// Claim marks the upload as being completed, so that a second completion
// or a late part is refused, and returns it with its parts in index order.
// Unclaim gives it back when the completion fails. The claim is one
// conditional UPDATE: of two concurrent claims, exactly one succeeds.
func (s *Store) Claim(ctx context.Context, ref UploadRef, now time.Time) (Upload, []Part, error) {
	u := Upload{UploadRef: ref}
	var parts []Part
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE storage_chunked_uploads SET state = ?, updated_at = ?
			WHERE dataset_id = ? AND upload_id = ? AND state = ?`, uploadCompleting, now.UnixMicro(), ref.DatasetID, ref.UUID, uploadReceiving)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return whyNotReceiving(ctx, tx, ref)
		}
		if err := tx.QueryRowContext(ctx, `SELECT filename, total_parts FROM storage_chunked_uploads
			WHERE dataset_id = ? AND upload_id = ?`, ref.DatasetID, ref.UUID).Scan(&u.Filename, &u.TotalParts); err != nil {
			return err
		}
		u.UpdatedAt = now
		rows, err := tx.QueryContext(ctx, `SELECT part_index, size, byte_offset FROM storage_chunk_parts
			WHERE dataset_id = ? AND upload_id = ? ORDER BY part_index`, ref.DatasetID, ref.UUID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p Part
			if err := rows.Scan(&p.Index, &p.Size, &p.Offset); err != nil {
				return err
			}
			parts = append(parts, p)
		}
		return rows.Err()
	})
	if err != nil {
		return Upload{}, nil, fmt.Errorf("claim upload %s: %w", ref.UUID, err)
	}
	return u, parts, nil
}

// Unclaim returns a claimed upload to receiving (its completion failed:
// the client may send missing parts and complete again).
func (s *Store) Unclaim(ctx context.Context, ref UploadRef, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE storage_chunked_uploads SET state = ?, updated_at = ?
		WHERE dataset_id = ? AND upload_id = ? AND state = ?`, uploadReceiving, now.UnixMicro(), ref.DatasetID, ref.UUID, uploadCompleting)
	if err != nil {
		return fmt.Errorf("unclaim upload %s: %w", ref.UUID, err)
	}
	return nil
}

// DeleteUploadTx drops an upload's rows inside tx (its file was committed).
func DeleteUploadTx(ctx context.Context, tx *sqldb.Tx, ref UploadRef) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM storage_chunk_parts WHERE dataset_id = ? AND upload_id = ?`, ref.DatasetID, ref.UUID); err != nil {
		return fmt.Errorf("delete parts of upload %s: %w", ref.UUID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM storage_chunked_uploads WHERE dataset_id = ? AND upload_id = ?`, ref.DatasetID, ref.UUID); err != nil {
		return fmt.Errorf("delete upload %s: %w", ref.UUID, err)
	}
	return nil
}

// DeleteUpload drops an upload's rows.
func (s *Store) DeleteUpload(ctx context.Context, ref UploadRef) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error { return DeleteUploadTx(ctx, tx, ref) })
}

// DeleteUploadIfStale drops an upload's rows when its last activity is
// before cutoff (or it has no row), and reports whether its parts may be
// deleted: false when the upload is still active.
func (s *Store) DeleteUploadIfStale(ctx context.Context, ref UploadRef, cutoff time.Time) (bool, error) {
	stale := false
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var updated int64
		err := tx.QueryRowContext(ctx, `SELECT updated_at FROM storage_chunked_uploads WHERE dataset_id = ? AND upload_id = ?`,
			ref.DatasetID, ref.UUID).Scan(&updated)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			stale = true
		case err != nil:
			return err
		case updated < cutoff.UnixMicro():
			stale = true
		}
		if !stale {
			return nil
		}
		return DeleteUploadTx(ctx, tx, ref)
	})
	if err != nil {
		return false, fmt.Errorf("collect upload %s: %w", ref.UUID, err)
	}
	return stale, nil
}

// StaleUploads returns up to limit uploads whose last activity is before
// cutoff.
func (s *Store) StaleUploads(ctx context.Context, cutoff time.Time, limit int) ([]UploadRef, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT dataset_id, upload_id FROM storage_chunked_uploads
		WHERE updated_at < ? ORDER BY updated_at LIMIT ?`, cutoff.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("list stale uploads: %w", err)
	}
	defer rows.Close()
	var refs []UploadRef
	for rows.Next() {
		var r UploadRef
		if err := rows.Scan(&r.DatasetID, &r.UUID); err != nil {
			return nil, fmt.Errorf("list stale uploads: %w", err)
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list stale uploads: %w", err)
	}
	return refs, nil
}
