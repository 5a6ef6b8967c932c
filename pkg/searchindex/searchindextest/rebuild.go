package searchindextest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
)

// testRebuild: a rebuild fills a new index while the live one answers as
// before; Swap makes it live in one step, and it persists.
func testRebuild(t *testing.T, open Opener) {
	ctx := context.Background()
	docs := Datasets()
	idx := open(t, DatasetSchema)
	require.NoError(t, idx.Upsert(ctx, docs[0], docs[1]))

	rb, err := idx.Rebuild(ctx)
	require.NoError(t, err)
	_, err = idx.Rebuild(ctx)
	require.ErrorIs(t, err, searchindex.ErrRebuilding)
	require.NoError(t, rb.Upsert(ctx, docs[1:]...))
	require.NoError(t, rb.Delete(ctx, docs[2].ID))
	// The live index answers as before the rebuild.
	n, err := idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assertFinds(t, idx, docs[0].Fields["title"].(string), docs[0].ID)

	require.NoError(t, rb.Swap(ctx))
	require.Error(t, rb.Swap(ctx), "a second swap")
	n, err = idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(docs)-2, n)
	assert.NotContains(t, ids(search(t, idx, searchindex.Query{Text: docs[0].Fields["title"].(string)})), docs[0].ID)
	assertFinds(t, idx, docs[3].Fields["title"].(string), docs[3].ID)

	// Changes after the swap reach the new index; it persists.
	require.NoError(t, idx.Upsert(ctx, docs[0]))
	require.NoError(t, idx.Close())
	idx = open(t, DatasetSchema)
	t.Cleanup(func() { _ = idx.Close() })
	n, err = idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(docs)-1, n)

	// An aborted rebuild leaves the live index as it was, and another
	// rebuild may start.
	rb, err = idx.Rebuild(ctx)
	require.NoError(t, err)
	require.NoError(t, rb.Upsert(ctx, docs[2]))
	require.NoError(t, rb.Abort(ctx))
	n, err = idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(docs)-1, n)
	rb, err = idx.Rebuild(ctx)
	require.NoError(t, err)
	require.NoError(t, rb.Abort(ctx))
	require.Error(t, rb.Abort(ctx), "a second abort")
}
