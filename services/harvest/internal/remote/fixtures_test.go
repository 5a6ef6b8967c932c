package remote_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/services/harvest/internal/remote"
)

// Real catalogues (../shared): data.gouv.fr's harvester test fixtures and
// an organization's DCAT catalog from data.gouv.fr.
const (
	fixtures  = "../../../../../shared/data/catalog/harvest-fixtures/"
	udataOrgs = "../../../../../shared/reference/opendatateam-udata/org-catalog-sample.rdf.xml"
)

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s absent", path)
	}
	require.NoError(t, err)
	return b
}

// replay serves files by path, with their content types, on loopback.
func replay(t *testing.T, files map[string]string) (*httptest.Server, remote.Getter) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		ct := "application/json"
		switch {
		case strings.HasSuffix(r.URL.Path, ".xml"):
			ct = "application/rdf+xml"
		case strings.HasSuffix(r.URL.Path, ".ttl"):
			ct = "text/turtle"
		}
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	f, err := safehttp.New(safehttp.Config{Allow: []string{"127.0.0.1"}})
	require.NoError(t, err)
	return srv, f
}

func walk(t *testing.T, s remote.Source) []remote.Dataset {
	t.Helper()
	var out []remote.Dataset
	require.NoError(t, s.Walk(context.Background(), func(d remote.Dataset) error {
		out = append(out, d)
		return nil
	}))
	return out
}

func TestDCATOfAnOrganizationOfDataGouvFr(t *testing.T) {
	srv, get := replay(t, map[string]string{"/catalog.xml": string(read(t, udataOrgs))})
	ds := walk(t, &remote.DCAT{Get: get, URL: srv.URL + "/catalog.xml"})
	require.Len(t, ds, 2)
	var vanves remote.Dataset
	for _, d := range ds {
		if d.Title == "Bureaux de vote - Vanves" {
			vanves = d
		}
	}
	assert.Equal(t, "https://vanves-seineouest.opendatasoft.com/explore/dataset/bureau-de-vote-vanves/", vanves.RemoteID)
	assert.Equal(t, "La liste des 23 bureaux de vote à Vanves", vanves.Desc)
	assert.Equal(t, []string{"administration-finances-publiques", "bureaux-de-vote", "elections"}, vanves.Tags)
	assert.Equal(t, "2019-04-19T12:21:56Z", vanves.Created.Format("2006-01-02T15:04:05Z07:00"))
	assert.Len(t, vanves.Resources, 4)
	formats := map[string]bool{}
	for _, r := range vanves.Resources {
		formats[r.Format] = true
		assert.True(t, strings.HasPrefix(r.URL, "https://vanves-seineouest.opendatasoft.com/"), r.URL)
	}
	assert.True(t, formats["csv"])
	assert.Equal(t, "License Not Specified", vanves.License)
	assert.Empty(t, vanves.Problem)
}

func TestDCATRecordOfAGeoNetwork(t *testing.T) {
	g, err := remote.ParseRDF(read(t, fixtures+"datara--5a26b0f6-0ccf-46ad-ac58-734054b91977.rdf.xml"), "")
	require.NoError(t, err)
	ds := remote.DCATDatasets(g)
	require.Len(t, ds, 1)
	d := ds[0]
	assert.NotEmpty(t, d.Title)
	assert.NotEmpty(t, d.RemoteID)
	assert.NotEmpty(t, d.Desc)
	assert.Empty(t, d.Problem)
}

func TestDCATInsideACSWResponse(t *testing.T) {
	g, err := remote.ParseRDF(read(t, fixtures+"geonetwork-dcat-page-1.xml"), "application/xml")
	require.NoError(t, err)
	ds := remote.DCATDatasets(g)
	require.Len(t, ds, 2)
	assert.Equal(t, "https://www.geo2france.fr/insee/partmenage5ans", ds[0].RemoteID)
	assert.Contains(t, ds[0].Title, "INSEE - Part des ménages")
	assert.Contains(t, ds[0].Desc, "rectangle INSEE")
}

func TestDCATUSOfArcGISHub(t *testing.T) {
	srv, get := replay(t, map[string]string{"/data.json": string(read(t, fixtures+"evian.json"))})
	ds := walk(t, &remote.DCATUS{Get: get, URL: srv.URL + "/data.json"})
	require.NotEmpty(t, ds)
	d := ds[0]
	assert.Equal(t, "stationnement velos", d.Title)
	assert.Equal(t, "https://www.etalab.gouv.fr/licence-ouverte-open-licence/", d.License)
	assert.Equal(t, []string{"mobilite"}, d.Tags)
	require.NotEmpty(t, d.Resources)
	assert.Equal(t, "csv", d.Resources[2].Format)
	for _, d := range ds {
		assert.NotEmpty(t, d.RemoteID)
		assert.Empty(t, d.Problem, d.RemoteID)
	}
}

func TestCKANOfDKAN(t *testing.T) {
	srv, get := replay(t, map[string]string{"/api/3/action/package_search": string(read(t, fixtures+"dkan-french-w-license.json"))})
	ds := walk(t, &remote.CKAN{Get: get, BaseURL: srv.URL})
	require.Len(t, ds, 1)
	d := ds[0]
	assert.Equal(t, "04be6288-696d-4331-850d-a144871a7e3a", d.RemoteID)
	assert.Equal(t, "Antennes régionales de la Région Hauts-de-France (au 01/10/2019)", d.Title)
	assert.Equal(t, "http://www.etalab.gouv.fr/pages/Licence_ouverte_Open_licence-5899923.html", d.License)
	assert.Contains(t, d.Tags, "ADMINISTRATION")
	assert.Len(t, d.Resources, 2)
	assert.Equal(t, "xlsx", d.Resources[0].Format)
}

func TestCKANPackageSearchPages(t *testing.T) {
	page := func(start int, ids ...string) string {
		var rs []string
		for _, id := range ids {
			rs = append(rs, `{"id":"`+id+`","title":"T `+id+`","resources":[{"id":"r","url":"https://example.org/`+id+`.csv","format":"CSV"}]}`)
		}
		return `{"success":true,"result":{"count":3,"results":[` + strings.Join(rs, ",") + `]}}`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "organization:(ville-a OR ville-b)", r.URL.Query().Get("fq"))
		switch r.URL.Query().Get("start") {
		case "0":
			_, _ = w.Write([]byte(page(0, "a", "b")))
		default:
			_, _ = w.Write([]byte(page(2, "c")))
		}
	}))
	defer srv.Close()
	f, err := safehttp.New(safehttp.Config{Allow: []string{"127.0.0.1"}})
	require.NoError(t, err)
	ds := walk(t, &remote.CKAN{Get: f, BaseURL: srv.URL, Organizations: []string{"ville-a", "ville-b"}, PageSize: 2})
	require.Len(t, ds, 3)
	assert.Equal(t, "c", ds[2].RemoteID)
	assert.Equal(t, "csv", ds[2].Resources[0].Format)
}

func TestDCATFollowsHydraPagesInTurtleAndJSONLD(t *testing.T) {
	ttl := `@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<https://x.org/d/1> a dcat:Dataset ; dct:identifier "one" ; dct:title "Un"@fr, "One"@en ;
    dcat:keyword "a", "b" ; dct:accrualPeriodicity <http://purl.org/cld/freq/monthly> ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ] ;
    dcat:distribution [ dct:title "f.csv" ; dcat:downloadURL <https://x.org/f.csv> ; dct:format "CSV" ; dcat:byteSize 12 ;
        dct:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence> ] .
<https://x.org/catalog?page=1> hydra:next <page2.jsonld> .
`
	ld := `{"@context":{"dcat":"http://www.w3.org/ns/dcat#","dct":"http://purl.org/dc/terms/","hydra":"http://www.w3.org/ns/hydra/core#",
  "title":"dct:title","distribution":{"@id":"dcat:distribution","@type":"@id"}},
 "@graph":[{"@id":"https://x.org/d/2","@type":"dcat:Dataset","title":"Deux","dct:identifier":"two","distribution":"https://x.org/d/2#r"},
  {"@id":"https://x.org/d/2#r","dcat:accessURL":{"@id":"https://x.org/2.csv"},"dct:title":[{"@value":"deux.csv","@language":"fr"}]},
  {"@id":"https://x.org/catalog?page=2","hydra:next":{"@id":"catalog.ttl"}}]}`
	srv, get := replay(t, map[string]string{"/catalog.ttl": ttl, "/page2.jsonld": ld})
	var ds []remote.Dataset
	err := (&remote.DCAT{Get: get, URL: srv.URL + "/catalog.ttl"}).Walk(context.Background(), func(d remote.Dataset) error {
		ds = append(ds, d)
		return nil
	})
	assert.ErrorIs(t, err, remote.ErrPaging, "page 2 points back to page 1")
	require.Len(t, ds, 2)
	one, two := ds[0], ds[1]
	assert.Equal(t, "one", one.RemoteID)
	assert.Equal(t, "Un", one.Title)
	assert.Equal(t, "monthly", one.Frequency)
	assert.Equal(t, []string{"a", "b"}, one.Tags)
	require.NotNil(t, one.Temporal)
	assert.Equal(t, 2020, one.Temporal.Start.Year())
	require.Len(t, one.Resources, 1)
	assert.Equal(t, int64(12), one.Resources[0].Size)
	assert.Equal(t, "https://www.etalab.gouv.fr/licence-ouverte-open-licence", one.License)
	assert.Equal(t, "two", two.RemoteID)
	assert.Equal(t, "Deux", two.Title)
	require.Len(t, two.Resources, 1)
	assert.Equal(t, "https://x.org/2.csv", two.Resources[0].URL)
	assert.Equal(t, "deux.csv", two.Resources[0].Title)
}

func TestCSWDCATOfAGeoNetworkPages(t *testing.T) {
	first := string(read(t, fixtures+"geonetwork-dcat-page-1.xml"))
	last := `<?xml version="1.0"?><csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">
<csw:SearchResults numberOfRecordsMatched="3" numberOfRecordsReturned="1" nextRecord="0">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
<dcat:Dataset rdf:about="https://geo.example/3"><dct:identifier>three</dct:identifier><dct:title>Trois</dct:title></dcat:Dataset>
</rdf:RDF></csw:SearchResults></csw:GetRecordsResponse>`
	var starts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		assert.Equal(t, "GetRecords", q.Get("request"))
		assert.Equal(t, "http://www.w3.org/ns/dcat#", q.Get("outputSchema"))
		starts = append(starts, q.Get("startPosition"))
		if q.Get("startPosition") == "1" {
			_, _ = w.Write([]byte(first))
			return
		}
		_, _ = w.Write([]byte(last))
	}))
	defer srv.Close()
	f, err := safehttp.New(safehttp.Config{Allow: []string{"127.0.0.1"}})
	require.NoError(t, err)
	ds := walk(t, &remote.CSWDCAT{Get: f, URL: srv.URL + "/geonetwork/srv/fre/csw", PageSize: 2})
	assert.Equal(t, []string{"1", "3"}, starts)
	require.Len(t, ds, 3)
	assert.Equal(t, "https://www.geo2france.fr/insee/partmenage5ans", ds[0].RemoteID)
	assert.Equal(t, "three", ds[2].RemoteID)
}
