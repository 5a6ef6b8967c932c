package udata

import (
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// Defaults udata writes for unset dataset fields.
const (
	DefaultLicense   = "notspecified"
	DefaultFrequency = "unknown"
	DefaultAccess    = "open"
)

// Dataset writes a dataset as GET /api/1/datasets/{id}/ returns it.
func (r *Renderer) Dataset(w *Writer, d *catalogv1.Dataset) {
	r.dataset(w, d, false)
}

// DatasetV2 writes a dataset as GET /api/2/datasets/{id}/ returns it:
// resources and community resources as links, license null when unset,
// no schema.
func (r *Renderer) DatasetV2(w *Writer, d *catalogv1.Dataset) {
	r.dataset(w, d, true)
}

// Keys are written in sorted order; do not reorder.
func (r *Renderer) dataset(w *Writer, d *catalogv1.Dataset, v2 bool) {
	harvest := d.GetHarvestJson()

	w.BeginObject()
	w.Key("access_audiences")
	w.emptyArray()
	w.Key("access_type")
	w.String(orDefault(d.GetAccessType(), DefaultAccess))
	w.Key("access_type_reason")
	w.Null()
	w.Key("access_type_reason_category")
	w.Null()
	w.Key("acronym")
	w.StringOrNull(d.Acronym)
	w.Key("archived")
	w.Time(d.GetArchived())
	w.Key("authorization_request_url")
	w.Null()
	w.Key("badges")
	writeBadges(w, d.GetBadges())
	if v2 {
		w.Key("community_resources")
		r.link(w, r.communityResources, d.GetId(), "&page=1&page_size=50", 0)
	}
	w.Key("contact_points")
	w.emptyArray()
	w.Key("created_at")
	w.firstTime(harvest, d.GetCreatedAtInternal(), "issued_at", "created_at")
	w.Key("deleted")
	w.Time(d.GetDeleted())
	w.Key("description")
	w.String(d.GetDescription())
	w.Key("description_short")
	w.StringOrNull(d.DescriptionShort)
	w.Key("extras")
	w.RawObject(d.GetExtrasJson(), "{}")
	w.Key("featured")
	w.Bool(d.GetFeatured())
	w.Key("frequency")
	w.String(orDefault(d.GetFrequency(), DefaultFrequency))
	w.Key("frequency_date")
	w.Time(d.GetFrequencyDate())
	w.Key("harvest")
	w.RawObject(harvest, "null")
	w.Key("id")
	w.String(d.GetId())
	w.Key("internal")
	w.BeginObject()
	w.Key("created_at_internal")
	w.Time(d.GetCreatedAtInternal())
	w.Key("last_modified_internal")
	w.Time(d.GetLastModifiedInternal())
	w.EndObject()
	w.Key("last_modified")
	w.firstTime(harvest, d.GetLastModifiedInternal(), "modified_at")
	w.Key("last_update")
	if d.GetLastUpdate() != nil {
		w.Time(d.GetLastUpdate())
	} else {
		w.firstTime(harvest, d.GetLastModifiedInternal(), "modified_at")
	}
	w.Key("license")
	switch lic := d.GetLicense(); {
	case v2 && (lic == "" || lic == DefaultLicense):
		w.Null()
	default:
		w.String(orDefault(lic, DefaultLicense))
	}
	w.Key("metrics")
	writeDatasetMetrics(w, d.GetMetrics())
	w.Key("organization")
	if d.Organization != nil {
		r.OrganizationRef(w, d.Organization)
	} else {
		w.Null()
	}
	w.Key("owner")
	if d.Owner != nil {
		r.UserRef(w, d.Owner)
	} else {
		w.Null()
	}
	w.Key("page")
	w.Concat(r.datasetsPage, d.GetSlug(), "/")
	w.Key("permissions")
	p := d.GetPermissions()
	w.BeginObject()
	w.Key("delete")
	w.Bool(p.GetDelete())
	w.Key("edit")
	w.Bool(p.GetEdit())
	w.Key("edit_resources")
	w.Bool(p.GetEditResources())
	w.EndObject()
	w.Key("private")
	w.Bool(d.GetPrivate())
	w.Key("quality")
	writeQuality(w, d.GetQuality())
	w.Key("resources")
	if v2 {
		r.link(w, r.datasetsV2, d.GetId(), "/resources/?page=1&page_size=50", int64(len(d.GetResources())))
	} else {
		w.BeginArray()
		for _, res := range d.GetResources() {
			r.Resource(w, res)
		}
		w.EndArray()
	}
	if !v2 {
		w.Key("schema")
		writeSchema(w, d.GetSchema())
	}
	w.Key("slug")
	w.String(d.GetSlug())
	w.Key("spatial")
	writeSpatial(w, d.GetSpatial())
	w.Key("tags")
	w.Strings(d.GetTags())
	w.Key("temporal_coverage")
	if tc := d.GetTemporalCoverage(); tc != nil {
		w.BeginObject()
		w.Key("end")
		w.StringOrNullIfEmpty(tc.GetEnd())
		w.Key("start")
		w.StringOrNullIfEmpty(tc.GetStart())
		w.EndObject()
	} else {
		w.Null()
	}
	w.Key("title")
	w.String(d.GetTitle())
	w.Key("uri")
	w.Concat(r.datasetsAPI, d.GetSlug(), "/")
	w.EndObject()
}

// link writes a v2 subsection link {"href","rel","total","type"}.
func (r *Renderer) link(w *Writer, hrefPrefix, id, hrefSuffix string, total int64) {
	w.BeginObject()
	w.Key("href")
	w.Concat(hrefPrefix, id, hrefSuffix)
	w.Key("rel")
	w.String("subsection")
	w.Key("total")
	w.Int(total)
	w.Key("type")
	w.String("GET")
	w.EndObject()
}

// writeDatasetMetrics writes every dataset metric udata knows: the
// audience figures the analytics service set, the live reuses and
// followers the catalog counts, zero for what Relais does not track yet
// (dataservices, discussions).
func writeDatasetMetrics(w *Writer, m *catalogv1.DatasetMetrics) {
	w.BeginObject()
	for _, k := range [...]string{"dataservices", "discussions", "discussions_open"} {
		w.Key(k)
		w.Int(0)
	}
	w.Key("followers")
	w.Int(m.GetFollowers())
	w.Key("followers_by_months")
	w.emptyObject()
	w.Key("resources_downloads")
	w.Int(m.GetResourcesDownloads())
	w.Key("reuses")
	w.Int(m.GetReuses())
	w.Key("reuses_by_months")
	w.emptyObject()
	w.Key("views")
	w.Int(m.GetViews())
	w.EndObject()
}

func writeQuality(w *Writer, q *catalogv1.Quality) {
	if q == nil {
		q = &catalogv1.Quality{}
	}
	w.BeginObject()
	optBool := func(key string, b *bool) {
		if b != nil {
			w.Key(key)
			w.Bool(*b)
		}
	}
	optBool("all_resources_available", q.AllResourcesAvailable)
	w.Key("dataset_description_quality")
	w.Bool(q.GetDatasetDescriptionQuality())
	optBool("has_open_format", q.HasOpenFormat)
	optBool("has_resources", q.HasResources)
	w.Key("license")
	w.Bool(q.GetLicense())
	optBool("resources_documentation", q.ResourcesDocumentation)
	w.Key("score")
	w.Float(q.GetScore())
	w.Key("spatial")
	w.Bool(q.GetSpatial())
	w.Key("temporal_coverage")
	w.Bool(q.GetTemporalCoverage())
	w.Key("update_frequency")
	w.Bool(q.GetUpdateFrequency())
	optBool("update_fulfilled_in_time", q.UpdateFulfilledInTime)
	w.EndObject()
}

func writeBadges(w *Writer, badges []*catalogv1.Badge) {
	w.BeginArray()
	for _, b := range badges {
		w.BeginObject()
		w.Key("kind")
		w.String(b.GetKind())
		w.EndObject()
	}
	w.EndArray()
}

func writeSchema(w *Writer, s *catalogv1.Schema) {
	if s == nil {
		w.Null()
		return
	}
	w.BeginObject()
	w.Key("name")
	w.StringOrNull(s.Name)
	w.Key("url")
	w.StringOrNull(s.Url)
	w.Key("version")
	w.StringOrNull(s.Version)
	w.EndObject()
}

func writeSpatial(w *Writer, s *catalogv1.Spatial) {
	if s == nil {
		w.Null()
		return
	}
	w.BeginObject()
	w.Key("geom")
	w.RawObject(s.GetGeomJson(), "null")
	w.Key("granularity")
	w.StringOrNullIfEmpty(s.GetGranularity())
	w.Key("zones")
	w.Strings(s.GetZones())
	w.EndObject()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
