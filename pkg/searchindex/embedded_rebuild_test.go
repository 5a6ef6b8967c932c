package searchindex_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/searchindex/searchindextest"
)

// Searches running while a rebuild swaps in all answer, from the old index
// or from the new one.
func TestEmbeddedSearchDuringSwap(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir() + "/index"
	idx, err := searchindex.OpenEmbedded(dir, searchindextest.DatasetSchema)
	require.NoError(t, err)
	defer idx.Close()
	docs := searchindextest.Datasets()
	require.NoError(t, idx.Upsert(ctx, docs...))

	var stop atomic.Bool
	var searches, failures atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				res, err := idx.Search(ctx, searchindex.Query{Text: "budget", Facets: []string{"organization"}})
				searches.Add(1)
				if err != nil || res.Total == 0 {
					failures.Add(1)
				}
			}
		}()
	}
	for range 5 {
		rb, err := idx.Rebuild(ctx)
		require.NoError(t, err)
		require.NoError(t, rb.Upsert(ctx, docs...))
		require.NoError(t, rb.Swap(ctx))
	}
	stop.Store(true)
	wg.Wait()
	assert.Zero(t, failures.Load(), "of %d searches", searches.Load())
	assert.Positive(t, searches.Load())
	n, err := idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(docs), n)
	_, err = os.Stat(dir + ".old")
	assert.True(t, os.IsNotExist(err), "the old index is dropped")
}

// A crash between the two renames of a swap leaves the live directory
// missing; opening finishes the swap.
func TestEmbeddedRecoversInterruptedSwap(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir() + "/index"
	idx, err := searchindex.OpenEmbedded(dir, searchindextest.DatasetSchema)
	require.NoError(t, err)
	docs := searchindextest.Datasets()
	require.NoError(t, idx.Upsert(ctx, docs[0]))
	rb, err := idx.Rebuild(ctx)
	require.NoError(t, err)
	require.NoError(t, rb.Upsert(ctx, docs...))
	require.NoError(t, rb.Swap(ctx))
	require.NoError(t, idx.Close())
	// As the swap left it after its first rename.
	require.NoError(t, os.Rename(dir, dir+".next"))
	require.NoError(t, os.MkdirAll(dir+".old", 0o755))

	idx, err = searchindex.OpenEmbedded(dir, searchindextest.DatasetSchema)
	require.NoError(t, err)
	defer idx.Close()
	n, err := idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(docs), n)
}
