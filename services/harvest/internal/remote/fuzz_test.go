package remote

import (
	"encoding/json"
	"os"
	"testing"
)

// FuzzDatasetJSON: any JSON object read as a data.gouv.fr, data.json or
// CKAN dataset is a Dataset, usable or with its problem; never a panic.
func FuzzDatasetJSON(f *testing.F) {
	if b, err := os.ReadFile("../../../../../shared/data/catalog/harvest-fixtures/evian.json"); err == nil {
		var doc dataJSON
		if json.Unmarshal(b, &doc) == nil && len(doc.Dataset) > 0 {
			f.Add([]byte(doc.Dataset[0]))
		}
	}
	for _, s := range []string{
		`{"id":"a","title":"T","resources":[{"url":"u"}],"temporal_coverage":{"start":"2020-01-01","end":"x"}}`,
		`{"identifier":"i","title":"","temporal":"2020/2021","distribution":[{"accessURL":"u"}],"license":"<p>https://x</p>"}`,
		`{"id":1,"title":["x"]}`, `{"tags":[{"name":" "}],"resources":[{"url":""}]}`, `null`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, d := range []Dataset{udataToDataset(b), dataJSONToDataset(b), ckanToDataset(b, "http://h")} {
			if d.Problem == "" && (d.RemoteID == "" || d.Title == "") {
				t.Fatalf("usable dataset without id or title: %+v", d)
			}
			_ = d.Fingerprint()
		}
	})
}

// FuzzDCAT: any document read as DCAT gives datasets, usable or with
// their problem, and a next page or none; never a panic.
func FuzzDCAT(f *testing.F) {
	for _, p := range []string{
		"../../../../../shared/reference/opendatateam-udata/org-catalog-sample.rdf.xml",
		"../../../../../shared/data/catalog/harvest-fixtures/geonetwork-dcat-page-1.xml",
	} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "application/rdf+xml")
		}
	}
	f.Add([]byte(`@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
_:d a dcat:Dataset ; dct:title "t" ; dct:temporal [ dcat:startDate "2020" ] ; dcat:distribution [ dcat:accessURL <u> ; dcat:byteSize "x" ] .
<c> <http://www.w3.org/ns/hydra/core#next> <p2> .`), "text/turtle")
	f.Add([]byte(`{"@graph":[{"@type":"http://www.w3.org/ns/dcat#Dataset","http://purl.org/dc/terms/identifier":"i"}]}`), "")
	f.Fuzz(func(t *testing.T, b []byte, contentType string) {
		g, err := ParseRDF(b, contentType)
		if err != nil {
			return
		}
		for _, d := range DCATDatasets(g) {
			if d.Problem == "" && (d.RemoteID == "" || d.Title == "") {
				t.Fatalf("usable dataset without id or title: %+v", d)
			}
		}
		_ = nextPage(g, "http://h/p")
	})
}
