package api

import (
	"maps"
	"net/http"
	"slices"

	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// getSite is GET /api/1/site/.
func (s *Server) getSite(w http.ResponseWriter, r *http.Request) {
	resp, err := s.catalog.GetSiteMetrics(r.Context(), &catalogv1.GetSiteMetricsRequest{})
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	months := s.siteMonths(r)
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) { s.render.Site(jw, s.site, resp.GetMetrics(), months) })
}

// siteSeries are the site's monthly series the analytics service counts.
var siteSeries = map[string]string{
	"datasets_visits_by_months":     "datasets_views",
	"resources_downloads_by_months": "resources_downloads",
}

// siteMonths reads the site's monthly audience; without an analytics
// service (or when it fails: the figures are not worth an error) the
// series stay empty.
func (s *Server) siteMonths(r *http.Request) udata.MonthlySeries {
	if s.analytics == nil {
		return nil
	}
	resp, err := s.analytics.ListMonthly(r.Context(), &analyticsv1.ListMonthlyRequest{
		ObjectType: "site", ObjectIds: []string{""}, Metrics: slices.Collect(maps.Values(siteSeries)),
	})
	if err != nil {
		s.log.WarnContext(r.Context(), "site audience not shown", "err", err)
		return nil
	}
	out := udata.MonthlySeries{}
	for name, metric := range siteSeries {
		out[name] = map[string]int64{}
		for _, c := range resp.GetCounts() {
			if c.GetMetric() == metric {
				out[name][c.GetMonth()] = c.GetCount()
			}
		}
	}
	return out
}
