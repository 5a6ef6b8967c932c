package tabular

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
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
		if err := s.planHints(ctx, t, q); err != nil {
			return err
		}
		body, err = s.page(ctx, t, q, base)
		return err
	})
	return body, err
}

// page runs q on t and renders the body.
func (s *Store) page(ctx context.Context, t *table, q *query, base string) ([]byte, error) {
	d := s.db.Driver()
	stmt, args, outs := q.selectSQL(t, d)
	offset := int64(q.page-1) * int64(q.pageSize)
	// Written in the SQL (they are integers): bound, they would let
	// PostgreSQL reuse a generic plan made without knowing that only a page
	// is wanted, which sorts every match.
	stmt += " LIMIT " + strconv.Itoa(q.pageSize) + " OFFSET " + strconv.FormatInt(offset, 10)

	rows, err := s.db.QueryContext(ctx, stmt, args...)
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

	// Aggregated queries have no total (api-tabular's is wrong, so it omits
	// it): there is a next page while pages are full.
	total := int64(-1)
	if len(q.aggregates) == 0 {
		if total, err = s.count(ctx, t, q); err != nil {
			return nil, err
		}
	}
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
func (s *Store) count(ctx context.Context, t *table, q *query) (int64, error) {
	stmt, args := q.countSQL(t, s.db.Driver())
	if stmt == "" {
		return t.rows, nil
	}
	key := fmt.Sprintf("%s\x00%#v", stmt, args) // stmt names the table
	if n, ok := s.counts.get(key); ok {
		return n, nil
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, stmt, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows of resource %s: %w", t.rid, err)
	}
	s.counts.put(key, n)
	return n, nil
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
