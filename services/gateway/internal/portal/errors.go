package portal

import (
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errorPage is what the error template shows.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// fail answers a failed service call with a page saying what the visitor
// can do: 404 when the object does not exist, 400 for a bad request, 503
// when a service cannot be reached, 502 for anything else (logged).
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.NotFound:
		p.notFoundPage(w, r)
	case codes.InvalidArgument:
		p.errorPage(w, r, http.StatusBadRequest, p.loc.t("error.bad_request"), st.Message())
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
		p.opts.Log.WarnContext(r.Context(), "portal: service unavailable", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		p.errorPage(w, r, http.StatusServiceUnavailable, p.loc.t("error.unavailable"), p.loc.t("error.unavailable.message"))
	default:
		p.opts.Log.ErrorContext(r.Context(), "portal: service call failed", "path", r.URL.Path, "err", err)
		p.errorPage(w, r, http.StatusBadGateway, p.loc.t("error.failed"), p.loc.t("error.failed.message"))
	}
}

// unavailable says err is a service that could not be reached.
func unavailable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded:
		return true
	}
	return false
}

func (p *Portal) notFoundPage(w http.ResponseWriter, r *http.Request) {
	p.errorPage(w, r, http.StatusNotFound, p.loc.t("error.notfound"), p.loc.t("error.notfound.message"))
}

func (p *Portal) errorPage(w http.ResponseWriter, r *http.Request, code int, heading, msg string) {
	p.render(w, r, code, "error", page{Title: heading, Data: errorPage{Status: code, Heading: heading, Message: msg}})
}
