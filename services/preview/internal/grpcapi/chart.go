package grpcapi

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	previewv1 "github.com/relais-data/relais/proto/relais/preview/v1"
)

// Chart limits.
const (
	defaultChartGroups = 50
	maxChartGroups     = 1000
)

// GetChartData answers with the tabular store's group-by page: counts
// by category (most frequent first), or an aggregate of a column by
// category or by date (in date order).
func (s *Server) GetChartData(ctx context.Context, req *previewv1.GetChartDataRequest) (*previewv1.GetChartDataResponse, error) {
	rid := req.GetResourceId()
	if _, err := s.record(ctx, rid); err != nil {
		return nil, err
	}
	cols, err := s.profileColumns(ctx, rid)
	if err != nil {
		return nil, err
	}
	group := req.GetGroupBy()
	if group == "" {
		group = defaultGroup(cols)
		if group == "" {
			return nil, status.Errorf(codes.FailedPrecondition, "resource %s has no category or date column to chart", rid)
		}
	}
	agg, value := req.GetAggregate(), req.GetValue()
	switch {
	case agg == "" && value == "":
		agg, value = "count", group
	case agg == "":
		agg = "sum"
	case value == "":
		value = group
	}
	switch agg {
	case "count", "sum", "avg", "min", "max":
	default:
		return nil, status.Errorf(codes.InvalidArgument, "aggregate %q: want count, sum, avg, min or max", agg)
	}
	limit := int(req.GetLimit())
	if limit <= 0 {
		limit = defaultChartGroups
	}
	limit = min(limit, maxChartGroups)
	q := []string{
		url.QueryEscape(group) + "__groupby",
		url.QueryEscape(value) + "__" + agg,
	}
	if isDate(column(cols, group)) {
		q = append(q, url.QueryEscape(group)+"__sort=asc")
	} else {
		q = append(q, url.QueryEscape(value+"__"+agg)+"__sort=desc")
	}
	q = append(q, "page_size="+strconv.Itoa(limit))
	body, err := s.opts.Tabular.DataQuery(ctx, rid, strings.Join(q, "&"), "")
	if err != nil {
		return nil, s.status(ctx, err)
	}
	return &previewv1.GetChartDataResponse{Json: body}, nil
}

// profileColumn is a column of api-tabular's profile.
type profileColumn struct {
	Name       string
	Format     string `json:"format"`
	PythonType string `json:"python_type"`
}

// profileColumns reads the columns of the table's profile, in the
// header's order.
func (s *Server) profileColumns(ctx context.Context, rid string) ([]profileColumn, error) {
	body, err := s.opts.Tabular.Profile(ctx, rid)
	if err != nil {
		return nil, s.status(ctx, err)
	}
	var p struct {
		Profile struct {
			Header  []string                 `json:"header"`
			Columns map[string]profileColumn `json:"columns"`
		} `json:"profile"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, s.status(ctx, err)
	}
	cols := make([]profileColumn, len(p.Profile.Header))
	for i, name := range p.Profile.Header {
		cols[i] = p.Profile.Columns[name]
		cols[i].Name = name
	}
	return cols, nil
}

// defaultGroup is the first plain text column, else the first date one.
func defaultGroup(cols []profileColumn) string {
	var date string
	for _, c := range cols {
		if c.PythonType == "string" && c.Format == "string" {
			return c.Name
		}
		if date == "" && isDate(c) {
			date = c.Name
		}
	}
	return date
}

// column returns the column named name (zero when unknown).
func column(cols []profileColumn, name string) profileColumn {
	for _, c := range cols {
		if c.Name == name {
			return c
		}
	}
	return profileColumn{}
}

func isDate(c profileColumn) bool { return c.PythonType == "date" || c.PythonType == "datetime" }
