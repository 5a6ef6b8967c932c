package portal

import (
	"context"
	"sync"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// references are the catalog's licences and frequencies, read once (they
// change only with a release of the catalog): pages show their titles.
type references struct {
	mu          sync.Mutex
	loaded      bool
	licenses    map[string]*catalogv1.License
	frequencies map[string]string
	// The lists in the catalog's order, for the publishing forms.
	licenseList   []*catalogv1.License
	frequencyList []*catalogv1.Label
}

// refs reads the lists the first time they are needed; a failure is
// retried at the next page, which meanwhile shows the ids.
func (p *Portal) refs(ctx context.Context) *references {
	r := &p.references
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loaded {
		return r
	}
	resp, err := p.opts.Catalog.GetReferenceLists(ctx, &catalogv1.GetReferenceListsRequest{})
	if err != nil {
		p.opts.Log.WarnContext(ctx, "portal: reference lists not read", "err", err)
		return r
	}
	r.licenseList, r.frequencyList = resp.GetLicenses(), resp.GetFrequencies()
	r.licenses = map[string]*catalogv1.License{}
	for _, l := range resp.GetLicenses() {
		r.licenses[l.GetId()] = l
	}
	r.frequencies = map[string]string{}
	for _, f := range resp.GetFrequencies() {
		r.frequencies[f.GetId()] = f.GetLabel()
	}
	r.loaded = true
	return r
}

// license is a licence's title and link ("" link when it has none).
func (r *references) license(id string) (title, url string) {
	if l := r.licenses[id]; l != nil {
		return l.GetTitle(), l.GetUrl()
	}
	return id, ""
}

func (r *references) frequency(id string) string {
	if f := r.frequencies[id]; f != "" {
		return f
	}
	return id
}
