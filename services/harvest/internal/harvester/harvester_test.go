package harvester_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/harvest/internal/harvester"
	"github.com/relais-data/relais/services/harvest/internal/store"
	"github.com/relais-data/relais/services/harvest/internal/udatatest"
)

func addSource(t testing.TB, e *env, id, url string, auto bool, params string) {
	t.Helper()
	require.NoError(t, e.store.CreateSource(context.Background(), store.Source{
		ID: id, Name: id, Kind: "udata", URL: url, ParamsJSON: params, Organization: e.org, AutoApply: auto, OnDeletion: "archive",
	}))
}

func TestUDataSourceCreatesUpdatesArchivesWithoutDuplicates(t *testing.T) {
	for _, driver := range sqldbtest.Drivers() {
		t.Run(string(driver), func(t *testing.T) { testLifecycle(t, driver) })
	}
}

func testLifecycle(t *testing.T, driver sqldb.Driver) {
	e := newEnv(t, driver)
	ds, err := udatatest.FromExport(exportPath, 300, e.licenses(t))
	require.NoError(t, err)
	src := udatatest.New(ds)
	defer src.Close()
	addSource(t, e, "dgf", src.URL, true, `{"page_size":50}`)

	rep := e.run(t, "dgf")
	require.Equal(t, store.RunDone, rep.Status, rep.Error)
	assert.Equal(t, int64(300), rep.Seen)
	assert.Equal(t, int64(300), rep.Counts[store.Create][store.ItemApplied])
	local := e.datasets(t)
	require.Len(t, local, 300)
	var h map[string]string
	for _, d := range local {
		require.NoError(t, json.Unmarshal(d.GetHarvestJson(), &h))
		assert.Equal(t, "udata", h["backend"])
		assert.Equal(t, "dgf", h["source_id"])
		assert.Equal(t, "127.0.0.1", h["domain"])
		assert.NotEmpty(t, h["remote_id"])
		assert.NotEmpty(t, h["remote_url"])
		break
	}

	// Nothing changed: everything skipped, nothing written.
	rep = e.run(t, "dgf")
	assert.Equal(t, int64(300), rep.Skipped)
	assert.Empty(t, rep.Counts)

	// A renamed slug and URL, a new title, a dataset gone.
	renamed, gone := ds[0].ID, ds[1].ID
	src.Edit(func(d []udatatest.Dataset) []udatatest.Dataset {
		d[0].Slug, d[0].Page, d[0].Title = "nouveau-slug", "https://example.org/moved/", "Titre changé"
		return append(d[:1], d[2:]...)
	})
	rep = e.run(t, "dgf")
	require.Equal(t, store.RunDone, rep.Status, rep.Error)
	assert.Equal(t, int64(1), rep.Counts[store.Update][store.ItemApplied])
	assert.Equal(t, int64(1), rep.Counts[store.Archive][store.ItemApplied])
	assert.Equal(t, int64(298), rep.Skipped)
	items, err := e.store.Items(context.Background(), rep.ID, "")
	require.NoError(t, err)
	var changes []harvester.Change
	for _, it := range items {
		if it.RemoteID == renamed {
			require.NoError(t, json.Unmarshal([]byte(it.DiffJSON), &changes))
		}
	}
	fields := map[string]any{}
	for _, c := range changes {
		fields[c.Field] = c.New
	}
	assert.Equal(t, map[string]any{"title": "Titre changé", "remote_url": "https://example.org/moved/"}, fields)

	local = e.datasets(t)
	require.Len(t, local, 300, "no duplicate")
	var titled, archived int
	for _, d := range local {
		require.NoError(t, json.Unmarshal(d.GetHarvestJson(), &h))
		if h["remote_id"] == renamed {
			assert.Equal(t, "Titre changé", d.GetTitle())
			titled++
		}
		if h["remote_id"] == gone {
			assert.NotNil(t, d.GetArchived())
			assert.Equal(t, "not-on-remote", h["archived"])
			archived++
		}
	}
	assert.Equal(t, 1, titled)
	assert.Equal(t, 1, archived)
}

func TestUDataSourceNarrowedToTheOrganizationsOfSIRETs(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	ds, err := udatatest.FromExport(exportPath, 500, e.licenses(t))
	require.NoError(t, err)
	src := udatatest.New(ds)
	defer src.Close()
	org := ds[0].Organization.ID
	want := 0
	for _, d := range ds {
		if d.Organization != nil && d.Organization.ID == org {
			want++
		}
	}
	src.SetSIRET("21350238800019", org)
	addSource(t, e, "territoire", src.URL, true, `{"sirets":["21350238800019","00000000000000"],"page_size":7}`)
	rep := e.run(t, "territoire")
	require.Equal(t, store.RunDone, rep.Status, rep.Error)
	assert.Equal(t, int64(want), rep.Counts[store.Create][store.ItemApplied])
	assert.Len(t, e.datasets(t), want)
}
