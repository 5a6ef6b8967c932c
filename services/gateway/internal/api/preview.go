package api

import (
	"io"
	"net/http"
	"strconv"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	previewv1 "github.com/relais-data/relais/proto/relais/preview/v1"
	"github.com/relais-data/relais/services/gateway/internal/udata"
)

// PreviewOptions connect the API to the preview service: data.gouv.fr's
// tabular API (api-tabular's /api/resources/…), the schema catalogue, and
// Relais' own map, chart and validation data.
type PreviewOptions struct {
	// Client is the preview service; nil answers 503 on those routes.
	Client previewv1.PreviewServiceClient
	// Token is the service token Reanalyze requires.
	Token string
}

// preview is the API's side of the preview service.
type preview struct {
	client previewv1.PreviewServiceClient
	token  string
	base   string // the public URL, for api-tabular's links
}

// previewClient returns the preview client, or answers 503.
func (s *Server) previewClient(w http.ResponseWriter) (previewv1.PreviewServiceClient, bool) {
	if s.preview.client == nil {
		writeMessage(w, http.StatusServiceUnavailable, msgUnavailable)
		return nil, false
	}
	return s.preview.client, true
}

// previewOf returns the preview client for the resource of the request's
// {rid} once the caller may read it, or answers. A resource the catalog
// does not show the caller (unknown, deleted, or of a private dataset the
// caller may not edit) is answered 404: api-tabular's text body on the
// tabular API, udata's message on Relais' preview routes. The preview
// service itself drops the tables of deleted resources and datasets, but
// knows nothing of who may see a private dataset.
func (s *Server) previewOf(w http.ResponseWriter, r *http.Request, tabularAPI bool) (previewv1.PreviewServiceClient, bool) {
	_, err := s.catalog.GetResource(r.Context(), &catalogv1.GetResourceRequest{ResourceId: r.PathValue("rid")})
	switch {
	case status.Code(err) == codes.NotFound && tabularAPI:
		h := w.Header()
		h.Set("Content-Type", tabularNotFoundType)
		h.Set("Content-Length", strconv.Itoa(len(tabularNotFound)))
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, tabularNotFound)
		return nil, false
	case status.Code(err) == codes.NotFound:
		s.notFound(w, r, msgResourceMissing)
		return nil, false
	case err != nil:
		s.fail(w, r, err, kindResource)
		return nil, false
	}
	return s.previewClient(w)
}

// api-tabular's answer to an unknown resource (aiohttp's HTTPNotFound).
const (
	tabularNotFound     = "404: Not Found"
	tabularNotFoundType = "text/plain; charset=utf-8"
)

// tabularResource is api-tabular's GET /api/resources/{rid}/.
func (s *Server) tabularResource(w http.ResponseWriter, r *http.Request) {
	c, ok := s.previewOf(w, r, true)
	if !ok {
		return
	}
	resp, err := c.GetTabularResource(r.Context(), &previewv1.GetTabularResourceRequest{ResourceId: r.PathValue("rid"), BaseUrl: s.preview.base})
	s.sendPreview(w, r, resp.GetJson(), err)
}

// tabularProfile is api-tabular's GET /api/resources/{rid}/profile/.
func (s *Server) tabularProfile(w http.ResponseWriter, r *http.Request) {
	c, ok := s.previewOf(w, r, true)
	if !ok {
		return
	}
	resp, err := c.GetTabularProfile(r.Context(), &previewv1.GetTabularProfileRequest{ResourceId: r.PathValue("rid")})
	s.sendPreview(w, r, resp.GetJson(), err)
}

// tabularData is api-tabular's GET /api/resources/{rid}/data/.
func (s *Server) tabularData(w http.ResponseWriter, r *http.Request) {
	c, ok := s.previewOf(w, r, true)
	if !ok {
		return
	}
	resp, err := c.GetTabularData(r.Context(), &previewv1.GetTabularDataRequest{
		ResourceId: r.PathValue("rid"), Query: r.URL.RawQuery, BaseUrl: s.preview.base,
	})
	s.sendPreview(w, r, resp.GetJson(), err)
}

// tabularSwagger is api-tabular's GET /api/resources/{rid}/swagger/: the
// OpenAPI document of the resource's data endpoints, in YAML.
func (s *Server) tabularSwagger(w http.ResponseWriter, r *http.Request) {
	c, ok := s.previewOf(w, r, true)
	if !ok {
		return
	}
	resp, err := c.GetTabularSwagger(r.Context(), &previewv1.GetTabularSwaggerRequest{ResourceId: r.PathValue("rid")})
	if err != nil {
		s.sendPreview(w, r, nil, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/yaml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(resp.GetYaml())))
	_, _ = w.Write(resp.GetYaml())
}

// tabularExport is api-tabular's GET /api/resources/{rid}/data/csv/ and
// /data/json/: every selected row, streamed.
func (s *Server) tabularExport(format string) http.HandlerFunc {
	contentType := map[string]string{"csv": "text/csv", "json": "application/json"}[format]
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.previewOf(w, r, true)
		if !ok {
			return
		}
		rid := r.PathValue("rid")
		stream, err := c.ExportTabularData(r.Context(), &previewv1.ExportTabularDataRequest{
			ResourceId: rid, Query: r.URL.RawQuery, Format: format,
		})
		if err != nil {
			s.sendPreview(w, r, nil, err)
			return
		}
		s.relayStream(w, r, contentType, func() ([]byte, error) {
			m, err := stream.Recv()
			return m.GetData(), err
		}, func(h http.Header) {
			if format == "csv" {
				h.Set("Content-Disposition", `attachment; filename="`+rid+`.csv"`)
			}
		})
	}
}

// relayStream sends a streamed body: the first message decides the status
// (an error before any byte is answered as such), later errors cut the
// response short (the client sees a truncated body, not a success).
func (s *Server) relayStream(w http.ResponseWriter, r *http.Request, contentType string, recv func() ([]byte, error), header func(http.Header)) {
	first, err := recv()
	if err != nil && err != io.EOF {
		s.sendPreview(w, r, nil, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	if header != nil {
		header(h)
	}
	w.WriteHeader(http.StatusOK)
	for err == nil {
		if _, werr := w.Write(first); werr != nil {
			return
		}
		first, err = recv()
	}
	if err != io.EOF {
		s.log.WarnContext(r.Context(), "preview stream cut", "path", r.URL.Path, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// schemas is udata's GET /api/1/datasets/schemas/: the catalogue of known
// schemas.
func (s *Server) schemas(w http.ResponseWriter, r *http.Request) {
	c, ok := s.previewClient(w)
	if !ok {
		return
	}
	resp, err := c.ListSchemas(r.Context(), &previewv1.ListSchemasRequest{})
	s.sendPreview(w, r, resp.GetJson(), err)
}

// previewStatus is GET /api/2/datasets/resources/{rid}/preview/: whether
// the resource was analyzed, why not, and which previews exist.
func (s *Server) previewStatus(w http.ResponseWriter, r *http.Request) {
	c, ok := s.previewOf(w, r, false)
	if !ok {
		return
	}
	st, err := c.GetPreviewStatus(r.Context(), &previewv1.GetPreviewStatusRequest{ResourceId: r.PathValue("rid")})
	if err != nil {
		s.sendPreview(w, r, nil, err)
		return
	}
	s.writeJSON(w, http.StatusOK, func(jw *udata.Writer) {
		jw.BeginObject()
		jw.Key("analyzed_at")
		jw.StringOrNullIfEmpty(st.GetAnalyzedAt())
		jw.Key("error")
		jw.StringOrNullIfEmpty(st.GetError())
		jw.Key("map")
		jw.Bool(st.GetMap())
		jw.Key("resource_id")
		jw.String(st.GetResourceId())
		jw.Key("state")
		jw.String(st.GetState())
		jw.Key("tabular")
		jw.Bool(st.GetTabular())
		jw.Key("validation")
		jw.Bool(st.GetValidation())
		jw.EndObject()
	})
}

// previewValidation is GET /api/2/datasets/resources/{rid}/preview/validation/:
// the TableSchema validation report.
func (s *Server) previewValidation(w http.ResponseWriter, r *http.Request) {
	c, ok := s.previewOf(w, r, false)
	if !ok {
		return
	}
	resp, err := c.GetValidationReport(r.Context(), &previewv1.GetValidationReportRequest{ResourceId: r.PathValue("rid")})
	s.sendPreview(w, r, resp.GetJson(), err)
}

// previewMap is GET /api/2/datasets/resources/{rid}/preview/map/: the
// GeoJSON summary and simplified features, or the table's points.
func (s *Server) previewMap(w http.ResponseWriter, r *http.Request) {
	c, ok := s.previewOf(w, r, false)
	if !ok {
		return
	}
	stream, err := c.GetMapData(r.Context(), &previewv1.GetMapDataRequest{ResourceId: r.PathValue("rid")})
	if err != nil {
		s.sendPreview(w, r, nil, err)
		return
	}
	s.relayStream(w, r, "application/json", func() ([]byte, error) {
		m, err := stream.Recv()
		return m.GetData(), err
	}, nil)
}

// previewChart is GET /api/2/datasets/resources/{rid}/preview/chart/
// ?group_by=&value=&aggregate=&limit=: aggregates ready for a chart.
func (s *Server) previewChart(w http.ResponseWriter, r *http.Request) {
	c, ok := s.previewOf(w, r, false)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("limit"))
	if q.Get("limit") != "" && (err != nil || limit <= 0) {
		writeArgError(w, "limit", "Invalid literal for int() with base 10: '"+q.Get("limit")+"'")
		return
	}
	resp, err := c.GetChartData(r.Context(), &previewv1.GetChartDataRequest{
		ResourceId: r.PathValue("rid"), GroupBy: q.Get("group_by"), Value: q.Get("value"),
		Aggregate: q.Get("aggregate"), Limit: int32(min(limit, 1<<20)),
	})
	s.sendPreview(w, r, resp.GetJson(), err)
}

// previewReanalyze is POST /api/2/datasets/resources/{rid}/preview/reanalyze/:
// a sysadmin has the resource analyzed again now.
func (s *Server) previewReanalyze(w http.ResponseWriter, r *http.Request) {
	if !requireAuth(w, r) {
		return
	}
	c, ok := s.previewClient(w)
	if !ok {
		return
	}
	me, err := s.catalog.GetMe(r.Context(), &catalogv1.GetMeRequest{})
	if err != nil {
		s.fail(w, r, err, kindUser)
		return
	}
	if !isSysadmin(me.GetUser()) {
		writeMessage(w, http.StatusForbidden, msgForbidden)
		return
	}
	ctx := metadata.AppendToOutgoingContext(r.Context(), "x-service-token", s.preview.token)
	if _, err := c.Reanalyze(ctx, &previewv1.ReanalyzeRequest{ResourceId: r.PathValue("rid")}); err != nil {
		s.sendPreview(w, r, nil, err)
		return
	}
	s.previewStatus(w, r)
}

func isSysadmin(u *catalogv1.User) bool {
	for _, role := range u.GetRoles() {
		if role == "admin" {
			return true
		}
	}
	return false
}

// sendPreview sends a body of the preview service, or its error: the
// HTTP status and body of api-tabular's errors as they are, else udata's
// {"message": …} with the status the code means.
func (s *Server) sendPreview(w http.ResponseWriter, r *http.Request, body []byte, err error) {
	if err == nil {
		sendJSON(w, http.StatusOK, body)
		return
	}
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if he, ok := d.(*previewv1.HttpError); ok {
			h := w.Header()
			h.Set("Content-Type", he.GetContentType())
			h.Set("Content-Length", strconv.Itoa(len(he.GetBody())))
			w.WriteHeader(int(he.GetStatus()))
			_, _ = w.Write(he.GetBody())
			return
		}
	}
	switch st.Code() {
	case codes.NotFound:
		writeMessage(w, http.StatusNotFound, st.Message())
	case codes.InvalidArgument, codes.FailedPrecondition:
		writeMessage(w, http.StatusBadRequest, st.Message())
	case codes.Unauthenticated, codes.PermissionDenied:
		writeMessage(w, http.StatusForbidden, msgForbidden)
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.ResourceExhausted:
		s.log.WarnContext(r.Context(), "preview unavailable", "path", r.URL.Path, "code", st.Code().String(), "err", st.Message())
		writeMessage(w, http.StatusServiceUnavailable, msgUnavailable)
	default:
		s.log.ErrorContext(r.Context(), "preview call failed", "path", r.URL.Path, "code", st.Code().String(), "err", st.Message())
		writeMessage(w, http.StatusInternalServerError, msgInternalError)
	}
}
