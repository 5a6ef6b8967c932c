package api

import (
	"net/http"
	"slices"
	"strings"
)

// route is one endpoint: a method, a path in udata's form (ending with "/"
// unless udata's does not) and its handler.
type route struct {
	method  string
	path    string
	handler http.HandlerFunc
}

// routes is the whole API, in udata's order of namespaces. The GET
// endpoints udata marshals with flask-restx's @api.marshal_with go through
// s.masked, which applies the X-Fields mask.
func (s *Server) routes() []route {
	return slices.Concat([]route{
		// Datasets (v1).
		{"GET", "/api/1/datasets/", s.masked(s.listDatasets)},
		{"POST", "/api/1/datasets/", s.createDataset},
		{"GET", "/api/1/datasets/licenses/", s.licenses},
		{"GET", "/api/1/datasets/frequencies/", s.frequencies},
		{"GET", "/api/1/datasets/resource_types/", s.resourceTypes},
		{"GET", "/api/1/datasets/extensions/", s.allowedExtensions},
		{"GET", "/api/1/datasets/suggest/", s.suggestDatasets},
		{"GET", "/api/1/datasets/schemas/", s.schemas},
		{"GET", "/api/1/datasets/r/{rid}", s.resourceRedirect},
		{"GET", "/api/1/datasets/{dataset}/", s.masked(s.getDataset)},
		{"PUT", "/api/1/datasets/{dataset}/", s.updateDataset},
		{"DELETE", "/api/1/datasets/{dataset}/", s.deleteDataset},
		{"POST", "/api/1/datasets/{dataset}/upload/", s.uploadNewResource},
		{"GET", "/api/1/datasets/{dataset}/{file}", s.datasetRDFFile},

		// Resources (v1).
		{"POST", "/api/1/datasets/{dataset}/resources/", s.createResource},
		{"PUT", "/api/1/datasets/{dataset}/resources/", s.reorderResources},
		{"GET", "/api/1/datasets/{dataset}/resources/{rid}/", s.masked(s.getResource)},
		{"PUT", "/api/1/datasets/{dataset}/resources/{rid}/", s.updateResource},
		{"DELETE", "/api/1/datasets/{dataset}/resources/{rid}/", s.deleteResource},
		{"POST", "/api/1/datasets/{dataset}/resources/{rid}/upload/", s.uploadResourceFile},

		// Datasets (v2). The three /api/2/datasets/{a}/{b}/ routes share
		// one pattern: Go's ServeMux refuses /resources/{rid}/ beside
		// /{dataset}/resources/ as ambiguous, udata's router tries them in
		// order.
		{"GET", "/api/2/datasets/", s.masked(s.listDatasetsV2)},
		{"GET", "/api/2/datasets/search/", s.masked(s.searchDatasets)},
		{"GET", "/api/2/datasets/{dataset}/", s.masked(s.getDatasetV2)},
		{"GET", "/api/2/datasets/{a}/{b}/", s.masked(s.datasetV2Sub)},
		{"PUT", "/api/2/datasets/{a}/{b}/", s.datasetV2Sub},
		{"DELETE", "/api/2/datasets/{a}/{b}/", s.datasetV2Sub},
		{"GET", "/api/2/datasets/{dataset}/resources/{rid}/extras/", s.getResourceExtras},
		{"PUT", "/api/2/datasets/{dataset}/resources/{rid}/extras/", s.updateResourceExtras},
		{"DELETE", "/api/2/datasets/{dataset}/resources/{rid}/extras/", s.deleteResourceExtras},

		// Previews (Relais' own, preview.go): the state of a resource's
		// analysis, its TableSchema validation report, its map data
		// (GeoJSON summary and simplified features, or the table's
		// points) and chart data (?group_by=&value=&aggregate=&limit=);
		// a sysadmin may have it analyzed again.
		{"GET", "/api/2/datasets/resources/{rid}/preview/", s.previewStatus},
		{"GET", "/api/2/datasets/resources/{rid}/preview/validation/", s.previewValidation},
		{"GET", "/api/2/datasets/resources/{rid}/preview/map/", s.previewMap},
		{"GET", "/api/2/datasets/resources/{rid}/preview/chart/", s.previewChart},
		{"POST", "/api/2/datasets/resources/{rid}/preview/reanalyze/", s.previewReanalyze},

		// Tabular API, as data.gouv.fr's api-tabular serves it (under
		// tabular-api.data.gouv.fr/api/resources/): a resource's table,
		// its profile, pages of rows and streamed exports.
		// The metrics API (metric-api.data.gouv.fr/api/ as
		// /metric-api/api/, metrics_api.go): monthly audience figures.
		{"GET", "/metric-api/api/{model}/data/", s.metricsData},
		{"GET", "/metric-api/api/{model}/data/csv/", s.metricsCSV},

		{"GET", "/api/resources/{rid}/", s.tabularResource},
		{"GET", "/api/resources/{rid}/profile/", s.tabularProfile},
		{"GET", "/api/resources/{rid}/swagger/", s.tabularSwagger},
		{"GET", "/api/resources/{rid}/data/", s.tabularData},
		{"GET", "/api/resources/{rid}/data/csv/", s.tabularExport("csv")},
		{"GET", "/api/resources/{rid}/data/json/", s.tabularExport("json")},

		// Organizations.
		{"GET", "/api/1/organizations/", s.masked(s.listOrganizations)},
		{"POST", "/api/1/organizations/", s.createOrganization},
		{"GET", "/api/1/organizations/roles/", s.organizationRoles},
		{"GET", "/api/1/organizations/suggest/", s.suggestOrganizations},
		{"GET", "/api/2/organizations/search/", s.masked(s.searchOrganizations)},
		{"GET", "/api/1/organizations/{org}/", s.masked(s.getOrganization)},
		{"PUT", "/api/1/organizations/{org}/", s.updateOrganization},
		{"DELETE", "/api/1/organizations/{org}/", s.deleteOrganization},
		{"GET", "/api/1/organizations/{org}/datasets/", s.masked(s.organizationDatasets)},
		{"GET", "/api/1/organizations/{org}/reuses/", s.masked(s.organizationReuses)},
		{"GET", "/api/1/organizations/{org}/storage/", s.organizationStorage},
		{"GET", "/api/1/organizations/{org}/{file}", s.orgRDFFile},
		{"POST", "/api/1/organizations/{org}/member/", s.inviteMember},
		{"POST", "/api/1/organizations/{org}/member/{user}/", s.addMember},
		{"PUT", "/api/1/organizations/{org}/member/{user}/", s.updateMember},
		{"DELETE", "/api/1/organizations/{org}/member/{user}/", s.removeMember},

		// Reuses (reuses.go).
		{"GET", "/api/1/reuses/", s.masked(s.listReuses)},
		{"POST", "/api/1/reuses/", s.createReuse},
		{"GET", "/api/1/reuses/types/", s.reuseTypes},
		{"GET", "/api/1/reuses/topics/", s.reuseTopics},
		{"GET", "/api/1/reuses/{reuse}/", s.masked(s.getReuse)},
		{"PUT", "/api/1/reuses/{reuse}/", s.updateReuse},
		{"DELETE", "/api/1/reuses/{reuse}/", s.deleteReuse},
		{"POST", "/api/1/reuses/{reuse}/datasets/", s.addReuseDataset},
		{"POST", "/api/1/reuses/{reuse}/featured/", s.featureReuse(true)},
		{"DELETE", "/api/1/reuses/{reuse}/featured/", s.featureReuse(false)},
		{"GET", "/api/2/reuses/", s.masked(s.listReusesV2)},
		{"GET", "/api/2/reuses/search/", s.masked(s.searchReuses)},

		// Users.
		{"GET", "/api/1/me/", s.masked(s.getMe)},
		{"PUT", "/api/1/me/", s.updateMe},
		{"GET", "/api/1/me/reuses/", s.masked(s.myReuses)},
		{"GET", "/api/1/me/api_tokens/", s.listAPITokens},
		{"POST", "/api/1/me/api_tokens/", s.createAPIToken},
		{"DELETE", "/api/1/me/api_tokens/{id}/", s.revokeAPIToken},
		{"GET", "/api/1/users/{user}/", s.masked(s.getUser)},

		// Tags.
		{"GET", "/api/1/tags/suggest/", s.suggestTags},

		// Site.
		{"GET", "/api/1/site/", s.masked(s.getSite)},
		{"GET", "/api/1/site/{file}", s.siteRDFFile},

		// Stored files, where uploaded resources' urls point (udata's
		// static.data.gouv.fr); not an API route.
		{"GET", "/resources/{path...}", s.download},
	},
		// Followers (followers.go).
		s.followerRoutes("datasets", "dataset"),
		s.followerRoutes("organizations", "organization"),
		s.followerRoutes("reuses", "reuse"),
		s.followerRoutes("users", "user"),
	)
}

// werkzeugRule writes a route as udata's url_map does, with Werkzeug's
// converters, for 404 suggestions.
func werkzeugRule(path string) string {
	return strings.NewReplacer(
		"{dataset}", "<dataset:dataset>",
		"{rid}", "<uuid:rid>",
		"{org}", "<org:org>",
		"{user}", "<user:user>",
		"{reuse}", "<reuse:reuse>",
		"{id}", "<id>",
	).Replace(path)
}

// stripConverters is flask-restx's RE_RULES substitution, "(<.*>)" → "":
// it drops everything from the first '<' to the last '>' of a rule.
func stripConverters(rule string) string {
	i, j := strings.IndexByte(rule, '<'), strings.LastIndexByte(rule, '>')
	if i < 0 || j < i {
		return rule
	}
	return rule[:i] + rule[j+1:]
}

func (s *Server) handle(rt route) {
	pattern := rt.path
	if strings.HasSuffix(pattern, "/") {
		pattern += "{$}"
	}
	s.mux.HandleFunc(rt.method+" "+pattern, rt.handler)
	if !strings.HasPrefix(rt.path, "/api/") {
		return // not an API route: no 404 suggestion
	}

	var rules []string
	if strings.HasPrefix(rt.path, "/api/2/datasets/{a}/{b}/") {
		rules = []string{
			"/api/2/datasets/<dataset:dataset>/resources/",
			"/api/2/datasets/resources/<uuid:rid>/",
			"/api/2/datasets/<dataset:dataset>/extras/",
		}
	} else {
		rules = []string{werkzeugRule(rt.path)}
	}
	for _, rule := range rules {
		s.rules[stripConverters(rule)] = rule
	}
}
