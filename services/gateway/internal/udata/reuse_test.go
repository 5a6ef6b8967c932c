package udata

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/jsonshape"
)

func sampleReuse() *catalogv1.Reuse {
	at := timestamppb.New(time.Date(2025, 4, 7, 6, 15, 30, 658000000, time.UTC))
	return &catalogv1.Reuse{
		Id: "5d13a8b6634f41070a43dff4", Slug: "carte-des-arbres", Title: "Carte des arbres", Description: "Une carte « interactive ».",
		Type: "visualization", Topic: "environment_and_energy", Url: "https://carte.example.org/", Tags: []string{"arbres"},
		ExtrasJson: []byte(`{"b":1,"a":"é"}`), CreatedAt: at, LastModified: at,
		Owner:       &catalogv1.UserRef{Id: "5d13a8b6634f41070a43dff5", Slug: "ada-min", FirstName: "Ada", LastName: "Min"},
		Datasets:    []*catalogv1.Dataset{{Id: "5d13a8b6634f41070a43dff3", Slug: "arbres", Title: "Arbres"}},
		Metrics:     &catalogv1.ReuseMetrics{Datasets: 1, Followers: 2, FollowersByMonths: map[string]int64{"2025-04": 1, "2025-03": 1}},
		Permissions: &catalogv1.ReusePermissions{Edit: true, Delete: true},
	}
}

// TestRenderReuseBytes pins a reuse list item to udata's exact bytes:
// sorted keys, Python separators, \uXXXX escapes, udata dates.
func TestRenderReuseBytes(t *testing.T) {
	r := NewRenderer(testBase)
	got := string(render(func(w *Writer) { r.ReuseListItem(w, sampleReuse()) }))
	want := `{"archived": null, "badges": [], "created_at": "2025-04-07T06:15:30.658000+00:00", "dataservices": [], ` +
		`"datasets": [{"id": "5d13a8b6634f41070a43dff3", "page": "https://relais.example.org/datasets/arbres/", "title": "Arbres", ` +
		`"uri": "https://relais.example.org/api/1/datasets/arbres/"}], "deleted": null, ` +
		`"description": "Une carte \u00ab interactive \u00bb.", "extras": {"a": "\u00e9", "b": 1}, "featured": false, ` +
		`"id": "5d13a8b6634f41070a43dff4", "image": null, "image_thumbnail": null, "last_modified": "2025-04-07T06:15:30.658000+00:00", ` +
		`"metrics": {"datasets": 1, "discussions": 0, "discussions_open": 0, "followers": 2, "followers_by_months": {"2025-03": 1, "2025-04": 1}, "views": 0}, ` +
		`"organization": null, "owner": {"avatar": null, "avatar_thumbnail": null, "class": "User", "first_name": "Ada", ` +
		`"id": "5d13a8b6634f41070a43dff5", "last_name": "Min", "page": "https://relais.example.org/users/ada-min/", "slug": "ada-min", ` +
		`"uri": "https://relais.example.org/api/1/users/ada-min/"}, "page": "https://relais.example.org/reuses/carte-des-arbres/", ` +
		`"permissions": {"delete": true, "edit": true}, "private": false, "slug": "carte-des-arbres", "tags": ["arbres"], ` +
		`"title": "Carte des arbres", "topic": "environment_and_energy", "type": "visualization", ` +
		`"uri": "https://relais.example.org/api/1/reuses/carte-des-arbres/", "url": "https://carte.example.org/"}`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRenderReuseConventions(t *testing.T) {
	r := NewRenderer(testBase)
	for name, data := range map[string][]byte{
		"reuse":       render(func(w *Writer) { r.Reuse(w, sampleReuse()) }),
		"reuse_v2":    render(func(w *Writer) { r.ReuseV2(w, sampleReuse()) }),
		"reuse_empty": render(func(w *Writer) { r.Reuse(w, &catalogv1.Reuse{}) }),
		"follow":      render(func(w *Writer) { r.Follow(w, &catalogv1.Follow{Id: "x", Follower: &catalogv1.UserRef{}}) }),
	} {
		if err := jsonshape.CheckConventions(data); err != nil {
			t.Errorf("%s: %v\n%s", name, err, data)
		}
		if _, err := jsonshape.Decode(data); err != nil {
			t.Errorf("%s: invalid JSON: %v", name, err)
		}
	}
}

// FuzzParseReuse feeds reuse bodies and dataset links: an error or an
// input, never a panic; a parsed mask only names keys the body has.
func FuzzParseReuse(f *testing.F) {
	for _, s := range []string{
		`{"title":"t","description":"d","type":"api","topic":"others","url":"https://x.test","tags":["a"],"datasets":[{"id":"5d13a8b6634f41070a43dff3"}]}`,
		`{"tags":"a, b","datasets":["x",{"class":"Dataset","id":"y"}],"organization":{"id":"z"},"owner":null,"extras":null}`,
		`{"deleted":null,"archived":"2024-01-01T00:00:00","private":true,"featured":"yes"}`,
		`{"datasets":[1],"archived":"tomorrow","extras":[]}`,
		`{"id":{"$ne":null}}`, `{"class":"Dataset","id":"5d13a8b6634f41070a43dff3"}`, `[]`, `null`, `"x"`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if in, err := ParseReuse(data); err == nil {
			fields, _ := decodeBody(data)
			for _, k := range in.Mask {
				if !fields.has(k) {
					t.Fatalf("mask names %q, absent from %q", k, data)
				}
			}
		}
		_, _ = ParseReuseDatasetLink(data)
	})
}
