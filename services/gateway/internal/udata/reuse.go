package udata

import (
	"slices"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// Reuse writes a reuse as GET /api/1/reuses/{reuse}/ returns it: linked
// datasets as full dataset objects.
func (r *Renderer) Reuse(w *Writer, u *catalogv1.Reuse) {
	r.reuse(w, u, reuseDatasetsFull)
}

// ReuseListItem writes a reuse as an item of GET /api/1/reuses/: udata's
// default mask "*,datasets{id,title,uri,page}" reduces linked datasets to
// references.
func (r *Renderer) ReuseListItem(w *Writer, u *catalogv1.Reuse) {
	r.reuse(w, u, reuseDatasetsRefs)
}

// ReuseV2 writes a reuse as an item of GET /api/2/reuses/: linked datasets
// as a link to the v2 dataset list filtered on the reuse.
func (r *Renderer) ReuseV2(w *Writer, u *catalogv1.Reuse) {
	r.reuse(w, u, reuseDatasetsLink)
}

type reuseDatasets int

const (
	reuseDatasetsFull reuseDatasets = iota
	reuseDatasetsRefs
	reuseDatasetsLink
)

// Keys are written in sorted order; do not reorder.
func (r *Renderer) reuse(w *Writer, u *catalogv1.Reuse, ds reuseDatasets) {
	w.BeginObject()
	w.Key("archived")
	w.Time(u.GetArchived())
	w.Key("badges")
	writeBadges(w, u.GetBadges())
	w.Key("created_at")
	w.Time(u.GetCreatedAt())
	// Relais has no dataservices: none is ever linked.
	w.Key("dataservices")
	w.emptyArray()
	w.Key("datasets")
	switch ds {
	case reuseDatasetsLink:
		r.link(w, r.datasetsV2+"?reuse=", u.GetId(), "&page=1&page_size=50", u.GetMetrics().GetDatasets())
	default:
		w.BeginArray()
		for _, d := range u.GetDatasets() {
			if ds == reuseDatasetsFull {
				r.Dataset(w, d)
			} else {
				r.datasetRef(w, d)
			}
		}
		w.EndArray()
	}
	w.Key("deleted")
	w.Time(u.GetDeleted())
	w.Key("description")
	w.String(u.GetDescription())
	w.Key("extras")
	w.RawObject(u.GetExtrasJson(), "{}")
	w.Key("featured")
	w.Bool(u.GetFeatured())
	w.Key("id")
	w.String(u.GetId())
	w.Key("image")
	w.StringOrNull(u.Image)
	w.Key("image_thumbnail")
	w.StringOrNull(u.ImageThumbnail)
	w.Key("last_modified")
	w.Time(u.GetLastModified())
	w.Key("metrics")
	writeReuseMetrics(w, u.GetMetrics())
	w.Key("organization")
	if u.Organization != nil {
		r.OrganizationRef(w, u.Organization)
	} else {
		w.Null()
	}
	w.Key("owner")
	if u.Owner != nil {
		r.UserRef(w, u.Owner)
	} else {
		w.Null()
	}
	w.Key("page")
	w.Concat(r.reusesPage, u.GetSlug(), "/")
	w.Key("permissions")
	w.BeginObject()
	w.Key("delete")
	w.Bool(u.GetPermissions().GetDelete())
	w.Key("edit")
	w.Bool(u.GetPermissions().GetEdit())
	w.EndObject()
	w.Key("private")
	w.Bool(u.GetPrivate())
	w.Key("slug")
	w.String(u.GetSlug())
	w.Key("tags")
	w.Strings(u.GetTags())
	w.Key("title")
	w.String(u.GetTitle())
	w.Key("topic")
	w.String(u.GetTopic())
	w.Key("type")
	w.String(u.GetType())
	w.Key("uri")
	w.Concat(r.reusesAPI, u.GetSlug(), "/")
	w.Key("url")
	w.String(u.GetUrl())
	w.EndObject()
}

// datasetRef writes a dataset reduced to udata's list mask
// {id,title,uri,page}.
func (r *Renderer) datasetRef(w *Writer, d *catalogv1.Dataset) {
	w.BeginObject()
	w.Key("id")
	w.String(d.GetId())
	w.Key("page")
	w.Concat(r.datasetsPage, d.GetSlug(), "/")
	w.Key("title")
	w.String(d.GetTitle())
	w.Key("uri")
	w.Concat(r.datasetsAPI, d.GetSlug(), "/")
	w.EndObject()
}

// writeReuseMetrics writes udata's reuse metrics: linked datasets, live
// followers and new follows by month, views set by the analytics service,
// and discussions (none in Relais: 0).
func writeReuseMetrics(w *Writer, m *catalogv1.ReuseMetrics) {
	w.BeginObject()
	w.Key("datasets")
	w.Int(m.GetDatasets())
	w.Key("discussions")
	w.Int(m.GetDiscussions())
	w.Key("discussions_open")
	w.Int(m.GetDiscussionsOpen())
	w.Key("followers")
	w.Int(m.GetFollowers())
	w.Key("followers_by_months")
	writeMonthSeries(w, m.GetFollowersByMonths())
	w.Key("views")
	w.Int(m.GetViews())
	w.EndObject()
}

// writeMonthSeries writes {"YYYY-MM": n, ...} in key order.
func writeMonthSeries(w *Writer, series map[string]int64) {
	months := make([]string, 0, len(series))
	for k := range series {
		months = append(months, k)
	}
	slices.Sort(months)
	w.BeginObject()
	for _, k := range months {
		w.Key(k)
		w.Int(series[k])
	}
	w.EndObject()
}

// Follow writes udata's Follow object {follower, id, since}.
func (r *Renderer) Follow(w *Writer, f *catalogv1.Follow) {
	w.BeginObject()
	w.Key("follower")
	r.UserRef(w, f.GetFollower())
	w.Key("id")
	w.String(f.GetId())
	w.Key("since")
	w.Time(f.GetSince())
	w.EndObject()
}
