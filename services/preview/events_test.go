package preview

import (
	"testing"

	"github.com/stretchr/testify/require"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

func TestJobOf(t *testing.T) {
	const base = "https://data.example.org"
	name, version := "scdl/prenoms", "1.1.6"
	for _, tc := range []struct {
		name       string
		res        *catalogv1.Resource
		key, url   string
		signature  string
		analyzable bool
	}{
		{"uploaded file", &catalogv1.Resource{Filetype: "file", Url: base + "/resources/ds/20250101/f.csv",
			Checksum: &catalogv1.Checksum{Type: "sha1", Value: "abc"}},
			"resources/ds/20250101/f.csv", "", "sha1:abc", true},
		{"uploaded file without checksum", &catalogv1.Resource{Filetype: "file", Url: base + "/resources/ds/f.csv"},
			"resources/ds/f.csv", "", "key:resources/ds/f.csv", true},
		{"file outside /resources/", &catalogv1.Resource{Filetype: "file", Url: base + "/elsewhere/f.csv"}, "", "", "", false},
		{"remote", &catalogv1.Resource{Filetype: "remote", Url: "https://example.com/f.csv"},
			"", "https://example.com/f.csv", "url:https://example.com/f.csv", true},
		{"remote pointing to a stored file of the portal", &catalogv1.Resource{Filetype: "remote", Url: base + "/resources/ds/f.csv"},
			"resources/ds/f.csv", "", "key:resources/ds/f.csv", true},
		{"remote on another portal's /resources/", &catalogv1.Resource{Filetype: "remote", Url: "https://other.example.org/resources/ds/f.csv"},
			"", "https://other.example.org/resources/ds/f.csv", "url:https://other.example.org/resources/ds/f.csv", true},
		{"remote without URL", &catalogv1.Resource{Filetype: "remote"}, "", "", "", false},
		{"with a schema", &catalogv1.Resource{Filetype: "remote", Url: "https://example.com/p.csv",
			Schema: &catalogv1.Schema{Name: &name, Version: &version}},
			"", "https://example.com/p.csv", "url:https://example.com/p.csv|schema:scdl/prenoms@1.1.6@", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.res.Id = "r"
			job, ok := jobOf(base, "d", tc.res)
			require.Equal(t, tc.analyzable, ok)
			if !ok {
				return
			}
			require.Equal(t, tc.key, job.Key)
			require.Equal(t, tc.url, job.URL)
			require.Equal(t, tc.signature, job.Signature)
			require.Equal(t, "d", job.DatasetID)
		})
	}
}
