package tabular

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Table describes a table to load.
type Table struct {
	RID       string
	Columns   []Column
	Profile   json.RawMessage // csv-detective's profile, served by /profile/
	URL       string          // the resource's URL, served by /api/resources/{rid}/
	DatasetID string          // served by /profile/ as dataset_id
	// Finish, when set, is called after the last row and before the swap:
	// its profile replaces Profile, and an error abandons the table. A
	// loader whose analysis ends with its rows (one pass) says there
	// whether the rows were stored as the right types.
	Finish func() (json.RawMessage, error)
}

// Load replaces the table of resource rid with the rows next returns (io.EOF
// after the last), values as analysis.Parse returns them: int64, float64,
// bool, string (dates "2006-01-02", datetimes RFC 3339, JSON as text) or nil.
// The table is built aside and swapped in one step: it is queryable when
// Load returns. Its indexes are built then, in the background (more than
// half of the work on SQLite: a preview should not wait for them), so that
// its filters and sorts become fast a little later; WaitIndexing waits for
// them. It returns the number of rows loaded.
func (s *Store) Load(ctx context.Context, rid string, cols []Column, profile json.RawMessage, next func() ([]any, error)) (int64, error) {
	return s.LoadTable(ctx, Table{RID: rid, Columns: cols, Profile: profile}, next)
}

// LoadTable is Load with the resource's URL and dataset.
func (s *Store) LoadTable(ctx context.Context, t Table, next func() ([]any, error)) (rows int64, err error) {
	if err := checkColumns(t.Columns); err != nil {
		return 0, fmt.Errorf("load table of resource %s: %w", t.RID, err)
	}
	if len(t.Profile) > 0 && !json.Valid(t.Profile) {
		return 0, fmt.Errorf("load table of resource %s: profile is not valid JSON", t.RID)
	}
	name := "tabular_" + randomHex(8)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO tabular_building (table_name, started_at) VALUES (?, ?)`,
		name, time.Now().UnixMicro()); err != nil {
		return 0, fmt.Errorf("load table of resource %s: %w", t.RID, err)
	}
	swapped := false
	defer func() {
		if err != nil && !swapped {
			// Clean up even when ctx is what failed.
			err = errors.Join(err, s.abandon(context.WithoutCancel(ctx), name))
		}
	}()

	if _, err := s.data().ExecContext(ctx, createTable(s.dialect(), name, t.Columns)); err != nil {
		return 0, fmt.Errorf("load table of resource %s: create: %w", t.RID, err)
	}
	src := &rowSource{cols: t.Columns, next: next}
	bulkDone := func() {}
	if s.dialect() == sqldb.SQLite {
		if bulkDone, err = s.bulkLoad(ctx); err != nil {
			return 0, fmt.Errorf("load table of resource %s: %w", t.RID, err)
		}
		defer bulkDone()
	}
	switch s.dialect() {
	case duckDB:
		rows, err = appendRows(ctx, s.duck, name, src)
	case sqldb.Postgres:
		rows, err = copyRows(ctx, s.db, name, src)
	default:
		rows, err = insertRows(ctx, s.db, name, src)
	}
	if err != nil {
		return 0, fmt.Errorf("load table of resource %s: %w", t.RID, err)
	}
	if t.Finish != nil {
		if t.Profile, err = t.Finish(); err != nil {
			return 0, fmt.Errorf("load table of resource %s: %w", t.RID, err)
		}
		if len(t.Profile) > 0 && !json.Valid(t.Profile) {
			return 0, fmt.Errorf("load table of resource %s: profile is not valid JSON", t.RID)
		}
	}
	if s.db.Driver() == sqldb.Postgres {
		// Unsorted pages walk __id: needed from the first query.
		if _, err := s.db.SQL().ExecContext(ctx, "ALTER TABLE "+quote(name)+" ADD PRIMARY KEY ("+quote(idColumn)+")"); err != nil {
			return 0, fmt.Errorf("load table of resource %s: primary key: %w", t.RID, err)
		}
	}
	if err := s.swap(ctx, t, src.registryColumns(), name, rows); err != nil {
		return 0, fmt.Errorf("load table of resource %s: %w", t.RID, err)
	}
	swapped = true
	bulkDone() // before the indexes, whose first commit checkpoints
	s.indexLater(t.RID, name, t.Columns)
	return rows, nil
}

// indexLater builds the indexes of a loaded table in the background (none
// once the store is closing: the table stays queryable, by scans).
func (s *Store) indexLater(rid, name string, cols []Column) {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closing.Err() != nil {
		return
	}
	s.indexing.Add(1)
	go func() {
		defer s.indexing.Done()
		if err := s.index(s.closing, name, cols); err != nil && s.closing.Err() == nil {
			s.opt.Log.Warn("tabular table loaded, but not indexed: its filters and sorts scan it (or it was replaced meanwhile)",
				"resource_id", rid, "table", name, "err", err)
		}
	}()
}

// WaitIndexing waits for the index builds of the tables loaded so far
// (not to be called concurrently with a load: tests and benchmarks).
func (s *Store) WaitIndexing() { s.indexing.Wait() }

// createTable is the DDL of a data table. PostgreSQL's primary key is added
// after the load (cheaper than maintaining it during COPY); DuckDB's tables
// have none (its scans are the access path).
func createTable(d sqldb.Driver, name string, cols []Column) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + quote(name) + " (")
	if d != sqldb.SQLite {
		b.WriteString(quote(idColumn) + " BIGINT NOT NULL")
	} else {
		b.WriteString(quote(idColumn) + " INTEGER PRIMARY KEY")
	}
	for i, c := range cols {
		b.WriteString(", " + quote(physical(i)) + " " + sqlType(d, c.Type))
	}
	b.WriteString(")")
	return b.String()
}

// index adds one index per column of the first IndexedColumns (JSON
// columns are not filtered by value). Building indexes after the load is several times cheaper than maintaining
// them row by row. The table is live by then: the CREATE INDEX statements
// block no reader (WAL in SQLite; in PostgreSQL a plain CREATE INDEX only
// blocks writes, and there are none).
//
// DuckDB gets none: it filters and sorts by scanning its columns (with
// min/max per row group), which on a million rows is fast enough and keeps
// its memory for queries rather than for ART indexes.
func (s *Store) index(ctx context.Context, name string, cols []Column) error {
	if s.duck != nil {
		return nil
	}
	pg := s.db.Driver() == sqldb.Postgres
	var stmts []string
	for i, c := range cols {
		if i >= s.opt.IndexedColumns {
			break
		}
		if c.Type == TypeJSON {
			continue
		}
		col := quote(physical(i))
		if pg {
			// SQLite's order (see the package doc), and __id so that the
			// index also gives the pages' tie-breaking order, as SQLite's
			// (whose index entries end with the rowid).
			col += " NULLS FIRST, " + quote(idColumn)
		}
		stmts = append(stmts, "CREATE INDEX IF NOT EXISTS "+quote(name+"_"+physical(i))+" ON "+quote(name)+" ("+col+")")
	}
	if pg {
		// VACUUM also sets the visibility map, without which the
		// index-only scans that count a filter's rows visit the table;
		// ANALYZE gives the planner its statistics.
		stmts = append(stmts, "VACUUM (ANALYZE) "+quote(name))
	}
	// SQLite gets no ANALYZE: a whole one cost as much as two indexes, and
	// Store.plan, from exact counts, already chooses between the index that
	// filters and the one that sorts (BenchmarkQuery's p50 and p99 were the
	// same without it).
	for _, q := range stmts {
		if _, err := s.db.SQL().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index: %w", err)
		}
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE tabular_tables SET indexed = ? WHERE table_name = ?`, true, name); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

// indexUnfinished builds, in the background, the missing indexes of the
// tables whose index build a stop interrupted.
func (s *Store) indexUnfinished(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT rid, table_name, columns FROM tabular_tables WHERE indexed = ?`, false)
	if err != nil {
		return fmt.Errorf("list tables to index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rid, name, cols string
		if err := rows.Scan(&rid, &name, &cols); err != nil {
			return fmt.Errorf("list tables to index: %w", err)
		}
		var rcols []registryColumn
		if err := json.Unmarshal([]byte(cols), &rcols); err != nil {
			return fmt.Errorf("list tables to index: %s: %w", name, err)
		}
		tcols := make([]Column, len(rcols))
		for i, c := range rcols {
			tcols[i] = Column{Name: c.Name, Type: c.Type}
		}
		s.indexLater(rid, name, tcols)
	}
	return rows.Err()
}

// swap makes name the table of t.RID and retires the previous one, in one
// transaction.
func (s *Store) swap(ctx context.Context, t Table, rcols []registryColumn, name string, rows int64) error {
	cols, err := json.Marshal(rcols)
	if err != nil {
		return err
	}
	profile := string(t.Profile)
	if profile == "" {
		profile = "null"
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := unregister(ctx, tx, t.RID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tabular_tables
			(rid, table_name, columns, profile, url, dataset_id, row_count, created_at, indexed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.RID, name, string(cols), profile, t.URL, t.DatasetID, rows, time.Now().UnixMicro(), s.duck != nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tabular_building WHERE table_name = ?`, name); err != nil {
			return err
		}
		return s.retire(ctx, tx, old)
	})
	if err != nil {
		return fmt.Errorf("swap: %w", err)
	}
	return nil
}

// rowSource reads and converts the rows to load, numbering them from 1.
type rowSource struct {
	cols  []Column
	next  func() ([]any, error)
	n     int64
	row   []any  // __id, then the columns
	zoned []bool // per column: a datetime with a time zone was seen
}

// read converts the next row into src.row; false at the end.
func (src *rowSource) read() (bool, error) {
	in, err := src.next()
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read row %d: %w", src.n+1, err)
	}
	if len(in) != len(src.cols) {
		return false, fmt.Errorf("row %d has %d values for %d columns", src.n+1, len(in), len(src.cols))
	}
	src.n++
	if src.row == nil {
		src.row = make([]any, len(src.cols)+1)
		src.zoned = make([]bool, len(src.cols))
	}
	src.row[0] = src.n
	for i, v := range in {
		sv, err := storeValue(src.cols[i].Type, v)
		if err != nil {
			return false, fmt.Errorf("row %d, column %q: %w", src.n, src.cols[i].Name, err)
		}
		src.row[i+1] = sv
		if src.cols[i].Type == TypeDatetime && sv != nil && !src.zoned[i] {
			src.zoned[i] = hasZone(v)
		}
	}
	return true, nil
}

// registryColumns are the loaded columns, datetime columns marked naive
// when no value had a zone.
func (src *rowSource) registryColumns() []registryColumn {
	out := make([]registryColumn, len(src.cols))
	for i, c := range src.cols {
		out[i] = registryColumn{Name: c.Name, Type: c.Type}
		if c.Type == TypeDatetime {
			out[i].Naive = src.zoned == nil || !src.zoned[i]
		}
	}
	return out
}

// hasZone reports whether a datetime given to Load carried a time zone:
// a time.Time does, a string when it ends in Z or has an offset after its
// date.
func hasZone(v any) bool {
	s, ok := v.(string)
	if !ok {
		return true
	}
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return true
	}
	return len(s) > 10 && strings.ContainsAny(s[10:], "+-")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
