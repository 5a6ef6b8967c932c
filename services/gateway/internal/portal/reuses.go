package portal

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sync"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/gateway/internal/inorder"
)

// reuseFilterFields are the reuse list's filters: URL argument (the
// search index's field) and the facet's heading.
var reuseFilterFields = []struct{ arg, heading string }{
	{"type", "facet.type"},
	{"topic", "facet.topic"},
	{"organization", "facet.organization"},
}

// reuseSortChoices are the reuse list's orders ("" is relevance) and
// their labels' keys.
var reuseSortChoices = []struct{ Value, Label string }{
	{"", "sort.relevance"},
	{"-created", "sort.reuses.created"},
	{"-views", "sort.reuses.views"},
	{"-datasets", "sort.reuses.datasets"},
}

// datasetReusesShown is how many reuses a dataset's page lists.
const datasetReusesShown = 6

// reuseListPage is what the reuses template shows.
type reuseListPage struct {
	Query    string
	Sorts    []sortOption
	Total    int64
	Reuses   []reuseCard
	Facets   []facet
	Active   []activeFilter
	Pages    pager
	NoFacets bool
}

// reuseCard is a reuse as lists show it.
type reuseCard struct {
	*catalogv1.Reuse
	TypeLabel, TopicLabel string
}

func (l *locale) reuseCard(u *catalogv1.Reuse) reuseCard {
	return reuseCard{Reuse: u, TypeLabel: l.label("reuse.types."+u.GetType(), u.GetType()), TopicLabel: l.label("reuse.topics."+u.GetTopic(), u.GetTopic())}
}

// Initial is the first letter of the reuse's type, which stands in for
// an image the reuse does not have.
func (c reuseCard) Initial() string {
	for _, r := range c.TypeLabel {
		return string(r)
	}
	return "?"
}

// reusePage is what the reuse template shows.
type reusePage struct {
	reuseCard
	Description template.HTML
	// Owner is the user who published it, when no organization did.
	Owner string
}

func parseReuseArgs(u *url.URL) searchArgs {
	var args []string
	for _, f := range reuseFilterFields {
		args = append(args, f.arg)
	}
	return parseListArgs(u, "/reuses/", args, func(s string) bool {
		return slices.ContainsFunc(reuseSortChoices, func(c struct{ Value, Label string }) bool { return c.Value == s })
	})
}

// reusesPage is GET /reuses/?q=…: the search service's reuse hits and
// facets, or the catalog's word match without a search service.
func (p *Portal) reusesPage(w http.ResponseWriter, r *http.Request) {
	a := parseReuseArgs(r.URL)
	var (
		data reuseListPage
		err  error
	)
	if p.opts.Search != nil {
		data, err = p.reuseHits(r.Context(), a)
		if unavailable(err) {
			p.opts.Log.WarnContext(r.Context(), "portal: search unavailable, catalog word match instead", "err", err)
			data, err = p.catalogReuses(r.Context(), a)
		}
	} else {
		data, err = p.catalogReuses(r.Context(), a)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	data.Query = a.q
	for _, c := range reuseSortChoices {
		data.Sorts = append(data.Sorts, sortOption{Value: c.Value, Label: p.loc.t(c.Label), Selected: c.Value == a.sort})
	}
	data.Pages = newPager(a.page, data.Total, func(n int) string { b := a; b.page = n; return b.href() })
	title := p.loc.t("reuses.title")
	if a.q != "" {
		title = p.loc.t("reuses.title.query", a.q)
	}
	p.render(w, r, http.StatusOK, "reuses", page{Title: title, Query: a.q, Scripts: []string{"search.js"}, Data: data})
}

func (p *Portal) reuseHits(ctx context.Context, a searchArgs) (reuseListPage, error) {
	q := &searchv1.Query{Q: a.q, Sort: a.sort, Page: int32(a.page), PageSize: searchPageSize, FacetSize: facetSize}
	for _, f := range reuseFilterFields {
		q.Facets = append(q.Facets, f.arg)
		if vals := a.filters[f.arg]; len(vals) > 0 {
			q.Filters = append(q.Filters, &searchv1.Filter{Field: f.arg, Values: vals})
		}
	}
	resp, err := p.opts.Search.SearchReuses(ctx, &searchv1.SearchReusesRequest{Query: q})
	if err != nil {
		return reuseListPage{}, err
	}
	hits := resp.GetHits()
	var (
		reuses   []*catalogv1.Reuse
		orgNames map[string]string
		rErr     error
		wg       sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		reuses, rErr = p.reusesByIDs(ctx, hits.GetIds())
	}()
	orgNames, err = p.organizationNames(ctx, append(facetNames(hits, "organization"), a.filters["organization"]...))
	wg.Wait()
	if err = errors.Join(rErr, err); err != nil {
		return reuseListPage{}, err
	}
	data := reuseListPage{Total: hits.GetTotal()}
	for _, u := range reuses {
		data.Reuses = append(data.Reuses, p.loc.reuseCard(u))
	}
	for _, f := range reuseFilterFields {
		fc := facet{Heading: p.loc.t(f.heading)}
		for _, fv := range facetValues(hits, f.arg) {
			fc.Values = append(fc.Values, facetValue{
				Label: p.loc.reuseFilterLabel(f.arg, fv.GetName(), orgNames), Count: fv.GetCount(),
				Href: a.toggle(f.arg, fv.GetName()), Selected: slices.Contains(a.filters[f.arg], fv.GetName()),
			})
		}
		if len(fc.Values) > 0 {
			data.Facets = append(data.Facets, fc)
		}
	}
	data.Active = p.loc.reuseActiveFilters(a, orgNames)
	return data, nil
}

// catalogReuses is the reuse list without a search service: the
// catalog's word match with the first value of each filter, no facets.
func (p *Portal) catalogReuses(ctx context.Context, a searchArgs) (reuseListPage, error) {
	resp, err := p.opts.Catalog.ListReuses(ctx, &catalogv1.ListReusesRequest{
		Q: a.q, Type: a.filters.Get("type"), Topic: a.filters.Get("topic"), Organization: a.filters.Get("organization"),
		Sort: a.sort, Page: int32(a.page), PageSize: searchPageSize,
	})
	if err != nil {
		return reuseListPage{}, err
	}
	names, err := p.organizationNames(ctx, a.filters["organization"])
	if err != nil {
		return reuseListPage{}, err
	}
	data := reuseListPage{Total: resp.GetTotal(), NoFacets: true, Active: p.loc.reuseActiveFilters(a, names)}
	for _, u := range resp.GetReuses() {
		data.Reuses = append(data.Reuses, p.loc.reuseCard(u))
	}
	return data, nil
}

// reuseFilterLabel names a filter's value: a type or topic in the
// page's language, an organization by its name.
func (l *locale) reuseFilterLabel(field, v string, orgNames map[string]string) string {
	switch field {
	case "type":
		return l.label("reuse.types."+v, v)
	case "topic":
		return l.label("reuse.topics."+v, v)
	case "organization":
		if name := orgNames[v]; name != "" {
			return name
		}
	}
	return v
}

func (l *locale) reuseActiveFilters(a searchArgs, orgNames map[string]string) []activeFilter {
	var out []activeFilter
	for _, f := range reuseFilterFields {
		for _, v := range a.filters[f.arg] {
			out = append(out, activeFilter{Field: f.arg, Value: v, Heading: l.t(f.heading), Label: l.reuseFilterLabel(f.arg, v, orgNames), Href: a.toggle(f.arg, v)})
		}
	}
	return out
}

// reusesByIDs reads the reuses of a page of hits in one catalog call and
// returns them in the hits' order; those deleted or made private since they
// were indexed are left out.
func (p *Portal) reusesByIDs(ctx context.Context, ids []string) ([]*catalogv1.Reuse, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	resp, err := p.opts.Catalog.ListReuses(ctx, &catalogv1.ListReusesRequest{Ids: ids, PageSize: int32(len(ids))})
	if err != nil {
		return nil, err
	}
	return inorder.ByID(ids, resp.GetReuses()), nil
}

// reusePage is GET /reuses/{slug}/: the reuse, its link, the datasets it
// uses and who published it.
func (p *Portal) reusePage(w http.ResponseWriter, r *http.Request) {
	resp, err := p.opts.Catalog.GetReuse(r.Context(), &catalogv1.GetReuseRequest{Reuse: r.PathValue("slug")})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u := resp.GetReuse()
	if u.GetDeleted() != nil {
		p.notFoundPage(w, r)
		return
	}
	if resp.GetMoved() || (r.PathValue("slug") != u.GetSlug() && r.PathValue("slug") != u.GetId()) {
		http.Redirect(w, r, "/reuses/"+url.PathEscape(u.GetSlug())+"/", http.StatusPermanentRedirect)
		return
	}
	p.recordView(r, "reuse", u.GetId())
	data := reusePage{reuseCard: p.loc.reuseCard(u), Description: renderMarkdown(u.GetDescription())}
	if o := u.GetOwner(); u.GetOrganization() == nil && o != nil {
		data.Owner = o.GetFirstName() + " " + o.GetLastName()
	}
	p.render(w, r, http.StatusOK, "reuse", page{Title: u.GetTitle(), Data: data})
}

// datasetReuses lists a few public reuses of a dataset for its page; a
// failure leaves the block out rather than the whole page.
func (p *Portal) datasetReuses(ctx context.Context, datasetID string) (reuses []reuseCard, total int64) {
	resp, err := p.opts.Catalog.ListReuses(ctx, &catalogv1.ListReusesRequest{Dataset: datasetID, PageSize: datasetReusesShown})
	if err != nil {
		p.opts.Log.WarnContext(ctx, "portal: reuses of a dataset not read", "dataset", datasetID, "err", err)
		return nil, 0
	}
	for _, u := range resp.GetReuses() {
		reuses = append(reuses, p.loc.reuseCard(u))
	}
	return reuses, resp.GetTotal()
}
