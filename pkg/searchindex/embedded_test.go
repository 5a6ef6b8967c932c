package searchindex_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/searchindex/searchindextest"
)

func TestEmbedded(t *testing.T) {
	var mu sync.Mutex
	dirs := map[*testing.T]string{}
	searchindextest.Run(t, func(t *testing.T, schema searchindex.Schema) searchindex.Index {
		mu.Lock()
		dir, ok := dirs[t]
		if !ok {
			dir = t.TempDir()
			dirs[t] = dir
		}
		mu.Unlock()
		idx, err := searchindex.OpenEmbedded(dir+"/index", schema)
		require.NoError(t, err)
		return idx
	})
}

func TestEmbeddedSchemaChanged(t *testing.T) {
	dir := t.TempDir() + "/index"
	idx, err := searchindex.OpenEmbedded(dir, searchindextest.DatasetSchema)
	require.NoError(t, err)
	require.NoError(t, idx.Close())

	other := searchindextest.DatasetSchema
	other.Sortable = []string{"created"}
	_, err = searchindex.OpenEmbedded(dir, other)
	require.Error(t, err)

	idx, err = searchindex.OpenEmbedded(dir, searchindextest.DatasetSchema)
	require.NoError(t, err)
	require.NoError(t, idx.Close())
}
