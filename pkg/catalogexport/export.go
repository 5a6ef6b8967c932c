// Package catalogexport reads data.gouv.fr's catalogue export (the
// semicolon CSV of datasets published on data.gouv.fr). The one reader feeds
// `relais import`, the embedded demo data of `relais -demo`, the catalog
// and search benchmarks, the import tests and the search relevance set.
package catalogexport

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Record is one dataset row of the export, with the columns Relais uses.
type Record struct {
	ID               string
	Title            string
	Slug             string
	Acronym          string
	Organization     string
	OrganizationID   string
	Description      string
	DescriptionShort string
	Frequency        string
	License          string // the licence title, as the export writes it
	TemporalStart    string
	TemporalEnd      string
	Granularity      string
	Featured         bool
	CreatedAt        time.Time
	LastModified     time.Time
	Tags             []string
	Archived         time.Time         // zero when the dataset is not archived
	Harvest          map[string]string // backend, domain, created_at, modified_at, remote_url

	// Columns older exports may lack (empty or zero then).
	Zones            []string // spatial.zones: zone names, as the export writes them
	ResourcesFormats []string // resources_formats: lowercase formats of the resources
	Views            int64    // metric.views
	Followers        int64    // metric.followers
	Reuses           int64    // metric.reuses
}

// columns the reader needs; the export has more.
var columns = []string{
	"id", "title", "slug", "acronym", "organization", "organization_id",
	"description", "description_short", "frequency", "license",
	"temporal_coverage.start", "temporal_coverage.end", "spatial.granularity",
	"featured", "created_at", "last_modified", "tags", "archived",
	"harvest.backend", "harvest.domain", "harvest.created_at", "harvest.modified_at", "harvest.remote_url",
}

// Reader reads Records one at a time.
type Reader struct {
	csv   *csv.Reader
	index map[string]int
	line  int
}

// NewReader reads the header of an export and checks its columns.
func NewReader(r io.Reader) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read export header: %w", err)
	}
	index := make(map[string]int, len(header))
	for i, name := range header {
		index[strings.TrimPrefix(name, "\ufeff")] = i
	}
	for _, c := range columns {
		if _, ok := index[c]; !ok {
			return nil, fmt.Errorf("export header: missing column %q", c)
		}
	}
	return &Reader{csv: cr, index: index, line: 1}, nil
}

// Read returns the next record, or io.EOF.
func (r *Reader) Read() (Record, error) {
	row, err := r.csv.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return Record{}, io.EOF
		}
		return Record{}, fmt.Errorf("read export line %d: %w", r.line+1, err)
	}
	r.line++
	get := func(c string) string {
		i, ok := r.index[c]
		if !ok || i >= len(row) {
			return "" // an optional column the export lacks
		}
		return strings.TrimSpace(row[i])
	}
	rec := Record{
		ID:               get("id"),
		Title:            get("title"),
		Slug:             get("slug"),
		Acronym:          get("acronym"),
		Organization:     get("organization"),
		OrganizationID:   get("organization_id"),
		Description:      row[r.index["description"]],
		DescriptionShort: get("description_short"),
		Frequency:        get("frequency"),
		License:          get("license"),
		TemporalStart:    get("temporal_coverage.start"),
		TemporalEnd:      get("temporal_coverage.end"),
		Granularity:      get("spatial.granularity"),
		Featured:         strings.EqualFold(get("featured"), "true"),
	}
	// "archived" is "False" or the date of archiving.
	if a := get("archived"); a != "" && !strings.EqualFold(a, "false") {
		if rec.Archived, err = ParseTime(a); err != nil {
			return Record{}, fmt.Errorf("export line %d archived: %w", r.line, err)
		}
	}
	if rec.CreatedAt, err = ParseTime(get("created_at")); err != nil {
		return Record{}, fmt.Errorf("export line %d created_at: %w", r.line, err)
	}
	if rec.LastModified, err = ParseTime(get("last_modified")); err != nil {
		return Record{}, fmt.Errorf("export line %d last_modified: %w", r.line, err)
	}
	rec.Tags = splitList(get("tags"))
	rec.Zones = splitList(get("spatial.zones"))
	rec.ResourcesFormats = splitList(get("resources_formats"))
	for _, m := range []struct {
		column string
		to     *int64
	}{{"metric.views", &rec.Views}, {"metric.followers", &rec.Followers}, {"metric.reuses", &rec.Reuses}} {
		if v := get(m.column); v != "" {
			n, err := strconv.ParseFloat(v, 64) // the export writes some counts as "12.0"
			if err != nil {
				return Record{}, fmt.Errorf("export line %d %s: bad count %q", r.line, m.column, v)
			}
			*m.to = int64(n)
		}
	}
	for _, k := range []string{"backend", "domain", "created_at", "modified_at", "remote_url"} {
		if v := get("harvest." + k); v != "" {
			if rec.Harvest == nil {
				rec.Harvest = map[string]string{}
			}
			rec.Harvest[k] = v
		}
	}
	return rec, nil
}

// splitList reads the export's comma-separated lists (tags, zones, formats).
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// localAuthority recognizes the names data.gouv.fr's collectivités publish
// under: communes, intercommunalités, départements, régions.
var localAuthority = regexp.MustCompile(`(?i)^(ville d|commune d|mairie d|départements? d|conseil départemental|conseil régional|région |métropole|eurométropole|communauté d|communauté urbaine|collectivité |grand [a-zé]|.* métropole)`)

// IsLocalAuthority tells whether an organization name is a collectivité's.
func IsLocalAuthority(name string) bool { return localAuthority.MatchString(strings.TrimSpace(name)) }

// HarvestJSON renders the harvest columns as udata's harvest object, with
// dates in udata's format; nil when the dataset was not harvested.
func (rec Record) HarvestJSON() ([]byte, error) {
	if rec.Harvest == nil {
		return nil, nil
	}
	out := make(map[string]string, len(rec.Harvest))
	for k, v := range rec.Harvest {
		if k == "created_at" || k == "modified_at" {
			t, err := ParseTime(v)
			if err != nil {
				return nil, fmt.Errorf("harvest.%s: %w", k, err)
			}
			v = t.Format("2006-01-02T15:04:05.000000+00:00")
		}
		out[k] = v
	}
	return json.Marshal(out)
}

// ParseTime reads the export's naive UTC datetimes ("2026-01-15T00:00:00",
// sometimes with fractional seconds or an offset).
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999", time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad datetime %q", s)
}
