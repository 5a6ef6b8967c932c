// Package udatatest serves a paged data.gouv.fr-style API
// (/api/1/datasets/, /api/1/organizations/) over datasets held in memory,
// loaded from data.gouv.fr's catalogue export: the local source the
// harvester's tests and benchmarks read, and that tests change between
// runs (a renamed slug, a dropped dataset).
package udatatest

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/relais-data/relais/pkg/catalogexport"
)

// Dataset is a dataset as the API writes it (the fields the harvester
// reads).
type Dataset struct {
	ID           string     `json:"id"`
	Slug         string     `json:"slug"`
	Title        string     `json:"title"`
	Acronym      string     `json:"acronym,omitempty"`
	Description  string     `json:"description"`
	Tags         []string   `json:"tags"`
	License      string     `json:"license"`
	Frequency    string     `json:"frequency"`
	CreatedAt    string     `json:"created_at"`
	LastModified string     `json:"last_modified"`
	Page         string     `json:"page"`
	Organization *OrgRef    `json:"organization"`
	Resources    []Resource `json:"resources"`
}

// OrgRef is a dataset's organization.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Resource is a resource of a dataset.
type Resource struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	URL    string `json:"url"`
	Format string `json:"format"`
}

// Server is the API over its datasets, in order.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	datasets []Dataset
	sirets   map[string]string // SIRET → organization id
}

// New serves datasets.
func New(datasets []Dataset) *Server {
	s := &Server{datasets: datasets, sirets: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/1/datasets/", s.list)
	mux.HandleFunc("GET /api/1/organizations/", s.organizations)
	s.Server = httptest.NewServer(mux)
	return s
}

// SetSIRET makes siret the business number of an organization.
func (s *Server) SetSIRET(siret, orgID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sirets[siret] = orgID
}

// Edit changes the datasets served from now on.
func (s *Server) Edit(fn func([]Dataset) []Dataset) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.datasets = fn(s.datasets)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	size, _ := strconv.Atoi(q.Get("page_size"))
	page, size = max(page, 1), min(max(size, 1), 1000)
	org := q.Get("organization")
	s.mu.Lock()
	var match []Dataset
	for _, d := range s.datasets {
		if org == "" || (d.Organization != nil && d.Organization.ID == org) {
			match = append(match, d)
		}
	}
	s.mu.Unlock()
	start := min((page-1)*size, len(match))
	end := min(start+size, len(match))
	var next *string
	if end < len(match) {
		q.Set("page", strconv.Itoa(page+1))
		u := "http://" + r.Host + r.URL.Path + "?" + q.Encode()
		next = &u
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"data": match[start:end], "page": page, "page_size": size, "total": len(match), "next_page": next,
	})
}

func (s *Server) organizations(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id, ok := s.sirets[r.URL.Query().Get("business_number_id")]
	s.mu.Unlock()
	data := []map[string]string{}
	if ok {
		data = append(data, map[string]string{"id": id})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "next_page": nil, "total": len(data)})
}

// FromExport reads data.gouv.fr's catalogue export (gzipped) into API
// datasets, at most limit (all when 0); licenses maps the export's licence
// titles (lowercase) to ids. Each dataset gets one resource per format the
// export lists.
func FromExport(path string, limit int, licenses map[string]string) ([]Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	rd, err := catalogexport.NewReader(gz)
	if err != nil {
		return nil, err
	}
	var out []Dataset
	for limit == 0 || len(out) < limit {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		d := Dataset{
			ID: rec.ID, Slug: rec.Slug, Title: rec.Title, Acronym: rec.Acronym, Description: rec.Description,
			Tags: rec.Tags, License: licenses[strings.ToLower(rec.License)], Frequency: rec.Frequency,
			CreatedAt: rec.CreatedAt.Format(time.RFC3339), LastModified: rec.LastModified.Format(time.RFC3339),
			Page: "https://www.data.gouv.fr/datasets/" + rec.Slug + "/",
		}
		if d.License == "" {
			d.License = "notspecified"
		}
		if rec.OrganizationID != "" {
			d.Organization = &OrgRef{ID: rec.OrganizationID, Name: rec.Organization}
		}
		for i, format := range rec.ResourcesFormats {
			d.Resources = append(d.Resources, Resource{
				ID:  fmt.Sprintf("%s-%d", rec.ID, i),
				URL: fmt.Sprintf("https://static.data.gouv.fr/%s/%d.%s", rec.ID, i, format), Title: fmt.Sprintf("%s.%s", rec.Slug, format), Format: format,
			})
		}
		out = append(out, d)
	}
	return out, nil
}
