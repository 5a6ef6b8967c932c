package sqldb

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Rebind returns query with its '?' placeholders rewritten for db's dialect:
// $1, $2, … for PostgreSQL, unchanged for SQLite. A '?' inside a
// single-quoted string, a double-quoted identifier, a dollar-quoted string or
// a comment is left alone. Results are cached.
func (db *DB) Rebind(query string) string {
	if db.driver != Postgres {
		return query
	}
	return db.queries.get(db.driver, query).bound
}

// preparedQuery is what a query string turns into, once.
type preparedQuery struct {
	bound    string // placeholders rewritten for the dialect
	readOnly bool   // safe to run on the SQLite reader pool
}

// maxCachedQueries bounds the cache so that queries built dynamically (IN
// lists of varying length) cannot grow it without limit; past it, queries are
// still prepared, just not remembered.
const maxCachedQueries = 10_000

type queryCache struct {
	m sync.Map // string -> preparedQuery
	n atomic.Int64
}

func (c *queryCache) get(d Driver, query string) preparedQuery {
	if v, ok := c.m.Load(query); ok {
		return v.(preparedQuery)
	}
	var q preparedQuery
	if d == Postgres {
		q.bound = rebindDollar(query)
	} else {
		q.bound = query
		q.readOnly = isReadOnly(query)
	}
	if c.n.Load() < maxCachedQueries {
		if _, loaded := c.m.LoadOrStore(query, q); !loaded {
			c.n.Add(1)
		}
	}
	return q
}

// rebindDollar replaces each '?' outside quotes and comments with $N.
func rebindDollar(query string) string {
	if strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	s := sqlScanner{src: query}
	for {
		start := s.pos
		tok, ok := s.next()
		if !ok {
			break
		}
		if tok == tokPlaceholder {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteString(query[start:s.pos])
	}
	return b.String()
}

// isReadOnly reports whether query surely only reads (for SQLite routing):
// one statement starting with SELECT, or with WITH, VALUES or EXPLAIN and
// not containing INSERT, UPDATE, DELETE or REPLACE. It errs towards false,
// which only costs the reader pool.
func isReadOnly(query string) bool {
	s := sqlScanner{src: query}
	first, ended := "", false
	for {
		start := s.pos
		tok, ok := s.next()
		if !ok {
			return first != ""
		}
		switch {
		case tok == tokSpace:
			continue
		case ended:
			return false // a second statement follows
		case tok == tokOther && query[start] == ';':
			ended = true
		case tok != tokWord:
		case first == "":
			first = strings.ToLower(query[start:s.pos])
			switch first {
			case "select", "with", "values", "explain":
			default:
				return false
			}
		case first != "select":
			switch strings.ToLower(query[start:s.pos]) {
			case "insert", "update", "delete", "replace":
				return false
			}
		}
	}
}
