package api_test

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
)

// dcatEnv is a gateway with an organization of three datasets (one with a
// resource and a temporal coverage) and one dataset without organization.
func dcatEnv(t *testing.T) (*gatewaytest.Env, string, string) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	org := env.Do(t, "POST", "/api/1/organizations/", map[string]any{"name": "Ville d'Évian", "description": "Commune."}, env.AdminToken).Object(t)
	var first string
	for i := range 3 {
		d := env.Do(t, "POST", "/api/1/datasets/", map[string]any{
			"title": fmt.Sprintf("Budget <%d> & \"comptes\"", i), "description": "Budget primitif\net compte administratif.",
			"tags": []string{"budget", "finances"}, "license": "lov2", "frequency": "annual", "organization": org["id"],
			"temporal_coverage": map[string]any{"start": "2020-01-01", "end": "2020-12-31"},
		}, env.AdminToken).Object(t)
		if i == 0 {
			first = d["id"].(string)
			env.Do(t, "POST", "/api/1/datasets/"+first+"/resources/", map[string]any{
				"title": "budget.csv", "url": "https://example.org/budget.csv", "format": "csv", "filetype": "remote",
			}, env.AdminToken)
		}
	}
	env.Do(t, "POST", "/api/1/datasets/", map[string]any{"title": "Sans organisation", "description": "x", "license": "lov2"}, env.AdminToken)
	return env, org["id"].(string), first
}

func TestDCATCatalogNegotiatesAndRedirects(t *testing.T) {
	env, org, ds := dcatEnv(t)
	for accept, ext := range map[string]string{
		"": "json", "text/turtle": "ttl", "application/rdf+xml;q=0.9": "xml", "application/n-triples": "nt",
		"text/html, application/ld+json": "json", "application/trig": "trig",
	} {
		res := env.DoWithHeader(t, "GET", "/api/1/site/catalog?tag=budget", nil, "", http.Header{"Accept": {accept}})
		require.Equal(t, http.StatusFound, res.Status, accept)
		assert.Equal(t, env.URL+"/api/1/site/catalog."+ext+"?page=1&page_size=100&tag=budget", res.Header.Get("Location"), accept)
	}
	res := env.DoWithHeader(t, "GET", "/api/1/organizations/"+org+"/catalog", nil, "", http.Header{"Accept": {"text/turtle"}})
	assert.Equal(t, env.URL+"/api/1/organizations/"+org+"/catalog.ttl?page=1&page_size=100", res.Header.Get("Location"))
	res = env.DoWithHeader(t, "GET", "/api/1/datasets/"+ds+"/rdf", nil, "", http.Header{"Accept": {"application/rdf+xml"}})
	assert.Equal(t, env.URL+"/api/1/datasets/"+ds+"/rdf.xml", res.Header.Get("Location"))
	res = env.Do(t, "GET", "/api/1/site/data.ttl", nil, "")
	assert.Equal(t, env.URL+"/api/1/site/catalog.ttl?page=1&page_size=100", res.Header.Get("Location"))

	for _, path := range []string{"/api/1/site/catalog.pdf", "/api/1/datasets/" + ds + "/rdf.docx", "/api/1/organizations/" + org + "/catalog.exe",
		"/api/1/datasets/000000000000000000000000/rdf.ttl", "/api/1/organizations/000000000000000000000000/catalog.ttl", "/api/1/site/catalog.ttl?page=9"} {
		assert.Equal(t, http.StatusNotFound, env.Do(t, "GET", path, nil, "").Status, path)
	}
	for _, path := range []string{"/api/1/site/catalog.ttl?page_size=-1", "/api/1/site/catalog.ttl?page_size=x", "/api/1/site/catalog.ttl?page=x"} {
		assert.Equal(t, http.StatusBadRequest, env.Do(t, "GET", path, nil, "").Status, path)
	}
}

func TestDCATCatalogPagesInEveryFormat(t *testing.T) {
	env, org, ds := dcatEnv(t)

	nt := env.Do(t, "GET", "/api/1/site/catalog.nt?page=1&page_size=3", nil, "")
	require.Equal(t, http.StatusOK, nt.Status)
	assert.Equal(t, "application/n-triples", nt.Header.Get("Content-Type"))
	body := string(nt.Body)
	catalog := "<" + env.URL + "/api/1/site/catalog>"
	assert.Equal(t, 3, strings.Count(body, "<http://www.w3.org/ns/dcat#Dataset>"))
	assert.Equal(t, 3, strings.Count(body, catalog+" <http://www.w3.org/ns/dcat#dataset>"))
	assert.Contains(t, body, catalog+` <http://www.w3.org/ns/hydra/core#totalItems> "4"^^<http://www.w3.org/2001/XMLSchema#integer> .`)
	assert.Contains(t, body, `<http://www.w3.org/ns/hydra/core#next> <`+env.URL+`/api/1/site/catalog.nt?page=2&page_size=3> .`)
	assert.Contains(t, body, `"Budget primitif\net compte administratif."`)
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		require.True(t, strings.HasSuffix(line, " ."), line)
	}
	last := env.Do(t, "GET", "/api/1/site/catalog.nt?page=2&page_size=3", nil, "")
	assert.Equal(t, 1, strings.Count(string(last.Body), "<http://www.w3.org/ns/dcat#Dataset>"))
	assert.Contains(t, string(last.Body), "#previous>")
	assert.NotContains(t, string(last.Body), "#next>")

	orgTTL := env.Do(t, "GET", "/api/1/organizations/"+org+"/catalog.ttl", nil, "")
	require.Equal(t, http.StatusOK, orgTTL.Status)
	assert.Equal(t, "application/x-turtle", orgTTL.Header.Get("Content-Type"))
	assert.Equal(t, 3, strings.Count(string(orgTTL.Body), "a dcat:Dataset"))
	assert.Contains(t, string(orgTTL.Body), `dct:title "Budget <0> & \"comptes\""`)
	assert.Contains(t, string(orgTTL.Body), "dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/ANNUAL>")
	assert.Contains(t, string(orgTTL.Body), `dcat:startDate "2020-01-01"^^xsd:date`)
	assert.Contains(t, string(orgTTL.Body), "dcat:downloadURL <https://example.org/budget.csv>")

	xmlRes := env.Do(t, "GET", "/api/1/organizations/"+org+"/catalog.xml", nil, "")
	assert.Equal(t, "application/rdf+xml", xmlRes.Header.Get("Content-Type"))
	dec := xml.NewDecoder(strings.NewReader(string(xmlRes.Body)))
	descriptions := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Description" {
			descriptions++
		}
	}
	assert.Greater(t, descriptions, 6)

	ld := env.Do(t, "GET", "/api/1/datasets/"+ds+"/rdf.jsonld", nil, "")
	assert.Equal(t, "application/ld+json", ld.Header.Get("Content-Type"))
	var doc struct {
		Context map[string]string `json:"@context"`
		Graph   []map[string]any  `json:"@graph"`
	}
	require.NoError(t, json.Unmarshal(ld.Body, &doc))
	assert.Equal(t, "http://www.w3.org/ns/dcat#", doc.Context["dcat"])
	types := map[string]bool{}
	for _, n := range doc.Graph {
		for _, ty := range n["@type"].([]any) {
			types[ty.(string)] = true
		}
	}
	assert.Equal(t, map[string]bool{"dcat:Dataset": true, "dcat:Distribution": true, "dct:PeriodOfTime": true, "foaf:Organization": true}, types)
}

func TestDCATCatalogPagesOfAnySize(t *testing.T) {
	env, _, _ := dcatEnv(t)
	seen := map[string]int{}
	for page := 1; page <= 2; page++ {
		res := env.Do(t, "GET", fmt.Sprintf("/api/1/site/catalog.nt?page=%d&page_size=3", page), nil, "")
		require.Equal(t, http.StatusOK, res.Status)
		for _, line := range strings.Split(string(res.Body), "\n") {
			if strings.Contains(line, "<http://www.w3.org/ns/dcat#dataset>") {
				seen[strings.Fields(line)[2]]++
			}
		}
	}
	assert.Len(t, seen, 4, "4 datasets over pages of 3, each once")
	for uri, n := range seen {
		assert.Equal(t, 1, n, uri)
	}
}

func TestRDFRoutesLeaveOtherPathsAlone(t *testing.T) {
	env, org, ds := dcatEnv(t)
	for _, path := range []string{"/api/1/datasets/" + ds + "/resources", "/api/1/organizations/" + org + "/datasets", "/api/1/datasets/" + ds + "/followers"} {
		res := env.Do(t, "GET", path, nil, "")
		assert.Equal(t, http.StatusPermanentRedirect, res.Status, path)
		assert.True(t, strings.HasSuffix(res.Header.Get("Location"), path+"/"), path)
	}
	assert.Equal(t, http.StatusNotFound, env.Do(t, "GET", "/api/1/site/nothing", nil, "").Status)
}
