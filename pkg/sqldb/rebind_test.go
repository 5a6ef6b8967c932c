package sqldb

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRebindDollar(t *testing.T) {
	for in, want := range map[string]string{
		``:                                     ``,
		`SELECT 1`:                             `SELECT 1`,
		`SELECT ?`:                             `SELECT $1`,
		`a = ? AND b = ?`:                      `a = $1 AND b = $2`,
		`x IN (?,?,?)`:                         `x IN ($1,$2,$3)`,
		`note = 'why?' AND id = ?`:             `note = 'why?' AND id = $1`,
		`note = 'it''s ?' AND id = ?`:          `note = 'it''s ?' AND id = $1`,
		`note = E'it\'s ?' AND id = ?`:         `note = E'it\'s ?' AND id = $1`,
		`"odd?col" = ?`:                        `"odd?col" = $1`,
		`x = ? -- why?` + "\n" + `AND y = ?`:   `x = $1 -- why?` + "\n" + `AND y = $2`,
		`x = ? /* a? /* b? */ c? */ AND y = ?`: `x = $1 /* a? /* b? */ c? */ AND y = $2`,
		`$$ a ? $$ || ?`:                       `$$ a ? $$ || $1`,
		`$fn$ a ? $x$ ? $fn$ = ?`:              `$fn$ a ? $x$ ? $fn$ = $1`,
		`a$b = ?`:                              `a$b = $1`,
		`'unterminated ?`:                      `'unterminated ?`,
		`x = ?::int`:                           `x = $1::int`,
		`name = ?` + strings.Repeat(` OR x = ?`, 10): `name = $1 OR x = $2 OR x = $3 OR x = $4 OR x = $5 OR x = $6 OR x = $7 OR x = $8 OR x = $9 OR x = $10 OR x = $11`,
	} {
		assert.Equal(t, want, rebindDollar(in), "rebind %q", in)
	}
}

func TestIsReadOnly(t *testing.T) {
	for q, want := range map[string]bool{
		`SELECT 1`:                                   true,
		"  -- comment\n select * from t":             true,
		`/* x */ SELECT replace(a, 'b', 'c') FROM t`: true,
		`WITH x AS (SELECT 1) SELECT * FROM x`:       true,
		`VALUES (1)`:                                 true,
		`SELECT 1;`:                                  true,
		`SELECT 1; `:                                 true,
		`SELECT 1; DELETE FROM t`:                    false,
		`WITH x AS (SELECT 1) DELETE FROM t`:         false,
		`INSERT INTO t VALUES (1) RETURNING id`:      false,
		`UPDATE t SET a = 1`:                         false,
		`PRAGMA journal_mode`:                        false,
		`'SELECT'`:                                   false,
		``:                                           false,
	} {
		assert.Equal(t, want, isReadOnly(q), "isReadOnly(%q)", q)
	}
}

func TestRebindCache(t *testing.T) {
	db := &DB{driver: Postgres}
	q := `SELECT * FROM t WHERE a = ?`
	assert.Equal(t, `SELECT * FROM t WHERE a = $1`, db.Rebind(q))
	assert.Equal(t, `SELECT * FROM t WHERE a = $1`, db.Rebind(q), "cached")
	assert.Equal(t, q, (&DB{driver: SQLite}).Rebind(q))

	for i := range maxCachedQueries + 10 {
		db.Rebind(q + " AND b" + strconv.Itoa(i) + " = ?")
	}
	assert.LessOrEqual(t, db.queries.n.Load(), int64(maxCachedQueries))
	assert.Equal(t, `SELECT * FROM t WHERE a = $1 AND bx = $2`, db.Rebind(q+" AND bx = ?"), "still rebinds past the cache limit")
}

// FuzzRebind checks that rebinding only ever replaces '?' by $1, $2, … in
// order, leaves everything else byte for byte, replaces every '?' of a query
// without quotes or comments, and that isReadOnly does not panic.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{
		`SELECT ?`, `a = '?' AND b = ?`, `E'\'?' ?`, `"?" ?`, `-- ?` + "\n?", `/* ? */ ?`,
		`$$?$$ ?`, `$a$ ? $a$ ?`, `$1 ?`, `a$b$ ?`, `'' ? ''''`, `?` + strings.Repeat("?", 30),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := rebindDollar(in)
		isReadOnly(in)

		// Walk in and out together: a '?' becomes '?' or the next $N.
		i, j, n := 0, 0, 0
		for i < len(in) {
			if in[i] == '?' && j < len(out) && out[j] == '$' {
				n++
				p := "$" + strconv.Itoa(n)
				if !strings.HasPrefix(out[j:], p) {
					t.Fatalf("rebind(%q) = %q: want %s at %d", in, out, p, j)
				}
				i, j = i+1, j+len(p)
				continue
			}
			if j >= len(out) || in[i] != out[j] {
				t.Fatalf("rebind(%q) = %q: differs at %d/%d", in, out, i, j)
			}
			i, j = i+1, j+1
		}
		if j != len(out) {
			t.Fatalf("rebind(%q) = %q: trailing output", in, out)
		}
		if !strings.ContainsAny(in, `'"$-/E`+"e") && n != strings.Count(in, "?") {
			t.Fatalf("rebind(%q) = %q: replaced %d of %d placeholders", in, out, n, strings.Count(in, "?"))
		}
		if out2 := rebindDollar(strings.ReplaceAll(in, "?", "_")); out2 != strings.ReplaceAll(in, "?", "_") {
			t.Fatalf("rebind changed %q without placeholders into %q", in, out2)
		}
	})
}
