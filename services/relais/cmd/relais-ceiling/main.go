// Command relais-ceiling is the simplest program that serves what the
// catalog benchmark asks, to measure this machine's ceiling beside Relais
// (../shared/LIMITS.md: "GET one dataset by slug from SQLite" and "GET a
// page of 20 datasets, OFFSET pagination"). It loads the export into one
// SQLite table of stored JSON documents with indexed slug, organization
// and creation date, then serves them with net/http: no gRPC hop, no
// udata rendering, no authentication. Relais cannot be faster than this.
//
//	relais-ceiling -export ../shared/data/catalog/…csv.gz -addr 127.0.0.1:18081
//	GET /api/1/datasets/{slug}/   GET /api/1/datasets/?page=N&page_size=20[&organization=ID][&tag=T]
package main

import (
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "modernc.org/sqlite"

	"github.com/relais-data/relais/services/relais/internal/demo"
)

func main() {
	export := flag.String("export", "", "data.gouv.fr export (.csv.gz)")
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	flag.Parse()
	dir, err := os.MkdirTemp("", "relais-ceiling")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "c.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(8)
	if err := load(db, *export); err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("GET /api/1/datasets/{slug}/", func(w http.ResponseWriter, r *http.Request) {
		var doc []byte
		if err := db.QueryRowContext(r.Context(), "SELECT doc FROM datasets WHERE slug = ?", r.PathValue("slug")).Scan(&doc); err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	})
	http.HandleFunc("GET /api/1/datasets/", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		page, size = max(page, 1), max(size, 1)
		// As LIMITS.md's ceiling: one indexed ORDER BY … LIMIT … OFFSET
		// query, no count, no visibility rules.
		query, args := "SELECT doc FROM datasets ORDER BY created DESC LIMIT ? OFFSET ?", []any{}
		if org := r.URL.Query().Get("organization"); org != "" {
			query, args = "SELECT doc FROM datasets WHERE organization = ? ORDER BY created DESC LIMIT ? OFFSET ?", []any{org}
		}
		if tag := r.URL.Query().Get("tag"); tag != "" {
			query = "SELECT d.doc FROM tags t JOIN datasets d ON d.id = t.id WHERE t.tag = ? ORDER BY t.created DESC LIMIT ? OFFSET ?"
			args = []any{tag}
		}
		rows, err := db.QueryContext(r.Context(), query, append(args, size, (page-1)*size)...)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer rows.Close()
		var b strings.Builder
		b.WriteString(`{"data": [`)
		for n := 0; rows.Next(); n++ {
			var doc []byte
			if err := rows.Scan(&doc); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			if n > 0 {
				b.WriteString(", ")
			}
			b.Write(doc)
		}
		fmt.Fprintf(&b, `], "page": %d, "page_size": %d}`, page, size)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, b.String())
	})
	log.Printf("ceiling serving on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

func load(db *sql.DB, path string) error {
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE datasets (id TEXT PRIMARY KEY, slug TEXT UNIQUE, organization TEXT, created TEXT, doc BLOB)",
		"CREATE INDEX datasets_created ON datasets (created)",
		"CREATE INDEX datasets_org ON datasets (organization, created)",
		"CREATE TABLE tags (id TEXT, tag TEXT, created TEXT)",
		"CREATE INDEX tags_tag ON tags (tag, created)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	rd, err := demo.NewReader(gz)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		doc, _ := json.Marshal(rec) // a document of the same size as a dataset's
		if _, err := tx.ExecContext(ctx, "INSERT INTO datasets VALUES (?, ?, ?, ?, ?)", rec.ID, rec.Slug, rec.OrganizationID, rec.CreatedAt.Format("2006-01-02T15:04:05"), doc); err != nil {
			return err
		}
		for _, t := range rec.Tags {
			if _, err := tx.ExecContext(ctx, "INSERT INTO tags VALUES (?, ?, ?)", rec.ID, t, rec.CreatedAt.Format("2006-01-02T15:04:05")); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}
