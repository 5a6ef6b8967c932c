package udata

import (
	"maps"
	"slices"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// Licenses writes /api/1/datasets/licenses/.
func (r *Renderer) Licenses(w *Writer, licenses []*catalogv1.License) {
	w.BeginArray()
	for _, l := range licenses {
		w.BeginObject()
		w.Key("alternate_titles")
		w.Strings(l.GetAlternateTitles())
		w.Key("alternate_urls")
		w.Strings(l.GetAlternateUrls())
		w.Key("flags")
		w.Strings(l.GetFlags())
		w.Key("id")
		w.String(l.GetId())
		w.Key("maintainer")
		w.StringOrNull(l.Maintainer)
		w.Key("title")
		w.String(l.GetTitle())
		w.Key("url")
		w.StringOrNull(l.Url)
		w.EndObject()
	}
	w.EndArray()
}

// Labels writes an [{id, label}] reference list (frequencies, resource
// types, organization roles).
func (r *Renderer) Labels(w *Writer, labels []*catalogv1.Label) {
	w.BeginArray()
	for _, l := range labels {
		w.BeginObject()
		w.Key("id")
		w.String(l.GetId())
		w.Key("label")
		w.String(l.GetLabel())
		w.EndObject()
	}
	w.EndArray()
}

// SiteInfo is what /api/1/site/ says about the portal itself.
type SiteInfo struct {
	ID       string
	Title    string
	Version  string
	FeedSize int64
}

// Site writes /api/1/site/. The monthly series and max_* counters are
// empty or zero until analytics exists.
// MonthlySeries are udata's *_by_months figures: by series name, the count
// of each month ("2026-11").
type MonthlySeries map[string]map[string]int64

func (r *Renderer) Site(w *Writer, info SiteInfo, m *catalogv1.SiteMetrics, months MonthlySeries) {
	w.BeginObject()
	w.Key("feed_size")
	w.Int(info.FeedSize)
	w.Key("id")
	w.String(info.ID)
	w.Key("keywords")
	w.emptyArray()
	w.Key("metrics")
	w.BeginObject()
	counter := func(k string, n int64) { w.Key(k); w.Int(n) }
	series := func(k string) {
		w.Key(k)
		w.BeginObject()
		byMonth := months[k]
		for _, month := range slices.Sorted(maps.Keys(byMonth)) {
			w.Key(month)
			w.Int(byMonth[month])
		}
		w.EndObject()
	}
	counter("dataservices", m.GetDataservices())
	counter("datasets", m.GetDatasets())
	series("datasets_by_months")
	series("datasets_visits_by_months")
	counter("discussions", m.GetDiscussions())
	series("discussions_by_months")
	counter("followers", m.GetFollowers())
	counter("harvesters", m.GetHarvesters())
	series("harvesters_by_months")
	counter("max_dataset_followers", 0)
	counter("max_dataset_reuses", 0)
	counter("max_org_datasets", 0)
	counter("max_org_followers", 0)
	counter("max_org_reuses", 0)
	counter("max_reuse_datasets", 0)
	counter("max_reuse_followers", 0)
	counter("organizations", m.GetOrganizations())
	series("organizations_by_months")
	counter("public-service", m.GetPublicService())
	counter("resources", m.GetResources())
	series("resources_downloads_by_months")
	counter("reuses", m.GetReuses())
	series("reuses_by_months")
	counter("users", m.GetUsers())
	series("users_by_months")
	w.EndObject()
	w.Key("title")
	w.String(info.Title)
	w.Key("version")
	w.String(info.Version)
	w.EndObject()
}
