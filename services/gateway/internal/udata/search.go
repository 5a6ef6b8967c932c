package udata

import catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"

// FacetCount is one value of a search facet.
type FacetCount struct {
	Name  string
	Count int64
}

// Facet is a search facet: its name and its values, "all" first.
type Facet struct {
	Name   string
	Values []FacetCount
}

// SearchPage writes udata's search_pager: the pager of Page with
// "facets" ({name: [{"count", "name"}…]}, {} when there are none), keys
// sorted. facets must come sorted by name.
func (w *Writer) SearchPage(p PageInfo, facets []Facet, data func(w *Writer)) {
	w.BeginObject()
	w.Key("data")
	w.BeginArray()
	data(w)
	w.EndArray()
	w.Key("facets")
	w.BeginObject()
	for _, f := range facets {
		w.Key(f.Name)
		w.BeginArray()
		for _, v := range f.Values {
			w.BeginObject()
			w.Key("count")
			w.Int(v.Count)
			w.Key("name")
			w.String(v.Name)
			w.EndObject()
		}
		w.EndArray()
	}
	w.EndObject()
	w.Key("next_page")
	w.StringOrNullIfEmpty(p.Next)
	w.Key("page")
	w.Int(p.Page)
	w.Key("page_size")
	w.Int(p.PageSize)
	w.Key("previous_page")
	w.StringOrNullIfEmpty(p.Previous)
	w.Key("total")
	w.Int(p.Total)
	w.EndObject()
}

// DatasetSuggestion writes one entry of /datasets/suggest/: {acronym, id,
// image_url (the organization's logo), page, slug, title}.
func (r *Renderer) DatasetSuggestion(w *Writer, d *catalogv1.Dataset) {
	w.BeginObject()
	w.Key("acronym")
	w.StringOrNull(d.Acronym)
	w.Key("id")
	w.String(d.GetId())
	w.Key("image_url")
	if org := d.GetOrganization(); org != nil {
		w.StringOrNull(org.Logo)
	} else {
		w.Null()
	}
	w.Key("page")
	w.Concat(r.datasetsPage, d.GetSlug(), "/")
	w.Key("slug")
	w.String(d.GetSlug())
	w.Key("title")
	w.String(d.GetTitle())
	w.EndObject()
}

// TagSuggestions writes /tags/suggest/: [{"text": tag}…].
func (w *Writer) TagSuggestions(tags []string) {
	w.BeginArray()
	for _, t := range tags {
		w.BeginObject()
		w.Key("text")
		w.String(t)
		w.EndObject()
	}
	w.EndArray()
}
