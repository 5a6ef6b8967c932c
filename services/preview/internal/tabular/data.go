package tabular

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Data answers /api/resources/{rid}/data/: a page of rows as api-tabular
// shapes it, {"data": […], "links": {profile, swagger, next, prev}, "meta":
// {page, page_size, total}}; base is the public URL of the API, for the
// links. Client errors are *Error (400, 404).
//
// url.Values does not keep the order of arguments, which decides the order
// of sorts: Data orders them by name. DataQuery takes the raw query string.
func (s *Store) Data(ctx context.Context, rid string, args url.Values, base string) ([]byte, error) {
	return s.DataQuery(ctx, rid, args.Encode(), base)
}

// DataQuery is Data on the raw (URL-encoded) query string, arguments taken
// in their order, like api-tabular.
func (s *Store) DataQuery(ctx context.Context, rid, rawQuery, base string) ([]byte, error) {
	var body []byte
	err := s.withTable(ctx, rid, func(t *table) error {
		q, err := parseQuery(rawQuery, t, s.opt.MaxPageSize)
		if err != nil {
			return err
		}
		return s.read(ctx, func(db querier) error {
			body, err = s.page(ctx, db, t, q, base)
			return err
		})
	})
	return body, err
}

// page runs q on t and renders the body.
func (s *Store) page(ctx context.Context, db querier, t *table, q *query, base string) ([]byte, error) {
	// The total first: it decides how the page is read (plan). Aggregated
	// queries have none (api-tabular's is wrong, so it omits it): there is
	// a next page while pages are full.
	total := int64(-1)
	if len(q.aggregates) == 0 {
		var err error
		if total, err = s.count(ctx, db, t, q); err != nil {
			return nil, err
		}
		s.plan(t, q, total)
	}
	stmt, args, outs := q.selectSQL(t, s.dialect())
	offset := int64(q.page-1) * int64(q.pageSize)
	// Written in the SQL (they are integers): bound, they would let
	// PostgreSQL reuse a generic plan made without knowing that only a page
	// is wanted, which sorts every match.
	stmt += " LIMIT " + strconv.Itoa(q.pageSize) + " OFFSET " + strconv.FormatInt(offset, 10)

	rows, err := db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("query table of resource %s: %w", t.rid, err)
	}
	defer rows.Close()
	var w pyJSON
	w.raw(`{"data": [`)
	sc := newScanner(len(outs))
	n := 0
	for rows.Next() {
		if err := sc.scan(rows); err != nil {
			return nil, fmt.Errorf("query table of resource %s: %w", t.rid, err)
		}
		if n > 0 {
			w.raw(", ")
		}
		n++
		w.raw("{")
		for i, o := range outs {
			if i > 0 {
				w.raw(", ")
			}
			w.key(o.name)
			w.cell(o.typ, sc.vals[i])
		}
		w.raw("}")
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query table of resource %s: %w", t.rid, err)
	}
	rows.Close()

	hasNext := n == q.pageSize
	if total >= 0 {
		hasNext = offset+int64(q.pageSize) < total
	}

	w.raw(`], "links": {"profile": `)
	w.str(resourceURL(base, t.rid) + "profile/")
	w.raw(`, "swagger": `)
	w.str(resourceURL(base, t.rid) + "swagger/")
	w.raw(`, "next": `)
	if hasNext {
		w.str(pageURL(base, t.rid, q, q.page+1))
	} else {
		w.null()
	}
	w.raw(`, "prev": `)
	if q.page > 1 {
		w.str(pageURL(base, t.rid, q, q.page-1))
	} else {
		w.null()
	}
	w.raw(`}, "meta": {"page": `)
	w.int(int64(q.page))
	w.raw(`, "page_size": `)
	w.int(int64(q.pageSize))
	if total >= 0 {
		w.raw(`, "total": `)
		w.int(total)
	}
	w.raw("}}")
	return w.bytes(), nil
}

// count is the number of rows q's filters keep.
func (s *Store) count(ctx context.Context, db querier, t *table, q *query) (int64, error) {
	stmt, args := q.countSQL(t, s.dialect())
	if stmt == "" {
		return t.rows, nil
	}
	key := fmt.Sprintf("%s\x00%#v", stmt, args) // stmt names the table
	if n, ok := s.counts.get(key); ok {
		return n, nil
	}
	var n int64
	if err := db.QueryRowContext(ctx, stmt, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows of resource %s: %w", t.rid, err)
	}
	s.counts.put(key, n)
	return n, nil
}

// querier is what page reads through: the DB, or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// read runs fn's queries for one page. On PostgreSQL they run in a
// transaction that forces plans made for their values: pgx prepares and
// reuses statements, and PostgreSQL's generic plan, made without the
// values, walks the sort column's index for a narrow date range (the match
// being anywhere along it) where the values show that fetching the range
// and sorting it is thousands of times cheaper. (The transaction also gives
// the page and its total one snapshot.)
func (s *Store) read(ctx context.Context, fn func(db querier) error) error {
	if s.dialect() != sqldb.Postgres {
		return fn(s.data())
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "SET LOCAL plan_cache_mode = force_custom_plan"); err != nil {
			return err
		}
		return fn(tx)
	})
}

// resourceURL is base/api/resources/{rid}/.
func resourceURL(base, rid string) string {
	return strings.TrimRight(base, "/") + "/api/resources/" + url.PathEscape(rid) + "/"
}

// pageURL is the data URL of another page: the request's arguments as they
// came, but page and page_size, then page and page_size (api-tabular's
// build_link_with_page).
func pageURL(base, rid string, q *query, page int) string {
	args := append(q.links[:len(q.links):len(q.links)],
		"page="+strconv.Itoa(page), "page_size="+strconv.Itoa(q.pageSize))
	return resourceURL(base, rid) + "data/?" + strings.Join(args, "&")
}
