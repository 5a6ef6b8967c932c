package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/relais-data/relais/pkg/ids"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/gateway/internal/inorder"
)

const (
	searchPageSize = 20
	// searchMaxPage keeps pages within the search window (10 000 hits).
	searchMaxPage = 10000 / searchPageSize
	facetSize     = 8
)

// filterFields are the search page's filters: URL argument, search index
// field and the facet's heading's key. Values are exact (ids for
// organizations).
var filterFields = []struct{ arg, heading string }{
	{"organization", "facet.organization"},
	{"format", "facet.format"},
	{"license", "facet.license"},
	{"tag", "facet.tag"},
	{"schema", "facet.schema"},
}

// sortChoices are the search page's orders ("" is relevance) and their
// labels' keys.
var sortChoices = []struct{ Value, Label string }{
	{"", "sort.relevance"},
	{"-last_update", "sort.updated"},
	{"-created", "sort.created"},
	{"-views", "sort.views"},
}

// searchPage is what the search template shows.
type searchPage struct {
	Query    string
	Sort     string
	Sorts    []sortOption
	Total    int64
	Datasets []*catalogv1.Dataset
	Facets   []facet
	// Active are the filters applied, each with the link that removes it.
	Active   []activeFilter
	Pages    pager
	NoFacets bool
}

type sortOption struct {
	Value, Label string
	Selected     bool
}

type facet struct {
	Heading string
	Values  []facetValue
}

type facetValue struct {
	Label    string
	Count    int64
	Href     string
	Selected bool
}

type activeFilter struct {
	// Field and Value keep the filter when the search form is sent again.
	Field, Value         string
	Heading, Label, Href string
}

// searchArgs are the search page's arguments, as the URL carries them.
type searchArgs struct {
	// path is the list page the arguments belong to ("/datasets/").
	path    string
	q       string
	sort    string
	page    int
	filters url.Values
}

func parseSearchArgs(u *url.URL) searchArgs {
	var args []string
	for _, f := range filterFields {
		args = append(args, f.arg)
	}
	return parseListArgs(u, "/datasets/", args, func(s string) bool {
		return slices.ContainsFunc(sortChoices, func(c struct{ Value, Label string }) bool { return c.Value == s })
	})
}

// parseListArgs reads a list page's search box, page, the filters named
// by args and a sort sortOK accepts.
func parseListArgs(u *url.URL, path string, args []string, sortOK func(string) bool) searchArgs {
	v := u.Query()
	for k, vals := range v {
		// Strings sent over gRPC must be UTF-8; %ff is a visitor's typo.
		for i := range vals {
			vals[i] = strings.ToValidUTF8(vals[i], "\uFFFD")
		}
		v[k] = vals
	}
	a := searchArgs{path: path, q: strings.TrimSpace(v.Get("q")), page: 1, filters: url.Values{}}
	if n, err := strconv.Atoi(v.Get("page")); err == nil && n > 0 {
		a.page = min(n, searchMaxPage)
	}
	if s := v.Get("sort"); sortOK(s) {
		a.sort = s
	}
	for _, arg := range args {
		for _, val := range v[arg] {
			if val = strings.TrimSpace(val); val != "" && !slices.Contains(a.filters[arg], val) {
				a.filters.Add(arg, val)
			}
		}
	}
	return a
}

// href is the search page's URL for these arguments.
func (a searchArgs) href() string {
	v := url.Values{}
	if a.q != "" {
		v.Set("q", a.q)
	}
	for k, vals := range a.filters {
		v[k] = slices.Clone(vals)
	}
	if a.sort != "" {
		v.Set("sort", a.sort)
	}
	if a.page > 1 {
		v.Set("page", strconv.Itoa(a.page))
	}
	if len(v) == 0 {
		return a.path
	}
	return a.path + "?" + v.Encode()
}

// toggle is the URL with field=value added, or removed when present; the
// page goes back to the first.
func (a searchArgs) toggle(field, value string) string {
	b := a
	b.page = 1
	b.filters = url.Values{}
	for k, vals := range a.filters {
		b.filters[k] = slices.Clone(vals)
	}
	if i := slices.Index(b.filters[field], value); i >= 0 {
		b.filters[field] = slices.Delete(b.filters[field], i, i+1)
		if len(b.filters[field]) == 0 {
			delete(b.filters, field)
		}
	} else {
		b.filters.Add(field, value)
	}
	return b.href()
}

// searchPage is GET /datasets/?q=…: the search service's hits and facets,
// or the catalog's word match without a search service.
func (p *Portal) searchPage(w http.ResponseWriter, r *http.Request) {
	a := parseSearchArgs(r.URL)
	var (
		data searchPage
		err  error
	)
	if p.opts.Search != nil {
		data, err = p.searchHits(r.Context(), a)
		if unavailable(err) {
			// A visitor still finds datasets while search restarts.
			p.opts.Log.WarnContext(r.Context(), "portal: search unavailable, catalog word match instead", "err", err)
			data, err = p.catalogHits(r.Context(), a)
		}
	} else {
		data, err = p.catalogHits(r.Context(), a)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	data.Query, data.Sort = a.q, a.sort
	for _, c := range sortChoices {
		data.Sorts = append(data.Sorts, sortOption{Value: c.Value, Label: p.loc.t(c.Label), Selected: c.Value == a.sort})
	}
	data.Pages = newPager(a.page, data.Total, func(n int) string { b := a; b.page = n; return b.href() })
	title := p.loc.t("search.heading")
	if a.q != "" {
		title = p.loc.t("search.title.query", a.q)
	}
	p.render(w, r, http.StatusOK, "search", page{Title: title, Query: a.q, Scripts: []string{"search.js"}, Data: data})
}

func (p *Portal) searchHits(ctx context.Context, a searchArgs) (searchPage, error) {
	q := &searchv1.Query{Q: a.q, Sort: a.sort, Page: int32(a.page), PageSize: searchPageSize, FacetSize: facetSize}
	for _, f := range filterFields {
		q.Facets = append(q.Facets, f.arg)
		vals := a.filters[f.arg]
		switch {
		case len(vals) == 0:
		case f.arg == "tag":
			// Tags narrow down: every one must match, one filter each.
			for _, v := range vals {
				q.Filters = append(q.Filters, &searchv1.Filter{Field: f.arg, Values: []string{v}})
			}
		default:
			// Two organizations (formats…) widen: either matches.
			q.Filters = append(q.Filters, &searchv1.Filter{Field: f.arg, Values: vals})
		}
	}
	resp, err := p.opts.Search.SearchDatasets(ctx, &searchv1.SearchDatasetsRequest{Query: q})
	if err != nil {
		return searchPage{}, err
	}
	hits := resp.GetHits()
	// The page's datasets and the facet's organization names, in parallel.
	var (
		ds       []*catalogv1.Dataset
		orgNames map[string]string
		dsErr    error
		wg       sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		ds, dsErr = p.datasetsByIDs(ctx, hits.GetIds())
	}()
	orgNames, err = p.organizationNames(ctx, append(facetNames(hits, "organization"), a.filters["organization"]...))
	wg.Wait()
	if err = errors.Join(dsErr, err); err != nil {
		return searchPage{}, err
	}
	data := searchPage{Total: hits.GetTotal(), Datasets: ds}
	refs := p.refs(ctx)
	label := func(field, v string) string {
		switch {
		case field == "organization" && orgNames[v] != "":
			return orgNames[v]
		case field == "license":
			title, _ := refs.license(v)
			return title
		}
		return v
	}
	for _, f := range filterFields {
		fc := facet{Heading: p.loc.t(f.heading)}
		for _, fv := range facetValues(hits, f.arg) {
			fc.Values = append(fc.Values, facetValue{
				Label: label(f.arg, fv.GetName()), Count: fv.GetCount(), Href: a.toggle(f.arg, fv.GetName()),
				Selected: slices.Contains(a.filters[f.arg], fv.GetName()),
			})
		}
		if len(fc.Values) > 0 {
			data.Facets = append(data.Facets, fc)
		}
		for _, v := range a.filters[f.arg] {
			data.Active = append(data.Active, activeFilter{Field: f.arg, Value: v, Heading: p.loc.t(f.heading), Label: label(f.arg, v), Href: a.toggle(f.arg, v)})
		}
	}
	return data, nil
}

func facetValues(h *searchv1.Hits, name string) []*searchv1.FacetValue {
	for _, f := range h.GetFacets() {
		if f.GetName() == name {
			return f.GetValues()
		}
	}
	return nil
}

func facetNames(h *searchv1.Hits, name string) []string {
	var names []string
	for _, v := range facetValues(h, name) {
		names = append(names, v.GetName())
	}
	return names
}

// catalogHits is the search without a search service: the catalog's word
// match with the same filters (one value each), no facets.
func (p *Portal) catalogHits(ctx context.Context, a searchArgs) (searchPage, error) {
	sort := a.sort
	if sort == "" && a.q == "" {
		sort = "-last_update"
	}
	resp, err := p.opts.Catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{
		Q: a.q, Organization: a.filters.Get("organization"), Format: a.filters.Get("format"),
		License: a.filters.Get("license"), Tags: a.filters["tag"], Schema: a.filters.Get("schema"),
		Sort: sort, Page: int32(a.page), PageSize: searchPageSize,
	})
	if err != nil {
		return searchPage{}, err
	}
	data := searchPage{Total: resp.GetTotal(), Datasets: resp.GetDatasets(), NoFacets: true}
	names, err := p.organizationNames(ctx, a.filters["organization"])
	if err != nil {
		return searchPage{}, err
	}
	refs := p.refs(ctx)
	for _, f := range filterFields {
		for _, v := range a.filters[f.arg] {
			label := v
			if n := names[v]; n != "" {
				label = n
			} else if f.arg == "license" {
				label, _ = refs.license(v)
			}
			data.Active = append(data.Active, activeFilter{Field: f.arg, Value: v, Heading: p.loc.t(f.heading), Label: label, Href: a.toggle(f.arg, v)})
		}
	}
	return data, nil
}

// datasetsByIDs reads the datasets of a page of hits, in the hits' order
// (a dataset deleted since it was indexed is left out).
func (p *Portal) datasetsByIDs(ctx context.Context, ids []string) ([]*catalogv1.Dataset, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	resp, err := p.opts.Catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Ids: ids, PageSize: int32(len(ids))})
	if err != nil {
		return nil, err
	}
	return inorder.ByID(ids, resp.GetDatasets()), nil
}

// organizationNames maps organization ids to names (ids that are not an
// organization's are left out).
func (p *Portal) organizationNames(ctx context.Context, orgIDs []string) (map[string]string, error) {
	names := map[string]string{}
	var valid []string
	for _, id := range orgIDs {
		if ids.IsObjectID(id) && !slices.Contains(valid, id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return names, nil
	}
	resp, err := p.opts.Catalog.ListOrganizations(ctx, &catalogv1.ListOrganizationsRequest{Ids: valid, PageSize: int32(len(valid))})
	if err != nil {
		return nil, err
	}
	for _, o := range resp.GetOrganizations() {
		names[o.GetId()] = o.GetName()
	}
	return names, nil
}

// pager is the list of page links under results.
type pager struct {
	Page, Last int
	Prev, Next string
	Links      []pageLink
}

type pageLink struct {
	Number  int
	Href    string
	Current bool
}

// newPager links the pages around page out of those total results fill;
// at is a page's URL.
func newPager(page int, total int64, at func(int) string) pager {
	last := min(max(int((total+searchPageSize-1)/searchPageSize), 1), searchMaxPage)
	pg := pager{Page: page, Last: last}
	if page > 1 {
		pg.Prev = at(page - 1)
	}
	if page < last {
		pg.Next = at(page + 1)
	}
	for n := max(1, page-2); n <= min(last, page+2); n++ {
		pg.Links = append(pg.Links, pageLink{Number: n, Href: at(n), Current: n == page})
	}
	return pg
}
