package harvester_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway"
	"github.com/relais-data/relais/services/harvest/internal/store"
	"github.com/relais-data/relais/services/harvest/internal/udatatest"
)

// serveGateway serves e's catalog through a real gateway.
func serveGateway(t *testing.T, e *env) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	gw, err := gateway.New(gateway.Config{PublicURL: base}, gateway.Deps{Catalog: e.catalog})
	require.NoError(t, err)
	srv.Config.Handler = gw.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return base
}

// TestRoundTripThroughDCAT: Relais A holds datasets (harvested from the
// export); A's gateway exports its organization's catalog in each RDF
// syntax and as its API; Relais B harvests each, and B's datasets match
// A's.
func TestRoundTripThroughDCAT(t *testing.T) {
	a := newEnv(t, sqldb.SQLite)
	ds, err := udatatest.FromExport(exportPath, 120, a.licenses(t))
	require.NoError(t, err)
	for i := range ds {
		if i%3 == 0 { // line breaks and characters to escape in every syntax
			ds[i].Description += "\r\nDeuxième ligne : « guillemets » & <balises>"
		}
	}
	src := udatatest.New(ds)
	defer src.Close()
	addSource(t, a, "export", src.URL, true, "")
	require.Equal(t, store.RunDone, a.run(t, "export").Status)
	gwA := serveGateway(t, a)
	want := a.datasets(t)
	require.Len(t, want, 120)

	for _, source := range []struct{ name, kind, url string }{
		{"rdf-xml-3-pages", "dcat", gwA + "/api/1/organizations/" + a.org + "/catalog.xml?page_size=50"},
		{"turtle", "dcat", gwA + "/api/1/organizations/" + a.org + "/catalog.ttl?page_size=200"},
		{"n-triples-site", "dcat", gwA + "/api/1/site/catalog.nt?page_size=200"},
		{"json-ld", "dcat", gwA + "/api/1/organizations/" + a.org + "/catalog.jsonld?page_size=200"},
		{"udata-api", "udata", gwA},
	} {
		t.Run(source.name, func(t *testing.T) {
			b := newEnv(t, sqldb.SQLite)
			require.NoError(t, b.store.CreateSource(context.Background(), store.Source{
				ID: "a", Name: "Relais A", Kind: source.kind, URL: source.url, Organization: b.org, AutoApply: true, OnDeletion: "archive",
			}))
			rep := b.run(t, "a")
			require.Equal(t, store.RunDone, rep.Status, rep.Error)
			require.Empty(t, rep.Error)
			assert.Equal(t, int64(120), rep.Counts[store.Create][store.ItemApplied], "%+v", rep.Counts)
			got := b.datasets(t)
			require.Len(t, got, 120)
			for _, d := range got {
				var h map[string]string
				require.NoError(t, json.Unmarshal(d.GetHarvestJson(), &h))
				orig, ok := want[h["remote_id"]]
				require.True(t, ok, "B's %s maps to A's %s", d.GetId(), h["remote_id"])
				assertSameDataset(t, orig, d)
			}
			// Harvesting A again changes nothing.
			rep = b.run(t, "a")
			assert.Equal(t, int64(120), rep.Skipped)
		})
	}
}

func assertSameDataset(t *testing.T, a, b *catalogv1.Dataset) {
	t.Helper()
	id := a.GetId()
	assert.Equal(t, a.GetTitle(), b.GetTitle(), id)
	assert.Equal(t, a.GetDescription(), b.GetDescription(), id)
	assert.Equal(t, a.GetTags(), b.GetTags(), id)
	assert.Equal(t, a.GetFrequency(), b.GetFrequency(), id)
	assert.Equal(t, a.GetTemporalCoverage().GetStart(), b.GetTemporalCoverage().GetStart(), id)
	assert.Equal(t, a.GetTemporalCoverage().GetEnd(), b.GetTemporalCoverage().GetEnd(), id)
	assert.Equal(t, a.GetLicense(), b.GetLicense(), id)
	require.Len(t, b.GetResources(), len(a.GetResources()), id)
	for i, r := range a.GetResources() {
		assert.Equal(t, r.GetUrl(), b.GetResources()[i].GetUrl(), id)
		assert.Equal(t, r.GetTitle(), b.GetResources()[i].GetTitle(), id)
		assert.Equal(t, r.GetFormat(), b.GetResources()[i].GetFormat(), fmt.Sprint(id, " ", i))
	}
}
