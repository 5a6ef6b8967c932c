package portal

import (
	"context"
	"errors"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
)

// usageMetrics are the organization's monthly figures the page shows,
// with their headings' keys.
var usageMetrics = []struct{ metric, heading string }{
	{"views", "usage.views"},
	{"datasets_views", "usage.datasets_views"},
	{"resources_downloads", "usage.downloads"},
}

// usageMonths is how far back the usage table goes.
const usageMonths = 12

// organizationPage is what the organization template shows.
type organizationPage struct {
	Organization *catalogv1.Organization
	Description  template.HTML
	Datasets     []*catalogv1.Dataset
	Total        int64
	Pages        pager
	// Schemas are the schemas its resources declare, SCDL ones first,
	// with the number of its datasets declaring each; nil without a
	// search service (SchemasKnown false).
	Schemas      []schemaCount
	SchemasKnown bool
	Usage        usageTable
}

type schemaCount struct {
	Name   string
	Count  int64
	SCDL   bool
	Search string
	// Files declaring the schema among the organization's latest
	// conformityScan datasets declaring it (Partial when it has more),
	// and how many of them the preview service found valid or invalid.
	Files, Valid, Invalid int64
	Partial               bool
	Scanned               int
}

// conformityScan bounds the datasets read per SCDL schema to count its
// files' verdicts.
const conformityScan = 100

// usageTable is a month per row, a metric per column.
type usageTable struct {
	Available bool
	Headings  []string
	Rows      []usageRow
	Totals    []int64
}

type usageRow struct {
	Month  string
	Values []int64
}

// organizationPage is GET /organizations/{slug}/: the collectivité, its
// datasets (paged), the schemas it publishes under, its audience.
func (p *Portal) organizationPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	resp, err := p.opts.Catalog.GetOrganization(ctx, &catalogv1.GetOrganizationRequest{Organization: r.PathValue("slug")})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	o := resp.GetOrganization()
	if o.GetDeleted() != nil {
		p.notFoundPage(w, r)
		return
	}
	if resp.GetMoved() || (r.PathValue("slug") != o.GetSlug() && r.PathValue("slug") != o.GetId()) {
		http.Redirect(w, r, "/organizations/"+url.PathEscape(o.GetSlug())+"/", http.StatusPermanentRedirect)
		return
	}
	p.recordView(r, "organization", o.GetId())
	pageNo := 1
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 0 {
		pageNo = min(n, searchMaxPage)
	}
	list, err := p.opts.Catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{
		Organization: o.GetId(), Sort: "-last_update", Page: int32(pageNo), PageSize: searchPageSize,
	})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	data := organizationPage{
		Organization: o, Description: renderMarkdown(o.GetDescription()),
		Datasets: list.GetDatasets(), Total: list.GetTotal(),
	}
	base := "/organizations/" + url.PathEscape(o.GetSlug()) + "/"
	data.Pages = newPager(pageNo, list.GetTotal(), func(n int) string {
		if n == 1 {
			return base
		}
		return base + "?page=" + strconv.Itoa(n)
	})
	if data.Schemas, err = p.organizationSchemas(ctx, o.GetId()); err != nil {
		p.fail(w, r, err)
		return
	}
	data.SchemasKnown = p.opts.Search != nil
	data.Usage = p.organizationUsage(ctx, o.GetId())
	p.render(w, r, http.StatusOK, "organization", page{Title: o.GetName(), Data: data})
}

// organizationSchemas counts the organization's datasets per declared
// schema, from the search index's schema facet.
func (p *Portal) organizationSchemas(ctx context.Context, orgID string) ([]schemaCount, error) {
	if p.opts.Search == nil {
		return nil, nil
	}
	resp, err := p.opts.Search.SearchDatasets(ctx, &searchv1.SearchDatasetsRequest{Query: &searchv1.Query{
		Filters: []*searchv1.Filter{{Field: "organization", Values: []string{orgID}}},
		Facets:  []string{"schema"}, FacetSize: 100, Page: 1, PageSize: 1,
	}})
	if err != nil {
		return nil, err
	}
	var out []schemaCount
	for _, v := range facetValues(resp.GetHits(), "schema") {
		out = append(out, schemaCount{
			Name: v.GetName(), Count: v.GetCount(), SCDL: strings.HasPrefix(v.GetName(), "scdl/"),
			Search: "/datasets/?" + url.Values{"organization": {orgID}, "schema": {v.GetName()}}.Encode(),
		})
	}
	if err := p.countConformity(ctx, orgID, out); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b schemaCount) int {
		if a.SCDL != b.SCDL {
			if a.SCDL {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}

// organizationUsage reads the last months' figures. The audience is an
// extra: without an analytics service, or when it fails (logged), the
// page says the figures are unavailable.
func (p *Portal) organizationUsage(ctx context.Context, orgID string) usageTable {
	if p.opts.Analytics == nil {
		return usageTable{}
	}
	now := time.Now().UTC()
	from := time.Date(now.Year(), now.Month()-usageMonths+1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	metrics := make([]string, len(usageMetrics))
	t := usageTable{Available: true, Totals: make([]int64, len(usageMetrics))}
	for i, m := range usageMetrics {
		metrics[i] = m.metric
		t.Headings = append(t.Headings, p.loc.t(m.heading))
	}
	resp, err := p.opts.Analytics.ListMonthly(ctx, &analyticsv1.ListMonthlyRequest{
		ObjectType: "organization", ObjectIds: []string{orgID}, Metrics: metrics,
		FromMonth: from, ToMonth: now.Format("2006-01"),
	})
	if err != nil {
		p.opts.Log.WarnContext(ctx, "portal: usage figures not read", "organization", orgID, "err", err)
		return usageTable{}
	}
	rows := map[string][]int64{}
	for _, c := range resp.GetCounts() {
		i := slices.IndexFunc(usageMetrics, func(m struct{ metric, heading string }) bool { return m.metric == c.GetMetric() })
		if i < 0 {
			continue
		}
		if rows[c.GetMonth()] == nil {
			rows[c.GetMonth()] = make([]int64, len(usageMetrics))
		}
		rows[c.GetMonth()][i] += c.GetCount()
		t.Totals[i] += c.GetCount()
	}
	for _, month := range slices.Sorted(maps.Keys(rows)) {
		t.Rows = append(t.Rows, usageRow{Month: p.loc.month(month), Values: rows[month]})
	}
	return t
}

// countConformity fills the SCDL schemas' file verdicts, from the
// validation summaries the preview service writes on resources (one
// catalog read per schema, in parallel).
func (p *Portal) countConformity(ctx context.Context, orgID string, schemas []schemaCount) error {
	var (
		wg   sync.WaitGroup
		errs = make([]error, len(schemas))
	)
	for i := range schemas {
		if !schemas[i].SCDL {
			continue
		}
		wg.Add(1)
		go func(sc *schemaCount, err *error) {
			defer wg.Done()
			resp, e := p.opts.Catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{
				Organization: orgID, Schema: sc.Name, Sort: "-last_update", PageSize: conformityScan,
			})
			if e != nil {
				*err = e
				return
			}
			sc.Scanned = len(resp.GetDatasets())
			sc.Partial = resp.GetTotal() > int64(sc.Scanned)
			for _, d := range resp.GetDatasets() {
				for _, r := range d.GetResources() {
					if r.GetSchema().GetName() != sc.Name {
						continue
					}
					sc.Files++
					if v := resourceValidation(r); v.Known && v.Valid {
						sc.Valid++
					} else if v.Known {
						sc.Invalid++
					}
				}
			}
		}(&schemas[i], &errs[i])
	}
	wg.Wait()
	return errors.Join(errs...)
}
