package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// The metrics API as data.gouv.fr's (metric-api.data.gouv.fr/api/, served
// here under /metric-api/api/ so that a client configured with that base
// works unchanged): monthly figures per object, filtered and paged with
// api-tabular's arguments.
//
//	GET /metric-api/api/{model}/data/?{model}_id__exact=…&metric_month__greater=YYYY-MM
//	GET /metric-api/api/{model}/data/csv/?…   (every row, CSV)

// metricModel is one {model} of the metrics API: its objects and columns.
type metricModel struct {
	objectType string
	// idColumn names the object's id in rows ("" for the site).
	idColumn string
	columns  []metricColumn
}

// metricColumn is a column of rows and the analytics metric it shows.
type metricColumn struct{ name, metric string }

var metricModels = map[string]metricModel{
	"datasets": {"dataset", "dataset_id", []metricColumn{
		{"monthly_visit", "views"}, {"monthly_visit_api", "api_views"}, {"monthly_download_resource", "resources_downloads"},
	}},
	"resources": {"resource", "resource_id", []metricColumn{
		{"monthly_download_resource", "downloads"}, {"monthly_visit_api", "api_views"},
	}},
	"organizations": {"organization", "organization_id", []metricColumn{
		{"monthly_visit", "views"}, {"monthly_visit_api", "api_views"},
		{"monthly_visit_dataset", "datasets_views"}, {"monthly_visit_dataset_api", "api_datasets_views"},
		{"monthly_download_resource", "resources_downloads"},
	}},
	"reuses": {"reuse", "reuse_id", []metricColumn{{"monthly_visit", "views"}, {"monthly_visit_api", "api_views"}}},
	"site": {"site", "", []metricColumn{
		{"monthly_visit_dataset", "datasets_views"}, {"monthly_visit_dataset_api", "api_datasets_views"},
		{"monthly_visit_organization", "organizations_views"}, {"monthly_visit_reuse", "reuses_views"},
		{"monthly_download_resource", "resources_downloads"},
	}},
}

const (
	metricsDefaultPageSize = 20
	metricsMaxPageSize     = 1000
)

var metricMonth = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// metricRow is one object's figures in one month.
type metricRow struct {
	id, month string
	values    []int64
}

// metricQuery is a parsed metrics API request.
type metricQuery struct {
	model          metricModel
	ids            []string
	from, to       string
	desc           bool
	page, pageSize int
}

// parseMetricQuery reads api-tabular's arguments; an error is the 400 body.
func parseMetricQuery(modelName string, args url.Values) (metricQuery, error) {
	m, ok := metricModels[modelName]
	if !ok {
		return metricQuery{}, fmt.Errorf("unknown model %q: want datasets, resources, organizations, reuses or site", modelName)
	}
	q := metricQuery{model: m, page: 1, pageSize: metricsDefaultPageSize}
	for key, values := range args {
		v := values[len(values)-1]
		switch {
		case key == "page" || key == "page_size":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || (key == "page_size" && n > metricsMaxPageSize) {
				return q, fmt.Errorf("%s must be an integer from 1 (page_size up to %d)", key, metricsMaxPageSize)
			}
			if key == "page" {
				q.page = n
			} else {
				q.pageSize = n
			}
		case m.idColumn != "" && key == m.idColumn+"__exact":
			q.ids = append(q.ids, v)
		case m.idColumn != "" && key == m.idColumn+"__in":
			q.ids = append(q.ids, strings.Split(v, ",")...)
		case strings.HasPrefix(key, "metric_month__"):
			op := strings.TrimPrefix(key, "metric_month__")
			if op == "sort" {
				if v != "asc" && v != "desc" {
					return q, fmt.Errorf("metric_month__sort must be asc or desc")
				}
				q.desc = v == "desc"
				continue
			}
			if !metricMonth.MatchString(v) {
				return q, fmt.Errorf("%s: %q is not a month (YYYY-MM)", key, v)
			}
			switch op {
			case "exact":
				q.from, q.to = v, v
			case "greater":
				q.from = v
			case "strictly_greater":
				q.from = addMonth(v, 1)
			case "less":
				q.to = v
			case "strictly_less":
				q.to = addMonth(v, -1)
			default:
				return q, fmt.Errorf("unknown operator %q for metric_month", op)
			}
		default:
			return q, fmt.Errorf("unknown argument %q", key)
		}
	}
	if len(q.ids) > 100 {
		return q, fmt.Errorf("at most 100 ids per request")
	}
	return q, nil
}

func addMonth(month string, n int) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, n, 0).Format("2006-01")
}

// metricRows asks the analytics service and pivots its counts into rows.
func (s *Server) metricRows(r *http.Request, q metricQuery) ([]metricRow, error) {
	metrics := make([]string, len(q.model.columns))
	col := map[string]int{}
	for i, c := range q.model.columns {
		metrics[i] = c.metric
		col[c.metric] = i
	}
	ids := q.ids
	if q.model.objectType == "site" {
		ids = []string{""}
	}
	resp, err := s.analytics.ListMonthly(r.Context(), &analyticsv1.ListMonthlyRequest{
		ObjectType: q.model.objectType, ObjectIds: ids, Metrics: metrics, FromMonth: q.from, ToMonth: q.to,
	})
	if err != nil {
		return nil, err
	}
	var rows []metricRow
	index := map[[2]string]int{}
	for _, c := range resp.GetCounts() {
		k := [2]string{c.GetObjectId(), c.GetMonth()}
		i, ok := index[k]
		if !ok {
			i = len(rows)
			index[k] = i
			rows = append(rows, metricRow{id: k[0], month: k[1], values: make([]int64, len(metrics))})
		}
		rows[i].values[col[c.GetMetric()]] = c.GetCount()
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].month != rows[j].month {
			return (rows[i].month < rows[j].month) != q.desc
		}
		return rows[i].id < rows[j].id
	})
	return rows, nil
}

// metricsData is GET /metric-api/api/{model}/data/.
func (s *Server) metricsData(w http.ResponseWriter, r *http.Request) {
	q, rows, ok := s.metricsRequest(w, r)
	if !ok {
		return
	}
	start := min((q.page-1)*q.pageSize, len(rows))
	end := min(start+q.pageSize, len(rows))
	link := func(page int) func(*udata.Writer) {
		return func(jw *udata.Writer) {
			if page < 1 || (page-1)*q.pageSize >= len(rows) {
				jw.Null()
				return
			}
			args := r.URL.Query()
			args.Set("page", strconv.Itoa(page))
			args.Set("page_size", strconv.Itoa(q.pageSize))
			jw.String(s.preview.base + r.URL.Path + "?" + args.Encode())
		}
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.BeginObject()
		jw.Key("data")
		jw.BeginArray()
		for i, row := range rows[start:end] {
			jw.BeginObject()
			jw.Key("__id")
			jw.Int(int64(start + i + 1))
			if q.model.idColumn != "" {
				jw.Key(q.model.idColumn)
				jw.String(row.id)
			}
			jw.Key("metric_month")
			jw.String(row.month)
			for c, col := range q.model.columns {
				jw.Key(col.name)
				jw.Int(row.values[c])
			}
			jw.EndObject()
		}
		jw.EndArray()
		jw.Key("links")
		jw.BeginObject()
		jw.Key("next")
		link(q.page + 1)(jw)
		jw.Key("prev")
		link(q.page - 1)(jw)
		jw.EndObject()
		jw.Key("meta")
		jw.BeginObject()
		jw.Key("page")
		jw.Int(int64(q.page))
		jw.Key("page_size")
		jw.Int(int64(q.pageSize))
		jw.Key("total")
		jw.Int(int64(len(rows)))
		jw.EndObject()
		jw.EndObject()
	})
}

// metricsCSV is GET /metric-api/api/{model}/data/csv/: every row of the
// query (page and page_size ignored), e.g. an organization's monthly
// figures for a spreadsheet.
func (s *Server) metricsCSV(w http.ResponseWriter, r *http.Request) {
	q, rows, ok := s.metricsRequest(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-metrics.csv"`, r.PathValue("model")))
	cw := csv.NewWriter(w)
	header := []string{}
	if q.model.idColumn != "" {
		header = append(header, q.model.idColumn)
	}
	header = append(header, "metric_month")
	for _, c := range q.model.columns {
		header = append(header, c.name)
	}
	_ = cw.Write(header)
	for _, row := range rows {
		rec := make([]string, 0, len(header))
		if q.model.idColumn != "" {
			rec = append(rec, row.id)
		}
		rec = append(rec, row.month)
		for _, v := range row.values {
			rec = append(rec, strconv.FormatInt(v, 10))
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
}

// metricsRequest parses and runs a metrics API request, answering the
// errors itself.
func (s *Server) metricsRequest(w http.ResponseWriter, r *http.Request) (metricQuery, []metricRow, bool) {
	if s.analytics == nil {
		writeMessage(w, http.StatusServiceUnavailable, msgUnavailable)
		return metricQuery{}, nil, false
	}
	q, err := parseMetricQuery(r.PathValue("model"), r.URL.Query())
	if err != nil {
		status := http.StatusBadRequest
		if _, known := metricModels[r.PathValue("model")]; !known {
			status = http.StatusNotFound
		}
		writeMessage(w, status, err.Error())
		return q, nil, false
	}
	rows, err := s.metricRows(r, q)
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return q, nil, false
	}
	return q, rows, true
}
