package portal

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// datasetPage is what the dataset template shows.
type datasetPage struct {
	Dataset      *catalogv1.Dataset
	Description  template.HTML
	License      string
	LicenseURL   string
	Frequency    string
	Resources    []resourceView
	Preview      *resourceView
	TileURL      string
	TileCredit   string
	HasTemporal  bool
	SpatialZones string
	// Reuses are a few of the reuses made with the dataset, of Total.
	Reuses      []reuseCard
	ReusesTotal int64
}

// resourceView is one resource as the page lists it.
type resourceView struct {
	*catalogv1.Resource
	// Latest is the permalink that always serves the resource's current
	// file (udata's /datasets/r/{id}).
	Latest string
	// Validation is the TableSchema validation report's URL, when the
	// resource declares a schema.
	Validation  string
	SchemaName  string
	Verdict     validation
	PreviewHref string
}

// datasetPage is GET /datasets/{slug}/: the dataset, its resources, and
// the preview of one of them (?preview=<resource id>, else the first).
func (p *Portal) datasetPage(w http.ResponseWriter, r *http.Request) {
	resp, err := p.opts.Catalog.GetDataset(r.Context(), &catalogv1.GetDatasetRequest{Dataset: r.PathValue("slug")})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := resp.GetDataset()
	if d.GetDeleted() != nil {
		p.notFoundPage(w, r)
		return
	}
	if resp.GetMoved() || (r.PathValue("slug") != d.GetSlug() && r.PathValue("slug") != d.GetId()) {
		target := "/datasets/" + url.PathEscape(d.GetSlug()) + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusPermanentRedirect)
		return
	}
	p.recordView(r, "dataset", d.GetId())
	var (
		reuses      []reuseCard
		reusesTotal int64
		wg          sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		reuses, reusesTotal = p.datasetReuses(r.Context(), d.GetId())
	}()
	refs := p.refs(r.Context())
	data := datasetPage{
		Dataset: d, Description: renderMarkdown(d.GetDescription()), Frequency: refs.frequency(d.GetFrequency()),
		TileURL: p.opts.Map.TileURL, TileCredit: p.opts.Map.Attribution,
		HasTemporal:  d.GetTemporalCoverage().GetStart() != "" || d.GetTemporalCoverage().GetEnd() != "",
		SpatialZones: strings.Join(d.GetSpatial().GetZones(), ", "),
	}
	data.License, data.LicenseURL = refs.license(d.GetLicense())
	selected := r.URL.Query().Get("preview")
	base := "/datasets/" + url.PathEscape(d.GetSlug()) + "/"
	for _, res := range d.GetResources() {
		v := resourceView{
			Resource: res, Latest: "/api/1/datasets/r/" + res.GetId(),
			PreviewHref: base + "?preview=" + url.QueryEscape(res.GetId()) + "#apercu",
		}
		if s := res.GetSchema(); s.GetName() != "" || s.GetUrl() != "" {
			v.SchemaName = s.GetName()
			if v.SchemaName == "" {
				v.SchemaName = s.GetUrl()
			}
			v.Validation = "/api/2/datasets/resources/" + res.GetId() + "/preview/validation/"
			v.Verdict = resourceValidation(res)
		}
		data.Resources = append(data.Resources, v)
	}
	wg.Wait()
	data.Reuses, data.ReusesTotal = reuses, reusesTotal
	for i := range data.Resources {
		if data.Resources[i].GetId() == selected || (selected == "" && i == 0) {
			data.Preview = &data.Resources[i]
		}
	}
	p.render(w, r, http.StatusOK, "dataset", page{
		Title: d.GetTitle(), Data: data,
		// preview.js loads Leaflet itself when a map is to be drawn.
		Scripts: []string{"preview.js"},
	})
}
