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
