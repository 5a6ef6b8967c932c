package grpcapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	previewv1 "github.com/relais-data/relais/proto/relais/preview/v1"
	"github.com/relais-data/relais/services/preview/internal/geo"
	"github.com/relais-data/relais/services/preview/internal/pipeline"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tableschema"
)

func (s *Server) GetPreviewStatus(ctx context.Context, req *previewv1.GetPreviewStatusRequest) (*previewv1.GetPreviewStatusResponse, error) {
	rec, err := s.opts.Records.Get(ctx, req.GetResourceId())
	if errors.Is(err, records.ErrNotFound) {
		return &previewv1.GetPreviewStatusResponse{ResourceId: req.GetResourceId(), State: "pending"}, nil
	}
	if err != nil {
		return nil, s.status(ctx, err)
	}
	return &previewv1.GetPreviewStatusResponse{
		ResourceId: rec.ResourceID, DatasetId: rec.DatasetID, State: rec.State, Error: rec.Error,
		AnalyzedAt: rec.AnalyzedAt.Format(time.RFC3339Nano), Tabular: rec.Tabular,
		Map: rec.MapKind != records.MapNone, Validation: len(rec.Validation) > 0,
	}, nil
}

// record returns the resource's record, NOT_FOUND when there is none and
// FAILED_PRECONDITION (with the reason) when its analysis failed or is
// to be retried.
func (s *Server) record(ctx context.Context, rid string) (*records.Record, error) {
	rec, err := s.opts.Records.Get(ctx, rid)
	if err != nil {
		return nil, s.status(ctx, err)
	}
	if rec.State == records.StateFailed || rec.State == records.StateRetrying {
		return nil, status.Errorf(codes.FailedPrecondition, "resource %s could not be analyzed: %s", rid, rec.Error)
	}
	return rec, nil
}

func (s *Server) GetValidationReport(ctx context.Context, req *previewv1.GetValidationReportRequest) (*previewv1.GetValidationReportResponse, error) {
	rec, err := s.record(ctx, req.GetResourceId())
	if err != nil {
		return nil, err
	}
	if len(rec.Validation) == 0 {
		return nil, status.Errorf(codes.NotFound, "resource %s has no validation report (no known schema)", req.GetResourceId())
	}
	return &previewv1.GetValidationReportResponse{Json: rec.Validation}, nil
}

func (s *Server) ListSchemas(ctx context.Context, _ *previewv1.ListSchemasRequest) (*previewv1.ListSchemasResponse, error) {
	return &previewv1.ListSchemasResponse{Json: tableschema.CatalogJSON()}, nil
}

// GetMapData streams {"type":…,"bbox":…,"features":…,"geometry_types":…,
// "data": <FeatureCollection>}: the simplified GeoJSON kept by the
// analysis, or the table's rows with coordinates as points.
func (s *Server) GetMapData(req *previewv1.GetMapDataRequest, stream previewv1.PreviewService_GetMapDataServer) error {
	ctx := stream.Context()
	rec, err := s.record(ctx, req.GetResourceId())
	if err != nil {
		return err
	}
	w := newChunkWriter(func(b []byte) error { return stream.Send(&previewv1.GetMapDataResponse{Data: b}) })
	switch rec.MapKind {
	case records.MapGeoJSON:
		if _, err := w.Write(rec.GeoJSON); err != nil {
			return err
		}
	case records.MapPoints:
		if err := s.points(ctx, rec, w); err != nil {
			return s.status(ctx, err)
		}
	default:
		return status.Errorf(codes.NotFound, "resource %s has no map data (neither GeoJSON nor coordinate columns)", req.GetResourceId())
	}
	return w.Flush()
}

// maxMapRows bounds the rows a map shows (as the simplified GeoJSON's
// vertices are bounded): a browser draws no more.
const maxMapRows = 200_000

// points writes the table's rows as GeoJSON points, read back from the
// tabular store as CSV.
func (s *Server) points(ctx context.Context, rec *records.Record, w io.Writer) error {
	var loc geo.Location
	if err := json.Unmarshal(rec.Location, &loc); err != nil {
		return err
	}
	cols := url.Values{"columns": {loc.Lat + "," + loc.Lon}}
	if loc.GeoPoint != "" {
		cols = url.Values{"columns": {loc.GeoPoint}}
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		pw.CloseWithError(s.opts.Tabular.ExportQuery(ctx, rec.ResourceID, cols.Encode(), "csv", pw))
	}()
	defer pr.Close()
	cr := csv.NewReader(pr)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, `{"data":`); err != nil {
		return err
	}
	rows, truncated := 0, false
	sum, err := geo.Points(ctx, w, header, loc, func() ([]string, error) {
		if rows == maxMapRows {
			truncated = true
			return nil, io.EOF
		}
		rows++
		return cr.Read()
	})
	if err != nil {
		return err
	}
	md := pipeline.NewMapData(records.MapPoints, sum)
	md.Truncated = truncated
	head, err := json.Marshal(md)
	if err != nil {
		return err
	}
	// The summary's fields after "data".
	_, err = w.Write(append([]byte{','}, bytes.TrimPrefix(head, []byte{'{'})...))
	return err
}
