package grpcapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	previewv1 "github.com/relais-data/relais/proto/relais/preview/v1"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// serve runs the server on a real gRPC server on loopback, over a
// tabular store holding one table of places (rid "t1") and its records.
func serve(t *testing.T) (previewv1.PreviewServiceClient, *records.Store, *[]string) {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	require.NoError(t, records.Migrate(ctx, db))
	tab, err := tabular.Open(ctx, db)
	require.NoError(t, err)
	rows := [][]any{
		{"Piscine", "sport", 43.7031, 7.2661, "2024-01-05"},
		{"Stade", "sport", 43.7051, 7.1925, "2024-02-01"},
		{"Médiathèque", "culture", 43.5808, 7.1239, "2024-02-11"},
	}
	i := 0
	profile := `{"header": ["nom", "categorie", "latitude", "longitude", "ouverture"], "columns": {` +
		`"nom": {"format": "string", "python_type": "string", "score": 1}, "categorie": {"format": "string", "python_type": "string", "score": 1},` +
		`"latitude": {"format": "latitude_wgs", "python_type": "float", "score": 1}, "longitude": {"format": "longitude_wgs", "python_type": "float", "score": 1},` +
		`"ouverture": {"format": "date", "python_type": "date", "score": 1}}}`
	_, err = tab.Load(ctx, "t1", []tabular.Column{{Name: "nom", Type: "string"}, {Name: "categorie", Type: "string"},
		{Name: "latitude", Type: "float"}, {Name: "longitude", Type: "float"}, {Name: "ouverture", Type: "date"}},
		json.RawMessage(profile), func() ([]any, error) {
			if i == len(rows) {
				return nil, io.EOF
			}
			i++
			return rows[i-1], nil
		})
	require.NoError(t, err)
	recs := records.New(db)
	require.NoError(t, recs.Put(ctx, &records.Record{ResourceID: "t1", DatasetID: "d1", State: records.StateDone,
		AnalyzedAt: time.Now(), Tabular: true, MapKind: records.MapPoints,
		Location: []byte(`{"Lat":"latitude","Lon":"longitude"}`), Validation: []byte(`{"valid":true}`)}))
	require.NoError(t, recs.Put(ctx, &records.Record{ResourceID: "bad", State: records.StateFailed, Error: "fichier illisible", AnalyzedAt: time.Now()}))

	var reanalyzed []string
	srv := NewServer(Options{Records: recs, Tabular: tab, ServiceToken: "secret", Reanalyze: func(_ context.Context, rid string) error {
		reanalyzed = append(reanalyzed, rid)
		return nil
	}})
	gs := grpcx.NewServer(grpcx.ServerOptions{})
	srv.Register(gs)
	ln, err := grpcx.Listen("127.0.0.1:0")
	require.NoError(t, err)
	go gs.Serve(ln)
	t.Cleanup(func() { _ = gs.Shutdown(context.Background()) })
	conn, err := grpcx.Dial(ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return previewv1.NewPreviewServiceClient(conn), recs, &reanalyzed
}

// httpError returns the HttpError detail of err.
func httpError(t *testing.T, err error) *previewv1.HttpError {
	t.Helper()
	for _, d := range status.Convert(err).Details() {
		if he, ok := d.(*previewv1.HttpError); ok {
			return he
		}
	}
	t.Fatalf("no HttpError in %v", err)
	return nil
}

func TestTabularRPCs(t *testing.T) {
	c, _, _ := serve(t)
	ctx := context.Background()
	data, err := c.GetTabularData(ctx, &previewv1.GetTabularDataRequest{ResourceId: "t1", Query: "categorie__exact=sport&nom__sort=desc", BaseUrl: "http://x"})
	require.NoError(t, err)
	var page struct {
		Data []map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal(data.GetJson(), &page))
	require.Len(t, page.Data, 2)
	require.Equal(t, "Stade", page.Data[0]["nom"])

	_, err = c.GetTabularData(ctx, &previewv1.GetTabularDataRequest{ResourceId: "t1", Query: "nope__exact=1"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	he := httpError(t, err)
	require.EqualValues(t, 400, he.GetStatus())
	require.Contains(t, string(he.GetBody()), `"errors"`)
	require.Equal(t, "application/json", he.GetContentType())

	_, err = c.GetTabularResource(ctx, &previewv1.GetTabularResourceRequest{ResourceId: "unknown"})
	require.Equal(t, codes.NotFound, status.Code(err))
	require.EqualValues(t, 404, httpError(t, err).GetStatus())

	sw, err := c.GetTabularSwagger(ctx, &previewv1.GetTabularSwaggerRequest{ResourceId: "t1"})
	require.NoError(t, err)
	require.Contains(t, string(sw.GetYaml()), "categorie__exact")

	stream, err := c.ExportTabularData(ctx, &previewv1.ExportTabularDataRequest{ResourceId: "t1", Format: "csv", Query: "categorie__exact=culture"})
	require.NoError(t, err)
	var csv []byte
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		csv = append(csv, m.GetData()...)
	}
	require.Contains(t, string(csv), "Médiathèque")
	require.NotContains(t, string(csv), "Stade")

	stream, err = c.ExportTabularData(ctx, &previewv1.ExportTabularDataRequest{ResourceId: "t1", Format: "xml"})
	require.NoError(t, err)
	_, err = stream.Recv()
	require.Equal(t, codes.InvalidArgument, status.Code(err))
}

func TestPreviewRPCs(t *testing.T) {
	c, _, reanalyzed := serve(t)
	ctx := context.Background()

	st, err := c.GetPreviewStatus(ctx, &previewv1.GetPreviewStatusRequest{ResourceId: "t1"})
	require.NoError(t, err)
	require.Equal(t, "done", st.GetState())
	require.True(t, st.GetTabular() && st.GetMap() && st.GetValidation())
	st, err = c.GetPreviewStatus(ctx, &previewv1.GetPreviewStatusRequest{ResourceId: "never"})
	require.NoError(t, err)
	require.Equal(t, "pending", st.GetState())

	rep, err := c.GetValidationReport(ctx, &previewv1.GetValidationReportRequest{ResourceId: "t1"})
	require.NoError(t, err)
	require.JSONEq(t, `{"valid":true}`, string(rep.GetJson()))
	_, err = c.GetValidationReport(ctx, &previewv1.GetValidationReportRequest{ResourceId: "bad"})
	require.Equal(t, codes.FailedPrecondition, status.Code(err))
	require.Contains(t, status.Convert(err).Message(), "fichier illisible")

	ms, err := c.GetMapData(ctx, &previewv1.GetMapDataRequest{ResourceId: "t1"})
	require.NoError(t, err)
	var body []byte
	for {
		m, err := ms.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		body = append(body, m.GetData()...)
	}
	var mp struct {
		Type     string `json:"type"`
		Features int64  `json:"features"`
		Data     struct {
			Type     string `json:"type"`
			Features []any  `json:"features"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &mp), string(body))
	require.Equal(t, "points", mp.Type)
	require.EqualValues(t, 3, mp.Features)
	require.Equal(t, "FeatureCollection", mp.Data.Type)
	require.Len(t, mp.Data.Features, 3)

	chart, err := c.GetChartData(ctx, &previewv1.GetChartDataRequest{ResourceId: "t1"})
	require.NoError(t, err)
	var groups struct {
		Data []map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal(chart.GetJson(), &groups), string(chart.GetJson()))
	require.Equal(t, []map[string]any{{"nom": "Médiathèque", "nom__count": 1.0}, {"nom": "Piscine", "nom__count": 1.0}, {"nom": "Stade", "nom__count": 1.0}},
		sortedByName(groups.Data), "the first text column by default")
	chart, err = c.GetChartData(ctx, &previewv1.GetChartDataRequest{ResourceId: "t1", GroupBy: "categorie"})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(chart.GetJson(), &groups))
	require.Equal(t, "sport", groups.Data[0]["categorie"], "most frequent first")
	chart, err = c.GetChartData(ctx, &previewv1.GetChartDataRequest{ResourceId: "t1", GroupBy: "ouverture", Value: "latitude", Aggregate: "max"})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(chart.GetJson(), &groups))
	require.Equal(t, "2024-01-05", groups.Data[0]["ouverture"], "dates in order")
	_, err = c.GetChartData(ctx, &previewv1.GetChartDataRequest{ResourceId: "t1", Aggregate: "median"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	schemas, err := c.ListSchemas(ctx, &previewv1.ListSchemasRequest{})
	require.NoError(t, err)
	require.Contains(t, string(schemas.GetJson()), "scdl/deliberations")

	_, err = c.Reanalyze(ctx, &previewv1.ReanalyzeRequest{ResourceId: "t1"})
	require.Equal(t, codes.Unauthenticated, status.Code(err))
	_, err = c.Reanalyze(metadata.AppendToOutgoingContext(ctx, ServiceTokenHeader, "wrong"), &previewv1.ReanalyzeRequest{ResourceId: "t1"})
	require.Equal(t, codes.Unauthenticated, status.Code(err))
	resp, err := c.Reanalyze(metadata.AppendToOutgoingContext(ctx, ServiceTokenHeader, "secret"), &previewv1.ReanalyzeRequest{ResourceId: "t1"})
	require.NoError(t, err)
	require.Equal(t, "done", resp.GetStatus().GetState())
	require.Equal(t, []string{"t1"}, *reanalyzed)
}

func sortedByName(rows []map[string]any) []map[string]any {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j]["nom"].(string) < rows[j-1]["nom"].(string); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	return rows
}
