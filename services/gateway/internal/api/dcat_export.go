package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/dcat"
)

// The DCAT-AP export, as udata's (udata-api.md §11): the site's and each
// organization's catalog, with hydra paging, and one dataset's RDF. Bare
// URLs negotiate on Accept and redirect to the form with an extension.

const (
	// defaultCatalogPageSize is udata's page size of a catalog.
	defaultCatalogPageSize = 100
	// maxCatalogPageSize bounds a catalog page; pages stream, so a
	// harvester may ask for the whole catalog at once.
	maxCatalogPageSize = 100_000
	// catalogChunk bounds the datasets read from the catalog service at
	// once while a page streams.
	catalogChunk = 200
)

// siteRDFFile is GET /api/1/site/{file}: catalog (negotiated),
// catalog.{ext}, and data.{ext} which redirects to it.
func (s *Server) siteRDFFile(w http.ResponseWriter, r *http.Request) {
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	f, ok := dcat.ByExt(ext)
	switch {
	case r.PathValue("file") == "catalog":
		s.redirectToFormat(w, r, "/api/1/site/catalog", true)
	case !ok:
		s.notRDF(w, r)
	case name == "data":
		s.redirectRDF(w, r, "/api/1/site/catalog."+ext, true)
	case name == "catalog":
		s.serveCatalog(w, r, f, dcat.Catalog{
			URI: s.render.BaseURL() + "/api/1/site/catalog", Title: s.site.Title, Description: s.site.Title,
			Homepage: s.render.BaseURL() + "/",
		}, "")
	default:
		s.notRDF(w, r)
	}
}

// orgRDFFile is GET /api/1/organizations/{org}/catalog (negotiated),
// catalog.{ext}, and the SCDL catalogue.csv.
func (s *Server) orgRDFFile(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") == "catalog" {
		s.redirectToFormat(w, r, "/api/1/organizations/"+url.PathEscape(r.PathValue("org"))+"/catalog", true)
		return
	}
	if r.PathValue("file") == "catalogue.csv" {
		s.orgSCDLCatalogue(w, r)
		return
	}
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	f, ok := dcat.ByExt(ext)
	if name != "catalog" || !ok {
		s.notRDF(w, r)
		return
	}
	resp, err := s.catalog.GetOrganization(r.Context(), &catalogv1.GetOrganizationRequest{Organization: r.PathValue("org")})
	if err != nil {
		s.fail(w, r, err, kindOrganization)
		return
	}
	o := resp.GetOrganization()
	base := s.render.BaseURL()
	s.serveCatalog(w, r, f, dcat.Catalog{
		URI: base + "/api/1/organizations/" + o.GetId() + "/catalog", Title: o.GetName(), Description: o.GetName(),
		Homepage: base + "/", Publisher: base + "/organizations/" + o.GetId() + "/",
	}, o.GetId())
}

// datasetRDFFile is GET /api/1/datasets/{dataset}/rdf (negotiated) and
// rdf.{ext}.
func (s *Server) datasetRDFFile(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") == "rdf" {
		s.redirectToFormat(w, r, "/api/1/datasets/"+url.PathEscape(r.PathValue("dataset"))+"/rdf", false)
		return
	}
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	f, ok := dcat.ByExt(ext)
	if name != "rdf" || !ok {
		s.notRDF(w, r)
		return
	}
	resp, err := s.catalog.GetDataset(r.Context(), &catalogv1.GetDatasetRequest{Dataset: r.PathValue("dataset")})
	if err != nil {
		s.fail(w, r, err, kindDataset)
		return
	}
	d := resp.GetDataset()
	if d.GetPrivate() || d.GetDeleted() != nil {
		s.notFound(w, r, msgNotFound)
		return
	}
	m := dcat.Mapper{Base: s.render.BaseURL(), Licenses: s.licenseIndex(r)}
	w.Header().Set("Content-Type", f.ContentType)
	out := f.New(w)
	if err := m.Dataset(d, out.Write); err != nil {
		s.log.WarnContext(r.Context(), "dataset rdf cut short", "err", err)
		return
	}
	_ = out.Close()
}

// redirectToFormat answers a bare RDF URL with udata's 302 to the
// negotiated form; catalogs get page=1&page_size=100 unless asked
// otherwise.
func (s *Server) redirectToFormat(w http.ResponseWriter, r *http.Request, path string, paged bool) {
	s.redirectRDF(w, r, path+"."+dcat.Negotiate(r.Header.Get("Accept")), paged)
}

func (s *Server) redirectRDF(w http.ResponseWriter, r *http.Request, path string, paged bool) {
	q := r.URL.Query()
	if paged {
		if q.Get("page") == "" {
			q.Set("page", "1")
		}
		if q.Get("page_size") == "" {
			q.Set("page_size", strconv.Itoa(defaultCatalogPageSize))
		}
	}
	target := s.render.BaseURL() + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// licenseIndex is the catalog's licences by id; without them the export
// leaves dct:license out rather than fail.
func (s *Server) licenseIndex(r *http.Request) map[string]*catalogv1.License {
	resp, err := s.catalog.GetReferenceLists(r.Context(), &catalogv1.GetReferenceListsRequest{})
	if err != nil {
		s.log.WarnContext(r.Context(), "licences unavailable for the DCAT export", "err", err)
		return nil
	}
	out := make(map[string]*catalogv1.License, len(resp.GetLicenses()))
	for _, l := range resp.GetLicenses() {
		out[l.GetId()] = l
	}
	return out
}

// notRDF answers a path the RDF routes' {file} caught but that is none of
// theirs as the mux would have: the redirect to the route with a trailing
// slash (udata's 308) when there is one, else 404.
func (s *Server) notRDF(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/") && s.matchesAny(r, r.URL.Path+"/") {
		s.redirect(w, r, r.URL.EscapedPath()+"/", http.StatusPermanentRedirect)
		return
	}
	s.notFound(w, r, msgNotFound)
}
