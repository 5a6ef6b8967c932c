package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteBusyTimeoutMS bounds how long a connection waits for a lock held by
// another process (within one process, writers queue on the writer pool).
const sqliteBusyTimeoutMS = "10000"

// openSQLite opens the writer and reader pools on the file named by dsn, a
// path optionally followed by "?" and extra modernc.org/sqlite parameters.
func openSQLite(ctx context.Context, dsn string, readers int) (writer, reader *sql.DB, err error) {
	path, extra, _ := strings.Cut(dsn, "?")
	params, err := url.ParseQuery(extra)
	if err != nil {
		return nil, nil, fmt.Errorf("parse dsn parameters: %w", err)
	}
	memory := path == ":memory:"
	if !memory {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, nil, fmt.Errorf("create database directory: %w", err)
		}
	}

	common := func(v url.Values) url.Values {
		for k, vs := range params {
			v[k] = append(v[k], vs...)
		}
		setDefault(v, "_busy_timeout", sqliteBusyTimeoutMS)
		setDefault(v, "_foreign_keys", "1")
		setDefault(v, "_synchronous", "NORMAL")
		return v
	}
	wv := common(url.Values{})
	setDefault(wv, "_txlock", "immediate")
	if !memory {
		setDefault(wv, "_journal_mode", "WAL")
	}
	writer, err = openSQLitePool(ctx, path+"?"+wv.Encode(), 1)
	if err != nil {
		return nil, nil, fmt.Errorf("writer: %w", err)
	}
	if memory {
		// Every connection to ":memory:" is a separate database.
		return writer, writer, nil
	}

	// The writer has switched the file to WAL (persistent) before any reader
	// connects; readers only need the per-connection settings.
	rv := common(url.Values{})
	setDefault(rv, "_query_only", "1")
	reader, err = openSQLitePool(ctx, path+"?"+rv.Encode(), readers)
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("readers: %w", err), writer.Close())
	}
	return writer, reader, nil
}

func openSQLitePool(ctx context.Context, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("ping: %w", err), db.Close())
	}
	return db, nil
}

func setDefault(v url.Values, key, value string) {
	if !v.Has(key) {
		v.Set(key, value)
	}
}
