package remote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Dataset is a dataset as a source describes it, in the catalog's terms.
type Dataset struct {
	// RemoteID is the dataset's identity at the source: the id of a
	// data.gouv.fr or CKAN dataset, dct:identifier (else the URI) in DCAT,
	// identifier in data.json. It is what maps to a local dataset, so a
	// changed slug or URL does not make a duplicate.
	RemoteID  string     `json:"remote_id"`
	URI       string     `json:"uri,omitempty"`        // the DCAT node's URI
	RemoteURL string     `json:"remote_url,omitempty"` // the dataset's web page at the source
	Title     string     `json:"title"`
	Acronym   string     `json:"acronym,omitempty"`
	Desc      string     `json:"description"`
	Tags      []string   `json:"tags,omitempty"`
	License   string     `json:"license,omitempty"` // a catalog licence id, "" when unknown
	Frequency string     `json:"frequency,omitempty"`
	Created   time.Time  `json:"created_at,omitzero"`
	Modified  time.Time  `json:"modified_at,omitzero"`
	Temporal  *Period    `json:"temporal_coverage,omitempty"`
	Resources []Resource `json:"resources,omitempty"`
	// Problem says why the dataset cannot be harvested (no title, …);
	// the run reports it on the item and goes on.
	Problem string `json:"-"`
}

// Period is a temporal coverage.
type Period struct {
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// Resource is a distribution of a remote dataset.
type Resource struct {
	RemoteID string `json:"remote_id,omitempty"`
	Title    string `json:"title"`
	Desc     string `json:"description,omitempty"`
	URL      string `json:"url"`
	Format   string `json:"format,omitempty"`
	Mime     string `json:"mime,omitempty"`
	Size     int64  `json:"filesize,omitempty"`
}

// Check sets Problem when d cannot become a catalog dataset.
func (d *Dataset) Check() {
	switch {
	case d.RemoteID == "":
		d.Problem = "no identifier at the source"
	case d.Title == "":
		d.Problem = "no title"
	}
}

// Fingerprint is a hash of what the catalog would receive: an unchanged
// fingerprint means nothing to update.
func (d *Dataset) Fingerprint() string {
	b, _ := json.Marshal(d) // plain fields only: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// Source walks the datasets of a harvest source.
type Source interface {
	// Walk calls yield for each dataset, page after page. An error of
	// yield stops the walk and is returned; an error of the source (a page
	// that cannot be read, paging that loops) is returned too, and the
	// walk is then incomplete.
	Walk(ctx context.Context, yield func(Dataset) error) error
}

// ErrPaging is a source whose pages loop or never end.
var ErrPaging = errors.New("paging does not end")

// MaxPages bounds the pages of one walk (a source that always says there
// is a next page).
const MaxPages = 100_000

// pager guards a walk's page URLs against loops and endless paging.
type pager struct {
	seen map[string]bool
}

// next reports whether url may be fetched as the walk's next page.
func (p *pager) next(url string) error {
	if p.seen == nil {
		p.seen = make(map[string]bool)
	}
	if p.seen[url] {
		return fmt.Errorf("%w: page %s comes back", ErrPaging, url)
	}
	if len(p.seen) >= MaxPages {
		return fmt.Errorf("%w: more than %d pages", ErrPaging, MaxPages)
	}
	p.seen[url] = true
	return nil
}
